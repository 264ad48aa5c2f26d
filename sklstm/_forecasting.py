"""Forecasts several steps ahead, their intervals, and backtests.

Plain functions over fitted scikit-learn models of windows, not a new family
of estimators: a ``WindowTransformer -> regressor`` pipeline (an
:class:`~sklstm.LSTMRegressor`, or any scikit-learn regressor behind
``WindowTransformer(flatten=True)``), or an ``LSTMRegressor`` fitted on
windows directly.

Two ways to forecast ``h`` steps:

- **direct**: one model predicts all ``h`` steps at once from a window, as a
  multi-output regressor trained on :func:`horizon_targets`;
- **recursive**: a one-step model's predictions are fed back as the newest
  rows of the window, ``h`` times (:func:`forecast`).

Rows of a series are time steps in order, columns are features. Row ``t``
is an *origin*: a forecast from it may use rows ``0`` to ``t`` and predicts
rows ``t + 1`` to ``t + h``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._horizon import (
    _as_series,
    _check_int,
    _check_strategy,
    _check_strategy_name,
    _column_positions,
    _first_frame_outside_package,
    _is_fitted,
    _refit_period,
    _renamed_keywords,
    describe_model,
    final_step,
    horizon_targets,
    read_outputs,
)
from ._panel_backtest import (
    backtest_panel,
    error_terms,
    group_means,
    naive_scales,
    stop_if_fit_interrupted,
)
from ._panel_forecast import forecast_panel
from ._panel_intervals import conformal_rank
from ._regressor import LSTMRegressor
from ._window import (
    WindowTransformer,
    causal_windows,
)

__all__ = ["backtest", "forecast"]

# Most calibration errors held at once when sizing intervals (float64 values).
_CALIBRATION_VALUES = 1 << 21


# -------------------------------------------------------------- the model
def _is_named(values: Any) -> bool:
    """Whether ``values`` name their columns: a DataFrame, or a Series with
    a name."""
    return isinstance(values, pd.DataFrame) or (
        isinstance(values, pd.Series) and values.name is not None
    )


def _warn_if_names_differ(named: bool, fitted_names: Any) -> None:
    """scikit-learn's warnings where a model fitted with column names reads
    values without them, or the other way round: columns go by position."""
    if named == (fitted_names is not None):
        return
    if named:
        message = (
            "history has column names, but the model was fitted without them: "
            "its columns are read by position."
        )
    else:
        message = (
            "history has no column names, but the model was fitted with "
            f"{list(fitted_names)}: its columns are read in that order."
        )
    warnings.warn(message, UserWarning, stacklevel=_first_frame_outside_package())


def _refuse_panel_model(model: Any, function: str) -> None:
    """A model whose WindowTransformer reads a table of many series needs
    ``series_id``: its identifier column would be read as a value, and
    windows would run across series."""
    if not isinstance(model, Pipeline) or not model.steps:
        return
    series_id = getattr(model.steps[0][1], "series_id", None)
    if isinstance(model.steps[0][1], WindowTransformer) and series_id is not None:
        raise ValueError(
            f"This model's WindowTransformer has series_id={series_id!r} (a "
            f"table of many series): {function} it with {function}(..., "
            f"series_id={series_id!r}); without series_id, forecast and "
            "backtest read a single series."
        )


class _WindowModel:
    """A fitted model seen as: windows of ``time_steps`` rows -> outputs."""

    def __init__(self, model: Any) -> None:
        if isinstance(model, Pipeline) and isinstance(
            model.steps[0][1], WindowTransformer
        ):
            check_is_fitted(model)
            windows = model.steps[0][1]
            check_is_fitted(windows)
            _refuse_panel_model(model, "forecast")
            self.time_steps = int(windows.time_steps)
            self.n_features = int(windows.n_features_in_)
            self.feature_names = getattr(windows, "feature_names_in_", None)
            # Whether the fit could have recorded the series' column names.
            self.names_known = True
            self.flatten = bool(windows.flatten)
            self.newest_first = False
            self._regressor = model[1:] if len(model.steps) > 1 else None
        elif isinstance(model, LSTMRegressor):
            check_is_fitted(model)
            self.time_steps = int(model.time_steps_in_)
            self.n_features = 1 if model.input_ndim_ == 2 else int(model.n_features_in_)
            # A 2-D fit names the window's time steps, not the series' columns.
            self.feature_names = None
            self.names_known = False
            self.flatten = model.input_ndim_ == 2
            # Forecasts build windows oldest first, as WindowTransformer does.
            # (in the order the model was fitted on, whatever set_params
            # changed since, as its predict does).
            fitted_order = model.__dict__.get("_fitted_reading", {}).get(
                "time_order", model.time_order
            )
            self.newest_first = fitted_order == "newest_first"
            self._regressor = model
        else:
            self._regressor = None
        if self._regressor is None:
            raise TypeError(
                "model must be a fitted Pipeline that starts with a "
                "WindowTransformer and ends with a regressor, or a fitted "
                f"LSTMRegressor; got {describe_model(model)}."
            )
        if not hasattr(self._regressor, "predict"):
            raise TypeError(
                "model must end with a regressor, which predicts; got "
                f"{describe_model(model)}."
            )
        final = final_step(model)
        if (
            getattr(final, "series_labels_", None) is not None
            or getattr(final, "series_attributes_", None) is not None
        ):
            raise ValueError(
                "This model's LSTMRegressor learnt vectors for the series "
                "(series_embedding or series_attributes), so each window "
                "needs its series: forecast a table of series with forecast(..., "
                "series_id=...); without series_id, forecast and backtest read "
                "a single series."
            )
        self.validation_samples = _validation_samples(model)

    def predict(self, windows: np.ndarray) -> np.ndarray:
        """Outputs of shape (n_windows, n_outputs) for 3-D windows, oldest first."""
        if self.newest_first:
            windows = windows[:, ::-1]
        inputs = windows.reshape(len(windows), -1) if self.flatten else windows
        names = getattr(self._regressor, "feature_names_in_", None)
        if self.flatten and names is not None and len(names) == inputs.shape[1]:
            # A regressor fitted on WindowTransformer's pandas output (see
            # set_output) checks the names of the columns it reads.
            inputs = pd.DataFrame(inputs, columns=names)
        outputs = np.asarray(self._regressor.predict(inputs), dtype=np.float64)
        return outputs.reshape(len(windows), -1)


def _validation_samples(model: Any) -> int:
    final = final_step(model)
    return int(getattr(final, "n_validation_samples_", 0))


class _Plan:
    """Checked arguments of one forecast: the model, series, targets and steps."""

    def __init__(
        self, model: Any, history: Any, steps: Any, targets: Any, future: Any
    ) -> None:
        self.model = _WindowModel(model)
        self.steps = _check_int(steps, "horizon")
        self.history, self.columns, self.index = _as_series(history, "history")
        if self.history.shape[1] != self.model.n_features:
            raise ValueError(
                f"history has {self.history.shape[1]} columns, but the model was "
                f"fitted on {self.model.n_features} features per row."
            )
        if self.model.names_known:
            self._check_names(history, self.model.feature_names)
        if len(self.history) < self.model.time_steps:
            raise ValueError(
                f"history has {len(self.history)} rows, fewer than the model's "
                f"window of {self.model.time_steps} rows."
            )
        self.targets = _column_positions(targets, self.columns)
        self.covariates = [j for j in range(len(self.columns)) if j not in self.targets]
        self.named = isinstance(history, pd.DataFrame)
        self.future = self._future_covariates(future)
        self.horizon: int | None = None  # set by the first prediction
        # How the model was fitted, where the caller knows it (see
        # read_outputs); None reads it from the outputs' width.
        self.strategy: str | None = None

    def _check_names(self, history: Any, fitted_names: Any) -> None:
        if (
            _is_named(history)
            and fitted_names is not None
            and self.columns != [str(name) for name in fitted_names]
        ):
            raise ValueError(
                f"history's columns {self.columns} are not those the model was "
                f"fitted on, in the same order: {list(fitted_names)}."
            )
        _warn_if_names_differ(_is_named(history), fitted_names)

    def _future_covariates(self, future: Any) -> np.ndarray:
        if future is None:
            return np.empty((0, len(self.covariates)))
        if not self.covariates:
            raise ValueError(
                "future_covariates was given, but every column of history is a "
                "target: there are no covariates to extend."
            )
        values, columns, index = _as_series(future, "future_covariates")
        _check_follows(self.index, index)
        names = [self.columns[j] for j in self.covariates]
        if values.shape[1] != len(self.covariates):
            raise ValueError(
                f"future_covariates has {values.shape[1]} columns; it needs one "
                f"per covariate column of history, {len(names)}: {names}."
            )
        # Named columns are read by position: names that say otherwise would
        # silently feed one covariate's values as another's.
        if self.named and _is_named(future) and columns != names:
            raise ValueError(
                f"future_covariates' columns {columns} are not history's "
                f"covariate columns in the same order: {names}."
            )
        return values

    def origins(self, origins: Any) -> np.ndarray:
        n_rows = len(self.history)
        if origins is None:
            return np.array([n_rows - 1])
        positions = np.asarray(origins)
        if positions.ndim == 1 and len(positions) == 0:
            raise ValueError("origins is empty: give at least one row.")
        if positions.ndim != 1 or positions.dtype.kind not in "iu":
            raise TypeError(
                "origins must be a 1-D sequence of row positions (ints); got "
                f"{origins!r}."
            )
        low = self.model.time_steps - 1
        outside = (positions < low) | (positions >= n_rows)
        if outside.any():
            bad = int(positions[outside][0])
            raise ValueError(
                f"origin {bad} is outside the rows that can start a forecast: "
                f"from {low} (the first with a full window of "
                f"{self.model.time_steps} rows) to {n_rows - 1} (the last row "
                "of history)."
            )
        return positions.astype(np.intp)

    def check_covariates(self, origins: np.ndarray) -> None:
        """Recursive forecasts need the covariates of every row they feed back."""
        if not self.covariates or self.steps == 1:
            return
        needed = int(origins.max()) + self.steps - 1
        available = len(self.history) - 1 + len(self.future)
        if needed > available:
            raise ValueError(
                f"forecasting {self.steps} steps from row {int(origins.max())} "
                f"feeds back rows up to {needed}, and needs the covariates "
                f"{[self.columns[j] for j in self.covariates]} there: history "
                f"ends at row {len(self.history) - 1} and future_covariates "
                f"gives {len(self.future)} more rows, {needed - available} too "
                "few."
            )


def _check_follows(history_index: Any, future_index: Any) -> None:
    """Dated future covariates must begin where the dated history ends: they
    are read by position, and dates that say otherwise would shift them."""
    dated = (pd.DatetimeIndex, pd.PeriodIndex)
    if not (isinstance(history_index, dated) and isinstance(future_index, dated)):
        return
    last = history_index[-1]
    frequency = history_index.freq or (
        pd.infer_freq(history_index) if len(history_index) > 2 else None
    )
    try:
        offset = pd.tseries.frequencies.to_offset(frequency) if frequency else None
        expected = None if offset is None else last + offset
        starts_after = future_index[0] > last
        # Each row one period after the one before, where history has a period.
        gap = next(
            (
                row
                for row, date in enumerate(future_index)
                if offset is not None and date != last + (row + 1) * offset
            ),
            None,
        )
    except (TypeError, ValueError):
        raise ValueError(
            f"future_covariates' index ({_date_kind(future_index)}) and "
            f"history's ({_date_kind(history_index)}) hold dates of different "
            "kinds, which cannot say whether the covariates follow history: "
            "give both the same kind of index."
        ) from None
    if not starts_after or (expected is not None and future_index[0] != expected):
        wanted = f"{expected}" if expected is not None else f"after {last}"
        raise ValueError(
            f"future_covariates' index starts at {future_index[0]}, but history "
            f"ends at {last}: the covariates' first row must be the row after "
            f"history's last ({wanted})."
        )
    if gap is not None:
        pace = getattr(history_index, "freqstr", None) or offset.freqstr
        raise ValueError(
            f"future_covariates' row {gap} is dated {future_index[gap]}, but "
            f"history's dates come every {pace}: the covariates, read "
            f"by position, must follow one another at that pace "
            f"({last + (gap + 1) * offset} there)."
        )


def _date_kind(index: Any) -> str:
    if isinstance(index, pd.PeriodIndex):
        return f"periods of {index.freqstr}"
    return f"dates in {index.tz}" if index.tz is not None else "dates without a zone"


# --------------------------------------------------------------- forecast
def _outputs_layout(plan: _Plan, width: int) -> int:
    """The model's horizon: 1 for a one-step model, else its direct horizon."""
    names = [plan.columns[j] for j in plan.targets]
    n_columns = plan.history.shape[1]
    horizon = read_outputs(width, names, n_columns, plan.steps, plan.strategy)
    if 1 < horizon < plan.steps:
        raise ValueError(
            f"the model forecasts {horizon} steps directly; horizon={plan.steps} "
            "is beyond them. Ask for at most that many steps, or train the "
            "model on a longer horizon."
        )
    return horizon


