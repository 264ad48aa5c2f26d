"""Forecasts of every series of a long table, from each series' last row."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pandas as pd
from sklearn import config_context
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._horizon import (
    _panel_target_columns,
    check_dates_within_series,
    describe_model,
    read_outputs,
)
from ._panel_intervals import (
    calibration_origins,
    check_enough_origins,
    panel_calibration_size,
    pooled_widths,
    target_scales,
)
from ._scaling import zero_window_scales
from ._window import (
    WindowTransformer,
    _identifier_position,
    _series_starts,
    _split_identifier,
)

__all__: list[str] = []


def panel_model(
    model: Any, series_id: Any, *, fitted: bool = True
) -> tuple[WindowTransformer, Any]:
    """The model's panel WindowTransformer and the regressor behind it; a
    model to be fitted (``fitted=False``) is checked for its shape alone."""
    windows = model.steps[0][1] if isinstance(model, Pipeline) else None
    if not isinstance(windows, WindowTransformer) or len(model.steps) < 2:
        raise TypeError(
            f"With series_id, model must be a {'fitted ' if fitted else ''}"
            f"Pipeline that starts with WindowTransformer(series_id={series_id!r}) "
            f"and ends with a regressor; got {describe_model(model)}."
        )
    if fitted:
        check_is_fitted(model)
        check_is_fitted(windows)
    if windows.series_id != series_id:
        raise ValueError(
            f"series_id={series_id!r}, but the model's WindowTransformer reads "
            f"the series from series_id={windows.series_id!r}: give the same "
            "column."
        )
    return windows, model[1:]


def series_params(model: Any, method: str, identifiers: np.ndarray) -> dict:
    """``groups`` for ``model.<method>``, where its final estimator's method
    takes it: ``fit``'s early stopping then validates each series on its own
    last rows, and a network that embeds series reads each window's series."""
    name, final = ("", model)
    if isinstance(model, Pipeline):
        name, final = model.steps[-1][0] + "__", model.steps[-1][1]
    function = getattr(final, method, None)
    if function is None or "groups" not in inspect.signature(function).parameters:
        return {}
    # Pipeline.fit routes parameters by step name; predict hands its own to
    # the final step.
    return {f"{name if method == 'fit' else ''}groups": identifiers}


def with_series(model: Any, method: str, identifiers: np.ndarray, *args) -> Any:
    """``model.<method>(*args)`` given each row's series where it takes them.

    The call passes ``groups`` itself, by step name, whatever the user's
    metadata routing setting: with routing on, scikit-learn would refuse
    parameters the estimator was not asked to request.
    """
    params = series_params(model, method, identifiers)
    with config_context(enable_metadata_routing=False):
        return getattr(model, method)(*args, **params)


