"""What the network sees: windows and targets, optionally relative, standardised.

Everything here works on a batch of windows at a time, so that a window view
over a long series is never materialised whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["WindowScaling"]

# Rows per block when a pass over all windows is needed (statistics,
# prediction): large enough to amortise per-call costs, small enough that a
# block of long windows stays about two megabytes (float64).
BLOCK_ELEMENTS = 1 << 18
# Largest magnitude summed as is when computing statistics; larger values are
# summed in a power-of-two unit so that their squares cannot overflow.
_SAFE_MAGNITUDE = 1e100
# Largest standard deviation of a target: its square scales the loss, which
# must stay finite in float64 (about 1.8e308) with room to spare.
MAX_TARGET_SCALE = 1e150
# Largest magnitude the float32 network input or target can hold.
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def block_rows(windows: np.ndarray) -> int:
    """Rows per block so that one block holds about ``BLOCK_ELEMENTS`` values."""
    per_row = int(np.prod(windows.shape[1:])) or 1
    return max(1, BLOCK_ELEMENTS // per_row)


def _safe_scale(std: np.ndarray) -> np.ndarray:
    # A constant column (see _moments) carries no information to rescale;
    # dividing by one keeps it finite (as StandardScaler does).
    return np.where(std > 0, std, 1.0)


@dataclass
class WindowScaling:
    """Per-feature statistics and the relative-to-last-row option.

    Attributes
    ----------
    x_mean, x_scale : ndarray of shape (n_features,)
        Mean and standard deviation of the (relative) window values.
    y_mean, y_scale : ndarray of shape (n_outputs,)
        Mean and standard deviation of the (relative) targets.
    relative : bool
        Whether each window is taken relative to its last row and the target
        as the change from that row.
    """

    x_mean: np.ndarray
    x_scale: np.ndarray
    y_mean: np.ndarray
    y_scale: np.ndarray
    relative: bool = False

    @classmethod
    def fit(
        cls, windows: np.ndarray, y: np.ndarray, *, standardize: bool, relative: bool
    ) -> WindowScaling:
        """Statistics of ``windows`` (n, time_steps, n_features) and ``y`` (n, k)."""
        n_features, n_outputs = windows.shape[2], y.shape[1]
        if not standardize:
            return cls(
                np.zeros(n_features),
                np.ones(n_features),
                np.zeros(n_outputs),
                np.ones(n_outputs),
                relative,
            )
        step = block_rows(windows)
        blocks = range(0, len(windows), step)
        # Overflow (relative differences of values near float64's limit) is
        # reported below, not warned about.
        with np.errstate(over="ignore", invalid="ignore"):
            x_mean, x_std = _moments(
                _relative(windows[i : i + step], relative).reshape(-1, n_features)
                for i in blocks
            )
            y_mean, y_std = _moments(
                _relative_targets(windows[i : i + step], y[i : i + step], relative)
                for i in blocks
            )
        if not (np.isfinite(x_mean).all() and np.isfinite(x_std).all()):
            raise ValueError(
                "X has values too large to standardise: their statistics overflow "
                "float64"
                + (" (relative=True subtracts rows)" if relative else "")
                + ". Rescale X, for example divide it by a power of ten."
            )
        if not (np.isfinite(y_mean).all() and np.all(y_std <= MAX_TARGET_SCALE)):
            raise ValueError(
                f"y spreads too widely (standard deviation {np.max(y_std):.3g}, at "
                f"most {MAX_TARGET_SCALE:.0e} is supported): the training loss, "
                "its squared error in y's units, would overflow float64. Rescale "
                "y, for example divide it by a power of ten."
            )
        return cls(x_mean, _safe_scale(x_std), y_mean, _safe_scale(y_std), relative)

    def transform_windows(self, windows: np.ndarray) -> np.ndarray:
        """The float32 network input for a batch of windows."""
        block = _relative(windows, self.relative)
        with np.errstate(over="ignore"):
            out = ((block - self.x_mean) / self.x_scale).astype(np.float32)
        _check_float32(out, "X")
        return out

    def transform_targets(self, windows: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The float32 training targets for the windows' true targets ``y``.

        Computed in float64 block by block, so a long series needs no float64
        temporary of its full length.
        """
        out = np.empty(y.shape, dtype=np.float32)
        step = block_rows(windows)
        for i in range(0, len(y), step):
            targets = _relative_targets(
                windows[i : i + step], y[i : i + step], self.relative
            )
            with np.errstate(over="ignore"):
                out[i : i + step] = (targets - self.y_mean) / self.y_scale
        _check_float32(out, "y")
        return out

    def inverse_targets(self, windows: np.ndarray, outputs: np.ndarray) -> np.ndarray:
        """Map network outputs for ``windows`` back to float64 targets."""
        targets = np.asarray(outputs, dtype=np.float64) * self.y_scale + self.y_mean
        if self.relative:
            targets += windows[:, -1, :]
        return targets


