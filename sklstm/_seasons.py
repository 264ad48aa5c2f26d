"""Fourier terms of a season: the phase of each row as covariate columns."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd

from ._horizon import _check_int

__all__ = ["fourier_terms"]


def fourier_terms(
    rows: int | np.ndarray,
    season_length: int,
    *,
    harmonics: int | None = None,
) -> np.ndarray:
    """Sine and cosine columns that tell each row's place in a season.

    A window of recent values says what a series did lately, not which month
    (week, quarter) comes next; a model that reads only the values must infer
    the season from one year back, noise included. These columns give each
    row its phase in the season, so that a model can learn the season's
    average shape from every year of its training data. Add them to a series
    as covariates (known in advance, so :func:`sklstm.forecast` takes the
    future rows' terms as ``future_covariates``).

    Row ``t`` gets ``sin(2 pi k t / season_length)`` and
    ``cos(2 pi k t / season_length)`` for ``k = 1 .. harmonics``, in that
    order (sine then cosine of each harmonic). With ``harmonics =
    season_length // 2`` (the default) the terms can express any shape of the
    season, as one indicator per season position would; an even season's
    last sine is zero at every row and is left out, so there are
    ``season_length - 1`` columns. Fewer harmonics give a smoother season in
    fewer columns (a weekly season of 52 rows in 6 columns with
    ``harmonics=3``).

    Parameters
    ----------
    rows : int, array-like of int, or pandas DatetimeIndex or PeriodIndex
        The rows' positions in the series (0 for its first row): an int ``n``
        stands for ``0, 1, ..., n - 1``. Positions only need to agree with
        each other, so number the rows of a series' history and of its future
        in one count, e.g. ``fourier_terms(np.arange(n, n + 12), 12)`` for the
        twelve rows after a history of ``n`` rows. A pandas index of dates or
        periods counts in periods of its frequency (its own, or the one pandas
        infers from the dates), from January 1970, so that the terms follow
        the calendar: with monthly dates and ``season_length=12``, every
        January has the same terms, in the history and in the future alike.
    season_length : int
        Rows in one season, at least 2: 12 for monthly data with a yearly
        season, 4 for quarterly, 7 for daily data with a weekly one.
    harmonics : int or None, default=None
        Sine-cosine pairs, from 1 to ``season_length // 2``. None takes
        ``season_length // 2``.

    Returns
    -------
    ndarray of shape (n_rows, n_terms)
        ``2 * harmonics`` columns, one fewer where ``harmonics`` is
        ``season_length / 2``.

    Raises
    ------
    TypeError
        If ``season_length`` or ``harmonics`` is not an int.
    ValueError
        If ``season_length`` is below 2, ``harmonics`` is outside 1 to
        ``season_length // 2``, ``rows`` is a negative count or neither a
        count, a one-dimensional array of whole numbers nor an index of dates
        or periods, or its dates have no regular frequency.

    See Also
    --------
    forecast : takes the future rows' terms as ``future_covariates``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import fourier_terms
    >>> fourier_terms(4, 4).round(3)
    array([[ 0.,  1.,  1.],
           [ 1.,  0., -1.],
           [ 0., -1.,  1.],
           [-1., -0., -1.]])
    >>> fourier_terms(np.arange(120, 132), 12, harmonics=2).shape
    (12, 4)
    >>> import pandas as pd
    >>> months = pd.period_range("2023-11", periods=4, freq="M")
    >>> fourier_terms(months, 12, harmonics=1).round(3)
    array([[-0.866,  0.5  ],
           [-0.5  ,  0.866],
           [ 0.   ,  1.   ],
           [ 0.5  ,  0.866]])
    """
    season_length = _check_int(season_length, "season_length", minimum=2)
    most = season_length // 2
    harmonics = _check_int(most if harmonics is None else harmonics, "harmonics")
    if harmonics > most:
        raise ValueError(
            f"harmonics must be at most season_length // 2 = {most}, where the "
            f"terms already express any shape of the season; got {harmonics}."
        )
    positions = _positions(rows)
    # Reduced to one season before scaling to radians: a row millions of
    # steps into a series gets its phase as exactly as the first season's.
    phase = 2 * np.pi * np.mod(positions, season_length) / season_length
    columns = []
    for k in range(1, harmonics + 1):
        if 2 * k != season_length:
            columns.append(np.sin(k * phase))
        columns.append(np.cos(k * phase))
    return np.stack(columns, axis=1)


def _positions(rows) -> np.ndarray:
    if isinstance(rows, pd.DatetimeIndex):
        if rows.freq is None and len(rows) > 2:
            rows = pd.DatetimeIndex(rows, freq="infer")
        if rows.freq is None:
            raise ValueError(
                "rows is a DatetimeIndex without a regular frequency, so its "
                "dates cannot be counted in periods: give it one (e.g. "
                "pd.date_range(..., freq='MS')) or pass row positions."
            )
        try:
            rows = rows.to_period()
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"rows has the frequency {rows.freqstr!r}, whose dates pandas "
                f"cannot count in periods ({error}): pass row positions instead."
            ) from error
    if isinstance(rows, pd.PeriodIndex):
        # Periods count from 1970 in the frequency's base unit (days for
        # "2D", minutes for "15min"): one row is ``freq.n`` of them.
        return rows.asi8 // rows.freq.n
    if isinstance(rows, Integral) and not isinstance(rows, (bool, np.bool_)):
        return np.arange(_check_int(rows, "rows", minimum=0))
    positions = np.asarray(rows)
    if positions.dtype.kind == "m":
        # numpy counts durations among the integers, in their unit's ticks.
        raise ValueError(
            "rows holds durations, not row positions: pass the positions "
            "(for example np.arange(len(rows))) or a DatetimeIndex."
        )
    if positions.dtype.kind in "fu" and (np.abs(positions) >= 2.0**63).any():
        raise ValueError(
            "rows holds a value too large for a row position; got "
            f"{np.abs(positions).max()!r}."
        )
    if positions.ndim != 1 or not (
        np.issubdtype(positions.dtype, np.integer)
        or (
            np.issubdtype(positions.dtype, np.floating)
            and np.isfinite(positions).all()
            and (positions == np.round(positions)).all()
        )
    ):
        dates = positions.dtype.kind == "M" or (
            positions.ndim == 1
            and pd.api.types.infer_dtype(positions) in ("datetime", "date")
        )
        hint = (
            " A column of dates counts in periods as a DatetimeIndex: pass "
            "pd.DatetimeIndex(column)."
            if dates
            else ""
        )
        raise ValueError(
            "rows must be a count, a one-dimensional array of whole row "
            "positions, or a DatetimeIndex or PeriodIndex; got "
            f"{_describe(rows)}.{hint}"
        )
    return positions.astype(np.int64)


def _describe(rows) -> str:
    array = np.asarray(rows)
    if array.ndim != 1:
        return f"an array of shape {array.shape}"
    return f"values of dtype {array.dtype}"
