"""Causal sliding windows over a time series, as a scikit-learn transformer."""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_array,
    check_is_fitted,
    validate_data,
)

from ._sequences import refuse_non_real

__all__ = ["WindowTransformer", "causal_windows", "window_feature_names"]


def causal_windows(
    series: np.ndarray,
    time_steps: int,
    *,
    padding: str = "edge",
    fill_value: float = 0.0,
) -> np.ndarray:
    """Return the causal windows of a 2-D series as a read-only strided view.

    Parameters
    ----------
    series : ndarray of shape (n_rows, n_features)
        Rows are time steps in order.
    time_steps : int
        Length of every window.
    padding : {"edge", "constant"}, default="edge"
        How the ``time_steps - 1`` rows before the first row are filled:
        ``"edge"`` repeats the first row, ``"constant"`` uses ``fill_value``.
    fill_value : float, default=0.0
        Value of the padding rows when ``padding="constant"``.

    Returns
    -------
    windows : ndarray of shape (n_rows, time_steps, n_features)
        ``windows[i]`` holds rows ``i - time_steps + 1`` to ``i`` of the
        series. It is a view over the series (padded by ``time_steps - 1``
        rows), so it costs memory in the length of the series only.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm._window import causal_windows
    >>> causal_windows(np.arange(4.0).reshape(-1, 1), 3)[..., 0]
    array([[0., 0., 0.],
           [0., 0., 1.],
           [0., 1., 2.],
           [1., 2., 3.]])
    """
    _check_int(time_steps, "time_steps")
    if padding not in ("edge", "constant"):
        raise ValueError(f"padding must be 'edge' or 'constant'; got {padding!r}.")
    if getattr(series, "ndim", None) != 2:
        found = getattr(series, "shape", type(series).__name__)
        raise ValueError(
            f"series must be a 2-D array of shape (n_rows, n_features); got {found}."
        )
    if len(series) == 0:
        raise ValueError("series has no rows: there is nothing to window.")
    n_pad = time_steps - 1
    if padding == "constant":
        fill = padding_fill(fill_value, series.dtype)
    if n_pad:
        if padding == "edge":
            head = np.repeat(series[:1], n_pad, axis=0)
        else:
            head = np.full((n_pad, series.shape[1]), fill)
        series = np.concatenate([head, series], axis=0)
    # sliding_window_view puts the window axis last: (n, n_features, time_steps).
    windows = sliding_window_view(series, time_steps, axis=0)
    return windows.transpose(0, 2, 1)


def _check_int(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int >= {minimum}; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}.")
    return int(value)


def padding_fill(fill_value: float, dtype: np.dtype) -> np.ndarray:
    """``fill_value`` in the dtype the padded windows will have, or an error.

    The windows take the series' dtype, widened to float where the value is a
    fraction of an integer series; a value that dtype would turn into an
    infinity (or a NaN, which the networks read as masked padding) is refused.
    """
    if isinstance(fill_value, (bool, np.bool_)) or not isinstance(fill_value, Real):
        raise TypeError(f"fill_value must be a finite real number; got {fill_value!r}.")
    try:
        widened = np.result_type(dtype, fill_value)
        with np.errstate(over="ignore", invalid="ignore"):
            fill = np.asarray(fill_value).astype(widened)
        if fill.dtype.kind in "iub" and fill != fill_value:
            # An integer the series' own integer type cannot hold.
            fill = np.asarray(fill_value, dtype=np.float64)
    except (OverflowError, TypeError):
        fill = np.asarray(np.inf)
    if not np.isfinite(fill):
        raise ValueError(
            f"fill_value must be a finite real number that {dtype} windows can "
            f"hold; got {fill_value!r}."
        )
    return fill


