"""LSTMRegressor inside sktime's reduction forecasters."""

import numpy as np
import pandas as pd
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from sklstm import LSTMRegressor

pytest.importorskip("sktime")
from sktime.forecasting.base import ForecastingHorizon
from sktime.forecasting.compose import make_reduction

# sktime's reduction lays each window out oldest first (the default order).
TINY = dict(rnn_layers=[4], steps=20, early_stopping_rounds=None, random_state=0)
WINDOW = 12


@pytest.fixture
def series(trending_sine) -> pd.Series:
    return trending_sine(pd.period_range("2000-01", periods=60, freq="M"))


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_make_reduction_forecasts_a_horizon(series, strategy):
    horizon = ForecastingHorizon([1, 2, 3], is_relative=True)
    forecaster = make_reduction(
        LSTMRegressor(**TINY), window_length=WINDOW, strategy=strategy
    )
    forecaster.fit(series, fh=horizon)
    predictions = forecaster.predict()
    assert predictions.shape == (3,)
    assert np.isfinite(predictions).all()
    expected = pd.period_range("2005-01", periods=3, freq="M")
    assert (predictions.index == expected).all()


def test_recursive_reduction_reads_windows_oldest_first(series):
    # A network fitted by hand on the windows laid out oldest first, and
    # rolled forward the same way, forecasts bit for bit what the reduction
    # forecasts: sktime's window columns run oldest to newest.
    forecaster = make_reduction(
        LSTMRegressor(**TINY), window_length=WINDOW, strategy="recursive"
    )
    forecaster.fit(series, fh=[1, 2])
    values = series.to_numpy()
    windows = sliding_window_view(values[:-1], WINDOW)
    network = LSTMRegressor(**TINY).fit(windows, values[WINDOW:])
    history = list(values[-WINDOW:])
    for _ in range(2):
        history.append(network.predict(np.array([history[-WINDOW:]]))[0])
    np.testing.assert_array_equal(forecaster.predict().to_numpy(), history[-2:])
