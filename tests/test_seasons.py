"""fourier_terms: each row's phase in a season, as covariate columns."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

from sklstm import (
    LSTMRegressor,
    WindowTransformer,
    backtest,
    forecast,
    fourier_terms,
)


def test_terms_are_the_sines_and_cosines_of_each_harmonic():
    t = np.arange(10)
    expected = np.column_stack(
        [
            np.sin(2 * np.pi * t / 5),
            np.cos(2 * np.pi * t / 5),
            np.sin(4 * np.pi * t / 5),
            np.cos(4 * np.pi * t / 5),
        ]
    )
    np.testing.assert_allclose(fourier_terms(10, 5), expected, atol=1e-12)


@pytest.mark.parametrize(
    ("season_length", "harmonics", "n_columns"),
    [(12, None, 11), (7, None, 6), (4, None, 3), (2, None, 1), (52, 3, 6), (12, 6, 11)],
)
def test_an_even_seasons_last_sine_is_left_out(season_length, harmonics, n_columns):
    terms = fourier_terms(3 * season_length, season_length, harmonics=harmonics)
    assert terms.shape == (3 * season_length, n_columns)
    # Every column varies: none is the sine of a half season, zero throughout.
    assert (np.ptp(terms, axis=0) > 0.5).all()


def test_the_full_set_of_terms_tells_every_position_of_the_season_apart():
    terms = fourier_terms(24, 12)
    # One season's rows are linearly independent with an intercept, as twelve
    # month indicators are, and the next season repeats them.
    design = np.column_stack([np.ones(12), terms[:12]])
    assert np.linalg.matrix_rank(design) == 12
    np.testing.assert_allclose(terms[12:], terms[:12], atol=1e-12)


def test_positions_continue_one_count():
    whole = fourier_terms(132, 12, harmonics=2)
    np.testing.assert_allclose(
        fourier_terms(np.arange(120, 132), 12, harmonics=2), whole[120:], atol=1e-12
    )
    np.testing.assert_allclose(
        fourier_terms(np.array([3.0, 125.0]), 12, harmonics=2),
        whole[[3, 125]],
        atol=1e-12,
    )
    assert fourier_terms(0, 12).shape == (0, 11)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"rows": 5, "season_length": 1},
            ValueError,
            "season_length must be an int >= 2; got 1",
        ),
        (
            {"rows": 5, "season_length": 2.5},
            TypeError,
            "season_length must be an int >= 2; got 2.5",
        ),
        (
            {"rows": 5, "season_length": True},
            TypeError,
            "season_length must be an int >= 2; got True",
        ),
        (
            {"rows": 5, "season_length": 12, "harmonics": 0},
            ValueError,
            "harmonics must be an int >= 1; got 0",
        ),
        (
            {"rows": 5, "season_length": 12, "harmonics": 7},
            ValueError,
            "harmonics must be at most season_length // 2 = 6",
        ),
        (
            {"rows": -1, "season_length": 12},
            ValueError,
            "rows must be an int >= 0; got -1",
        ),
        (
            {"rows": np.zeros((2, 2)), "season_length": 12},
            ValueError,
            r"array of shape \(2, 2\)",
        ),
        (
            {"rows": [0.5, 1.0], "season_length": 12},
            ValueError,
            "whole row positions, or a DatetimeIndex or PeriodIndex; got values of "
            "dtype float64",
        ),
        ({"rows": ["a"], "season_length": 12}, ValueError, "whole row positions"),
        (
            {"rows": pd.Series(pd.date_range("2000", periods=3)), "season_length": 7},
            ValueError,
            r"or a DatetimeIndex or PeriodIndex.*pd.DatetimeIndex\(column\)",
        ),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        fourier_terms(**kwargs)


def test_dates_and_periods_count_in_periods_of_their_frequency():
    months = pd.date_range("2019-01-01", periods=30, freq="MS")
    terms = fourier_terms(months, 12)
    # Every January has the terms of row 0 of a count, the calendar's phase.
    np.testing.assert_allclose(terms[[0, 12, 24]], fourier_terms(1, 12).repeat(3, 0))
    np.testing.assert_allclose(fourier_terms(months.to_period(), 12), terms, atol=1e-12)
    # The months after the history have the terms of the same months before.
    future = pd.date_range("2021-07-01", periods=6, freq="MS")
    np.testing.assert_allclose(fourier_terms(future, 12), terms[6:12], atol=1e-12)
    # A frequency pandas infers from regular dates is taken.
    np.testing.assert_allclose(
        fourier_terms(pd.DatetimeIndex(list(months)), 12), terms, atol=1e-12
    )
    quarters = pd.period_range("2000Q3", periods=4, freq="Q")
    np.testing.assert_allclose(
        fourier_terms(quarters, 4), fourier_terms(np.arange(2, 6), 4), atol=1e-12
    )


@pytest.mark.parametrize("freq", ["15min", "2D", "3h"])
def test_a_multiple_frequency_counts_one_row_per_period(freq):
    dates = pd.date_range("2020-01-01", periods=30, freq=freq)
    # Rows one season apart share their terms, and no two rows within one do.
    terms = fourier_terms(dates, 8)
    np.testing.assert_allclose(terms[8:], terms[:-8], atol=1e-12)
    assert len(np.unique(terms[:8].round(9), axis=0)) == 8
    np.testing.assert_allclose(fourier_terms(dates.to_period(), 8), terms)


def test_dates_pandas_cannot_count_in_periods_are_an_error():
    with pytest.raises(ValueError, match="frequency '2MS', whose dates pandas"):
        fourier_terms(pd.date_range("2020-01-01", periods=12, freq="2MS"), 6)


def test_dates_without_a_frequency_are_an_error():
    dates = pd.DatetimeIndex(["2020-01-01", "2020-01-05", "2020-03-01"])
    with pytest.raises(ValueError, match="DatetimeIndex without a regular frequency"):
        fourier_terms(dates, 12)


def _seasonal_series(n_rows, rng):
    # A season of 12 whose shape is not a sine, with slow AR(1) noise on top:
    # a window of 6 cannot see one season back, so only the terms tell it.
    shape = np.array([0, 1, 3, 6, 8, 9, 8, 5, 2, 0, -1, -1], dtype=float)
    noise = np.zeros(n_rows)
    for t in range(1, n_rows):
        noise[t] = 0.8 * noise[t - 1] + rng.normal(scale=0.5)
    return shape[np.arange(n_rows) % 12] + noise


def test_the_terms_let_a_linear_model_learn_the_season_a_short_window_misses():
    rng = np.random.RandomState(0)
    values = _seasonal_series(600, rng)
    frame = pd.DataFrame(fourier_terms(600, 12), columns=[f"f{j}" for j in range(11)])
    frame.insert(0, "value", values)
    errors = {}
    for name, columns in (("values", ["value"]), ("with terms", list(frame))):
        model = make_pipeline(WindowTransformer(6, flatten=True), LinearRegression())
        model.fit(frame[columns].iloc[:479], values[1:480])
        _, table = backtest(model, frame[columns], 1, test_size=120, targets="value")
        errors[name] = float(table["mse"].iloc[0])
    # With the terms the error nears the noise's variance (0.25), the least any
    # forecast can reach; without them it is more than twice that.
    assert errors["with terms"] < 1.2 * 0.25
    assert errors["values"] > 2 * errors["with terms"]


def test_a_recursive_forecast_reads_the_future_rows_terms():
    rng = np.random.RandomState(1)
    values = _seasonal_series(240, rng)
    frame = pd.DataFrame(fourier_terms(240, 12, harmonics=2), columns=list("abcd"))
    frame.insert(0, "value", values)
    model = make_pipeline(
        WindowTransformer(6),
        LSTMRegressor([4], steps=30, early_stopping_rounds=None, random_state=0),
    ).fit(frame.iloc[:-1], values[1:])
    future = fourier_terms(np.arange(240, 252), 12, harmonics=2)
    point = forecast(model, frame, 12, targets="value", future_covariates=future)
    assert point.shape == (12,)
    assert np.isfinite(point).all()
    # Other terms in the future rows give other forecasts after the first step:
    # the model reads them.
    shifted = forecast(
        model,
        frame,
        12,
        targets="value",
        future_covariates=fourier_terms(np.arange(246, 258), 12, harmonics=2),
    )
    assert shifted[0] == point[0]
    assert not np.allclose(shifted[1:], point[1:])