def _series_starts(identifiers: np.ndarray, column: object) -> np.ndarray:
    """First row of every series of a long table, checking the rows' contract.

    Every series' rows must form one contiguous block, and every row must name
    its series. ``column`` names the identifier column in the messages.
    """
    if len(identifiers) == 0:
        raise ValueError(
            f"The table has no rows: the series identifier (column {column!r}) "
            "names no series."
        )
    codes, labels = pd.factorize(np.asarray(identifiers, dtype=object))
    missing = np.flatnonzero(codes < 0)
    if missing.size:
        row = int(missing[0])
        previous = f", just after a row of series {labels[codes[row - 1]]!r}"
        after = previous if row else ""
        raise ValueError(
            f"The series identifier (column {column!r}) has a missing value at "
            f"row {row}{after}: every row must name its series."
        )
    starts = np.r_[0, np.flatnonzero(np.diff(codes)) + 1]
    block_codes = codes[starts]
    if len(block_codes) != len(labels):
        first_blocks = np.unique(block_codes, return_index=True)[1]
        repeated = int(np.setdiff1d(np.arange(len(block_codes)), first_blocks)[0])
        earlier = int(np.flatnonzero(block_codes == block_codes[repeated])[0])
        ends = np.r_[starts[1:], len(codes)]
        raise ValueError(
            f"Series {labels[block_codes[repeated]]!r} (column {column!r}) is "
            f"split into separate blocks of rows: rows {starts[earlier]} to "
            f"{ends[earlier] - 1}, then rows from {starts[repeated]}. Each "
            "series' rows must be contiguous and in time order; sort the table "
            "by series, then time (for example frame.sort_values([series_id, "
            "time]))."
        )
    return starts


def _identifier_position(table, series_id: object, name: str, *, known_names=()) -> int:
    """Position of the ``series_id`` column among the columns of ``table``.

    A DataFrame's column is found by name; an array's by position, or by
    name among ``known_names`` (the names a fitted estimator saw).
    """
    if hasattr(table, "columns"):
        if isinstance(table.columns, pd.MultiIndex):
            raise ValueError(
                f"{name} has columns of {table.columns.nlevels} levels, where "
                f"series_id={series_id!r} names no single column: flatten them "
                "first (for example table.columns = ['_'.join(map(str, c)) for "
                "c in table.columns])."
            )
        if series_id not in table.columns:
            raise ValueError(
                f"series_id={series_id!r} names no column of {name}; its columns "
                f"are {list(table.columns)}."
            )
        count = int(np.count_nonzero(table.columns == series_id))
        if count > 1:
            raise ValueError(
                f"{name} has {count} columns named {series_id!r}: the series_id "
                "column must be unique; drop or rename the others."
            )
        return int(table.columns.get_loc(series_id))
    if isinstance(series_id, str):
        names = list(known_names)
        if series_id in names:
            return names.index(series_id)
        raise ValueError(
            f"series_id={series_id!r} is a column name, but {name} is an array "
            "without column names: pass a DataFrame, or the column's position "
            "as series_id."
        )
    if isinstance(series_id, bool) or not isinstance(series_id, Integral):
        raise TypeError(
            "series_id must be a column name (str) or a column position (int); "
            f"got {series_id!r}."
        )
    n_columns = table.shape[1]
    if not -n_columns <= series_id < n_columns:
        raise ValueError(
            f"series_id={series_id} is no column position of {name}, which has "
            f"{n_columns} columns."
        )
    return int(series_id) % n_columns


def check_numeric_columns(frame: pd.DataFrame, name: str, besides: str = "") -> None:
    """Every column of ``frame`` must hold numbers: an error names the first
    that does not (numpy's own names the value, not the column).

    Dates and durations are refused although numpy turns them into numbers:
    their nanoseconds are no value to window or forecast.
    """
    # tolist gives Python labels: an int column is named 1, not np.int64(1).
    labels = frame.columns.tolist()
    for position, dtype in enumerate(frame.dtypes):
        if _is_time_dtype(dtype):
            raise ValueError(
                f"{name} column {labels[position]!r} holds dates or times "
                f"({dtype}), not numbers: every column{besides} must be numeric. "
                "The rows' order is their time, so drop the column"
                + ("." if besides else " (or index the table by it).")
            )
        if pd.api.types.is_complex_dtype(dtype):
            raise ValueError(
                f"Complex data not supported: {name} column "
                f"{labels[position]!r} holds complex numbers ({dtype}): every "
                f"column{besides} must hold real numbers."
            )
        if pd.api.types.is_numeric_dtype(dtype):
            continue
        column = frame.iloc[:, position]
        try:
            column.to_numpy(dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{name} column {labels[position]!r} holds values that are not "
                f"numbers ({exc}): every column{besides} must be numeric."
            ) from exc


