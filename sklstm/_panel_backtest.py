"""Backtests of every series of a long table on its own last rows."""

from __future__ import annotations

from numbers import Integral
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import clone

from ._horizon import (
    _check_int,
    _check_strategy,
    _check_strategy_name,
    _is_fitted,
    _panel_targets_rows,
    _refit_period,
    final_step,
    horizon_targets,
)
from ._panel_forecast import (
    check_series_label,
    forecast_panel,
    panel_model,
    series_label,
    with_series,
)
from ._window import _identifier_position, _series_starts

__all__: list[str] = []

#: The label, in the errors table, of rows that pool every series or step.
POOLED = "all"
#: The columns of the predictions table besides the identifier's.
FORECAST_COLUMNS = (
    "origin",
    "time",
    "step",
    "target",
    "actual",
    "forecast",
    "lower",
    "upper",
)
#: The columns of the errors table besides the identifier's.
ERROR_COLUMNS = (
    "target",
    "step",
    "n",
    "mse",
    "mae",
    "mape",
    "smape",
    "mase",
    "coverage",
    "width",
)


def naive_scales(values: np.ndarray, seasonality: int) -> np.ndarray:
    """Each column's in-sample seasonal naive MAE; NaN where it is undefined."""
    if len(values) <= seasonality:
        return np.full(values.shape[1], np.nan)
    scales = np.mean(np.abs(values[seasonality:] - values[:-seasonality]), axis=0)
    return np.where(scales > 0, scales, np.nan)


def error_terms(
    actual: np.ndarray, predicted: np.ndarray, scales: np.ndarray
) -> pd.DataFrame:
    """Each forecast's term of every metric of a backtest's errors table.

    The metrics are the means of these terms; a term a metric cannot define
    (the percentage of a zero actual value, an error scaled by an undefined
    scale) is NaN.
    """
    error = np.abs(predicted - actual)
    with np.errstate(divide="ignore", invalid="ignore"):
        percentage = np.where(actual != 0, 100.0 * error / np.abs(actual), np.nan)
        total = np.abs(actual) + np.abs(predicted)
        symmetric = np.where(total > 0, 200.0 * error / total, 0.0)
    return pd.DataFrame(
        {
            "mse": error**2,
            "mae": error,
            "mape": percentage,
            "smape": symmetric,
            "mase": error / scales,
        }
    )


def stop_if_fit_interrupted(model) -> None:
    """Raise KeyboardInterrupt where Ctrl-C ended ``model``'s last fit.

    A fit turns Ctrl-C into a warning and keeps the weights reached, as
    Keras does; a backtest, which fits and forecasts in a loop and has no
    result part way, stops instead.
    """
    final = final_step(model)
    # A TransformedTargetRegressor fits a clone of its regressor.
    final = getattr(final, "regressor_", final)
    if getattr(final, "_interrupted", False):
        raise KeyboardInterrupt


def _fit_panel(model, table, keep, steps, targets, series_id, strategy, fitted):
    """``model`` fitted on the rows ``keep`` of the panel, or as it is."""

    if fitted:
        return model
    rows = _take(table, keep)
    ahead = steps if strategy == "direct" else 1
    # Only the targets' values are read: by position, whatever the index.
    positional = rows.reset_index(drop=True) if hasattr(rows, "index") else rows
    y = horizon_targets(positional, ahead, targets=targets, series_id=series_id)
    identifiers = _identifiers(rows, series_id)
    starts = _series_starts(identifiers, series_id)
    lengths = np.diff(np.r_[starts, len(identifiers)])
    place = np.arange(len(identifiers)) - np.repeat(starts, lengths)
    with_targets = place + ahead < np.repeat(lengths, lengths)
    y = y.to_numpy() if hasattr(y, "to_numpy") else np.asarray(y)
    if ahead == 1 and y.shape[1] == 1:
        y = y[:, 0]
    _check_embedded_series(model, identifiers[starts], lengths, ahead)
    return with_series(
        clone(model), "fit", identifiers[with_targets], _take(rows, with_targets), y
    )


def _check_embedded_series(model, labels, lengths, ahead) -> None:
    """A model that learns a vector per series must train on every series."""
    final = final_step(model)
    if getattr(final, "series_embedding", None) is None:
        return
    short = lengths <= ahead
    if short.any():
        raise ValueError(
            f"Series {labels[np.argmax(short)]!r} has {lengths[short][0]} rows "
            f"before its test part, too few for one training target {ahead} "
            "row(s) ahead, and the model learns a vector for each series "
            "(series_embedding), which it cannot learn for a series it never "
            "trains on: drop the series, or lower test_size or the horizon."
        )


