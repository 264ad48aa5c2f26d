"""Training on a series larger than memory: its windows, chunk by chunk.

A series on disk (a ``numpy.memmap``, an ``.npy`` file opened with
``mmap_mode="r"``) or in a dask array is read one chunk of rows at a time.
Each chunk's windows need the ``time_steps - 1`` rows before it, which are
read again with it, so that the chunks together give exactly the windows of
the whole series: none is lost at a boundary and none is seen twice.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from numbers import Integral

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ._scaling import WindowStatistics
from ._window import check_numeric_columns

__all__ = ["SeriesChunks"]


def _pandas_values(series) -> np.ndarray:
    """A pandas series or table of one series, in time order, as float64."""
    if type(series).__module__.startswith("dask"):
        raise ValueError(
            "series is a dask DataFrame or Series, whose rows chunks cannot "
            "count without computing them: pass a dask array "
            "(series.to_dask_array(lengths=True))."
        )
    index = series.index
    if isinstance(index, pd.MultiIndex):
        raise ValueError(
            "series has a MultiIndex, as a table of several series has: chunks "
            "read one series. Train on one series at a time, or window the "
            "panel with WindowTransformer(series_id=...)."
        )
    if not (index.is_monotonic_increasing and index.is_unique):
        raise ValueError(
            "series's index is not increasing: its rows are out of time order, "
            "or a time repeats. Sort it (series.sort_index()) and drop repeated "
            "times first."
        )
    frame = series.to_frame() if series.ndim == 1 else series
    check_numeric_columns(frame, "series")
    try:
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"series holds values that are not numbers: {exc}.") from None


def _check_value_kind(series) -> None:
    """Values numpy would turn into wrong numbers are refused before any read:
    dates (nanoseconds), complex numbers (their real part), masked arrays
    (the values under the mask)."""
    if isinstance(series, np.ma.MaskedArray):
        raise ValueError(
            "series is a masked array, whose masked values chunks would read as "
            "they are: fill them (series.filled(...)) first."
        )
    dtype = getattr(series, "dtype", None)
    kind = getattr(dtype, "kind", None)
    if kind in ("M", "m", "c", "O", "U", "S"):
        what = {"M": "dates", "m": "durations", "c": "complex numbers"}.get(
            kind, "values that are not numbers"
        )
        raise ValueError(f"series holds {what} ({dtype}): it must hold real numbers.")
    if 0 in getattr(series, "shape", (1, 1))[1:]:
        raise ValueError("series has no columns: it must hold at least one feature.")


class SeriesChunks:
    """The windows and next values of a long series, one chunk at a time.

    Iterating gives ``(X, y)`` per chunk of ``chunk_size`` windows: ``X``
    holds windows of ``time_steps`` consecutive rows, and ``y`` the value of
    the ``targets`` columns in the row after each window. Every window lies
    wholly in the series (unlike :class:`~sklstm.WindowTransformer`, which also
    pads the first rows' windows with the series' first row), so over all
    chunks they are exactly
    ``WindowTransformer(time_steps).fit_transform(series[:-1])[time_steps - 1:]``
    and ``series[time_steps:, targets]``: each chunk reads the
    ``time_steps - 1`` rows before its first window's last row again. ``X`` is
    a view over the rows read, so a chunk costs its rows' memory, not
    ``time_steps`` times it; from a NumPy array or memmap it is not even
    copied.

    Parameters
    ----------
    series : array-like of shape (n_rows,) or (n_rows, n_features)
        Rows in time order: a NumPy array or ``numpy.memmap``, a dask array
        (each chunk is computed when it is read), or a pandas DataFrame or
        Series.
    time_steps : int, default=10
        Length of every window.
    chunk_size : int, default=100_000
        Windows per chunk; at least ``time_steps``. Training on a chunk holds
        about ``chunk_size * 8`` bytes besides the chunk's rows.
    targets : int, list of int or None, default=None
        Columns whose next value is ``y``: an int gives a 1-D ``y``, a list a
        2-D one; None means every column (a 1-D ``y`` for a 1-D series, a
        2-D one for a 2-D series, even of one column).

    Attributes
    ----------
    n_windows : int
        Windows over the whole series: ``n_rows - time_steps``.

    See Also
    --------
    WindowStatistics : The scaling statistics :meth:`statistics` gathers.
    LSTMRegressor.partial_fit : Trains on one chunk.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import LSTMRegressor, SeriesChunks
    >>> series = np.sin(np.linspace(0, 60, 3010))
    >>> chunks = SeriesChunks(series, time_steps=10, chunk_size=1000)
    >>> [X.shape for X, y in chunks]
    [(1000, 10, 1), (1000, 10, 1), (1000, 10, 1)]
    >>> model = LSTMRegressor([8], batch_size=64, random_state=0)
    >>> model = chunks.train(model, epochs=2)
    >>> model.n_iter_  # two epochs of 16 batches over each of 3 chunks
    96
    """

    def __init__(
        self,
        series,
        time_steps: int = 10,
        *,
        chunk_size: int = 100_000,
        targets: int | list[int] | None = None,
    ) -> None:
        for name, value in (("time_steps", time_steps), ("chunk_size", chunk_size)):
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
                raise ValueError(f"{name} must be a positive int; got {value!r}.")
        if chunk_size < time_steps:
            raise ValueError(
                f"chunk_size ({chunk_size}) must be at least time_steps "
                f"({time_steps}): a chunk shorter than one window would be read "
                "mostly from the rows carried over from the chunk before it."
            )
        if hasattr(series, "index") and hasattr(series, "iloc"):
            series = _pandas_values(series)
        _check_value_kind(series)
        ndim = getattr(series, "ndim", None)
        if ndim not in (1, 2):
            raise ValueError(
                "series must be a 1-D series or a 2-D array of shape (n_rows, "
                f"n_features) with .ndim and slicing; got {type(series).__name__}"
                + (f" of {ndim} dimensions." if ndim is not None else ".")
            )
        if any(not isinstance(size, Integral) for size in series.shape):
            # Dask gives NaN sizes to an array whose length a selection set.
            raise ValueError(
                f"series has a shape of unknown sizes, {series.shape}: for a "
                "dask array after a boolean selection, call "
                "series.compute_chunk_sizes() first."
            )
        n_rows = int(series.shape[0])
        n_features = 1 if ndim == 1 else int(series.shape[1])
        if n_rows <= time_steps:
            raise ValueError(
                f"series needs more than time_steps={time_steps} rows (a window "
                f"and the value after it); got {n_rows}."
            )
        self._columns, self._flat_y = _target_columns(targets, n_features, ndim)
        self.series = series
        self.time_steps = int(time_steps)
        self.chunk_size = int(chunk_size)
        self.targets = targets
        self.n_windows = n_rows - time_steps

    def __len__(self) -> int:
        return -(-self.n_windows // self.chunk_size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for start in range(0, self.n_windows, self.chunk_size):
            yield self._chunk(start, min(start + self.chunk_size, self.n_windows))

    def _rows(self, start: int, stop: int) -> np.ndarray:
        rows = np.asarray(self.series[start:stop], dtype=np.float64)
        if not np.isfinite(rows).all():
            raise ValueError(
                f"series has a missing or infinite value in rows {start} to "
                f"{stop - 1}: fill it before training."
            )
        return rows.reshape(len(rows), -1)

    def _chunk(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        # Window i ends at row i + time_steps - 1 and predicts the row after.
        rows = self._rows(start, stop + self.time_steps)
        # A view over the rows read: the chunk is not copied once per window.
        windows = sliding_window_view(rows[:-1], self.time_steps, axis=0)
        columns = self._columns
        if columns == list(range(columns[0], columns[-1] + 1)):
            columns = slice(columns[0], columns[-1] + 1)  # a view, not a copy
        y = rows[self.time_steps :, columns]
        return windows.transpose(0, 2, 1), (y[:, 0] if self._flat_y else y)

    def statistics(self) -> WindowStatistics:
        """One pass over the chunks: the scaling statistics of the whole series.

        Returns
        -------
        statistics : WindowStatistics
            To pass as ``statistics`` to the ``partial_fit`` of an estimator
            that reads windows oldest first (the default ``time_order``).
        """
        statistics = WindowStatistics()
        for X, y in self:
            statistics.update(X, y)
        return statistics

    def train(self, estimator, *, epochs: int = 1):
        """Train ``estimator`` with ``partial_fit``, chunk after chunk.

        A first pass gathers the scaling statistics of the whole series
        (:meth:`statistics`), unless the estimator is already fitted; then
        every epoch trains on every chunk in order, one pass over each.
        Ctrl-C stops the training where it is, as it stops ``fit``: with a
        warning, keeping the weights reached, and training no later chunk.

        Parameters
        ----------
        estimator : LSTMRegressor
            Fitted or not; a fitted one continues with its own statistics.
        epochs : int, default=1
            Passes over the series.

        Returns
        -------
        estimator : LSTMRegressor
            The same estimator, trained.
        """
        partial_fit = getattr(estimator, "partial_fit", None)
        if not (
            is_regressor(estimator)
            and partial_fit is not None
            and "statistics" in inspect.signature(partial_fit).parameters
        ):
            raise TypeError(
                "estimator must be an LSTMRegressor, whose partial_fit takes the "
                "series' statistics; got "
                f"{type(estimator).__name__}. Other estimators can be trained on "
                "the chunks by iterating over them."
            )
        if isinstance(epochs, bool) or not isinstance(epochs, Integral) or epochs < 1:
            raise ValueError(f"epochs must be a positive int; got {epochs!r}.")
        fitted = _is_fitted(estimator)
        # The chunks' windows list their steps oldest first; an estimator that
        # reads them newest first gets them, and their statistics, reversed.
        newest_first = getattr(estimator, "time_order", None) == "newest_first"
        statistics = None
        if not fitted:
            statistics = self.statistics()
            statistics.time_order = "newest_first" if newest_first else "oldest_first"

        def every_chunk():
            for _ in range(epochs):
                for X, y in self:
                    X = X[:, ::-1] if newest_first else X
                    estimator.partial_fit(X, y, statistics=statistics)
                    # Ctrl-C ends a partial_fit with a warning, keeping the
                    # weights reached; it ends the pass over the chunks too.
                    if getattr(estimator, "_interrupted", False):
                        return estimator
            return estimator

        # A chunk that fails (a missing value far into the series) must not
        # leave a fitted estimator trained on the chunks before it.
        atomic = getattr(estimator, "_atomic", None)
        return every_chunk() if atomic is None else atomic(every_chunk)


def _is_fitted(estimator) -> bool:
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


def _target_columns(targets, n_features: int, ndim: int) -> tuple[list[int], bool]:
    """Column indices of ``y`` and whether ``y`` is 1-D."""
    if targets is None:
        return list(range(n_features)), n_features == 1 and ndim == 1
    flat = isinstance(targets, Integral) and not isinstance(targets, bool)
    columns = [targets] if flat else list(np.atleast_1d(targets))
    if not columns or not all(
        isinstance(c, Integral) and not isinstance(c, bool) and 0 <= c < n_features
        for c in columns
    ):
        raise ValueError(
            f"targets must be None, a column index or a list of column indices "
            f"in [0, {n_features}); got {targets!r}."
        )
    return [int(c) for c in columns], flat