def _is_time_dtype(dtype) -> bool:
    return (
        pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
        or isinstance(dtype, pd.PeriodDtype)
    )


def _split_identifier(table, position: int, series_id: object, name: str):
    """The identifier column of a 2-D table, and the table without it."""
    if table.shape[1] < 2:
        raise ValueError(
            f"{name} has only the series_id column {series_id!r}: there are no "
            "values besides it."
        )
    if hasattr(table, "iloc"):
        identifiers = table.iloc[:, position].to_numpy()
        values = table.iloc[:, np.arange(table.shape[1]) != position]
        check_numeric_columns(values, name, f" but series_id {series_id!r}")
    else:
        identifiers = table[:, position]
        values = np.delete(table, position, axis=1)
        if values.dtype.kind in "OUS":
            check_numeric_columns(
                pd.DataFrame(
                    values,
                    columns=[j for j in range(table.shape[1]) if j != position],
                ),
                name,
                f" but series_id {series_id!r}",
            )
    return identifiers, values


def _panel_windows(
    values: np.ndarray,
    starts: np.ndarray,
    time_steps: int,
    *,
    padding: str = "edge",
    fill_value: float = 0.0,
) -> np.ndarray:
    """Causal windows of many series stacked in one table, none crossing series.

    Each series is windowed as :func:`causal_windows` windows it alone: its
    first ``time_steps - 1`` windows are padded from its own first row
    (``padding="edge"``) or with ``fill_value``, never with rows of the series
    before it.

    Parameters
    ----------
    values : ndarray of shape (n_rows, n_features)
        The series one after another, each in time order.
    starts : ndarray of int
        The first row of every series, increasing, starting with 0.
    time_steps : int
        Length of every window.
    padding : {"edge", "constant"}, default="edge"
        As in :func:`causal_windows`.
    fill_value : float, default=0.0
        As in :func:`causal_windows`.

    Returns
    -------
    windows : ndarray of shape (n_rows, time_steps, n_features)
        Read-only. With one series (or ``time_steps=1``) it is a view, as
        :func:`causal_windows` returns; with more, a copy: the windows of
        neighbouring series would overlap a shared padded buffer at irregular
        offsets, which no strided view can express, so they cost
        ``n_rows * time_steps * n_features`` values.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm._window import _panel_windows
    >>> values = np.array([1.0, 2.0, 3.0, 10.0, 20.0]).reshape(-1, 1)
    >>> _panel_windows(values, np.array([0, 3]), 2)[..., 0]
    array([[ 1.,  1.],
           [ 1.,  2.],
           [ 2.,  3.],
           [10., 10.],
           [10., 20.]])
    """
    n_rows, n_features = values.shape
    n_pad = time_steps - 1
    if len(starts) == 1 or n_pad == 0:
        return causal_windows(
            values, time_steps, padding=padding, fill_value=fill_value
        )
    n_series = len(starts)
    lengths = np.diff(np.r_[starts, n_rows])
    series_of_row = np.repeat(np.arange(n_series), lengths)
    # Every series gets its own n_pad rows in front of it in one buffer, so
    # that the window of row i starts n_pad * (its series' number) rows later
    # in the buffer than it would in the table.
    padded = np.empty((n_rows + n_series * n_pad, n_features), dtype=values.dtype)
    padded[np.arange(n_rows) + n_pad * (series_of_row + 1)] = values
    pad_rows = (starts + n_pad * np.arange(n_series))[:, None] + np.arange(n_pad)
    padded[pad_rows] = (
        values[starts][:, None, :]
        if padding == "edge"
        else padding_fill(fill_value, values.dtype)
    )
    buffer_windows = sliding_window_view(padded, time_steps, axis=0).transpose(0, 2, 1)
    windows = buffer_windows[np.arange(n_rows) + n_pad * series_of_row]
    windows.flags.writeable = False
    return windows