def _point_forecasts(plan: _Plan, origins: np.ndarray) -> np.ndarray:
    """Forecasts of shape (n_origins, steps, n_targets)."""
    time_steps = plan.model.time_steps
    windows = causal_windows(plan.history, time_steps)[origins]
    first = plan.model.predict(windows)
    if plan.horizon is None:
        plan.horizon = _outputs_layout(plan, first.shape[1])
    n_targets = len(plan.targets)
    if plan.horizon > 1 or plan.steps == 1:
        # Direct: every step comes from the window at the origin.
        return first.reshape(len(origins), -1, n_targets)[:, : plan.steps]
    plan.check_covariates(origins)
    # Recursive: one buffer of rows per origin; each step predicts the next
    # row of every origin at once (one predict call for all origins) and
    # writes it where the following windows will read it.
    buffer = np.empty(
        (len(origins), time_steps + plan.steps - 1, plan.history.shape[1])
    )
    buffer[:, :time_steps] = windows
    if plan.covariates:
        known = np.concatenate([plan.history[:, plan.covariates], plan.future])
        later = origins[:, None] + np.arange(1, plan.steps)
        buffer[:, time_steps:, plan.covariates] = known[later]
    predictions = np.empty((len(origins), plan.steps, n_targets))
    predictions[:, 0] = first
    for k in range(1, plan.steps):
        buffer[:, time_steps + k - 1, plan.targets] = predictions[:, k - 1]
        predictions[:, k] = plan.model.predict(buffer[:, k : k + time_steps])
    return predictions


