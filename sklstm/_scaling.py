"""What the network sees: windows and targets, optionally relative, standardised.

Everything here works on a batch of windows at a time, so that a window view
over a long series is never materialised whole.

Relative mode measures a target from the last value of one input feature, its
*reference*: the next value of a series, or any later one (a forecast several
steps ahead), from the series' value at the end of the window. Which feature
is a target's reference is read from the training rows (the feature whose last
value lies nearest to the target), so that targets of several steps and input
columns that are not forecast (covariates) need no declaration; a feature is
taken relative in the windows exactly when it is the reference of a target.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._sequences import block_rows, check_padding

__all__ = [
    "PAD_VALUE",
    "WindowScaling",
    "WindowStatistics",
    "choose_divisor",
    "choose_references",
    "drifting_features",
    "gathered_statistics",
    "log_ratios",
    "spread_rows",
    "statistics_rows",
    "window_scales",
]

# Value of a padded time step in the network's input, where a Masking layer
# marks it: standardised real values never come near it (a step is masked only
# if every one of its features equals it, and the estimators reject such real
# steps).
PAD_VALUE = -1.0e9

# Largest magnitude summed as is when computing statistics; larger values are
# summed in a power-of-two unit so that their squares cannot overflow.
_SAFE_MAGNITUDE = 1e100
# Largest standard deviation of a target: its square scales the loss, which
# must stay finite in float64 (about 1.8e308) with room to spare.
MAX_TARGET_SCALE = 1e150
# Largest magnitude the float32 network input or target can hold.
_FLOAT32_MAX = float(np.finfo(np.float32).max)


# How many times the windows' scales must span (5th to 95th percentile) for
# "auto" to divide each window by its own: an order of magnitude. Panels of
# tourism series span 330 (monthly) and 640 (quarterly) times, the yearly
# sunspots 4 times (windows of 12).
MIN_SCALE_SPREAD = 10.0

# And how fast the windows' spread must grow with their scale (the slope of
# log spread on log scale, see spread_growth): halfway between ups and downs
# of one size at every level (0) and ups and downs in proportion to it (1).
MIN_SPREAD_GROWTH = 0.5

# Divided windows and targets are taken as log(value / scale + LOG_OFFSET):
# on the log scale an error is a share of the value, which is what a panel's
# forecasts are judged by (MAPE), and a value of zero stays finite. On the
# Tourism panels (seed 0) an offset of 0.1 gave MAPEs of 23.8 (monthly) and
# 17.3 (quarterly), 0.01 gave 23.6 and 17.1, log1p (an offset of 1) 27.1 and
# 19.0, the divided values without a log 28.4 and 19.7.
LOG_OFFSET = 0.1
# How a window lists its time steps (the estimators' time_order).
TIME_ORDERS = ("oldest_first", "newest_first")

# Most windows whose statistics a fit reads. The statistics are means and
# variances, which a million windows estimate to about a thousandth of a
# standard deviation, while reading every one of 20,000,000 hourly windows
# of 48 x 3 took 18 s, as long as 10,000 training steps.
MAX_STATISTICS_ROWS = 1_000_000


def spread_rows(n_rows: int, n_chosen: int, rng: np.random.RandomState) -> np.ndarray:
    """``n_chosen`` of ``n_rows`` rows, one drawn at random from each of as many
    equal stretches, in row order.

    Unlike a draw of every k-th row, no season of the series can line up with
    the draw; unlike a draw without replacement, it needs no permutation of
    all the rows (160 MB for 20,000,000 of them).

    Examples
    --------
    >>> import numpy as np
    >>> rows = spread_rows(1000, 10, np.random.RandomState(0))
    >>> len(rows), bool(np.all(np.diff(rows) > 0)), bool(np.all(rows // 100 == np.arange(10)))
    (10, True, True)
    """  # noqa: E501
    starts = np.arange(n_chosen) * (n_rows / n_chosen)
    rows = np.floor(starts + rng.uniform(size=n_chosen) * (n_rows / n_chosen))
    return np.minimum(rows.astype(np.int64), n_rows - 1)


def statistics_rows(n_rows: int, rng: np.random.RandomState) -> np.ndarray | None:
    """The training rows the scaling statistics read: None (all of them) up to
    ``MAX_STATISTICS_ROWS``, else that many drawn by :func:`spread_rows`."""
    if n_rows <= MAX_STATISTICS_ROWS:
        return None
    return spread_rows(n_rows, MAX_STATISTICS_ROWS, rng)


def _row_blocks(windows: np.ndarray, rows: np.ndarray | None):
    """Index blocks of ``block_rows`` rows each, over ``rows`` (None: every row)."""
    step = block_rows(windows)
    if rows is None:
        for start in range(0, len(windows), step):
            yield slice(start, start + step)
    else:
        for start in range(0, len(rows), step):
            yield rows[start : start + step]


def falls_below_zero(
    windows: np.ndarray,
    targets: np.ndarray,
    rows: slice | np.ndarray | None,
    n_features: int,
) -> bool:
    """Whether a target, or a feature of the windows at ``rows``, is below zero.

    Read block by block, never holding the windows' comparison at once.
    """
    if (targets < 0).any():
        return True
    if rows is None:
        return False
    # A slice (the usual validation tail) stays a range: no index array over
    # every window just to take its tail.
    chosen = range(len(windows))[rows] if isinstance(rows, slice) else rows
    return any(
        (windows[block][:, :, :n_features] < 0).any()
        for block in _row_blocks(windows, chosen)
    )


def gathered_statistics(
    windows: np.ndarray,
    targets: np.ndarray,
    rows: np.ndarray | None = None,
    divisor: np.ndarray | None = None,
    zero_scale: np.ndarray | None = None,
) -> WindowStatistics:
    """:class:`WindowStatistics` of the chosen ``rows`` (None: every row).

    The rows are read a block at a time, so a sample costs the memory of one
    block. The trend test numbers the sampled rows in order, which changes
    its fit to a line by no more than the jitter of each draw within its
    stretch. With a ``divisor`` (see :class:`WindowScaling`), the statistics
    are those of the windows and targets divided by the windows' scales
    (``zero_scale`` for windows of zeros), on the log scale.
    """
    statistics = WindowStatistics()
    for chosen in _row_blocks(windows, rows):
        block, y = windows[chosen], targets[chosen]
        if divisor is not None:
            scales = window_scales(block, zero_scale)
            block = log_ratios(block, scales[:, None, :], "X")
            y = log_ratios(y, scales[:, divisor], "y")
        statistics.update(block, y)
    return statistics


def choose_divisor(
    windows: np.ndarray,
    rows: np.ndarray | None,
    statistics: WindowStatistics,
    setting: bool | str,
    panel: bool = False,
    held_out_below_zero: Callable[[], bool] | None = None,
) -> np.ndarray | None:
    """Each target's divisor feature for per-window scaling, or None for none.

    A target is divided by the scale of the feature whose last value lies
    nearest to it (as relative mode's reference). ``setting=True`` always
    scales; ``"auto"`` scales when no feature is ever negative (every one is
    divided and taken on the log scale), nor any value that ``statistics``
    do not cover (``held_out_below_zero()`` says whether the targets or the
    held-out windows are), and either the windows come from a
    ``panel`` of several series, or, for every target, the mean absolute
    value of its feature's windows spans at least ``MIN_SCALE_SPREAD`` times
    from the 5th to the 95th percentile of the windows: a series (or
    stretches of one) whose level changes by an order of magnitude or more.
    """
    if setting is False:
        return None
    nearest = statistics.references(True)
    if setting is True:
        return nearest
    if (statistics._levels.low < 0).any():
        return None
    if held_out_below_zero is not None and held_out_below_zero():
        return None
    if panel:
        return nearest
    features = np.unique(nearest)
    scales, spreads = [], []
    for chosen in _row_blocks(windows, rows):
        block = windows[chosen][:, :, features]
        scales.append(window_scales(block))
        spreads.append(window_spreads(block))
    scales, spreads = np.concatenate(scales), np.concatenate(spreads)
    low, high = np.percentile(scales, [5, 95], axis=0)
    if not np.all(high >= MIN_SCALE_SPREAD * low):
        return None
    growth = spread_growth(scales, spreads)
    return nearest if np.all(growth >= MIN_SPREAD_GROWTH) else None


def window_spreads(windows: np.ndarray) -> np.ndarray:
    """Each window's standard deviation over its steps, per feature; padded
    steps (NaN) count in none, and a window of padding alone gets NaN."""
    real = ~np.isnan(windows)
    count = real.sum(axis=1)
    # Values near the float limit square to inf: such a spread counts in no
    # growth (see spread_growth), and warns of nothing.
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        mean = np.where(real, windows, 0.0).sum(axis=1) / count
        # Centred first: a level far above its swings keeps their digits.
        centred = np.where(real, windows - mean[:, None, :], 0.0)
        return np.sqrt((centred**2).sum(axis=1) / count)


def spread_growth(scales: np.ndarray, spreads: np.ndarray) -> np.ndarray:
    """Per feature, the slope of the windows' log spread on their log scale.

    Near 1 where a window's ups and downs grow in proportion to its level
    (multiplicative: growth, a season that widens as the level rises), which
    dividing by the level makes alike; near 0 where they keep their size
    whatever the level (additive noise about a trend), which dividing would
    make huge near zero. The least-squares slope over the windows whose
    spread and scale are both above zero (Guerrero, 1993, chooses a Box-Cox
    power from the same relation); 0 where fewer than two such windows
    differ in scale.
    """
    slopes = np.zeros(scales.shape[1])
    for feature in range(scales.shape[1]):
        x, y = scales[:, feature], spreads[:, feature]
        usable = (x > 0) & (y > 0) & np.isfinite(x) & np.isfinite(y)
        x, y = np.log(x[usable]), np.log(y[usable])
        if len(x) < 2 or np.ptp(x) == 0:
            continue
        x = x - x.mean()
        slopes[feature] = (x * (y - y.mean())).sum() / (x**2).sum()
    return slopes


def _safe_scale(std: np.ndarray) -> np.ndarray:
    # A constant column (see RunningMoments) carries no information to rescale;
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
    reference : ndarray of int, shape (n_outputs,)
        For each target, the input feature whose last value in the window it
        is measured from, or -1 for a target kept as it is. Features that are
        some target's reference are taken relative to their last value in the
        windows too.
    divisor : ndarray of int, shape (n_outputs,), or None
        None, or per-window scaling: every feature of a window is divided by
        its mean absolute value in that window (see :func:`window_scales`)
        before anything else, and each target by that of the feature
        ``divisor`` names, and the divided values are taken on the log scale
        (see :func:`log_ratios`); the statistics above are then those of
        these values.
    level_mean, level_scale : ndarray of shape (n_features,), or None
        None, or the mean and standard deviation of the features' last
        values: the last step of each relative feature, zero once measured
        from itself, then holds its level standardised by these, for a
        network's linear path to read (so that it weighs the values as a
        linear model of the windows does; the recurrent layers do not read
        it, see ``NetworkSpec.levels``). Never with ``divisor``.
    zero_scale : ndarray of shape (n_features,), or None
        With ``divisor``, what a window whose feature is all zeros is divided
        by: a low window scale of the feature over the training rows (see
        :func:`zero_window_scales`); None divides it by 1.
    """

    x_mean: np.ndarray
    x_scale: np.ndarray
    y_mean: np.ndarray
    y_scale: np.ndarray
    reference: np.ndarray
    divisor: np.ndarray | None = None
    level_mean: np.ndarray | None = None
    level_scale: np.ndarray | None = None
    zero_scale: np.ndarray | None = None

    @property
    def relative_targets(self) -> np.ndarray:
        """Boolean mask of the targets measured from a feature's last value."""
        return self.reference >= 0

    @property
    def relative_features(self) -> np.ndarray:
        """Boolean mask of the features taken relative to their last value."""
        return _feature_mask(self.reference, len(self.x_mean))

    @property
    def level_features(self) -> tuple[int, ...]:
        """Positions of the features whose level stands at the last step."""
        if self.level_mean is None:
            return ()
        return tuple(int(f) for f in np.flatnonzero(self.relative_features))

    @classmethod
    def fit(
        cls,
        windows: np.ndarray,
        y: np.ndarray,
        *,
        standardize: bool,
        relative: bool | str,
    ) -> WindowScaling:
        """Statistics of ``windows`` (n, time_steps, n_features) and ``y`` (n, k).

        ``relative`` is passed to :func:`choose_references`. Padded steps
        (NaN, see :func:`sklstm.pad_sequences`) count in no statistic.
        """
        return (
            WindowStatistics()
            .update(windows, y)
            .scaling(standardize=standardize, relative=relative)
        )

    def _values(self, windows: np.ndarray) -> np.ndarray:
        # Windows of a network that embeds series carry each window's series
        # number as one more column, which no statistic describes.
        n_features = len(self.x_mean)
        return windows[:, :, :n_features] if windows.shape[2] > n_features else windows

    def transform_windows(self, windows: np.ndarray) -> np.ndarray:
        """The float32 network input for a batch of windows.

        Padded steps (NaN) become :data:`PAD_VALUE`, which the
        network's Masking layer skips. A column beyond the features (the
        series numbers of a network that embeds series) is passed on as it
        is.
        """
        values = self.transform_values(windows)
        if windows.shape[2] == values.shape[2]:
            return values
        numbers = windows[:, :, values.shape[2] :].astype(np.float32)
        return np.concatenate([values, numbers], axis=2)

    def transform_values(self, windows: np.ndarray) -> np.ndarray:
        """The scaled float32 features of a batch of windows, without the
        series numbers (see :meth:`transform_windows`)."""
        windows = self._values(windows)
        if self.divisor is not None:
            scales = window_scales(windows, self.zero_scale)
            windows = log_ratios(windows, scales[:, None, :], "X")
        relative = self.relative_features
        block = _relative(windows, relative)
        with np.errstate(over="ignore", invalid="ignore"):
            out = ((block - self.x_mean) / self.x_scale).astype(np.float32)
            if self.level_mean is not None and relative.any():
                levels = windows[:, -1, relative]
                out[:, -1, relative] = (
                    (levels - self.level_mean[relative]) / self.level_scale[relative]
                ).astype(np.float32)
        padding = np.isnan(out)
        if padding.any():
            out[padding] = PAD_VALUE
            _check_float32(np.where(padding, 0.0, out), "X")
        else:
            _check_float32(out, "X")
        return out

    def transform_targets(self, windows: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The float32 training targets for the windows' true targets ``y``.

        Computed in float64 block by block, so a long series needs no float64
        temporary of its full length.
        """
        out = np.empty(y.shape, dtype=np.float32)
        windows = self._values(windows)
        step = block_rows(windows)
        for i in range(0, len(y), step):
            block, targets = windows[i : i + step], y[i : i + step]
            if self.divisor is not None:
                scales = window_scales(block, self.zero_scale)
                block = log_ratios(block, scales[:, None, :], "X")
                targets = log_ratios(targets, scales[:, self.divisor], "y")
            targets = _relative_targets(block, targets, self.reference)
            with np.errstate(over="ignore"):
                out[i : i + step] = (targets - self.y_mean) / self.y_scale
        _check_float32(out, "y")
        return out

    def inverse_targets(self, windows: np.ndarray, outputs: np.ndarray) -> np.ndarray:
        """Map network outputs for ``windows`` back to float64 targets."""
        targets = np.asarray(outputs, dtype=np.float64) * self.y_scale + self.y_mean
        windows = self._values(windows)
        scales = None
        if self.divisor is not None:
            scales = window_scales(windows, self.zero_scale)
            windows = log_ratios(windows, scales[:, None, :], "X")
        relative = self.relative_targets
        if relative.any():
            targets[:, relative] += windows[:, -1, self.reference[relative]]
        if scales is not None:
            # exp(t) - LOG_OFFSET reaches down to -LOG_OFFSET: a forecast below
            # zero that a recursive forecast would feed into a window whose
            # scale is too small to take its logarithm. The scaling is for
            # values that are never negative, so they stop at zero.
            with np.errstate(over="ignore"):
                targets = (np.exp(targets) - LOG_OFFSET) * scales[:, self.divisor]
            np.maximum(targets, 0.0, out=targets)
        return targets

    def loss_space(self, windows):
        """A function that puts values (targets or predictions of ``windows``)
        on the scale the losses are measured on: as they are, or divided by
        the windows' scales on the log scale when windows are divided, so that
        every series of a panel counts, not its largest alone. The windows'
        scales are read once, however many values are then measured."""
        if self.divisor is None:
            return lambda values: values
        scales = np.concatenate(
            [
                window_scales(self._values(windows[rows]), self.zero_scale)
                for rows in _row_blocks(windows, None)
            ]
        )[:, self.divisor]
        return lambda values: log_ratios(values, scales, "y")


def log_ratios(values: np.ndarray, scales: np.ndarray, name: str) -> np.ndarray:
    """``log(values / scales + LOG_OFFSET)``: divided values on the log scale.

    A value below ``-LOG_OFFSET`` times its window's scale has no logarithm:
    per-window scaling is for values that are never negative (counts,
    sales, visitors), and such a value is an error naming ``name``.

    Examples
    --------
    >>> import numpy as np
    >>> log_ratios(np.array([0.0, 2.0]), np.array([2.0, 2.0]), "y").round(4)
    array([-2.3026,  0.0953])
    """
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        shifted = values / scales + LOG_OFFSET
    if not (shifted > 0).all():
        low = values[~(shifted > 0)].min() if (~np.isnan(shifted)).any() else np.nan
        raise ValueError(
            f"{name} has a value ({low:.6g}) far below zero for a model that "
            "divides each window by its own scale (window_scale): that scaling "
            "takes logarithms, for values that are never negative. Fit with "
            "window_scale=False for such data."
        )
    return np.log(shifted)


def window_scales(windows: np.ndarray, zero_scale: Any = None) -> np.ndarray:
    """Each window's mean absolute value per feature, shape (n_windows, n_features).

    Padded steps (NaN) count in no mean. A window whose feature is all zeros
    (or all padding) gets the feature's ``zero_scale`` instead (see
    :func:`zero_window_scales`; None: 1), so that dividing by it does not divide
    by zero. The means are taken in float64, so float32 values near their
    limit do not overflow.

    Examples
    --------
    >>> import numpy as np
    >>> window_scales(np.array([[[2.0], [-4.0]], [[0.0], [0.0]]]))
    array([[3.],
           [1.]])
    >>> window_scales(np.array([[[0.0], [0.0]]]), zero_scale=np.array([2.5]))
    array([[2.5]])
    """
    with np.errstate(invalid="ignore", over="ignore"):
        absolute = np.abs(np.asarray(windows, dtype=np.float64))
        padded = np.isnan(absolute)
        if padded.any():
            counts = (~padded).sum(axis=1)
            means = np.where(padded, 0.0, absolute).sum(axis=1) / np.maximum(counts, 1)
        else:
            means = absolute.mean(axis=1)
    fallback = 1.0 if zero_scale is None else zero_scale
    return np.where((means > 0) & np.isfinite(means), means, fallback)


def zero_window_scales(
    windows: np.ndarray, rows: np.ndarray | None = None
) -> np.ndarray:
    """Per feature, what a window of zeros is divided by: the 5th percentile
    of the scales above zero of the ``rows`` of ``windows`` (None: every
    one); 1 for a feature with none.

    A scale in the data's own units, so that what follows a window of zeros
    is predicted in those units whatever they are, and a low one: a window
    of zeros has the lowest level there is, and the 5th percentile is the
    lowest level the windows show that one odd window cannot set.

    Examples
    --------
    >>> import numpy as np
    >>> windows = np.arange(1.0, 41.0).reshape(20, 2, 1)
    >>> zero_window_scales(np.concatenate([windows, np.zeros((3, 2, 1))]))
    array([3.4])
    """
    scales = np.concatenate(
        [
            window_scales(windows[chosen], np.full(windows.shape[2], np.nan))
            for chosen in _row_blocks(windows, rows)
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a feature of zeros only
        low = np.nanpercentile(scales, 5, axis=0)
    return np.where(np.isfinite(low) & (low > 0), low, 1.0)


def _check_float32(values: np.ndarray, name: str) -> None:
    """Reject scaled values that overflowed the network's float32."""
    if values.size and not (np.isfinite(values.max()) and np.isfinite(values.min())):
        raise ValueError(
            f"{name} has values beyond the network's float32 range (about "
            f"{_FLOAT32_MAX:.1e}) once scaled: rescale {name} (or keep "
            f"standardize=True), and check that it is on the scale of the data "
            "the model was fitted on."
        )


class RunningMoments:
    """Mean and standard deviation per column, updated block by block of rows.

    Chan et al.'s pairwise update keeps the variance exact in float64 however
    many blocks there are, without holding them all at once. A column whose
    values agree to rounding (its range within a few ulps of its magnitude)
    is constant: its standard deviation is 0, not the rounding error of its
    mean, which dividing by would blow up into noise.
    """

    def __init__(self) -> None:
        self.count, self.mean, self.m2, self.unit = 0, 0.0, 0.0, 1.0
        self.low, self.high = np.inf, -np.inf

    def update(self, block: np.ndarray) -> None:
        block = np.asarray(block, dtype=np.float64)
        if not len(block):
            return
        # One contiguous row per column: NumPy reduces along contiguous
        # memory many times faster than down the columns of a tall, narrow
        # block (the windows' time steps give millions of rows of a few
        # features), and sums it pairwise, which rounds less.
        columns = np.ascontiguousarray(block.T)
        block_low, block_high = columns.min(axis=1), columns.max(axis=1)
        self.low = np.minimum(self.low, block_low)
        self.high = np.maximum(self.high, block_high)
        # Values near float64's limits (1e300 or 1e-300, say) overflow or
        # underflow when squared: each column's sums are then kept in a
        # power-of-two unit near its magnitude, which rescales exactly.
        unit, count = self.unit, self.count
        peak = np.maximum(block_high, -block_low)
        wanted = np.isfinite(peak) & (
            (peak > _SAFE_MAGNITUDE * unit)
            | ((count == 0) & (peak > 0) & (peak < unit / _SAFE_MAGNITUDE))
        )
        if wanted.any():
            exponent = np.frexp(np.where(wanted, peak, 1.0))[1] - 1
            new_unit = np.where(wanted, np.ldexp(1.0, exponent), unit)
            if count:  # later units only grow: the ratio is at most 1
                self.mean = self.mean * (unit / new_unit)
                self.m2 = self.m2 * (unit / new_unit) ** 2
            self.unit = unit = new_unit
        if np.any(unit != 1.0):
            columns = columns / np.reshape(unit, (-1, 1))
        b_count = len(block)
        b_mean = columns.mean(axis=1)
        b_m2 = ((columns - b_mean[:, None]) ** 2).sum(axis=1)
        delta = b_mean - self.mean
        total = count + b_count
        self.mean = self.mean + delta * b_count / total
        self.m2 = self.m2 + b_m2 + delta**2 * count * b_count / total
        self.count = total

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """The mean and standard deviation of every row seen."""
        mean = self.mean * self.unit
        std = np.sqrt(self.m2 / self.count) * self.unit
        low, high = self.low, self.high
        # A range beyond the float limit is no constant column (inf > eps).
        with np.errstate(over="ignore"):
            constant = high - low <= 4 * np.finfo(np.float64).eps * np.maximum(
                high, -low
            )
        return np.where(low == high, low, mean), np.where(constant, 0.0, std)


def choose_references(
    windows: np.ndarray, y: np.ndarray, relative: bool | str
) -> np.ndarray:
    """The input feature each target is measured from, or -1 (see ``WindowScaling``).

    A target's candidate reference is the feature whose last value in the
    window lies nearest to it (the smallest mean squared difference over the
    rows). ``relative=False`` measures no target from a feature and
    ``relative=True`` every target from its candidate. ``relative="auto"``
    measures a target from its candidate when the candidate's last value
    predicts the target better than the target's own mean does (as a later
    value of the same series would) and the candidate's level drifts (see
    :func:`drifting_features`).

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm._scaling import choose_references
    >>> trend = np.arange(40.0) + np.random.RandomState(0).normal(size=40)
    >>> windows = np.stack([trend[i : i + 3] for i in range(36)])[:, :, None]
    >>> choose_references(windows, trend[3:39, None], "auto")
    array([0])
    >>> noise = np.random.RandomState(1).normal(size=(36, 1))
    >>> choose_references(windows, noise, "auto")
    array([-1])
    """
    return WindowStatistics().update(windows, y).references(relative)


# relative="auto": a feature drifts when its mean squared change over one time
# step is below this fraction of its variance (a lag-one autocorrelation above
# about 0.99, the mark of a random walk, a trend or a smooth signal) ...
SMOOTH_CHANGE_RATIO = 0.02
# ... or when a straight line through its values, in row order, explains more
# than this fraction of its variance (a trend, however noisy).
TREND_R2 = 0.5


def drifting_features(windows: np.ndarray) -> np.ndarray:
    """Which features' levels drift, read from their last values in the windows.

    A feature drifts when its level moves far compared with how it changes
    from one step to the next: its mean squared change over one time step
    (within the windows) is below ``SMOOTH_CHANGE_RATIO`` times its variance,
    or a straight-line trend over the rows explains more than ``TREND_R2`` of
    its variance. Such a level is likely to leave the range of the training
    rows, which a model of changes follows and a model of levels cannot.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm._scaling import drifting_features
    >>> from sklstm import causal_windows
    >>> rng = np.random.RandomState(0)
    >>> series = np.c_[np.arange(200.0) + rng.normal(size=200), rng.normal(size=200)]
    >>> drifting_features(causal_windows(series, 5))
    array([ True, False])
    """
    return WindowStatistics().update(windows).drifting()


class WindowStatistics:
    """Scaling statistics gathered chunk by chunk, in one pass over a series.

    The statistics :class:`~sklstm.LSTMRegressor` fixes when it starts
    training (means and standard deviations of the windows and targets, in
    levels and relative to each feature's last value, and what relative mode
    reads to choose a target's reference) are all sums over rows, so one pass
    over the chunks of a series gathers them, holding one block of rows at a
    time. ``estimator.partial_fit(X, y, statistics=stats)`` then starts from
    statistics of the whole series rather than of its first chunk; for windows
    held in memory, :meth:`~sklstm.LSTMRegressor.fit` computes the same
    statistics itself (over at most a million windows: beyond that, over one
    window drawn from each of a million equal stretches of the training part,
    seeded by ``random_state``).

    Chunks must come in time order: the trend test of ``relative="auto"``
    numbers the rows in the order they are seen.

    Parameters
    ----------
    time_order : {"oldest_first", "newest_first"}, default="oldest_first"
        How each window lists its time steps, as the estimator the statistics
        are for reads them (its ``time_order``): the estimator refuses
        statistics of the other order.

    Attributes
    ----------
    n_samples_seen_ : int
        Windows seen so far.
    n_features_in_ : int
        Features per time step of the windows.
    time_steps_in_ : int
        Time steps per window.
    n_outputs_ : int
        Targets per window.

    See Also
    --------
    SeriesChunks.statistics : Gathers them over a long series.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import WindowStatistics, WindowTransformer
    >>> series = np.sin(np.linspace(0, 30, 1000))[:, None]
    >>> windows = WindowTransformer(10).fit_transform(series[:-1])
    >>> stats = WindowStatistics()
    >>> for start in range(0, len(windows), 250):
    ...     rows = slice(start, start + 250)
    ...     _ = stats.update(windows[rows], series[1:][rows])
    >>> stats.n_samples_seen_
    999
    """

    def __init__(self, time_order: str = "oldest_first") -> None:
        self.time_order = time_order
        self.n_samples_seen_ = 0

    def update(self, X, y=None) -> WindowStatistics:
        """Add a chunk of windows ``X`` and their targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, time_steps, n_features) or (n_samples, time_steps)
            Windows in time order, following those of the previous chunk.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Their targets; None for windows only.

        Returns
        -------
        self : WindowStatistics
        """  # noqa: E501
        order = getattr(self, "time_order", "oldest_first")
        if not (isinstance(order, str) and order in TIME_ORDERS):
            raise ValueError(f"time_order must be one of {TIME_ORDERS}; got {order!r}.")
        windows = np.asarray(X)
        if windows.ndim == 2:
            windows = windows[:, :, None]
        if windows.ndim != 3 or windows.dtype.kind not in "fiu":
            raise ValueError(
                "X must be numeric windows of shape (n_samples, time_steps, "
                f"n_features) or (n_samples, time_steps); got shape {windows.shape} "
                f"of dtype {windows.dtype}."
            )
        n_rows, time_steps, n_features = windows.shape
        if n_rows == 0:
            raise ValueError("X holds no windows: give a chunk of at least one.")
        if 0 in (time_steps, n_features):
            raise ValueError(
                f"X holds windows of {time_steps} time steps and {n_features} "
                "features; a window needs at least one of each."
            )
        if y is None:
            y = np.zeros((n_rows, 0))
        if np.asarray(y).dtype.kind not in "fiub":
            raise ValueError(
                f"y must hold real numbers; got values of dtype {np.asarray(y).dtype}."
            )
        y = np.asarray(y, dtype=np.float64)
        y = y.reshape(len(y), -1) if y.ndim == 1 else y
        if y.ndim != 2 or len(y) != n_rows:
            raise ValueError(
                f"y must hold one row of targets per window: X has {n_rows} "
                f"windows, y has shape {y.shape}."
            )
        _check_chunk_values(windows, y)
        if order == "newest_first":  # gathered as the estimator reads them
            windows = windows[:, ::-1]
        if self.n_samples_seen_ == 0:
            self._start(windows, y)
        elif (time_steps, n_features, y.shape[1]) != (
            self.time_steps_in_,
            self.n_features_in_,
            self.n_outputs_,
        ):
            raise ValueError(
                f"This chunk has windows of {time_steps} time steps x {n_features} "
                f"features and {y.shape[1]} targets, but earlier chunks had "
                f"{self.time_steps_in_} x {self.n_features_in_} and "
                f"{self.n_outputs_}: every chunk must come from the same series."
            )
        step = block_rows(windows)
        # Overflow (relative differences of values near float64's limit) is
        # reported when the statistics are read, not warned about.
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, n_rows, step):
                self._add_block(
                    np.asarray(windows[start : start + step], dtype=np.float64),
                    y[start : start + step],
                )
        return self

    def _start(self, windows: np.ndarray, y: np.ndarray) -> None:
        self.time_steps_in_, self.n_features_in_ = windows.shape[1:]
        self.n_outputs_ = y.shape[1]
        self._levels, self._changes = RunningMoments(), RunningMoments()
        self._targets, self._gaps = RunningMoments(), RunningMoments()
        self._last = RunningMoments()
        self._origin = np.asarray(windows[0, -1, :], dtype=np.float64)
        self._step_changes = np.zeros(self.n_features_in_)
        # Sums of (row number x last value) and of last values, both from the
        # first row's value: the covariance with time of the trend test.
        self._row_sums = np.zeros(self.n_features_in_)
        self._sums = np.zeros(self.n_features_in_)
        self._padded = False

    def _add_block(self, block: np.ndarray, y: np.ndarray) -> None:
        n_rows, n_features = len(block), self.n_features_in_
        steps = block.reshape(-1, n_features)
        padded = np.isnan(steps).any()
        self._padded |= bool(padded)
        self._levels.update(_real_steps(steps) if padded else steps)
        changes = (block - block[:, -1:, :]).reshape(-1, n_features)
        self._changes.update(_real_steps(changes) if padded else changes)
        last = block[:, -1, :]
        self._last.update(last)
        self._targets.update(y)
        self._gaps.update((y[:, :, None] - last[:, None, :]).reshape(n_rows, -1))
        if self.time_steps_in_ > 1:
            self._step_changes += ((last - block[:, -2, :]) ** 2).sum(axis=0)
        rows = np.arange(self.n_samples_seen_, self.n_samples_seen_ + n_rows)
        self._row_sums += rows @ (last - self._origin)
        self._sums += (last - self._origin).sum(axis=0)
        self.n_samples_seen_ += n_rows

    def _check_started(self) -> None:
        if not self.n_samples_seen_:
            raise ValueError(
                "WindowStatistics has seen no windows yet: call update with the "
                "chunks of the series first."
            )

    def drifting(self) -> np.ndarray:
        """Which features' levels drift (see :func:`drifting_features`)."""
        self._check_started()
        n_rows = self.n_samples_seen_
        with np.errstate(over="ignore", invalid="ignore"):
            variance = self._last.result()[1] ** 2
            smooth = (self.time_steps_in_ > 1) & (
                self._step_changes / n_rows < SMOOTH_CHANGE_RATIO * variance
            )
            centre = (n_rows - 1) / 2
            covariance = self._row_sums - centre * self._sums
            row_variance = (n_rows**2 - 1) / 12
            r2 = (covariance / n_rows) ** 2 / (row_variance * variance)
            trending = r2 > TREND_R2
        return (variance > 0) & np.isfinite(variance) & (smooth | trending)

    def references(self, relative: bool | str) -> np.ndarray:
        """Each target's reference feature, or -1 (see :func:`choose_references`)."""
        self._check_started()
        if relative is False:
            return np.full(self.n_outputs_, -1)
        with np.errstate(over="ignore", invalid="ignore"):
            gap_mean, gap_std = self._gaps.result()
            gaps = (gap_mean**2 + gap_std**2).reshape(self.n_outputs_, -1)
            y_std = self._targets.result()[1]
        gaps = np.where(np.isnan(gaps), np.inf, gaps)
        nearest = np.argmin(gaps, axis=1)
        if relative is True:
            return nearest
        with np.errstate(over="ignore"):
            qualifies = gaps[np.arange(self.n_outputs_), nearest] < y_std**2
        return np.where(qualifies & self.drifting()[nearest], nearest, -1)

    def input_scaling(
        self, n_outputs: int, *, standardize: bool | str
    ) -> WindowScaling:
        """The scaling of the windows only; ``n_outputs`` outputs kept as they are.

        ``standardize="shared"`` divides every feature by one scale, the root
        mean square of all their values, and shifts none.
        """
        if standardize == "shared":
            mean, std = self._levels.result()
            with np.errstate(over="ignore"):
                shared = _safe_scale(np.sqrt(np.mean(mean**2 + std**2)))
            if not np.isfinite(shared):
                raise ValueError(
                    "X has values too large to scale: their root mean square "
                    "overflows float64. Rescale X, for example divide it by a "
                    "power of ten."
                )
            x_mean = np.zeros(self.n_features_in_)
            x_scale = np.full(self.n_features_in_, shared)
        else:
            scaling = self.scaling(standardize=standardize, relative=False)
            x_mean, x_scale = scaling.x_mean, scaling.x_scale
        return WindowScaling(
            x_mean,
            x_scale,
            np.zeros(n_outputs),
            np.ones(n_outputs),
            np.full(n_outputs, -1),
        )

    def scaling(
        self, *, standardize: bool, relative: bool | str, levels: bool = False
    ) -> WindowScaling:
        """The :class:`WindowScaling` of everything seen.

        ``levels`` keeps the relative features' levels at their last step
        (see ``WindowScaling.level_mean``), where some feature is relative.
        """
        self._check_started()
        n_features, n_outputs = self.n_features_in_, self.n_outputs_
        reference = self.references(False if self._padded else relative)
        level_stats = {}
        if levels and (reference >= 0).any():
            level_mean, level_std = self._last.result()
            level_stats = {
                "level_mean": level_mean if standardize else np.zeros(n_features),
                "level_scale": _safe_scale(level_std)
                if standardize
                else np.ones(n_features),
            }
        if not standardize:
            return WindowScaling(
                np.zeros(n_features),
                np.ones(n_features),
                np.zeros(n_outputs),
                np.ones(n_outputs),
                reference,
                **level_stats,
            )
        features = _feature_mask(reference, n_features)
        with np.errstate(over="ignore", invalid="ignore"):
            levels, changes = self._levels.result(), self._changes.result()
            x_mean = np.where(features, changes[0], levels[0])
            x_std = np.where(features, changes[1], levels[1])
            y_mean, y_std = self._targets.result()
            gap_mean, gap_std = (
                moment.reshape(n_outputs, n_features) for moment in self._gaps.result()
            )
            outputs = np.arange(n_outputs)
            relative_targets = reference >= 0
            chosen = np.maximum(reference, 0)
            y_mean = np.where(relative_targets, gap_mean[outputs, chosen], y_mean)
            y_std = np.where(relative_targets, gap_std[outputs, chosen], y_std)
        finite = [x_mean, x_std, *level_stats.values()]
        if not all(np.isfinite(values).all() for values in finite):
            raise ValueError(
                "X has values too large to standardise: their statistics overflow "
                "float64"
                + (" (relative mode subtracts rows)" if features.any() else "")
                + ". Rescale X, for example divide it by a power of ten."
            )
        if not (np.isfinite(y_mean).all() and np.all(y_std <= MAX_TARGET_SCALE)):
            raise ValueError(
                f"y spreads too widely (standard deviation {np.max(y_std):.3g}, at "
                f"most {MAX_TARGET_SCALE:.0e} is supported): the training loss, "
                "its squared error in y's units, would overflow float64. Rescale "
                "y, for example divide it by a power of ten."
            )
        return WindowScaling(
            x_mean,
            _safe_scale(x_std),
            y_mean,
            _safe_scale(y_std),
            reference,
            **level_stats,
        )


def _real_steps(rows: np.ndarray) -> np.ndarray:
    """The rows (time steps) that are not padding (padding is all NaN)."""
    padded = np.isnan(rows).any(axis=1)
    return rows[~padded] if padded.any() else rows


def _feature_mask(reference: np.ndarray, n_features: int) -> np.ndarray:
    mask = np.zeros(n_features, dtype=bool)
    mask[reference[reference >= 0]] = True
    return mask


def _relative(windows: np.ndarray, features: np.ndarray) -> np.ndarray:
    if not features.any():
        return windows
    if features.all():
        return windows - windows[:, -1:, :]
    return windows - np.where(features, windows[:, -1:, :], 0.0)


def _relative_targets(
    windows: np.ndarray, y: np.ndarray, reference: np.ndarray
) -> np.ndarray:
    relative = reference >= 0
    if not relative.any():
        return y
    return y - np.where(relative, windows[:, -1, np.maximum(reference, 0)], 0.0)


def _check_chunk_values(windows: np.ndarray, y: np.ndarray) -> None:
    """What ``partial_fit`` would refuse, refused before it is counted: a
    missing value inside a window (only whole steps of padding are allowed),
    an infinite one, or a missing or infinite target."""
    check_padding(windows)
    step = block_rows(windows)
    for start in range(0, len(windows), step):
        infinite = np.isinf(windows[start : start + step])
        if infinite.any():
            row, t, _ = np.argwhere(infinite)[0]
            raise ValueError(
                f"X has an infinite value in window {start + row}, at step {t}: "
                "statistics need finite values."
            )
    bad = np.argwhere(~np.isfinite(y))
    if len(bad):
        raise ValueError(
            f"y has a missing or infinite value in row {bad[0][0]}: statistics "
            "need a finite target for every window."
        )