def _take(table: Any, rows: np.ndarray) -> Any:
    return table.iloc[rows] if hasattr(table, "iloc") else table[rows]


def _identifiers(table: Any, series_id: Any) -> np.ndarray:
    if hasattr(table, "columns"):
        return table[series_id].to_numpy()
    return table[:, series_id]


def _predicted_width(model: Any, table: Any, identifiers: np.ndarray) -> int:
    first = with_series(model, "predict", identifiers[:1], _take(table, np.arange(1)))
    return np.asarray(first).reshape(1, -1).shape[1]


def _check_arguments(horizon, test_size, seasonality, strategy) -> int:
    """Check what a panel backtest takes; the season's length."""
    if isinstance(test_size, (bool, np.bool_)) or not isinstance(test_size, Integral):
        raise TypeError(
            "With series_id, test_size must be an int, the rows of each series' "
            f"test part; got {test_size!r}."
        )
    if test_size < horizon:
        raise ValueError(
            f"test_size={test_size} rows per series is less than horizon="
            f"{horizon}: the test part must hold at least one forecast."
        )
    seasonality = 1 if seasonality is None else seasonality
    seasonality = _check_int(seasonality, "seasonality", 1)
    _check_strategy_name(strategy)
    return seasonality


def backtest_panel(
    model: Any,
    series: Any,
    horizon: int,
    *,
    test_size: Any,
    refit: Any,
    targets: Any,
    strategy: str | None,
    series_id: Any,
    seasonality: Any,
    intervals: tuple[float | None, Any] = (None, None),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Backtest every series of ``series`` on its last rows (see ``backtest``).

    ``intervals`` is ``(coverage,
    calibration_size)``: with a coverage, each forecast gets the bounds of
    its split-conformal interval (see ``forecast``).
    """

    seasonality = _check_arguments(horizon, test_size, seasonality, strategy)
    label = series_label(series_id)
    names_taken = tuple(dict.fromkeys(FORECAST_COLUMNS + ERROR_COLUMNS))
    check_series_label(label, names_taken, "predictions' and errors'")
    # A model to fit is checked before any fit, not after the first.
    panel_model(model, series_id, fitted=_is_fitted(model))
    coverage, calibration_size = intervals
    every = _refit_period(refit)
    # The same checks as horizon_targets: a 2-D table, its identifier column,
    # the targets, and no missing values.
    array, names, index, positions, _ = _panel_targets_rows(
        series, 1, targets, series_id
    )
    table = series if isinstance(series, pd.DataFrame) else np.asarray(series)
    # Checks the identifier; the key itself goes on as the user gave it, so
    # that the model's WindowTransformer finds the same series_id (-1 too).
    _identifier_position(table, series_id, "series")
    column_key = series_id
    identifiers = _identifiers(table, column_key)
    starts = _series_starts(identifiers, series_id)
    lengths = np.diff(np.r_[starts, len(array)])
    _check_series(identifiers[starts], lengths, test_size)
    place = np.arange(len(array)) - np.repeat(starts, lengths)
    remaining = np.repeat(lengths, lengths) - place
    offsets = np.arange(test_size - horizon + 1)
    fitted = _is_fitted(model) and every is None
    groups = (
        [offsets]
        if every is None
        else [offsets[i : i + every] for i in range(0, len(offsets), every)]
    )
    target_names = [names[j] for j in positions]
    shape = (len(starts), len(offsets), horizon, len(positions))
    predictions = np.empty(shape)
    bounds = None if coverage is None else (np.empty(shape), np.empty(shape))
    for group in groups:
        # Origin o of every series: o rows into its test part, after its row
        # test_size + 1 from the end.
        visible = remaining > test_size - int(group[0])
        current = _fit_panel(
            model, table, visible, horizon, targets, column_key, strategy, fitted
        )
        if not fitted:
            stop_if_fit_interrupted(current)
        if strategy is not None:
            width = _predicted_width(
                current, _take(table, visible), identifiers[visible]
            )
            _check_strategy(strategy, width // len(positions), horizon)
        for offset in group:
            history = _take(table, remaining > test_size - int(offset))
            frames = forecast_panel(
                current,
                history,
                horizon,
                column_key,
                targets,
                {},
                (coverage, calibration_size),
                # Said by strategy, or fitted here (one step unless direct).
                strategy or (None if fitted else "recursive"),
            )
            frames = frames if coverage is not None else (frames,)
            for found, frame in zip(
                (predictions, *(bounds or ())), frames, strict=True
            ):
                found[:, offset] = (
                    frame[target_names]
                    .to_numpy()
                    .reshape(len(starts), horizon, len(positions))
                )
    table = _PanelTable(array, names, index, identifiers, starts, lengths)
    return _panel_frames(
        predictions, table, positions, test_size, seasonality, label, bounds
    )


def _check_series(names: np.ndarray, lengths: np.ndarray, test_size: int) -> None:
    """Every series must keep a row before its test part to forecast from,
    and none may take the label of the errors table's pooled rows."""
    if any(isinstance(name, str) and name == POOLED for name in names):
        raise ValueError(
            f"Series {POOLED!r} takes the errors table's label for the rows "
            "that pool every series: rename it."
        )
    short = np.flatnonzero(lengths <= test_size)
    if short.size:
        first = int(short[0])
        raise ValueError(
            f"Series {names[first]!r} has {lengths[first]} rows, "
            f"not more than test_size={test_size}: it leaves no row before its "
            f"test part to forecast from ({short.size} series are that short)."
        )


class _PanelTable(NamedTuple):
    """A long table of series as the backtest reads it."""

    array: np.ndarray  # values, float64, the identifier's column unread
    names: list[str]
    index: Any  # the DataFrame's index, or None for an array
    identifiers: np.ndarray
    starts: np.ndarray  # each series' first row
    lengths: np.ndarray  # each series' rows


def _panel_frames(
    predictions, table, positions, test_size, seasonality, label, bounds=None
):
    array, names, index, identifiers, starts, lengths = table
    n_series, n_offsets, horizon, n_targets = predictions.shape
    s, o, k, j = np.meshgrid(
        np.arange(n_series),
        np.arange(n_offsets),
        np.arange(horizon),
        np.arange(n_targets),
        indexing="ij",
    )
    s, o, k, j = s.ravel(), o.ravel(), k.ravel(), j.ravel()
    origin_rows = starts[s] + lengths[s] - test_size - 1 + o
    rows = origin_rows + k + 1
    columns = np.asarray(positions)[j]
    labels = (lambda r: r) if index is None else (lambda r: np.asarray(index)[r])
    actual = array[rows, columns]
    predicted = predictions.ravel()
    forecasts = pd.DataFrame(
        {
            label: identifiers[starts][s],
            "origin": labels(origin_rows),
            "time": labels(rows),
            "step": k + 1,
            "target": np.asarray([names[p] for p in positions], dtype=object)[j],
            "actual": actual,
            "forecast": predicted,
        }
    )
    scales = np.stack(
        [
            naive_scales(
                array[start : start + length - test_size][:, positions], seasonality
            )
            for start, length in zip(starts, lengths, strict=True)
        ]
    )
    terms = error_terms(actual, predicted, scales[s, j])
    if bounds is not None:
        forecasts["lower"], forecasts["upper"] = (b.ravel() for b in bounds)
        inside = (forecasts["lower"] <= actual) & (actual <= forecasts["upper"])
        terms["coverage"] = inside.to_numpy(dtype=float)
        terms["width"] = (forecasts["upper"] - forecasts["lower"]).to_numpy()
    keys = {"target": forecasts["target"], label: forecasts[label]}
    steps = forecasts["step"]
    tables = [
        group_means(terms, [keys["target"], steps], (label, POOLED)),
        group_means(terms, [keys["target"]], (label, POOLED), ("step", POOLED)),
        group_means(terms, [keys["target"], keys[label]], ("step", POOLED)),
    ]
    errors = pd.concat(tables).set_index(["target", label, "step"])
    return forecasts, errors


def group_means(terms: pd.DataFrame, keys: list, *constants: tuple[str, Any]):
    """Each term's mean per group (NaN where one of its values is NaN)."""
    grouped = terms.groupby(keys, sort=False)
    means = grouped.mean()
    means = means.where(grouped.count() == grouped.size().to_numpy()[:, None])
    means.insert(0, "n", grouped.size())
    means = means.reset_index()
    for name, value in constants:
        means[name] = value
    return means
