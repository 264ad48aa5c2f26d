"""LSTMRegressor inside skforecast's forecasters and backtesting."""

import warnings

import numpy as np
import pandas as pd
import pytest

from sklstm import LSTMRegressor

skforecast = pytest.importorskip("skforecast")
from skforecast.direct import ForecasterDirect  # noqa: E402
from skforecast.model_selection import (  # noqa: E402
    TimeSeriesFold,
    backtesting_forecaster,
)
from skforecast.recursive import ForecasterRecursive  # noqa: E402

TINY = dict(
    rnn_layers=[4],
    steps=30,
    early_stopping_rounds=None,
    random_state=0,
    time_order="newest_first",
)
LAGS = 6
STEPS = 3


@pytest.fixture
def series(trending_sine) -> pd.Series:
    return trending_sine(pd.date_range("2000-01-01", periods=80, freq="D"))


def _backtest(forecaster, series: pd.Series) -> pd.DataFrame:
    cv = TimeSeriesFold(steps=STEPS, initial_train_size=60, refit=False, verbose=False)
    quiet = {"n_jobs": 1, "show_progress": False}
    metric, predictions = backtesting_forecaster(
        forecaster, series, cv, "mean_squared_error", **quiet
    )
    assert np.isfinite(metric["mean_squared_error"]).all()
    return predictions


def test_recursive_forecaster_backtests_without_an_order_warning(series):
    forecaster = ForecasterRecursive(estimator=LSTMRegressor(**TINY), lags=LAGS)
    with warnings.catch_warnings():
        # skforecast's lag columns are newest first, as time_order says.
        warnings.filterwarnings("error", message=".*time_order.*")
        predictions = _backtest(forecaster, series)
    assert len(predictions) == 20
    assert np.isfinite(predictions["pred"]).all()
    assert (predictions.index == series.index[60:]).all()


def test_skforecast_lag_matrix_warns_on_the_default_order(series):
    # ForecasterRecursive.fit hands the estimator a bare array (no column
    # names to read), but its training matrix, as users inspect and fit it,
    # names the lags newest first.
    forecaster = ForecasterRecursive(estimator=LSTMRegressor(**TINY), lags=LAGS)
    X, y = forecaster.create_train_X_y(y=series)
    assert list(X.columns) == [f"lag_{k}" for k in range(1, LAGS + 1)]
    default_order = {**TINY, "time_order": "oldest_first"}
    with pytest.warns(UserWarning, match='time_order="newest_first"'):
        LSTMRegressor(**default_order).fit(X, y)


def test_direct_forecaster_backtests(series):
    forecaster = ForecasterDirect(
        estimator=LSTMRegressor(**TINY), steps=STEPS, lags=LAGS, n_jobs=1
    )
    predictions = _backtest(forecaster, series)
    assert len(predictions) == 20
    assert np.isfinite(predictions["pred"]).all()
