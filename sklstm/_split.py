"""Cross-validation of a panel: every series cut at the same point of its time."""

from __future__ import annotations

from collections.abc import Iterator
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import indexable
from sklearn.utils.validation import _num_samples

from ._window import _identifier_position, _series_starts

__all__ = ["PanelSplit"]


def _check_int(value: Any, name: str, minimum: int) -> None:
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, Integral)
        or value < minimum
    ):
        raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}.")


class PanelSplit(BaseCrossValidator):
    """Time-series cross-validation of many series, cut at the same time in each.

    The rows are a long table of series, each series' rows contiguous and in
    time order (as for :class:`~sklstm.WindowTransformer`'s ``series_id``).
    Fold ``k`` (of ``n_splits``) tests every series on a block of
    ``test_size`` of its rows, and trains on all of that series' rows before
    the block (less ``gap`` rows). The last fold's test block is each
    series' last ``test_size`` rows, the fold before takes the
    ``test_size`` rows before those, and so on: every series is cut at the
    same number of rows from its own end, as
    :class:`~sklearn.model_selection.TimeSeriesSplit` cuts a single series,
    never by position in the table, which would mix the end of one series
    with the start of the next. With ``n_splits=1`` and ``test_size`` equal
    to the horizon this is the forecasting competitions' protocol: one test
    block per series, at its end.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 1.
    test_size : int, default=1
        Rows of every series in each test block.
    series_id : str, int or None, default=None
        The column of ``X`` that names each row's series: a column name of a
        DataFrame or a column position of an array, as in
        :class:`~sklstm.WindowTransformer`, so that one table and one name
        serve the pipeline and the splitter. None reads the identifiers from
        the ``groups`` argument of :meth:`split` instead (for example when
        ``X`` holds windows already made).
    gap : int, default=0
        Rows of each series left out between its training rows and its test
        block, as ``TimeSeriesSplit``'s ``gap``. With targets ``h`` steps
        ahead, ``gap=h - 1`` keeps targets that lie in the test block's time
        out of training.

    See Also
    --------
    WindowTransformer : Windows a long table of series with the same
        ``series_id``.
    sklearn.model_selection.TimeSeriesSplit : The same folds for one series.

    Notes
    -----
    Each fold's test rows, passed through a pipeline, are windowed on their
    own, so the first windows of each series' test block are padded rather
    than read from its training rows (nothing crosses the cut, at a small
    cost in accuracy on those rows).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklstm import PanelSplit
    >>> panel = pd.DataFrame({"store": ["a"] * 5 + ["b"] * 4,
    ...                       "sales": range(9)})
    >>> splitter = PanelSplit(n_splits=2, test_size=1, series_id="store")
    >>> for train, test in splitter.split(panel):
    ...     print(train, test)
    [0 1 2 5 6] [3 7]
    [0 1 2 3 5 6 7] [4 8]
    """

    # Route ``groups`` to split when scikit-learn's metadata routing is on.
    __metadata_request__split = {"groups": True}

    def __init__(
        self,
        n_splits: int = 5,
        *,
        test_size: int = 1,
        series_id: str | int | None = None,
        gap: int = 0,
    ) -> None:
        self.n_splits = n_splits
        self.test_size = test_size
        self.series_id = series_id
        self.gap = gap
        self._check_parameters()

    def _check_parameters(self) -> None:
        # Checked again by split: an attribute set after __init__ must not
        # give no folds, or test rows in training, without a word.
        _check_int(self.n_splits, "n_splits", 1)
        _check_int(self.test_size, "test_size", 1)
        _check_int(self.gap, "gap", 0)
        series_id = self.series_id
        if series_id is not None and (
            isinstance(series_id, bool) or not isinstance(series_id, (str, Integral))
        ):
            raise ValueError(
                "series_id must be a column name (str), a column position (int) "
                f"or None; got {series_id!r}."
            )

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        """The number of folds, ``n_splits``.

        Parameters
        ----------
        X, y, groups : object
            Ignored; present for scikit-learn's API.

        Returns
        -------
        n_splits : int
            The number of folds.
        """
        return self.n_splits

    def split(self, X, y=None, groups=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield the row positions of the training and test rows of each fold.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_columns)
            The long table (it holds the ``series_id`` column), or, with
            ``series_id=None``, any rows that ``groups`` labels.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Ignored; present for scikit-learn's API.
        groups : array-like of shape (n_samples,), default=None
            Each row's series, when ``series_id`` is None. With
            ``series_id``, groups may still come (metadata routing gives
            them to the splitter and to the estimator's ``fit`` alike) but
            must name the same series as the column, row for row.

        Yields
        ------
        train : ndarray of int
            Positions of the training rows, in increasing order.
        test : ndarray of int
            Positions of the test rows, in increasing order.

        Raises
        ------
        ValueError
            If the identifiers are missing or given twice, a series' rows are
            split into separate blocks or a row has no identifier (naming the
            series), or a series is too short to give every fold a training
            row (naming the shortest).
        """
        self._check_parameters()
        if groups is not None and _num_samples(groups) != _num_samples(X):
            raise ValueError(
                f"groups has {_num_samples(groups)} labels but X has "
                f"{_num_samples(X)} rows: give one series label per row."
            )
        X, y, groups = indexable(X, y, groups)
        n_samples = _num_samples(X)
        identifiers = self._identifiers(X, groups)
        column = self.series_id if self.series_id is not None else "groups"
        starts = _series_starts(identifiers, column)
        lengths = np.diff(np.r_[starts, n_samples])
        needed = self.n_splits * self.test_size + self.gap + 1
        if lengths.min() < needed:
            shortest = int(np.argmin(lengths))
            raise ValueError(
                f"Series {identifiers[starts[shortest]]!r} has "
                f"{lengths[shortest]} rows; n_splits={self.n_splits} test blocks "
                f"of test_size={self.test_size} rows, with gap={self.gap}, need "
                f"at least {needed} rows in every series, so that each fold "
                "trains on at least one row of it."
            )
        # Rows from the end of each row's series: 1 for its last row.
        from_end = np.repeat(starts + lengths, lengths) - np.arange(n_samples)
        for fold in range(self.n_splits):
            blocks_after = self.n_splits - 1 - fold
            test_end = blocks_after * self.test_size
            test_start = test_end + self.test_size
            test = (from_end > test_end) & (from_end <= test_start)
            train = from_end > test_start + self.gap
            yield np.flatnonzero(train), np.flatnonzero(test)

    def _identifiers(self, X, groups) -> np.ndarray:
        if self.series_id is None:
            if groups is None:
                raise ValueError(
                    "PanelSplit needs each row's series: set series_id to the "
                    "identifier column of X, or pass groups to split (for "
                    "example cross_val_score(..., groups=ids))."
                )
            labels = np.asarray(groups, dtype=object)
            if labels.ndim == 2 and labels.shape[1] == 1:
                labels = labels[:, 0]
            if labels.ndim != 1:
                raise ValueError(
                    "groups must be 1-D, one series label per row of X; got an "
                    f"array of shape {labels.shape}."
                )
            return labels
        if not hasattr(X, "iloc"):
            X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(
                f"With series_id, X must be a 2-D table; got {X.ndim} dimension(s)."
            )
        position = _identifier_position(X, self.series_id, "X")
        column = (
            X.iloc[:, position].to_numpy() if hasattr(X, "iloc") else X[:, position]
        )
        # Routed groups (metadata routing gives them to the splitter as well
        # as to fit) may come along: they must name the same series.
        if groups is not None and not np.array_equal(
            _as_labels(groups), _as_labels(column)
        ):
            raise ValueError(
                f"PanelSplit reads the series from column {self.series_id!r} "
                "of X, and groups names other series for some rows: pass the "
                "same labels, or no groups."
            )
        return column


def _as_labels(values) -> np.ndarray:
    """Series labels as objects, dates as pandas' Timestamps whatever held
    them (NumPy turns datetime64 values into integers as objects)."""
    if not isinstance(values, pd.Series):
        values = pd.Series(np.ravel(np.asarray(values)))
    return values.to_numpy(dtype=object)