def _calibration_rank(plan: _Plan, coverage: float, size: int | None):
    """The checked calibration size and the rank of the conformal quantile."""
    given = size is not None
    if not given:
        size = plan.model.validation_samples
        if size < 1:
            raise ValueError(
                "coverage needs calibration rows: the model holds no validation "
                "tail (an LSTMRegressor fitted with early stopping has one). "
                "Pass calibration_size, the number of rows up to each origin "
                "whose forecast errors calibrate its intervals."
            )
    size = _check_int(size, "calibration_size")
    rank, needed = conformal_rank(size, coverage)
    if rank > size:
        raise ValueError(
            f"coverage={coverage} needs at least {needed} calibration rows; "
            + (
                f"calibration_size is {size}."
                if given
                else f"the model's validation tail has {size}. Pass "
                "calibration_size to calibrate on more rows up to each origin."
            )
        )
    return size, rank


def _conformal_widths(plan, origins, known, predicted, size, rank) -> np.ndarray:
    """Split-conformal half-widths of shape (n_origins, steps, n_targets).

    For origin ``t`` and step ``k``: the absolute errors of the forecasts
    whose ``k``-th step lands on one of the ``size`` rows ending at ``t``
    (rows a forecast from ``t`` already knows), and of them the
    ``rank``-th smallest. ``predicted`` holds the forecasts from the origins
    ``known``, which include every origin those errors need.
    """
    actual = plan.history[:, plan.targets]
    widths = np.empty((len(origins), plan.steps, len(plan.targets)))
    offsets = np.arange(1 - size, 1)
    block = max(1, _CALIBRATION_VALUES // (size * len(plan.targets)))
    for start in range(0, len(origins), block):
        rows = origins[start : start + block, None] + offsets
        for k in range(1, plan.steps + 1):
            where = np.searchsorted(known, rows - k)
            errors = np.abs(predicted[where, k - 1] - actual[rows])
            widths[start : start + block, k - 1] = np.partition(
                errors, rank - 1, axis=1
            )[:, rank - 1]
    return widths


@_renamed_keywords(steps="horizon")
def forecast(
    model: Any,
    history: Any,
    horizon: int,
    *,
    origins: Sequence[int] | None = None,
    targets: Any = None,
    future_covariates: Any = None,
    coverage: float | None = None,
    calibration_size: int | None = None,
    series_id: Any = None,
    strategy: str | None = None,
):
    """Forecast the next ``horizon`` rows of a series from one or many origins.

    A model that predicts one step of each target is applied recursively:
    each step's predictions become the newest row of the next window. A model
    fitted on :func:`horizon_targets` predicts every step at once (direct).
    Which one the model is follows from its number of outputs: one per target
    column, or ``horizon`` per target column.

    All origins are forecast together: a recursive forecast from any number
    of origins costs ``horizon`` calls to the model's ``predict`` (each over
    all origins), not one per origin and step, and a direct one a single
    call.

    Parameters
    ----------
    model : Pipeline or LSTMRegressor
        A fitted ``Pipeline`` whose first step is a
        :class:`~sklstm.WindowTransformer` (the rest predicting from its
        windows, as an :class:`~sklstm.LSTMRegressor` or any regressor after
        ``WindowTransformer(flatten=True)`` does), or an ``LSTMRegressor``
        fitted on windows of the series' rows.
    history : array-like or DataFrame of shape (n_rows,) or (n_rows, n_columns)
        The series the model reads, rows in time order, with every column the
        model was fitted on (targets and covariates) and no missing values.
    horizon : int
        How many rows ahead to forecast, at least 1. (Called ``steps``
        before; the old name still works, with a ``FutureWarning``, until
        the next release.)
    origins : sequence of int or None, default=None
        Positions of the rows to forecast from; a forecast from row ``t``
        reads rows up to ``t`` only. None forecasts from the last row.
        Every origin needs a full window behind it (``t >= time_steps - 1``).
    targets : int, str, list or None, default=None
        The columns the model forecasts, by position or (for a DataFrame) by
        name; None means every column. Other columns are covariates: inputs
        whose values are known ahead (calendar features, planned values).
        The model's outputs are read as these columns in this order (step by
        step for a direct model), as :func:`horizon_targets` lays out its
        targets for the same ``targets``: a model fitted on its outputs in
        another order forecasts each column under another's name. A model
        with ``k`` outputs per window forecasts ``k / len(targets)`` steps
        directly when that is more than one, and then, where ``k`` could also
        be the outputs of another number of history's columns (the next row
        of every column, or several steps of one column), a warning says how
        the outputs are read unless ``strategy`` says it. Where ``k`` equals
        the number of targets, it is read as their next row without a
        warning: with ``targets=None`` (every column), a direct model of
        fewer columns than history has needs its ``targets`` named.
    future_covariates : array-like of shape (n_future, n_covariates), default=None
        The covariates' values in the rows after the end of ``history``, in
        the order of their columns. A recursive forecast from row ``t`` reads
        the covariates of rows ``t + 1`` to ``t + horizon - 1``; a clear error
        says how many rows are missing.
    coverage : float in (0, 1) or None, default=None
        If given, also return prediction intervals meant to hold the true
        value with this probability at each step, calibrated on the forecast
        errors over the ``calibration_size`` rows up to each origin
        (split-conformal; see Notes).
    calibration_size : int or None, default=None
        Rows, ending at each origin, whose forecast errors calibrate that
        origin's intervals. None uses the size of the model's validation
        tail, ``n_validation_samples_`` of its final
        :class:`~sklstm.LSTMRegressor`: a forecast from the last row of the
        model's training data is then calibrated on exactly its validation
        tail, which it held out from training.
    strategy : {"recursive", "direct"} or None, default=None
        How the model was fitted: on the next row of the targets
        (``"recursive"``) or on several steps of them (``"direct"``, see
        :func:`horizon_targets`); an error says when its outputs do not fit.
        None reads it from the number of outputs (see ``targets``), with a
        warning where several steps of the targets could also be the steps
        of another number of the history's columns.
    series_id : str, int or None, default=None
        The identifier column of ``history`` when it is a long table of many
        series (see :class:`~sklstm.WindowTransformer`'s ``series_id``, which
        the model's transformer must have, with the same value). Every series
        is then forecast from its last row, all in one pass (one ``predict``
        call per step), and the result is a long DataFrame. A series shorter
        than the window is padded as in training. ``targets`` counts the
        identifier's column in positions and never names it; ``origins`` and
        ``future_covariates`` are not available with it, and a recursive
        model must forecast every value column. With ``coverage``, each
        series' latest ``calibration_size`` rows whose next ``horizon`` rows
        are in ``history`` are forecast too (by default as many as the
        final :class:`~sklstm.LSTMRegressor` held out of each series, its
        ``validation_fraction`` of the series' rows, which a fit with
        ``groups`` held out of training), and their errors, each divided by
        its window's mean absolute value, are pooled across the series: the
        intervals of a series are the pooled quantile times its last window's
        mean absolute value, so they follow each series' scale.

    Returns
    -------
    predictions : ndarray
        Of shape ``(horizon,)`` with ``origins=None``, or ``(n_origins,
        horizon)``; with a last axis of targets when there are several. With
        ``series_id``, a DataFrame with one row per series and step: the
        identifier (in a column named ``series_id`` when it is a name, else
        ``"series_id"``), ``"step"`` (1 to ``horizon``) and one column per
        target.
    lower, upper : ndarray
        Only when ``coverage`` is given: the interval's bounds, shaped as
        ``predictions``.

    Raises
    ------
    ValueError
        If ``horizon`` is below 1, ``history`` is shorter than the window or has
        missing values, an origin lacks a full window, the covariates of a
        needed row are missing, or the model's outputs do not match the
        targets.

    See Also
    --------
    horizon_targets : Targets for a direct model.
    backtest : Forecasts and their errors over every origin of a test part.

    Notes
    -----
    Intervals are split-conformal, per origin and per step. For origin ``t``
    and step ``k``, the ``n = calibration_size`` forecasts of the same model
    whose ``k``-th step falls on rows ``t - n + 1`` to ``t`` (rows known at
    ``t``) have absolute errors; the half-width is their
    ``ceil((n + 1) * coverage)``-th smallest. Intervals therefore widen with
    the step as the errors do, and, over many origins (a backtest), follow
    the latest errors when their size changes along the series; nothing
    after an origin is read. Coverage holds on average when the errors ahead
    behave like the recent ones.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklstm import WindowTransformer, forecast
    >>> series = np.sin(np.linspace(0, 30, 300))
    >>> model = make_pipeline(WindowTransformer(5, flatten=True), LinearRegression())
    >>> model = model.fit(series[:-1], series[1:])
    >>> forecast(model, series, 3).shape
    (3,)
    >>> forecast(model, series, 3, origins=[100, 200, 299]).shape
    (3, 3)
    >>> point, lower, upper = forecast(
    ...     model, series, 3, coverage=0.9, calibration_size=30
    ... )
    >>> bool(np.all(lower <= point) and np.all(point <= upper))
    True

    Every series of a long table, from its last row:

    >>> import pandas as pd
    >>> panel = pd.DataFrame({"id": np.repeat(["a", "b"], 150),
    ...                       "y": np.r_[series[:150], 10 * series[150:]]})
    >>> targets = horizon_targets(panel, 1, series_id="id")
    >>> model = make_pipeline(
    ...     WindowTransformer(5, flatten=True, series_id="id"), LinearRegression()
    ... ).fit(panel.loc[targets.index], targets)
    >>> predicted = forecast(model, panel, 2, series_id="id")
    >>> predicted.columns.tolist(), predicted.shape
    (['id', 'step', 'y'], (4, 3))
    """
    _check_strategy_name(strategy)
    if series_id is not None:
        unavailable = {"origins": origins, "future_covariates": future_covariates}
        horizon = _check_int(horizon, "horizon")
        return forecast_panel(
            model,
            history,
            horizon,
            series_id,
            targets,
            unavailable,
            (_check_intervals(coverage, calibration_size), calibration_size),
            strategy,
        )
    plan = _Plan(model, history, horizon, targets, future_covariates)
    plan.strategy = strategy
    positions = plan.origins(origins)
    coverage = _check_intervals(coverage, calibration_size)
    predictions, lower, upper = _forecast(plan, positions, coverage, calibration_size)
    squeeze = _squeezer(origins is None, len(plan.targets) == 1)
    if coverage is None:
        return squeeze(predictions)
    return squeeze(predictions), squeeze(lower), squeeze(upper)


def _check_intervals(coverage: Any, calibration_size: Any) -> float | None:
    """``coverage`` as a float or None; ``calibration_size`` is checked
    whether or not there are intervals to calibrate."""
    if calibration_size is not None:
        _check_int(calibration_size, "calibration_size")
    if coverage is None:
        return None
    if isinstance(coverage, (bool, np.bool_)) or not isinstance(coverage, Real):
        raise TypeError(f"coverage must be a float in (0, 1); got {coverage!r}.")
    if not 0 < coverage < 1:
        raise ValueError(f"coverage must be a float in (0, 1); got {coverage!r}.")
    return float(coverage)


def _forecast(plan: _Plan, origins: np.ndarray, coverage, calibration_size):
    """Forecasts (n_origins, steps, n_targets) and their bounds (None without).

    With ``coverage``, the forecasts from the origins the calibration needs
    are made in the same pass as the requested ones.
    """
    if coverage is None:
        return _point_forecasts(plan, origins), None, None
    size, rank = _calibration_rank(plan, coverage, calibration_size)
    earliest = int(origins.min()) - size + 1 - plan.steps
    if earliest < plan.model.time_steps - 1:
        raise ValueError(
            f"calibrating {plan.steps}-step intervals on the {size} rows ending "
            f"at row {int(origins.min())} needs forecasts from row {earliest}, but "
            f"the first row with a full window is {plan.model.time_steps - 1}. "
            "Lower calibration_size or start the forecasts later."
        )
    calibration = (origins[:, None] + np.arange(1 - size - plan.steps, 0)).ravel()
    known = np.union1d(origins, calibration)
    predicted = _point_forecasts(plan, known)
    point = predicted[np.searchsorted(known, origins)]
    widths = _conformal_widths(plan, origins, known, predicted, size, rank)
    return point, point - widths, point + widths


def _squeezer(one_origin: bool, one_target: bool):
    def squeeze(values: np.ndarray) -> np.ndarray:
        if one_target:
            values = values[..., 0]
        return values[0] if one_origin else values

    return squeeze


# --------------------------------------------------------------- backtest
@_renamed_keywords(steps="horizon")
def backtest(
    model: Any,
    series: Any,
    horizon: int,
    *,
    test_size: int | float,
    refit: bool | int = False,
    targets: Any = None,
    strategy: str | None = None,
    coverage: float | None = None,
    calibration_size: int | None = None,
    series_id: Any = None,
    seasonality: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast every origin of a test part and measure the errors per step.

    The test part is the last ``test_size`` rows of ``series``. Every origin
    whose ``horizon`` forecast rows all lie in the test part is forecast,
    from the row before the test part to the row ``horizon`` before the end; a
    forecast from row ``t`` reads rows up to ``t`` only (covariates, the
    columns that are not targets, are read up to the rows forecast). As with
    ``TimeSeriesSplit``, a model is only ever fitted on rows before the
    origins it forecasts from, all of them (an expanding window).

    Parameters
    ----------
    model : Pipeline or LSTMRegressor
        As for :func:`forecast`. A fitted model is used as it is when
        ``refit=False``; an unfitted one is first fitted (a clone) on the
        rows before the test part, which takes a Pipeline that starts with a
        :class:`~sklstm.WindowTransformer` (it builds the windows of each
        fit).
    series : array-like or DataFrame of shape (n_rows,) or (n_rows, n_columns)
        The whole series, rows in time order.
    horizon : int
        How many rows ahead to forecast, at least 1. (Called ``steps``
        before; the old name still works, with a ``FutureWarning``, until
        the next release.)
    test_size : int or float
        Rows of the test part, or its fraction of the rows (in (0, 1)). It
        must hold at least ``horizon`` rows.
    refit : bool or int, default=False
        False fits the model at most once (see ``model``). An int ``k``
        fits a clone of the model anew every ``k`` origins, on all rows up to
        the first of them; True is every origin. Ctrl-C during any fit here
        stops the backtest with ``KeyboardInterrupt``.
    targets : int, str, list or None, default=None
        The columns forecast, as for :func:`forecast`; the others are
        covariates.
    strategy : {"recursive", "direct"} or None, default=None
        How a model fitted here learns: ``"recursive"`` on the next row
        (one-step targets), ``"direct"`` on all ``horizon`` next rows
        (:func:`horizon_targets`). None is ``"recursive"``, or, for a model
        used as it is, whatever it was fitted for.
    coverage : float in (0, 1) or None, default=None
        If given, add prediction intervals of this nominal coverage, as
        :func:`forecast` makes them: each origin's are calibrated on the
        forecast errors over the ``calibration_size`` rows up to it.
    calibration_size : int or None, default=None
        As for :func:`forecast`.
    series_id : str, int or None, default=None
        The column naming the series of a long table of many series (see
        :class:`~sklstm.WindowTransformer`'s ``series_id``; the model's
        ``WindowTransformer`` must read the same column). Each series' test
        part is its own last ``test_size`` rows (an int), so ``test_size``
        equal to ``horizon`` is the forecasting competitions' protocol: one
        forecast per series from the end of its training part. Every series
        must have rows before its test part; one shorter than the window is
        padded as in training, and one too short to give a training example
        of its own is still forecast by the model the others trained. A
        model fitted here learns from every series' rows before the origin,
        as for one series (an :class:`~sklstm.LSTMRegressor` at the end of a
        pipeline gets each row's series as ``groups``, so its early stopping
        holds out each series' own tail). ``coverage`` and
        ``calibration_size`` calibrate each origin's intervals as
        :func:`forecast` does for a panel.
    seasonality : int or None, default=None
        The season's length for the errors table's ``mase`` column: its
        scale is the mean absolute error of the forecast "the value
        ``seasonality`` rows earlier" over the rows before the test part
        (each series' own, with ``series_id``). None is 1, the plain naive
        forecast.

    Returns
    -------
    forecasts : DataFrame
        One row per origin, step and target: ``origin`` and ``time`` (the
        labels of the origin's row and of the forecast row: positions, or the
        series' index for a pandas series), ``step``, ``target`` (the
        column's name), ``actual``, ``forecast`` and, with ``coverage``,
        ``lower`` and ``upper``.
    errors : DataFrame
        One row per target and step: ``n`` (origins), ``mse``, ``mae``,
        :func:`~sklstm.mape`, :func:`~sklstm.smape`, :func:`~sklstm.mase`
        (see ``seasonality``; NaN where a metric is undefined, as below)
        and, with ``coverage``, ``coverage`` (the share of actual values inside
        the interval) and ``width`` (the interval's mean width).

        With ``series_id``, ``forecasts`` starts with the identifier's column
        (named as ``series_id``, or ``"series_id"`` for a position), and
        ``errors`` is indexed by ``target``, the identifier and ``step``:
        per step over every series (identifier ``"all"``), overall
        (identifier and step ``"all"``), and per series over its steps (step
        ``"all"``). Its columns are ``n``, ``mse``, ``mae``, and the
        competitions' :func:`~sklstm.mape`, :func:`~sklstm.smape` and
        :func:`~sklstm.mase` (each series scaled by its rows before the test
        part; overall, the mean of the series' MASE, as the competitions
        average it). A value that a metric cannot define (MAPE of a zero
        actual value, MASE of a series without seasonal naive errors) makes
        that metric NaN in every row it counts in.

    Raises
    ------
    ValueError
        If the test part is shorter than ``horizon`` or leaves no rows to fit
        on, or for any reason :func:`forecast` gives.

    See Also
    --------
    forecast : The forecasts behind each origin.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklstm import WindowTransformer, backtest
    >>> series = np.sin(np.linspace(0, 30, 300)) + np.linspace(0, 3, 300)
    >>> model = make_pipeline(WindowTransformer(5, flatten=True), LinearRegression())
    >>> forecasts, errors = backtest(model, series, 3, test_size=60)
    >>> len(forecasts), list(errors["step"]), list(errors["n"])
    (174, [1, 2, 3], [58, 58, 58])
    >>> forecasts.columns.tolist()
    ['origin', 'time', 'step', 'target', 'actual', 'forecast']
    >>> bool(errors["mse"].is_monotonic_increasing)  # errors grow with the step
    True

    Many series in one long table, one forecast per series from the end of
    its training part (the model is fitted on those parts):

    >>> import pandas as pd
    >>> panel = pd.DataFrame({"id": np.repeat(["a", "b"], 150),
    ...                       "y": np.r_[series[:150], 10 * series[150:]] + 1})
    >>> model = make_pipeline(
    ...     WindowTransformer(5, flatten=True, series_id="id"), LinearRegression()
    ... )
    >>> forecasts, errors = backtest(model, panel, 3, test_size=3, series_id="id")
    >>> forecasts.columns.tolist()[:4], len(forecasts)
    (['id', 'origin', 'time', 'step'], 6)
    >>> errors.index.tolist()
    [('y', 'all', 1), ('y', 'all', 2), ('y', 'all', 3), ('y', 'all', 'all'), \
('y', 'a', 'all'), ('y', 'b', 'all')]
    >>> errors.columns.tolist()
    ['n', 'mse', 'mae', 'mape', 'smape', 'mase']
    """
    steps = _check_int(horizon, "horizon")
    if series_id is not None:
        return backtest_panel(
            model,
            series,
            steps,
            test_size=test_size,
            refit=refit,
            targets=targets,
            strategy=strategy,
            series_id=series_id,
            seasonality=seasonality,
            intervals=(_check_intervals(coverage, calibration_size), calibration_size),
        )
    _refuse_panel_model(model, "backtest")
    season = _check_int(1 if seasonality is None else seasonality, "seasonality")
    array, columns, index = _as_series(series, "series")
    n_rows = len(array)
    n_test = _test_rows(test_size, n_rows, steps)
    every = _refit_period(refit)
    coverage = _check_intervals(coverage, calibration_size)
    _check_strategy_name(strategy)
    positions = _column_positions(targets, columns)
    _check_distinct_names([columns[j] for j in positions])
    if seasonality is not None and season >= n_rows - n_test:
        raise ValueError(
            f"seasonality={season} is not shorter than the {n_rows - n_test} rows "
            "before the test part, which then hold no seasonal naive error to "
            "scale MASE by."
        )
    origins = np.arange(n_rows - n_test - 1, n_rows - steps)
    fitted = _is_fitted(model)
    if every is not None or not fitted:
        _check_fittable_on_rows(model)
        _check_rows_to_fit(int(origins[0]), steps, strategy, test_size)
    _check_rows_before_test(_window_length(model), n_rows, n_test, test_size)
    groups = (
        [origins]
        if every is None
        else [origins[i : i + every] for i in range(0, len(origins), every)]
    )
    parts = []
    for group in groups:
        current = model
        if every is not None or not fitted:
            current = _fit_until(
                clone(model), series, array, int(group[0]), positions, steps, strategy
            )
            stop_if_fit_interrupted(current)
        # The series as given, so that its column names are checked as
        # forecast checks them; the targets by name (a column may be named
        # like another's position).
        plan = _Plan(current, series, steps, [columns[j] for j in positions], None)
        # Said by strategy, or fitted here (one step unless direct).
        plan.strategy = strategy or (None if current is model else "recursive")
        _check_rows_before_test(plan.model.time_steps, n_rows, n_test, test_size)
        predictions, lower, upper = _forecast(plan, group, coverage, calibration_size)
        _check_strategy(strategy, plan.horizon, plan.steps)
        parts.append((group, predictions, lower, upper))
    scales = naive_scales(array[: n_rows - n_test][:, positions], season)
    frame = _backtest_frames(parts, array, columns, index, positions, steps)
    return frame, _horizon_errors(
        frame, scales[_target_numbers(frame, columns, positions)]
    )


def _test_rows(test_size: Any, n_rows: int, steps: int) -> int:
    if isinstance(test_size, (bool, np.bool_)) or not isinstance(test_size, Real):
        raise TypeError(
            f"test_size must be an int (rows) or a float in (0, 1); got {test_size!r}."
        )
    if isinstance(test_size, Integral):
        n_test = int(test_size)
    elif 0 < test_size < 1:
        n_test = round(n_rows * test_size)
    else:
        raise ValueError(
            f"test_size must be an int (rows) or a float in (0, 1); got {test_size!r}."
        )
    if n_test < steps or n_test >= n_rows:
        raise ValueError(
            f"test_size gives a test part of {n_test} rows of {n_rows}: it needs at "
            f"least horizon={steps} rows, and rows before it to forecast from."
        )
    return n_test


def _window_length(model: Any) -> int | None:
    """The window length a pipeline's WindowTransformer is set to, fitted or not."""
    if isinstance(model, Pipeline) and isinstance(model.steps[0][1], WindowTransformer):
        time_steps = model.steps[0][1].time_steps
        if isinstance(time_steps, Integral) and not isinstance(time_steps, bool):
            return int(time_steps)
    return None


def _check_rows_before_test(
    time_steps: int | None, n_rows: int, n_test: int, test_size: Any
) -> None:
    """The first origin needs a whole window of rows, as forecast's origins do."""
    before = n_rows - n_test
    if time_steps is not None and before < time_steps:
        raise ValueError(
            f"test_size={test_size!r} leaves {before} rows before the test part "
            f"of {n_rows}, but the model's windows read {time_steps} rows: the "
            "first forecast would start from a padded window. Give a smaller "
            "test_size."
        )


def _check_distinct_names(names: list[str]) -> None:
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise ValueError(
            f"targets hold two columns named {twice!r} (names are compared as "
            "strings): the errors table keeps one row per name. Rename the "
            "columns."
        )


def _check_rows_to_fit(origin: int, steps: int, strategy: Any, test_size: Any) -> None:
    """The first fit needs a training row: a target after the row it reads."""
    rows = origin + 1 - steps if strategy == "direct" else origin
    if rows < 1:
        raise ValueError(
            f"test_size={test_size!r} leaves {origin + 1} rows before the test "
            "part, which give no row to fit on"
            + (f" with targets {steps} steps ahead" if strategy == "direct" else "")
            + ": give a smaller test_size."
        )


def _rows(series: Any, start: int, stop: int):
    """Rows ``start:stop`` of the series as given (pandas keeps its names)."""
    if hasattr(series, "iloc"):
        return series.iloc[start:stop]
    return np.asarray(series)[start:stop]


def _check_fittable_on_rows(model: Any) -> None:
    """Fitting on a series' rows takes a pipeline that builds its windows."""
    if isinstance(model, Pipeline) and isinstance(model.steps[0][1], WindowTransformer):
        return
    raise TypeError(
        "backtest fits the model on the rows before each test part (it is "
        "unfitted, or refit is set), which takes a Pipeline that starts with "
        "a WindowTransformer, so that each fit builds its windows from the "
        f"rows; got {describe_model(model)}. A fitted LSTMRegressor is "
        "backtested as it is with refit=False."
    )


def _fit_until(model, series, array, origin, targets, steps, strategy):
    """``model`` fitted on the rows up to ``origin``, as ``strategy`` says."""
    if strategy == "direct":
        y = horizon_targets(array[: origin + 1], steps, targets=targets)
        return model.fit(_rows(series, 0, origin + 1 - steps), y)
    y = array[1 : origin + 1, targets]
    return model.fit(_rows(series, 0, origin), y[:, 0] if len(targets) == 1 else y)


def _backtest_frames(parts, array, columns, index, targets, steps):
    origins = np.concatenate([group for group, *_ in parts])
    predictions = np.concatenate([p for _, p, _, _ in parts])
    n_origins, n_targets = len(origins), len(targets)
    o, k, j = np.meshgrid(
        np.arange(n_origins), np.arange(steps), np.arange(n_targets), indexing="ij"
    )
    origin_rows = origins[o.ravel()]
    rows = origin_rows + k.ravel() + 1
    labels = (lambda r: r) if index is None else (lambda r: np.asarray(index)[r])
    names = np.asarray([columns[t] for t in targets], dtype=object)
    frame = pd.DataFrame(
        {
            "origin": labels(origin_rows),
            "time": labels(rows),
            "step": k.ravel() + 1,
            "target": names[j.ravel()],
            "actual": array[rows, np.asarray(targets)[j.ravel()]],
            "forecast": predictions.ravel(),
        }
    )
    if parts[0][2] is not None:
        frame["lower"] = np.concatenate([lo for _, _, lo, _ in parts]).ravel()
        frame["upper"] = np.concatenate([up for _, _, _, up in parts]).ravel()
    return frame


def _target_numbers(frame: pd.DataFrame, columns, positions) -> np.ndarray:
    """Each forecast row's target, as its number among ``positions``."""
    names = [columns[t] for t in positions]
    return pd.Index(names).get_indexer(frame["target"])


def _horizon_errors(frame: pd.DataFrame, scales: np.ndarray) -> pd.DataFrame:
    """Errors per target and step; ``scales``: each row's MASE scale."""
    terms = error_terms(
        frame["actual"].to_numpy(), frame["forecast"].to_numpy(), scales
    )
    if "lower" in frame:
        inside = (frame["lower"] <= frame["actual"]) & (
            frame["actual"] <= frame["upper"]
        )
        terms["coverage"] = inside.to_numpy(dtype=float)
        terms["width"] = (frame["upper"] - frame["lower"]).to_numpy()
    return group_means(terms, [frame["target"], frame["step"]])
