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
# block of long windows stays a few megabytes.
BLOCK_ELEMENTS = 1 << 20


def block_rows(windows: np.ndarray) -> int:
    """Rows per block so that one block holds about ``BLOCK_ELEMENTS`` values."""
    per_row = int(np.prod(windows.shape[1:])) or 1
    return max(1, BLOCK_ELEMENTS // per_row)


def _safe_scale(std: np.ndarray) -> np.ndarray:
    # A constant column carries no information to rescale; dividing by one
    # keeps it finite (as StandardScaler does).
    return np.where(std > 10 * np.finfo(np.float64).eps, std, 1.0)


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
        count, mean, m2 = 0, np.zeros(n_features), np.zeros(n_features)
        step = block_rows(windows)
        for start in range(0, len(windows), step):
            block = _relative(windows[start : start + step], relative)
            block = block.reshape(-1, n_features).astype(np.float64, copy=False)
            # Chan et al.'s pairwise update keeps the variance exact in float64
            # however many blocks there are.
            b_count = len(block)
            b_mean = block.mean(axis=0)
            b_m2 = ((block - b_mean) ** 2).sum(axis=0)
            delta = b_mean - mean
            total = count + b_count
            mean = mean + delta * b_count / total
            m2 = m2 + b_m2 + delta**2 * count * b_count / total
            count = total
        targets = _relative_targets(windows, y, relative)
        return cls(
            mean,
            _safe_scale(np.sqrt(m2 / count)),
            targets.mean(axis=0),
            _safe_scale(targets.std(axis=0)),
            relative,
        )

    def transform_windows(self, windows: np.ndarray) -> np.ndarray:
        """The float32 network input for a batch of windows."""
        block = _relative(windows, self.relative)
        return ((block - self.x_mean) / self.x_scale).astype(np.float32)

    def transform_targets(self, windows: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The float32 training targets for the windows' true targets ``y``."""
        targets = _relative_targets(windows, y, self.relative)
        return ((targets - self.y_mean) / self.y_scale).astype(np.float32)

    def inverse_targets(self, windows: np.ndarray, outputs: np.ndarray) -> np.ndarray:
        """Map network outputs for ``windows`` back to float64 targets."""
        targets = np.asarray(outputs, dtype=np.float64) * self.y_scale + self.y_mean
        if self.relative:
            targets += windows[:, -1, :]
        return targets


def _relative(windows: np.ndarray, relative: bool) -> np.ndarray:
    if not relative:
        return windows
    return windows - windows[:, -1:, :]


def _relative_targets(windows: np.ndarray, y: np.ndarray, relative: bool) -> np.ndarray:
    if not relative:
        return y
    return y - windows[:, -1, :]