def forecast_panel(
    model: Any,
    history: Any,
    horizon: int,
    series_id: Any,
    targets: Any,
    unavailable: dict[str, Any],
    intervals: tuple[float | None, Any] = (None, None),
    strategy: str | None = None,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Forecast ``horizon`` rows of every series of ``history`` (see ``forecast``).

    ``unavailable`` holds forecast's arguments that a panel forecast does not
    take; any that is set is an error. ``intervals`` is ``(coverage,
    calibration_size)``: with a coverage, also the lower and upper bounds of
    split-conformal intervals, as frames of the same layout. ``strategy`` is
    how the model was fitted, where the caller knows it (see
    :func:`~sklstm._horizon.read_outputs`).
    """
    coverage, calibration_size = intervals
    given = [name for name, value in unavailable.items() if value is not None]
    if given:
        raise ValueError(
            f"With series_id, forecast forecasts from each series' last row; "
            f"{', '.join(given)} cannot be used with it."
        )
    check_series_label(series_label(series_id), ("step",), "forecasts'")
    transformer, regressor = panel_model(model, series_id)
    history, position = _checked_history(history, transformer, series_id)
    # The transformer checks the columns against those it was fitted on, the
    # series' contract, and the values, and pads each series' own start.
    windows = np.asarray(transformer.transform(history))
    if transformer.flatten:
        windows = windows.reshape(len(history), transformer.time_steps, -1)
    names = _column_names(history)
    if hasattr(history, "columns"):
        identifiers = history.iloc[:, position].to_numpy()
    else:
        identifiers = history[:, position]
    starts = _series_starts(identifiers, series_id)
    check_dates_within_series(
        getattr(history, "index", None), starts, identifiers, "history"
    )
    last_rows = np.r_[starts[1:], len(history)] - 1
    targets = [
        column - (column > position)
        for column in _panel_target_columns(targets, names, position, series_id)
    ]
    unfinished = ~np.isfinite(windows[last_rows]).all(axis=(1, 2))
    if unfinished.any():
        raise ValueError(
            f"Series {identifiers[starts[np.argmax(unfinished)]]!r} has missing "
            "values in its last window: forecasts need every value of each "
            "series' last window."
        )

    predict_for = _predictor(regressor, transformer.flatten, identifiers)
    value_names = names[:position] + names[position + 1 :]
    reading = ([value_names[c] for c in targets], strategy)
    predictions, strategy = _forecast_ahead(
        predict_for(last_rows), windows[last_rows], horizon, targets, reading
    )
    label = series_label(series_id)
    _check_target_names([value_names[c] for c in targets], label)

    def frame(values: np.ndarray) -> pd.DataFrame:
        table = pd.DataFrame(
            {
                label: np.repeat(identifiers[starts], horizon),
                "step": np.tile(np.arange(1, horizon + 1), len(starts)),
            }
        )
        for j, column in enumerate(targets):
            table[value_names[column]] = values[:, :, j].ravel()
        return table

    if coverage is None:
        return frame(predictions)
    values = _values_besides(history, position)
    lengths = np.diff(np.r_[starts, len(values)])
    sizes = panel_calibration_size(regressor, lengths, calibration_size)
    origins = calibration_origins(starts, lengths, sizes, horizon)
    check_enough_origins(len(origins), coverage)
    read = _rows_read(origins, starts, windows.shape[1], horizon, len(values))
    _check_calibration_values(values, read, identifiers, value_names)
    calibration = (values, windows, origins, strategy)
    half = _half_widths(predict_for, calibration, last_rows, horizon, targets, coverage)
    return frame(predictions), frame(predictions - half), frame(predictions + half)


def _checked_history(history, transformer, series_id) -> tuple[Any, int]:
    """``history`` as a 2-D table with rows and no infinite value (an error
    names its row and column), and the position of its identifier column.

    Missing values (NaN) are the transformer's to judge: a series may have
    gaps before its last window.
    """
    if not hasattr(history, "iloc"):
        history = np.asarray(history)
    if history.ndim != 2:
        raise ValueError(
            "With series_id, history must be a 2-D table holding the identifier "
            f"column and the value columns; got {history.ndim} dimension(s)."
        )
    if len(history) == 0:
        raise ValueError(
            "history has no rows: a panel forecast starts from each series' last row."
        )
    position = _identifier_position(
        history,
        series_id,
        "history",
        known_names=getattr(transformer, "feature_names_in_", ()),
    )
    _, values = _split_identifier(history, position, series_id, "history")
    try:
        values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return history, position  # not numbers: the transformer says which
    bad = np.argwhere(np.isinf(values))
    if len(bad):
        row, column = bad[0]
        names = _column_names(history)
        del names[position]
        raise ValueError(
            f"history has an infinite value at row {row} (column "
            f"{names[column]!r}): forecasts need finite values."
        )
    return history, position


def _column_names(history: Any) -> list[str]:
    """A table's column names, or ``x0, x1, ...`` for an array's."""
    if hasattr(history, "columns"):
        return [str(c) for c in history.columns]
    return [f"x{j}" for j in range(history.shape[1])]


def series_label(series_id: Any) -> str:
    """The name of the identifier's column in the tables forecasts return."""
    return series_id if isinstance(series_id, str) else "series_id"


def check_series_label(label: str, reserved: tuple[str, ...], table: str) -> None:
    """The identifier's column must not take a name the returned table uses."""
    if label in reserved:
        names = ", ".join(repr(name) for name in reserved)
        raise ValueError(
            f"series_id {label!r} takes the name of a column of the {table} "
            f"table, which holds the columns {names} beside the series: rename "
            "the identifier column."
        )


def _check_target_names(names: list[str], label: str) -> None:
    """The forecasts' table has the columns ``label``, "step", then the targets."""
    clashing = [name for name in names if name in (label, "step")]
    if clashing:
        raise ValueError(
            f"The forecasts' table names its columns {label!r} (the series), "
            f"'step' and then the targets, but target column {clashing[0]!r} "
            "takes one of the first two names: rename that column."
        )


def _predictor(regressor: Any, flatten: bool, identifiers: np.ndarray):
    """``predict_for(rows)``: a function predicting the outputs of windows of
    the series of ``rows`` (in their order), for ``_forecast_ahead``."""

    def predict_for(rows: np.ndarray):
        def predict(batch: np.ndarray) -> np.ndarray:
            inputs = batch.reshape(len(batch), -1) if flatten else batch
            names = getattr(regressor, "feature_names_in_", None)
            if flatten and names is not None and len(names) == inputs.shape[1]:
                # A regressor fitted on WindowTransformer's pandas output
                # checks the names of the columns it reads.
                inputs = pd.DataFrame(inputs, columns=names)
            outputs = with_series(regressor, "predict", identifiers[rows], inputs)
            return np.asarray(outputs, dtype=np.float64).reshape(len(batch), -1)

        return predict

    return predict_for


def _values_besides(history: Any, position: int) -> np.ndarray:
    """Every column but the identifier's, as float64, missing values as NaN
    (pandas' nullable columns hold pd.NA, which numpy cannot cast)."""
    if isinstance(history, pd.DataFrame):
        kept = [j for j in range(history.shape[1]) if j != position]
        return history.iloc[:, kept].to_numpy(dtype=np.float64, na_value=np.nan)
    return np.delete(np.asarray(history), position, axis=1).astype(np.float64)


def _rows_read(origins, starts, time_steps, horizon, n_rows) -> np.ndarray:
    """Which rows the forecasts from ``origins`` read: each origin's window
    (within its series) and the ``horizon`` rows after it."""
    series_of = np.searchsorted(starts, origins, side="right") - 1
    first = np.maximum(starts[series_of], origins - time_steps + 1)
    marks = np.zeros(n_rows + 1, dtype=int)
    np.add.at(marks, first, 1)
    np.add.at(marks, origins + horizon + 1, -1)
    return np.cumsum(marks[:-1]) > 0


def _check_calibration_values(values, read, identifiers, names) -> None:
    """The rows the intervals' calibration reads must have no missing value."""
    bad = np.argwhere(read[:, None] & ~np.isfinite(values))
    if len(bad):
        row, column = bad[0]
        raise ValueError(
            f"history has a missing value at row {row} (series "
            f"{identifiers[row]!r}, column {names[column]!r}), which the "
            "intervals read: coverage calibrates on the forecasts from each "
            "series' latest origins, so their windows and the horizon rows "
            "after them must be complete. Fill the gap (for example with "
            "pandas' interpolate) or lower calibration_size."
        )


def _half_widths(predict_for, calibration, last_rows, horizon, targets, coverage):
    """Half-widths (n_series, horizon, n_targets) of the intervals from each
    series' last row, calibrated on the forecasts from ``origins``, each
    series' latest rows whose ``horizon`` next rows are known (see
    ``_panel_intervals``). ``calibration`` is ``(values, windows, origins,
    strategy)``, the strategy as the forecasts from the last rows read it;
    ``predict_for(rows)`` predicts for windows of the series of ``rows``.
    """
    values, windows, origins, strategy = calibration
    forecasts, _ = _forecast_ahead(
        predict_for(origins), windows[origins], horizon, targets, (None, strategy)
    )
    ahead = origins[:, None] + np.arange(1, horizon + 1)
    actual = values[ahead][:, :, targets]
    # Windows of zeros take a low scale of the calibration windows: errors
    # and widths then keep the data's units.
    zero_scale = zero_window_scales(windows[origins][:, :, targets])
    widths = pooled_widths(
        np.abs(forecasts - actual),
        target_scales(windows[origins], targets, zero_scale),
        coverage,
    )
    last_scales = target_scales(windows[last_rows], targets, zero_scale)
    return widths[None] * last_scales[:, None, :]


def _forecast_ahead(
    predict, last_windows: np.ndarray, horizon: int, targets: list[int], reading
) -> tuple[np.ndarray, str]:
    """``horizon`` steps of ``targets`` from each of ``last_windows``.

    Direct when the model predicts several steps at once, else recursive:
    each step's predictions become the newest row of the next window.
    ``reading`` is ``(names, strategy)``: the targets' names, and how the
    model was fitted where known (see :func:`~sklstm._horizon.read_outputs`;
    names None: the strategy is known). Returns an array of shape
    ``(n_series, horizon, n_targets)`` and the strategy it read.
    """
    n_series, time_steps, n_values = last_windows.shape
    buffer = np.empty((n_series, time_steps + horizon - 1, n_values))
    buffer[:, :time_steps] = last_windows
    first = predict(buffer[:, :time_steps])
    n_targets = len(targets)
    names, strategy = reading
    names = [str(target) for target in targets] if names is None else names
    direct_steps = read_outputs(first.shape[1], names, n_values, horizon, strategy)
    if direct_steps > 1 or horizon == 1:
        if direct_steps < horizon:
            raise ValueError(
                f"the model forecasts {direct_steps} steps directly; "
                f"horizon={horizon} is beyond them."
            )
        predictions = first.reshape(n_series, direct_steps, n_targets)
        return predictions[:, :horizon], "direct"
    if n_targets != n_values:
        raise ValueError(
            "A recursive forecast of a panel feeds each prediction back as "
            f"the next row, so the model must forecast all {n_values} value "
            f"column(s); it forecasts {n_targets}."
        )
    predictions = np.empty((n_series, horizon, n_targets))
    predictions[:, 0] = first
    for k in range(1, horizon):
        buffer[:, time_steps + k - 1, targets] = predictions[:, k - 1]
        predictions[:, k] = predict(buffer[:, k : k + time_steps])
    return predictions, "recursive"
