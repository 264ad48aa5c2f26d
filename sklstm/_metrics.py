"""Forecast errors of the forecasting competitions: MAPE, sMAPE and MASE.

The names are the ones the competitions' tables use (``mape``, ``smape``,
``mase``), and differ on purpose from scikit-learn's
:func:`~sklearn.metrics.mean_absolute_percentage_error`: that function
returns a fraction and adds a tiny epsilon to zero denominators, while these
return percentages, as the Tourism and M competitions report them, and
refuse a value they cannot define.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral
from typing import Any

import numpy as np

__all__ = ["mape", "mase", "smape"]


def _as_values(values: Any, name: str) -> np.ndarray:
    if values is None:
        raise ValueError(f"{name} is None: pass the values, an array-like.")
    try:
        raw = np.asarray(values)  # ragged lists fail here
        if raw.dtype.kind not in "mMc":
            array = raw.astype(np.float64, copy=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must hold numbers; {exc}.") from None
    if raw.dtype.kind in "mM":
        raise ValueError(
            f"{name} holds dates or times, not numbers: pass the values themselves."
        )
    if raw.dtype.kind == "c":  # astype would drop the imaginary parts
        raise ValueError(f"{name} holds complex numbers; pass real values.")
    if array.size == 0:
        raise ValueError(f"{name} is empty.")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} has missing or infinite values.")
    return array


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    truth, forecasts = _as_values(y_true, "y_true"), _as_values(y_pred, "y_pred")
    if truth.shape != forecasts.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape; got {truth.shape} and "
            f"{forecasts.shape}."
        )
    return truth, forecasts


def mape(y_true: Any, y_pred: Any) -> float:
    """Mean absolute percentage error, in percent.

    ``100 * mean(|y_true - y_pred| / |y_true|)`` over every value: the
    Tourism competition's metric. Over a panel, pass every series' test
    values at once (for example an array ``(n_series, horizon)``): the mean
    over all (series, step) values is the competition's figure.

    Parameters
    ----------
    y_true : array-like
        Actual values, of any shape; none may be zero.
    y_pred : array-like
        Forecasts, of the shape of ``y_true``.

    Returns
    -------
    error : float
        The mean absolute percentage error, in percent (not a fraction, as
        scikit-learn's ``mean_absolute_percentage_error`` returns).

    Raises
    ------
    ValueError
        If ``y_true`` holds a zero (the percentage is undefined there: use
        :func:`mase` or :func:`smape`), if the shapes differ, or if a value
        is missing or infinite.

    See Also
    --------
    smape : Symmetric, defined where the actual value is zero.
    mase : Scaled by each series' own naive errors.

    Examples
    --------
    >>> from sklstm import mape
    >>> mape([100.0, 200.0], [110.0, 150.0])  # errors of 10% and 25%
    17.5
    """
    truth, forecasts = _pair(y_true, y_pred)
    zeros = np.flatnonzero(truth.ravel() == 0)
    if zeros.size:
        position = np.unravel_index(zeros[0], truth.shape)
        raise ValueError(
            f"y_true holds {zeros.size} zero(s), the first at position "
            f"{tuple(int(i) for i in position)}: a percentage of zero is "
            "undefined. Use mase or smape for series that reach zero."
        )
    with np.errstate(over="ignore"):
        error = 100.0 * np.mean(np.abs(truth - forecasts) / np.abs(truth))
    if not np.isfinite(error):
        raise ValueError(
            "mape is beyond the largest float: some forecast is more than about "
            "1e306 times its actual value. Use smape or mase for such values."
        )
    return float(error)


def smape(y_true: Any, y_pred: Any) -> float:
    """Symmetric mean absolute percentage error, in percent (0 to 200).

    ``100 * mean(2 |y_true - y_pred| / (|y_true| + |y_pred|))`` over every
    value, the M3 and M4 competitions' definition. A value whose actual and
    forecast are both zero is a perfect forecast and counts as 0.

    Parameters
    ----------
    y_true : array-like
        Actual values, of any shape.
    y_pred : array-like
        Forecasts, of the shape of ``y_true``.

    Returns
    -------
    error : float
        The symmetric mean absolute percentage error, in percent.

    Raises
    ------
    ValueError
        If the shapes differ, or a value is missing or infinite.

    See Also
    --------
    mape : The competition metric of Tourism.

    Examples
    --------
    >>> from sklstm import smape
    >>> smape([100.0, 0.0], [300.0, 0.0])  # 2 * 200 / 400 = 100%, then 0%
    50.0
    """
    truth, forecasts = _pair(y_true, y_pred)
    larger = np.maximum(np.abs(truth), np.abs(forecasts))
    # Values near the largest float would overflow their sum and difference:
    # those pairs are divided by their larger magnitude first, which leaves
    # the ratio as it is (and ordinary values' rounding as it was).
    huge = larger > 1e300
    terms = _symmetric_terms(truth, forecasts, ~huge)
    if huge.any():
        terms[huge] = _symmetric_terms(
            truth[huge] / larger[huge], forecasts[huge] / larger[huge]
        )
    return float(100.0 * np.mean(terms))


def _symmetric_terms(truth, forecasts, rows=True) -> np.ndarray:
    """``2 |truth - forecasts| / (|truth| + |forecasts|)`` where ``rows``, else 0."""
    # Pairs outside ``rows`` may overflow here; their terms are not read.
    with np.errstate(over="ignore", invalid="ignore"):
        scale = np.abs(truth) + np.abs(forecasts)
        return np.divide(
            2.0 * np.abs(truth - forecasts),
            scale,
            out=np.zeros_like(scale),
            where=(scale > 0) & rows,
        )


def _naive_scale(train: Any, seasonality: int, name: str) -> float:
    """Mean absolute error of the seasonal naive forecast inside ``train``."""
    values = _as_values(train, name)
    if values.ndim != 1:
        raise ValueError(f"{name} must be 1-D, one series; got shape {values.shape}.")
    if len(values) <= seasonality:
        raise ValueError(
            f"{name} has {len(values)} values, not more than seasonality="
            f"{seasonality}: it holds no seasonal naive error to scale by."
        )
    # Halved, as the errors are in mase: a difference of two finite values
    # then stays finite, and the ratio is the same.
    halves = values / 2
    naive_errors = np.abs(halves[seasonality:] - halves[:-seasonality])
    scale = float(np.sum(naive_errors / len(naive_errors)))
    if scale == 0:
        repeats = np.array_equal(values[seasonality:], values[:-seasonality])
        why = (
            f"repeats itself exactly every {seasonality} step(s)"
            if repeats
            else "changes by amounts too small to measure (below 1e-307)"
        )
        raise ValueError(
            f"{name} {why}: its seasonal naive errors are all zero, so MASE is "
            "undefined for it."
        )
    return scale


def mase(
    y_true: Any,
    y_pred: Any,
    y_train: Any,
    *,
    seasonality: int = 1,
) -> float:
    """Mean absolute scaled error.

    The mean absolute error of the forecasts divided by the mean absolute
    error that the seasonal naive forecast (the value ``seasonality`` steps
    earlier) makes inside the series' own training part, one step ahead
    (Hyndman and Koehler, 2006; the scale of the Tourism and M4
    competitions). Below 1, the forecasts beat that naive forecast's
    in-sample errors. Over a panel, each series is scaled by its own
    training part and the result is the mean of the series' MASE, as the
    competitions average it.

    Parameters
    ----------
    y_true : array-like of shape (horizon,) or (n_series, horizon)
        Actual values of the test part: one series, or one row per series.
    y_pred : array-like
        Forecasts, of the shape of ``y_true``.
    y_train : array-like of shape (n_train,), or a sequence of them
        The training part of the series (its values before the test part),
        or, when ``y_true`` is 2-D, one training part per row (they may
        differ in length).
    seasonality : int, default=1
        The season's length in steps: 12 for monthly data with a yearly
        cycle, 4 for quarterly, 1 (the plain naive forecast) for none.

    Returns
    -------
    error : float
        The mean absolute scaled error.

    Raises
    ------
    ValueError
        If a training part has no more than ``seasonality`` values, or its
        seasonal naive errors are all zero (both leave the scale undefined;
        the message names the series' row), if the shapes differ, or if a
        value is missing or infinite.

    See Also
    --------
    mape, smape : Percentage errors.

    Examples
    --------
    The naive forecast errs by 2 on average in the training part; the
    forecasts err by 1 and 3:

    >>> from sklstm import mase
    >>> mase([10.0, 12.0], [11.0, 9.0], [0.0, 2.0, 4.0, 2.0])
    1.0

    Two series, scaled each by its own training part, with a season of 2:

    >>> mase([[5.0, 6.0], [50.0, 60.0]], [[5.0, 7.0], [40.0, 60.0]],
    ...      [[1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0]], seasonality=2)
    0.25
    """
    if (
        isinstance(seasonality, (bool, np.bool_))
        or not isinstance(seasonality, Integral)
        or seasonality < 1
    ):
        raise ValueError(f"seasonality must be an int >= 1; got {seasonality!r}.")
    truth, forecasts = _pair(y_true, y_pred)
    errors = np.abs(truth / 2 - forecasts / 2) / truth.shape[-1]
    if truth.ndim == 1:
        scale = _naive_scale(y_train, int(seasonality), "y_train")
        return _finite_ratio(np.sum(errors), scale, "y_train")
    if truth.ndim != 2:
        raise ValueError(
            "y_true must be 1-D (one series) or 2-D (one row per series); got "
            f"{truth.ndim} dimensions."
        )
    if getattr(y_train, "ndim", None) == 2 and hasattr(y_train, "to_numpy"):
        # One training part per row, as a 2-D array gives them.
        y_train = y_train.to_numpy()
    if isinstance(y_train, (str, bytes, Mapping)) or not hasattr(y_train, "__len__"):
        raise ValueError(
            "With a 2-D y_true, y_train must be a sequence of training parts, "
            f"one per row; got {type(y_train).__name__}."
        )
    if len(y_train) != len(truth):
        flat = all(np.ndim(part) == 0 for part in y_train)
        raise ValueError(
            f"y_true has {len(truth)} rows (series) but y_train has "
            f"{len(y_train)} training parts"
            + (
                ": a flat y_train is the training part of one series, whose "
                "y_true and y_pred are then 1-D."
                if flat
                else "."
            )
        )
    ratios = [
        _finite_ratio(
            np.sum(row_errors), _naive_scale(train, int(seasonality), name), name
        )
        for row_errors, train, name in zip(
            errors,
            y_train,
            (f"y_train[{row}]" for row in range(len(truth))),
            strict=True,
        )
    ]
    return float(np.mean(ratios))


def _finite_ratio(error: float, scale: float, name: str) -> float:
    with np.errstate(over="ignore"):
        ratio = error / scale
    if not np.isfinite(ratio):
        raise ValueError(
            f"The forecast errors are too large beside {name}'s seasonal naive "
            "errors for their ratio to be a finite float: MASE cannot be "
            "computed for it."
        )
    return float(ratio)
