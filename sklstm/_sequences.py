"""Sequences of different lengths: padding them into one array, and its rules.

A padded step's rules are checked here too, and a series given as 1-D or 2-D
rows is read as float rows (:func:`float_rows`).

The estimators read one 3-D array ``(n_sequences, time_steps, n_features)``.
Sequences shorter than ``time_steps`` are padded with NaN, before their first
step by default: a padded step is a time step whose every feature is NaN. The
estimators mask padded steps in training and prediction (the recurrent layers
skip them and carry their state across), so a sequence's prediction does not
depend on how much padding it carries.

This differs from :class:`~sklstm.WindowTransformer`'s padding of the first
windows of a series: those are completed with real values (the series' first
row, or ``fill_value``) that the network reads like any other, because every
window of a series has the same length by construction.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "block_rows",
    "check_padding",
    "float_rows",
    "pad_sequences",
    "refuse_non_real",
    "repad",
]

# Rows per block when a pass over all windows is needed (statistics,
# prediction): large enough to amortise per-call costs, small enough that a
# block of long windows stays about two megabytes (float64).
BLOCK_ELEMENTS = 1 << 18


def block_rows(windows: np.ndarray) -> int:
    """Rows per block so that one block holds about ``BLOCK_ELEMENTS`` values."""
    per_row = int(np.prod(windows.shape[1:])) or 1
    return max(1, BLOCK_ELEMENTS // per_row)


def pad_sequences(
    sequences: Any,
    *,
    length: int | None = None,
    padding: str = "pre",
    value: float = np.nan,
) -> np.ndarray:
    """Pad sequences of different lengths into one 3-D array.

    Parameters
    ----------
    sequences : list of array-like of shape (t_i, n_features) or (t_i,)
        The sequences, each with its time steps in order; 1-D sequences have
        one feature. DataFrames are read as arrays.
    length : int or None, default=None
        The length to pad to; None takes the longest sequence's. A longer
        sequence is an error (cut it first: which end to keep is yours to
        choose).
    padding : {"pre", "post"}, default="pre"
        Pad before the first step (the last steps line up, as a recurrent
        network reading towards its prediction prefers) or after the last.
    value : float, default=nan
        Value of the padded steps. NaN is what the estimators mask; any other
        value is read by the network like a real step.

    Returns
    -------
    padded : ndarray of float64, shape (n_sequences, length, n_features)

    Raises
    ------
    ValueError
        If there are no sequences, a sequence is empty or longer than
        ``length``, the sequences have different numbers of features, or a
        sequence has a missing value (NaN marks padding, and the estimators
        refuse it among real steps) or an infinite one, or ``value`` is
        infinite.

    Examples
    --------
    >>> from sklstm import pad_sequences
    >>> padded = pad_sequences([[1.0, 2.0, 3.0], [4.0]])
    >>> padded.shape
    (2, 3, 1)
    >>> padded[..., 0]
    array([[ 1.,  2.,  3.],
           [nan, nan,  4.]])
    >>> pad_sequences([[1.0, 2.0, 3.0], [4.0]], padding="post", value=0.0)[..., 0]
    array([[1., 2., 3.],
           [4., 0., 0.]])
    """
    if padding not in ("pre", "post"):
        raise ValueError(f"padding must be 'pre' or 'post'; got {padding!r}.")
    if isinstance(sequences, np.ndarray) and sequences.ndim == 3:
        sequences = list(sequences)
    elif isinstance(sequences, np.ndarray) and sequences.ndim < 2:
        raise TypeError(
            "sequences must be a list of sequences (or a 2-D or 3-D array); got a "
            f"{sequences.ndim}-D array. Put a single sequence in a list."
        )
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise TypeError(
            "sequences must be a list of arrays of shape (t_i, n_features) or "
            f"(t_i,); got {type(sequences).__name__}."
        )
    if len(sequences) == 0:
        raise ValueError("sequences is empty: give at least one sequence.")
    _check_pad_value(value)
    arrays = [_checked_sequence(sequence, i) for i, sequence in enumerate(sequences)]
    n_features = {a.shape[1] for a in arrays}
    if len(n_features) > 1:
        raise ValueError(
            f"the sequences have different numbers of features: {sorted(n_features)}."
        )
    longest = max(len(a) for a in arrays)
    if length is None:
        length = longest
    elif isinstance(length, bool) or not isinstance(length, Integral) or length < 1:
        raise ValueError(f"length must be a positive int or None; got {length!r}.")
    elif longest > length:
        too_long = next(i for i, a in enumerate(arrays) if len(a) > length)
        raise ValueError(
            f"sequence {too_long} has {len(arrays[too_long])} steps, more than "
            f"length={length}."
        )
    padded = np.full((len(arrays), length, n_features.pop()), value, dtype=np.float64)
    for i, array in enumerate(arrays):
        if padding == "pre":
            padded[i, length - len(array) :] = array
        else:
            padded[i, : len(array)] = array
    return padded


def _check_pad_value(value: Any) -> None:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(
            f"value must be a float (NaN marks padding to mask); got {value!r}."
        )
    try:
        infinite = np.isinf(float(value))
    except OverflowError:
        infinite = True
    if infinite:
        raise ValueError(
            f"value must be finite, or NaN to mark padding to mask; got {value!r}."
        )


def _checked_sequence(sequence: Any, i: int) -> np.ndarray:
    """Sequence ``i`` as float rows of finite values, or an error naming it."""
    array = float_rows(sequence, f"sequence {i}", "(t_i,)", "(t_i, n_features)")
    if len(array) == 0:
        raise ValueError(f"sequence {i} is empty: it has no time step.")
    if array.shape[1] == 0:
        raise ValueError(f"sequence {i} has no features: no column of values.")
    # The estimators read finite values, and NaN as padding only.
    for bad, what in ((np.isinf, "an infinite value"), (np.isnan, "a missing value")):
        found = np.argwhere(bad(array))
        if len(found):
            step, feature = found[0]
            raise ValueError(
                f"sequence {i} has {what} at step {step} (feature {feature}): "
                "the estimators read finite values only, and NaN as padding. "
                "Fill it first."
            )
    return array


def refuse_non_real(values: Any, name: str) -> None:
    """Raise if ``values`` holds dates, times or durations, which numpy would
    turn into counts of days or nanoseconds: no values to learn from, or
    complex numbers, whose imaginary parts numpy would drop."""
    dtypes = getattr(values, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "__iter__"):
        dtypes = [getattr(values, "dtype", None) or np.asarray(values).dtype]
    for dtype in dtypes:
        if getattr(dtype, "kind", None) in ("M", "m") or isinstance(
            dtype, (pd.DatetimeTZDtype, pd.PeriodDtype)
        ):
            raise ValueError(
                f"{name} holds dates or times ({dtype}), not numbers. The rows' "
                "order is their time, so leave the dates out."
            )
        if getattr(dtype, "kind", None) == "c":
            # scikit-learn's own words first, which its checks look for.
            raise ValueError(
                f"Complex data not supported: {name} holds complex numbers "
                f"({dtype}); pass real values."
            )


def float_rows(values: Any, name: str, one_d: str, two_d: str) -> np.ndarray:
    """``values`` as float64 rows (time steps) x columns; 1-D is one column.

    ``one_d`` and ``two_d`` describe the shapes accepted, for the error.
    Dates, durations and complex numbers are refused (:func:`refuse_non_real`).
    """
    refuse_non_real(values, name)
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} is not numeric: {exc}.") from None
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D {one_d} or 2-D {two_d}; got a {array.ndim}-D array."
        )
    return array


def check_padding(windows: np.ndarray, name: str = "X") -> bool:
    """Whether ``windows`` holds padded steps; raise if they break the rules.

    A padded step is a time step whose every feature is NaN. Padding must sit
    before the first real step or after the last one of its sequence, every
    sequence needs a real step, and a real step may have no NaN. Checked in
    blocks of rows, so that a window view over a long series is never copied
    whole.
    """
    # A finite sum proves there is no NaN at once; values near the float64
    # limit may overflow it, which only sends them to the scan below.
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(windows.sum()):
            return False
    time_steps = windows.shape[1]
    step = block_rows(windows)
    found = False
    for start in range(0, len(windows), step):
        nan = np.isnan(windows[start : start + step])
        if not nan.any():
            continue
        found = True
        padded = nan.all(axis=2)
        partial = nan.any(axis=2) & ~padded
        if partial.any():
            row, t = np.argwhere(partial)[0]
            raise ValueError(
                f"{name} has a missing value (NaN) inside sequence {start + row}, "
                f"at step {t}: only whole steps of NaN (padding) can be masked. "
                "Fill missing values first."
            )
        real = ~padded
        if not real.any(axis=1).all():
            row = int(np.flatnonzero(~real.any(axis=1))[0])
            raise ValueError(
                f"sequence {start + row} of {name} is all padding (NaN): it has no "
                "real step to learn from or predict."
            )
        # Real steps must be contiguous: from the first real step to the last,
        # none may be padding.
        first = real.argmax(axis=1)
        last = time_steps - 1 - real[:, ::-1].argmax(axis=1)
        holes = real.sum(axis=1) != last - first + 1
        if holes.any():
            row = int(np.flatnonzero(holes)[0])
            raise ValueError(
                f"sequence {start + row} of {name} has steps of NaN between real "
                "steps. NaN steps are read as padding, which goes before the first "
                "or after the last step; if they are missing values (a gap in a "
                "series), fill them first, for example with pandas' interpolate."
            )
    return found


def repad(windows: np.ndarray, length: int, name: str = "X") -> np.ndarray:
    """Padded sequences brought to ``length`` steps, padding before each.

    A masked network reads a sequence the same however much padding it
    carries, so sequences padded to another length than the network's are
    re-padded: their real steps, last-aligned, behind NaN padding.

    Raises
    ------
    ValueError
        If a sequence has more real steps than ``length``.
    """
    real = ~np.isnan(windows).all(axis=2)
    counts = real.sum(axis=1)
    if (counts > length).any():
        row = int(np.flatnonzero(counts > length)[0])
        raise ValueError(
            f"sequence {row} of {name} has {counts[row]} real steps, more than the "
            f"{length} steps the model was fitted on."
        )
    first = real.argmax(axis=1)
    out = np.full((len(windows), length, windows.shape[2]), np.nan)
    for row, (start, count) in enumerate(zip(first, counts, strict=True)):
        out[row, length - count :] = windows[row, start : start + count]
    return out