def window_feature_names(feature_names: np.ndarray, time_steps: int) -> np.ndarray:
    """Names of the flattened window columns, oldest lag first.

    Column ``t * n_features + j`` holds feature ``j`` at lag
    ``time_steps - 1 - t``; it is named ``"<feature>_lag<k>"``.

    Examples
    --------
    >>> from sklstm._window import window_feature_names
    >>> window_feature_names(["a", "b"], 2).tolist()
    ['a_lag1', 'b_lag1', 'a_lag0', 'b_lag0']
    """
    _check_int(time_steps, "time_steps")
    if isinstance(feature_names, (str, bytes)) or np.ndim(feature_names) != 1:
        raise ValueError(
            "feature_names must be a 1-D list of the features' names; got "
            f"{feature_names!r}."
        )
    return np.asarray(
        [
            f"{name}_lag{lag}"
            for lag in range(time_steps - 1, -1, -1)
            for name in feature_names
        ],
        dtype=object,
    )


class WindowTransformer(TransformerMixin, BaseEstimator):
    """Turn a time series into causal sliding windows.

    Row ``i`` of the output is the window of the ``time_steps`` input rows
    ending at row ``i``: rows ``i - time_steps + 1`` to ``i``, never anything
    later, so no window sees the future of the row it stands for. The number
    of rows is kept, as scikit-learn transformers must keep it, so the first
    ``time_steps - 1`` windows reach back before the series starts and are
    padded (see ``padding``).

    Parameters
    ----------
    time_steps : int, default=10
        Length of every window, in rows.
    flatten : bool, default=False
        If False, the output is 3-D ``(n_samples, time_steps, n_features)``,
        the layout :class:`~sklstm.LSTMRegressor` reads. It is a read-only
        view over the (padded) input, so it costs memory in the length of the
        series, not ``time_steps`` times that. If True, the windows are copied
        into a 2-D array ``(n_samples, time_steps * n_features)`` with
        readable column names (see :meth:`get_feature_names_out`), so that
        any scikit-learn regressor can follow the transformer.
    padding : {"edge", "constant"}, default="edge"
        How the windows of the first ``time_steps - 1`` rows are completed.
        ``"edge"`` repeats the first row: the padding stays in the range of
        the data and uses nothing but the earliest known value, so it is
        causal and needs no assumption about the series' level (a zero pad
        would be far out of range for a series such as prices). ``"constant"``
        fills with ``fill_value``. To train only on complete windows, drop the
        first ``time_steps - 1`` rows of the output and of ``y``.
    fill_value : float, default=0.0
        Padding value when ``padding="constant"``.
    series_id : str, int or None, default=None
        The column that names the series of each row, when ``X`` is a long
        table of many series (a *panel*): a column name of a DataFrame, or a
        column position of an array. Each series' rows must be one contiguous
        block, in time order. Every series is then windowed as if it stood
        alone: no window crosses from one series into another, and each
        series' first ``time_steps - 1`` windows are padded from its own first
        row (or with ``fill_value``). The identifier column is left out of the
        windows, so it is never read as a number; the other columns are the
        features. A series split into separate blocks, or a row without an
        identifier, is an error naming the series. With more than one series
        the 3-D windows are a read-only copy (``n_samples * time_steps *
        n_features`` values) rather than a view: windows of different series
        cannot share one strided view. None (the default) reads ``X`` as one
        series.

    Attributes
    ----------
    n_features_in_ : int
        Number of features (columns) of the series seen during :meth:`fit`;
        a 1-D series has one. With ``series_id`` it counts the identifier
        column too, as scikit-learn counts every column of ``X``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of the series, when it was a DataFrame with string
        column names.

    See Also
    --------
    LSTMRegressor : Reads the 3-D windows this transformer makes.

    Notes
    -----
    Missing values (NaN) pass through into the windows unchanged, with a
    warning for 3-D windows (a recurrent network reads a step of NaN as
    padding); infinite values are rejected.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import WindowTransformer
    >>> series = np.arange(5.0)
    >>> WindowTransformer(3).fit_transform(series).shape
    (5, 3, 1)
    >>> flat = WindowTransformer(3, flatten=True).fit(series)
    >>> flat.transform(series)[-1]
    array([2., 3., 4.])
    >>> flat.get_feature_names_out().tolist()
    ['x0_lag2', 'x0_lag1', 'x0_lag0']

    A long table of two series: no window mixes them, and the identifier is
    not a feature.

    >>> import pandas as pd
    >>> panel = pd.DataFrame({"store": ["a", "a", "a", "b", "b"],
    ...                       "sales": [1.0, 2.0, 3.0, 10.0, 20.0]})
    >>> by_store = WindowTransformer(2, flatten=True, series_id="store")
    >>> by_store.fit_transform(panel)
    array([[ 1.,  1.],
           [ 1.,  2.],
           [ 2.,  3.],
           [10., 10.],
           [10., 20.]])
    >>> by_store.get_feature_names_out().tolist()
    ['sales_lag1', 'sales_lag0']
    """

    _parameter_constraints: dict = {
        "time_steps": [Interval(Integral, 1, None, closed="left")],
        "flatten": ["boolean"],
        "padding": [StrOptions({"edge", "constant"})],
        "fill_value": [Interval(Real, None, None, closed="neither")],
        "series_id": [None, str, Integral],
    }

    def __init__(
        self,
        time_steps: int = 10,
        *,
        flatten: bool = False,
        padding: str = "edge",
        fill_value: float = 0.0,
        series_id: str | int | None = None,
    ) -> None:
        self.time_steps = time_steps
        self.flatten = flatten
        self.padding = padding
        self.fill_value = fill_value
        self.series_id = series_id

    def _validate_series(self, X, *, reset: bool) -> np.ndarray:
        if not hasattr(X, "ndim"):
            X = np.asarray(X)
        if X.ndim == 1:
            if not reset and self.n_features_in_ != 1:
                raise ValueError(
                    "X is 1-D, which reads as a series of one feature, but "
                    f"{type(self).__name__} was fitted on {self.n_features_in_} "
                    "features. Reshape your data to (n_samples, n_features)."
                )
            X = X.reshape(-1, 1) if hasattr(X, "reshape") else X.to_frame()
        elif X.ndim != 2:
            raise ValueError(
                "X must be a 1-D series or a 2-D array of shape "
                f"(n_samples, n_features); got a {X.ndim}-D array."
            )
        if isinstance(X, pd.DataFrame):
            check_numeric_columns(X, "X")
        else:
            refuse_non_real(X, "X")
        if reset:
            # validate_data forgets the fitted names before it checks the
            # values: checked first, a failed fit leaves the fitted state be.
            check_array(
                X,
                dtype=[np.float64, np.float32],
                ensure_all_finite="allow-nan",
                input_name="X",
            )
        return validate_data(
            self,
            X,
            reset=reset,
            dtype=[np.float64, np.float32],
            ensure_all_finite="allow-nan",
        )

    def _validate_panel(self, X, *, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        """The value columns of a long table and the first row of each series."""
        if not hasattr(X, "ndim"):
            X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(
                "With series_id, X must be a 2-D table of shape (n_samples, "
                "n_columns) holding the identifier column and the value "
                f"columns; got a {X.ndim}-D array."
            )
        if not reset:
            validate_data(self, X, reset=False, skip_check_array=True)
        # A name finds its column in an array only through the names seen in
        # this fit, never through those of an earlier one.
        known = getattr(self, "feature_names_in_", ()) if not reset else ()
        position = _identifier_position(X, self.series_id, "X", known_names=known)
        # An int label of the fitted table's column is not a position in an
        # array, which has no labels: the ids would be read as values.
        labelled = getattr(self, "_series_position_by_label", None)
        if not reset and not hasattr(X, "columns") and labelled not in (None, position):
            raise ValueError(
                f"series_id={self.series_id!r} named the column at position "
                f"{labelled} of the table fit saw, but X is an array, whose "
                f"column {position} is another: pass a DataFrame with the fitted "
                "columns."
            )
        identifiers, values = _split_identifier(X, position, self.series_id, "X")
        values = check_array(
            values, dtype=[np.float64, np.float32], ensure_all_finite="allow-nan"
        )
        starts = _series_starts(identifiers, self.series_id)
        if reset:
            # Only once X is known to be valid, so a failed fit leaves the
            # fitted state as it was.
            validate_data(self, X, reset=True, skip_check_array=True)
            self._series_position = position
            self._series_position_by_label = position if hasattr(X, "columns") else None
        return values, starts

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None) -> WindowTransformer:
        """Learn the number and names of the series' features.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples,) or (n_samples, n_features)
            The series, rows in time order.
        y : None
            Ignored.

        Returns
        -------
        self : WindowTransformer
            The fitted transformer.
        """
        for name in ("time_steps", "series_id"):
            if isinstance(getattr(self, name), bool):
                raise TypeError(
                    f"{name} must be an int, not a bool; got {getattr(self, name)!r}."
                )
        if self.series_id is None:
            self._validate_series(X, reset=True)
        else:
            self._validate_panel(X, reset=True)
        return self

    def transform(self, X) -> np.ndarray:
        """Return the causal window of every row of ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples,) or (n_samples, n_features)
            The series, rows in time order, with the features seen in
            :meth:`fit`; with ``series_id``, a long table of series whose
            rows are contiguous (it need not hold the series seen in
            :meth:`fit`).

        Returns
        -------
        windows : ndarray
            Of shape ``(n_samples, time_steps, n_features)`` (read-only: a
            view of one series, a copy for several), or ``(n_samples,
            time_steps * n_features)`` when ``flatten=True``. With
            ``series_id``, ``n_features`` leaves out the identifier column.
        """
        check_is_fitted(self)
        if self.series_id is None:
            series = self._validate_series(X, reset=False)
            windows = causal_windows(
                series,
                self.time_steps,
                padding=self.padding,
                fill_value=self.fill_value,
            )
        else:
            series, starts = self._validate_panel(X, reset=False)
            windows = _panel_windows(
                series,
                starts,
                self.time_steps,
                padding=self.padding,
                fill_value=self.fill_value,
            )
        if not self.flatten and np.isnan(series).any():
            # 3-D windows go to a recurrent network, which reads a step of
            # NaN as padding: a gap in the series would pass for one.
            warnings.warn(
                "X has missing values (NaN), which pass into the windows: a "
                "recurrent network reads a step whose every feature is NaN as "
                "padding and refuses NaN among real values. Fill gaps in the "
                "series first (for example with pandas' interpolate) unless the "
                "NaN mark padding on purpose.",
                UserWarning,
                stacklevel=2,
            )
        if self.flatten:
            flat = windows.reshape(len(series), -1)
            # A univariate series reshapes without a copy, into a read-only
            # view over the input.
            return flat if flat.flags.writeable else flat.copy()
        return windows

    def set_output(self, *, transform=None) -> WindowTransformer:
        """Set the container of the flattened windows (``flatten=True``).

        Windows of three dimensions have no columns to name and stay NumPy
        arrays whatever ``transform`` says (the setting applies once
        ``flatten=True``), so that a pipeline's ``set_output`` configures the
        steps that have columns and passes through this one.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"} or None, default=None
            As for scikit-learn's transformers.

        Returns
        -------
        self : WindowTransformer
        """
        if transform not in (None, "default", "pandas", "polars"):
            raise ValueError(
                "transform must be 'default', 'pandas', 'polars' or None; got "
                f"{transform!r}."
            )
        # Kept whatever flatten is now, so that set_params(flatten=True)
        # later finds it; scikit-learn wraps only output that has columns.
        if transform is not None:
            config = self.__dict__.setdefault("_sklearn_output_config", {})
            config["transform"] = transform
        return self

    @available_if(lambda self: self.flatten)
    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names of the flattened window columns (only when ``flatten=True``).

        Column ``"<feature>_lag<k>"`` holds the feature ``k`` rows before the
        row the window stands for; ``lag0`` is the row itself. The
        ``series_id`` column has no names: it is not in the windows.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Names of the series' features (the identifier column included,
            with ``series_id``); defaults to ``feature_names_in_`` or ``x0,
            x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``time_steps * n_features_in_`` names, oldest lag first (with
            ``series_id``, ``n_features_in_`` counts the identifier column,
            which is not windowed, so one fewer feature).
        """
        check_is_fitted(self, "n_features_in_")
        names = _check_feature_names_in(self, input_features)
        if self.series_id is not None:
            names = np.delete(names, self._series_position)
        return window_feature_names(names, self.time_steps)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