def _check_float32(values: np.ndarray, name: str) -> None:
    """Reject scaled values that overflowed the network's float32."""
    if values.size and not (np.isfinite(values.max()) and np.isfinite(values.min())):
        raise ValueError(
            f"{name} has values beyond the network's float32 range (about "
            f"{_FLOAT32_MAX:.1e}) once scaled: rescale {name} (or keep "
            f"standardize=True), and check that it is on the scale of the data "
            "the model was fitted on."
        )


def _moments(blocks) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation per column over 2-D blocks of rows.

    Chan et al.'s pairwise update keeps the variance exact in float64 however
    many blocks there are, without holding them all at once. A column whose
    values agree to rounding (its range within a few ulps of its magnitude)
    is constant: its standard deviation is 0, not the rounding error of its
    mean, which dividing by would blow up into noise.
    """
    count, mean, m2, unit = 0, 0.0, 0.0, 1.0
    low, high = np.inf, -np.inf
    for block in blocks:
        block = np.asarray(block, dtype=np.float64)
        block_low, block_high = block.min(axis=0), block.max(axis=0)
        low, high = np.minimum(low, block_low), np.maximum(high, block_high)
        # Values near float64's limits (1e300 or 1e-300, say) overflow or
        # underflow when squared: each column's sums are then kept in a
        # power-of-two unit near its magnitude, which rescales exactly.
        peak = np.maximum(block_high, -block_low)
        wanted = np.isfinite(peak) & (
            (peak > _SAFE_MAGNITUDE * unit)
            | ((count == 0) & (peak > 0) & (peak < unit / _SAFE_MAGNITUDE))
        )
        if wanted.any():
            exponent = np.frexp(np.where(wanted, peak, 1.0))[1] - 1
            new_unit = np.where(wanted, np.ldexp(1.0, exponent), unit)
            if count:  # later units only grow: the ratio is at most 1
                mean, m2 = mean * (unit / new_unit), m2 * (unit / new_unit) ** 2
            unit = new_unit
        if np.any(unit != 1.0):
            block = block / unit
        b_count = len(block)
        b_mean = block.mean(axis=0)
        b_m2 = ((block - b_mean) ** 2).sum(axis=0)
        delta = b_mean - mean
        total = count + b_count
        mean = mean + delta * b_count / total
        m2 = m2 + b_m2 + delta**2 * count * b_count / total
        count = total
    mean, std = mean * unit, np.sqrt(m2 / count) * unit
    constant = high - low <= 4 * np.finfo(np.float64).eps * np.maximum(high, -low)
    return np.where(low == high, low, mean), np.where(constant, 0.0, std)


def _relative(windows: np.ndarray, relative: bool) -> np.ndarray:
    if not relative:
        return windows
    return windows - windows[:, -1:, :]


def _relative_targets(windows: np.ndarray, y: np.ndarray, relative: bool) -> np.ndarray:
    if not relative:
        return y
    return y - windows[:, -1, :]
