"""Split-conformal intervals for a panel: the errors of each series' latest
origins, pooled across series on each window's scale."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._horizon import final_step
from ._scaling import window_scales

__all__ = ["conformal_rank"]


def panel_calibration_size(regressor: Any, lengths: np.ndarray, size: Any) -> Any:
    """Calibration origins per series: ``size`` (an int for every series), or
    by default as many as the regressor's early stopping held out of each
    series (the ``validation_fraction`` it was fitted with, of the series'
    rows, at least 1)."""
    if size is not None:
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, int | np.integer):
            raise TypeError(f"calibration_size must be an int; got {size!r}.")
        if size < 1:
            raise ValueError(f"calibration_size must be at least 1; got {size}.")
        return np.full(len(lengths), int(size))
    final = final_step(regressor)
    # The fraction the fit held out by (pickles of older fits: the parameter).
    fraction = final.__dict__.get(
        "_held_out_fraction", getattr(final, "validation_fraction", None)
    )
    if not getattr(final, "n_validation_samples_", 0) or fraction is None:
        raise ValueError(
            "coverage needs calibration rows: the model holds no validation "
            "tail (an LSTMRegressor fitted with early stopping has one). Pass "
            "calibration_size, the number of each series' latest origins whose "
            "forecast errors calibrate the intervals."
        )
    return np.maximum(1, np.round(lengths * fraction)).astype(int)


def calibration_origins(
    starts: np.ndarray, lengths: np.ndarray, sizes: np.ndarray, horizon: int
) -> np.ndarray:
    """Each series' latest ``sizes`` rows whose next ``horizon`` rows are known.

    Rows are positions in the table. A series too short for any (no row with
    ``horizon`` rows after it) gives none; the pooled errors of the others
    calibrate its intervals.
    """
    ends = starts + lengths - horizon  # one past each series' last origin
    firsts = np.maximum(starts, ends - sizes)
    counts = np.maximum(ends - firsts, 0)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(firsts, counts) + offsets


def conformal_rank(n_errors: int, coverage: float) -> tuple[int, int]:
    """The rank, ``ceil((n + 1) * coverage)``, of the conformal quantile among
    ``n_errors`` errors, and the fewest errors that have one at ``coverage``
    (a rank no larger than their number)."""
    needed = n_errors
    while math.ceil((needed + 1) * coverage) > needed:
        needed += 1
    return math.ceil((n_errors + 1) * coverage), needed


def check_enough_origins(n_origins: int, coverage: float) -> int:
    """The conformal rank among ``n_origins`` errors; an error where there
    are too few for ``coverage``."""
    rank, needed = conformal_rank(n_origins, coverage)
    if rank > n_origins:
        raise ValueError(
            f"coverage={coverage} needs at least {needed} calibration origins "
            f"across the series; the panel gives {n_origins}. Lower coverage or "
            "raise calibration_size (each series' origins are its latest rows "
            "with horizon known rows after them)."
        )
    return rank


def pooled_widths(
    errors: np.ndarray, origin_scales: np.ndarray, coverage: float
) -> np.ndarray:
    """Conformal quantiles of the scaled errors, per step and target.

    ``errors`` (n_origins, steps, n_targets) are absolute forecast errors and
    ``origin_scales`` (n_origins, n_targets) the scale of each origin's window;
    the result (steps, n_targets) multiplies the scale of a window to give
    its interval's half-width. The quantile is the ``ceil((n + 1) *
    coverage)``-th smallest of the n scaled errors, which covers a new one
    with probability at least ``coverage`` when the errors are exchangeable.
    """
    rank = check_enough_origins(len(errors), coverage)
    scaled = errors / origin_scales[:, None, :]
    return np.sort(scaled, axis=0)[rank - 1]


def target_scales(
    windows: np.ndarray, targets: list[int], zero_scale: np.ndarray | None = None
) -> np.ndarray:
    """Each window's mean absolute value of each target column (see
    :func:`~sklstm._scaling.window_scales`; ``zero_scale`` for a window of
    zeros)."""
    return window_scales(windows[:, :, targets], zero_scale)
