"""MAPE, sMAPE and MASE against hand-computed values, and their errors."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mean_absolute_percentage_error

from sklstm import mape, mase, smape


def test_mape_by_hand():
    # Errors of 10%, 10% and 0%.
    assert mape([100.0, 200.0, 400.0], [90.0, 220.0, 400.0]) == pytest.approx(20 / 3)
    # A negative actual value counts by its size.
    assert mape([-50.0], [-40.0]) == pytest.approx(20.0)


def test_mape_is_scikit_learns_in_percent_and_reads_panels_whole():
    rng = np.random.RandomState(0)
    truth = rng.uniform(1, 10, size=(5, 4))
    forecasts = truth + rng.randn(5, 4)
    expected = 100 * mean_absolute_percentage_error(truth.ravel(), forecasts.ravel())
    assert mape(truth, forecasts) == pytest.approx(expected)


def test_mape_refuses_zero_actual_values():
    with pytest.raises(ValueError, match=r"2 zero\(s\), the first at position \(1,"):
        mape([[1.0, 2.0], [0.0, 0.0]], [[1.0, 2.0], [1.0, 1.0]])


def test_smape_by_hand():
    # 0%, then 2 * 100 / (50 + 150) = 100%.
    assert smape([100.0, 50.0], [100.0, 150.0]) == pytest.approx(50.0)
    # A zero forecast of a nonzero value is the worst case, 200%; a zero
    # forecast of zero is perfect.
    assert smape([5.0, 0.0], [0.0, 0.0]) == pytest.approx(100.0)
    assert smape([3.0], [1.0]) == smape([1.0], [3.0]) == pytest.approx(100.0)


def test_values_near_the_largest_float_keep_their_definition():
    # 2 * 2e308 / 2e308 would overflow as written; the ratio is 200%.
    assert smape([1e308], [-1e308]) == 200.0
    assert smape([1e308, 1.0], [1.5e308, 3.0]) == pytest.approx(70.0)
    with pytest.raises(ValueError, match="mape is beyond the largest float"):
        mape([1e-308], [1e308])


def test_mase_by_hand_with_a_season():
    # Seasonal naive errors in training (lag 2): 1, 3, 1, 3, mean 2.
    train = [1.0, 3.0, 2.0, 6.0, 3.0, 9.0]
    # Forecast errors 1 and 2, mean 1.5.
    assert mase([4.0, 12.0], [5.0, 10.0], train, seasonality=2) == pytest.approx(0.75)
    # Without a season (lag 1): errors 2, 1, 4, 3, 6, mean 3.2.
    assert mase([4.0, 12.0], [5.0, 10.0], train) == pytest.approx(1.5 / 3.2)


def test_mase_of_a_panel_is_the_mean_of_each_series_mase():
    rng = np.random.RandomState(1)
    trains = [rng.rand(n) for n in (7, 12, 9)]
    truth, forecasts = rng.rand(3, 4), rng.rand(3, 4)
    each = [mase(truth[k], forecasts[k], trains[k], seasonality=3) for k in range(3)]
    assert mase(truth, forecasts, trains, seasonality=3) == pytest.approx(np.mean(each))
    # Equal-length training parts may come as one 2-D array.
    equal = rng.rand(3, 8)
    assert mase(truth, forecasts, equal) == pytest.approx(
        mase(truth, forecasts, list(equal))
    )


def test_mase_of_the_naive_forecast_of_a_random_walk_is_about_one():
    # One step ahead, the naive forecast errs out of sample as it does in
    # sample, so its MASE averages about 1.
    walk = np.cumsum(np.random.RandomState(2).randn(20_000))
    origins = range(1_000, 19_999, 97)
    scores = [
        mase(walk[t + 1 : t + 2], walk[t : t + 1], walk[: t + 1]) for t in origins
    ]
    assert 0.8 < np.mean(scores) < 1.2


def test_mase_errors_name_the_series():
    with pytest.raises(ValueError, match=r"y_train\[1\] has 4 values, not more"):
        mase(
            np.ones((2, 2)),
            np.ones((2, 2)),
            [np.arange(6.0), np.arange(4.0)],
            seasonality=4,
        )
    with pytest.raises(ValueError, match=r"y_train repeats itself exactly every 2"):
        mase([1.0], [1.0], [1.0, 5.0, 1.0, 5.0], seasonality=2)
    with pytest.raises(ValueError, match=r"y_true has 2 rows .* 3 training parts"):
        mase(np.ones((2, 2)), np.ones((2, 2)), [np.arange(5.0)] * 3)
    with pytest.raises(ValueError, match="a flat y_train is the training part of one"):
        mase([[3.0], [4.0]], [[3.5], [4.0]], [1.0, 2.0, 4.0])
    with pytest.raises(ValueError, match="y_train must be a sequence"):
        mase(np.ones((2, 2)), np.ones((2, 2)), 3.0)
    with pytest.raises(ValueError, match="y_train must be 1-D"):
        mase([1.0], [1.0], np.ones((3, 2)))


@pytest.mark.parametrize("seasonality", [0, -1, 1.5, True, "12"])
def test_mase_bad_seasonality(seasonality):
    with pytest.raises(ValueError, match="seasonality must be an int >= 1"):
        mase([1.0], [1.0], [1.0, 2.0, 3.0], seasonality=seasonality)


@pytest.mark.parametrize("metric", [mape, smape])
def test_bad_inputs(metric):
    with pytest.raises(ValueError, match="same shape"):
        metric([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="y_pred has missing or infinite"):
        metric([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(ValueError, match="y_true is empty"):
        metric([], [])
    with pytest.raises(ValueError, match="y_true must hold numbers"):
        metric(["a"], [1.0])
    with pytest.raises(ValueError, match="y_true is None"):
        metric(None, None)
    dates = pd.Series(pd.date_range("2000", periods=2))
    with pytest.raises(ValueError, match="y_true holds dates or times"):
        metric(dates, dates)
