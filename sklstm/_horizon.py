"""Targets of the next ``horizon`` rows of a series, and the checks of a series
and of the arguments that every forecasting function shares.

:func:`horizon_targets` lives here, below the forecasting functions and the
panel code that both need it, so that neither has to import the other.
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import Iterable, Mapping, Set
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._sequences import float_rows
from ._window import (
    _check_int,
    _identifier_position,
    _series_starts,
    _split_identifier,
    check_numeric_columns,
)

__all__ = ["horizon_targets"]


def _renamed_keywords(**renames: str):
    """Accept the former names of arguments for one release, with a warning.

    ``renames`` maps a former keyword to its new name.
    """

    def decorate(function):
        @functools.wraps(function)
        def accepting_former_names(*args, **kwargs):
            for former, name in renames.items():
                if former not in kwargs:
                    continue
                if name in kwargs:
                    raise TypeError(
                        f"{function.__name__}() got both {name!r} and its former "
                        f"name {former!r}; pass {name!r} only."
                    )
                warnings.warn(
                    f"{function.__name__}()'s argument {former!r} is now called "
                    f"{name!r}; the former name will stop working in the next "
                    "release.",
                    FutureWarning,
                    stacklevel=2,
                )
                kwargs[name] = kwargs.pop(former)
            return function(*args, **kwargs)

        return accepting_former_names

    return decorate


def _as_series(
    values: Any, name: str, *, one_series: bool = True
) -> tuple[np.ndarray, list[str], Any]:
    """A finite float64 array (n_rows, n_columns), its column names and index.

    The dates of ``one_series`` must increase (a panel's repeat per series).
    """
    index = getattr(values, "index", None) if hasattr(values, "iloc") else None
    if isinstance(values, pd.Series):
        columns = [str(values.name) if values.name is not None else "y"]
        check_numeric_columns(values.to_frame(columns[0]), name)
        array = values.to_numpy(dtype=np.float64, copy=False)[:, None]
    elif isinstance(values, pd.DataFrame):
        columns = [str(c) for c in values.columns]
        check_numeric_columns(values, name)
        array = values.to_numpy(dtype=np.float64, copy=False)
    else:
        array = float_rows(values, name, "(one series)", "(n_rows, n_columns)")
        columns = [f"x{j}" for j in range(array.shape[1])]
    if array.shape[1] == 0:
        raise ValueError(f"{name} has no columns.")
    if (
        one_series
        and isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex))
        and not (index.is_monotonic_increasing and index.is_unique)
    ):
        raise ValueError(
            f"{name}'s dates are not increasing: rows are read in their order "
            "as time, so sort them (sort_index) and drop repeated dates first."
        )
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        row, column = bad[0]
        raise ValueError(
            f"{name} has a missing or infinite value at row {row} (column "
            f"{columns[column]!r}): forecasts need every value up to each "
            "origin. Fill the gaps first, for example with pandas' interpolate."
        )
    return array, columns, index


def _column_positions(targets: Any, columns: list[str]) -> list[int]:
    """Positions of ``targets`` (names or positions) among ``columns``."""
    if targets is None:
        return list(range(len(columns)))
    if isinstance(targets, (str, Integral)):
        items = [targets]
    elif isinstance(targets, (Set, Mapping)):
        # Their order is not the caller's: the target columns would come
        # out in an order that can change from one run to the next.
        raise TypeError(
            "targets must be a column name or position, or a list of them in "
            f"the order wanted; got a {type(targets).__name__}, which has no "
            "order."
        )
    elif isinstance(targets, Iterable):
        items = list(targets)
    else:
        raise TypeError(
            "targets must be a column name or position, a list of them, or None; "
            f"got {targets!r}."
        )
    if not items:
        raise ValueError("targets must name at least one column.")
    positions = []
    for item in items:
        if isinstance(item, str):
            if item not in columns:
                raise ValueError(
                    f"targets names column {item!r}, which is not among the "
                    f"columns {columns}."
                )
            if columns.count(item) > 1:
                raise ValueError(
                    f"targets names column {item!r}, which is the name of "
                    f"{columns.count(item)} columns: give its position instead, "
                    "or rename the columns."
                )
            positions.append(columns.index(item))
        elif isinstance(item, Integral) and not isinstance(item, bool):
            if str(item) in columns and columns.index(str(item)) != item % max(
                len(columns), 1
            ):
                raise ValueError(
                    f"targets holds {item}, a position, but a column other than "
                    f"the one at position {item} is named {str(item)!r}: give "
                    "the column's name as a string, or rename the columns."
                )
            if not -len(columns) <= item < len(columns):
                raise ValueError(
                    f"targets holds column {item}, but there are "
                    f"{len(columns)} columns."
                )
            positions.append(int(item) % len(columns))
        else:
            raise TypeError(
                f"targets must hold column names or positions; got {item!r}."
            )
    if len(set(positions)) != len(positions):
        raise ValueError(f"targets names a column twice: {targets!r}.")
    return positions


@_renamed_keywords(columns="targets")
def horizon_targets(
    series: Any, horizon: int, *, targets: Any = None, series_id: Any = None
):
    """Targets of the next ``horizon`` steps for every row of a series.

    Row ``i`` of the result holds rows ``i + 1`` to ``i + horizon`` of the
    chosen columns, step by step: column ``(k - 1) * n_columns + j`` is
    column ``j`` at step ``k``. Row ``i`` therefore pairs with the window
    that :class:`~sklstm.WindowTransformer` makes for row ``i`` of the same
    series, and a multi-output regressor fitted on them forecasts the whole
    horizon at once (the *direct* strategy).

    The last ``horizon`` rows of the series have no complete horizon after
    them, so they get no row: the result has ``n_rows - horizon`` rows, which
    pair with the first ``n_rows - horizon`` rows of the series, that is
    ``series[:-horizon]``.

    Parameters
    ----------
    series : array-like or DataFrame of shape (n_rows,) or (n_rows, n_columns)
        Rows in time order.
    horizon : int
        Steps ahead, at least 1.
    targets : int, str, list or None, default=None
        The columns to forecast, by position or (for a DataFrame) by name;
        None takes every column (every column but the identifier, with
        ``series_id``). Other columns can still be inputs (covariates) of the
        model. (Called ``columns`` before; the old name still works, with a
        ``FutureWarning``, until the next release.)
    series_id : str, int or None, default=None
        The column that names the series of each row, when ``series`` is a
        long table of many series whose rows are contiguous and in time
        order, as for :class:`~sklstm.WindowTransformer`'s ``series_id``: a
        column name of a DataFrame, or a column position of an array
        (positions in ``targets`` count this column too). No target reaches
        past the end of its row's series: each series' last ``horizon`` rows
        get no row, as the last rows of a single series do, and a series of
        ``horizon`` rows or fewer gives none. The result pairs with the rows
        that keep a complete horizon (with a DataFrame, ``series.loc[
        targets.index]``; with an array ``table`` whose identifiers are
        ``ids``, ``table[:-horizon][ids[horizon:] == ids[:-horizon]]``). The
        identifier is never a target.

    Returns
    -------
    targets : ndarray or DataFrame of shape (n_rows - horizon, horizon * n_targets)
        A DataFrame, with columns named ``"<column>_step<k>"`` and the index
        of the rows they pair with, when ``series`` is a pandas object. With
        ``series_id`` it has ``n_rows - horizon`` rows per series.

    Raises
    ------
    ValueError
        If ``horizon`` is below 1 or leaves no row with a complete horizon,
        if the series has missing values, or if ``series_id`` names no
        column, a series' rows are split into separate blocks, a row has no
        identifier or the table's index repeats a label.

    See Also
    --------
    forecast : Forecasts with a model fitted on these targets.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import horizon_targets
    >>> series = np.arange(6.0)
    >>> horizon_targets(series, 2)
    array([[1., 2.],
           [2., 3.],
           [3., 4.],
           [4., 5.]])

    Fitting the direct strategy: the windows of the rows that have a
    complete horizon, and their targets.

    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklstm import WindowTransformer
    >>> model = make_pipeline(WindowTransformer(3, flatten=True), LinearRegression())
    >>> model = model.fit(series[:-2], horizon_targets(series, 2))
    >>> model.predict(series[-3:])[-1].round(6)
    array([6., 7.])

    A long table of two series: no target crosses from one into the other.

    >>> panel = pd.DataFrame({"store": ["a"] * 4 + ["b"] * 3,
    ...                       "sales": [1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0]})
    >>> horizon_targets(panel, 2, series_id="store")
       sales_step1  sales_step2
    0          2.0          3.0
    1          3.0          4.0
    4         20.0         30.0
    """
    horizon = _check_int(horizon, "horizon")
    if series_id is None:
        array, names, index = _as_series(series, "series")
        positions = _column_positions(targets, names)
        rows = np.arange(len(array) - horizon)
    else:
        array, names, index, positions, rows = _panel_targets_rows(
            series, horizon, targets, series_id
        )
        if index is not None and not index.is_unique:
            raise ValueError(
                "With series_id, series must have an index without duplicate "
                "labels (a pd.concat of tables of one series each repeats "
                "them): the targets' index names the rows they pair with, "
                "which repeated labels would take from other series. Pass "
                "series.reset_index(drop=True)."
            )
    if len(rows) < 1:
        raise ValueError(
            f"series has {len(array)} rows; a horizon of {horizon} steps leaves "
            "no row with a complete horizon after it."
            if series_id is None
            else f"No series of series has more than {horizon} rows; a horizon "
            f"of {horizon} steps leaves no row with a complete horizon after it "
            "in its series."
        )
    values = np.stack(
        [array[rows + k][:, positions] for k in range(1, horizon + 1)], axis=1
    ).reshape(len(rows), -1)
    if index is None:
        return values
    labels = [f"{names[j]}_step{k}" for k in range(1, horizon + 1) for j in positions]
    return pd.DataFrame(values, index=index[rows], columns=labels)


def check_dates_within_series(
    index: Any, starts: np.ndarray, identifiers: np.ndarray, name: str
) -> None:
    """Each series' dates, where the rows have dates, must increase: its rows
    are read in their order as time."""
    if not isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)) or len(index) < 2:
        return
    later = np.asarray(index[1:] > index[:-1])
    first_of_series = np.zeros(len(index), dtype=bool)
    first_of_series[starts] = True
    wrong = ~later & ~first_of_series[1:]
    if wrong.any():
        row = int(np.argmax(wrong)) + 1
        raise ValueError(
            f"{name}'s dates are not increasing within series "
            f"{identifiers[row]!r} (row {row}, {index[row]}): each series' rows "
            "are read in their order as time, so sort them by series and date "
            "and drop repeated dates first."
        )


def _panel_targets_rows(table: Any, horizon: int, targets: Any, series_id: Any):
    """What horizon_targets needs of a long table of series.

    The table's columns as float64 (the identifier's as NaN, never read),
    all column names, the index, the target columns' positions, and the
    rows whose horizon stays within their series.
    """
    if isinstance(table, pd.Series) or np.ndim(table) != 2:
        raise ValueError(
            "With series_id, series must be a 2-D table holding the identifier "
            f"column and the value columns; got {np.ndim(table)} dimension(s)."
        )
    frame = table if isinstance(table, pd.DataFrame) else None
    if frame is None:
        table = np.asarray(table)
    position = _identifier_position(table, series_id, "series")
    identifiers, values = _split_identifier(table, position, series_id, "series")
    n_columns = table.shape[1]
    if frame is None:
        names = [f"x{j}" for j in range(n_columns)]
        index = None
    else:
        names = [str(c) for c in frame.columns]
        index = frame.index
    value_names = names[:position] + names[position + 1 :]
    # Named anew by position: pandas would align a frame's own labels (ints
    # from a CSV without a header) with these names and read NaN.
    values = (
        values.set_axis(value_names, axis=1)
        if isinstance(values, pd.DataFrame)
        else pd.DataFrame(values, columns=value_names)
    )
    array, _, _ = _as_series(values, "series", one_series=False)
    # Back to the table's column positions, so targets' positions count the
    # identifier's column as the user does.
    array = np.insert(array, position, np.nan, axis=1)
    positions = _panel_target_columns(targets, names, position, series_id)
    starts = _series_starts(identifiers, series_id)
    check_dates_within_series(index, starts, identifiers, "series")
    ends = np.r_[starts[1:], len(array)]
    series_end = np.repeat(ends, np.diff(np.r_[starts, len(array)]))
    rows = np.flatnonzero(np.arange(len(array)) + horizon < series_end)
    return array, names, index, positions, rows


def _refit_period(refit: Any) -> int | None:
    if refit is False or refit is np.False_:
        return None
    if refit is True or refit is np.True_:
        return 1
    if (
        isinstance(refit, (bool, np.bool_))
        or not isinstance(refit, Integral)
        or refit < 1
    ):
        raise (ValueError if isinstance(refit, Integral) else TypeError)(
            f"refit must be True, False or an int >= 1; got {refit!r}."
        )
    return int(refit)


def _is_fitted(model: Any) -> bool:
    try:
        check_is_fitted(model)
    except Exception:  # NotFittedError, or a pipeline step that is not fitted
        return False
    return True


def _panel_target_columns(
    targets: Any, names: list[str], position: int, series_id: Any
) -> list[int]:
    """Table positions of the columns to forecast in a long table of series.

    None is every column but the identifier's (at ``position``), which is
    never a target.
    """
    if targets is None:
        return [j for j in range(len(names)) if j != position]
    positions = _column_positions(targets, names)
    if position in positions:
        raise ValueError(
            f"targets names the series_id column {series_id!r}: the "
            "identifier is never a target."
        )
    return positions


def read_outputs(
    width: int, targets: list[str], n_columns: int, horizon: int, strategy: Any
) -> int:
    """Steps of each target a model predicts at once, from its outputs' width.

    ``strategy`` is how the model was fitted where the caller knows it
    (``forecast``'s argument, or a backtest's own fit), else None: then,
    where the width is read as several steps of each target (a direct model)
    but could also be the outputs of another number of the history's
    ``n_columns`` columns (a one-step model of two targets and a direct model
    of one target's two steps both predict two outputs), a warning says how
    the outputs are read. One step of each target, as named, needs none.
    """
    n_targets = len(targets)
    if width % n_targets:
        raise ValueError(
            f"the model predicts {width} outputs per window, which is not a "
            f"multiple of the {n_targets} target column(s) {targets}: it "
            "must predict one step of every target (recursive) or several "
            "steps of every target (direct, see horizon_targets). Set targets "
            "to the columns the model forecasts."
        )
    steps = width // n_targets
    _check_strategy(strategy, steps, horizon)
    others = [k for k in range(1, n_columns + 1) if k != n_targets and width % k == 0]
    if strategy is None and steps > 1 and others:
        warnings.warn(
            f"The model predicts {width} outputs per window, read as {steps} "
            f"steps of {targets} (a direct model, see horizon_targets); "
            f"they could also be the steps of {others[0]} of history's "
            f"{n_columns} columns. Pass strategy='recursive' or 'direct', with "
            "the targets the model was fitted on, to say how it was fitted.",
            UserWarning,
            stacklevel=_first_frame_outside_package(),
        )
    return steps


def final_step(model: Any) -> Any:
    """A pipeline's last step, or the model itself."""
    return model.steps[-1][1] if isinstance(model, Pipeline) else model


def describe_model(model: Any) -> str:
    """The model's class, and a pipeline's steps, for an error."""
    if isinstance(model, Pipeline):
        steps = ", ".join(type(step).__name__ for _, step in model.steps)
        return f"a Pipeline of {steps}"
    return type(model).__name__


def _first_frame_outside_package() -> int:
    """The ``stacklevel``, for a warning raised by this function's caller,
    of the first frame outside sklstm: the user's line, however deep the
    package's own calls went."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _check_strategy_name(strategy: Any) -> None:
    if strategy not in (None, "recursive", "direct"):
        raise ValueError(
            f"strategy must be 'recursive', 'direct' or None; got {strategy!r}."
        )


def _check_strategy(strategy: str | None, direct_steps: int, horizon: int) -> None:
    """That ``strategy`` fits a model predicting ``direct_steps`` steps a target."""
    if strategy == "direct" and direct_steps == 1 and horizon > 1:
        raise ValueError(
            "strategy='direct', but the model predicts one step per target; fit "
            "it on horizon_targets, or use strategy='recursive'."
        )
    if strategy == "recursive" and direct_steps > 1:
        raise ValueError(
            f"strategy='recursive', but the model predicts {direct_steps} steps "
            "per target (a direct model); use strategy='direct'."
        )
