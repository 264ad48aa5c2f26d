"""Forecasting several steps ahead: targets, recursive and direct forecasts,
intervals and backtests."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

from sklstm import (
    LSTMRegressor,
    WindowTransformer,
    backtest,
    forecast,
    horizon_targets,
)
from sklstm._programs import Programs
from sklstm._window import causal_windows

TINY = dict(rnn_layers=[4], steps=100, random_state=0)


def _ar2(n, seed=0):
    """A stationary AR(2) process with unit-variance Gaussian noise."""
    rng = np.random.RandomState(seed)
    x = np.zeros(n + 100)
    noise = rng.normal(size=n + 100)
    for t in range(2, n + 100):
        x[t] = 0.6 * x[t - 1] - 0.3 * x[t - 2] + noise[t]
    return x[100:]


@pytest.fixture(scope="module")
def series():
    x = np.linspace(0, 40, 400)
    return np.sin(x) + 0.05 * x


@pytest.fixture(scope="module")
def lstm(series):
    model = make_pipeline(WindowTransformer(8), LSTMRegressor(**TINY))
    return model.fit(series[:-1], series[1:])


@pytest.fixture(scope="module")
def linear(series):
    model = make_pipeline(WindowTransformer(8, flatten=True), LinearRegression())
    return model.fit(series[:-1], series[1:])


# ---------------------------------------------------------- horizon_targets
def test_horizon_targets_align_with_the_windows_rows():
    series = np.arange(10.0)
    targets = horizon_targets(series, 3)
    assert targets.shape == (7, 3)
    for i in range(7):
        assert_array_equal(targets[i], series[i + 1 : i + 4])
    assert_array_equal(horizon_targets(series, 1)[:, 0], series[1:])


def test_horizon_targets_of_several_columns_are_step_major():
    series = np.c_[np.arange(6.0), 10 * np.arange(6.0), -np.arange(6.0)]
    targets = horizon_targets(series, 2, targets=[0, 1])
    # Row 0: step 1 of both columns, then step 2 of both.
    assert_array_equal(targets[0], [1.0, 10.0, 2.0, 20.0])
    assert targets.shape == (4, 4)


def test_horizon_targets_keep_pandas_names_and_index():
    index = pd.date_range("2000-01-01", periods=6, freq="D")
    frame = pd.DataFrame({"load": np.arange(6.0), "temp": np.ones(6)}, index=index)
    targets = horizon_targets(frame, 2, targets="load")
    assert list(targets.columns) == ["load_step1", "load_step2"]
    assert targets.index.equals(index[:4])
    assert_array_equal(targets.to_numpy()[-1], [4.0, 5.0])
    named = horizon_targets(pd.Series(np.arange(4.0), name="y"), 1)
    assert list(named.columns) == ["y_step1"]


@pytest.mark.parametrize(
    ("horizon", "error", "match"),
    [
        (0, ValueError, "horizon must be an int >= 1; got 0"),
        (-2, ValueError, "horizon must be an int >= 1"),
        (True, TypeError, "horizon must be an int >= 1; got True"),
        (1.5, TypeError, "horizon must be an int"),
        (5, ValueError, "5 rows; a horizon of 5 steps leaves no row"),
    ],
)
def test_horizon_targets_errors(horizon, error, match):
    with pytest.raises(error, match=match):
        horizon_targets(np.arange(5.0), horizon)


def test_horizon_targets_reject_missing_values_and_unknown_columns():
    with pytest.raises(ValueError, match="missing or infinite value at row 2"):
        horizon_targets([1.0, 2.0, np.nan, 4.0], 1)
    frame = pd.DataFrame({"a": np.arange(5.0)})
    with pytest.raises(ValueError, match="column 'b', which is not among"):
        horizon_targets(frame, 1, targets="b")
    with pytest.raises(ValueError, match="targets holds column 3, but there are 1"):
        horizon_targets(frame, 1, targets=[3])


# ---------------------------------------------------------------- forecast
@pytest.mark.parametrize("name", ["lstm", "linear"])
def test_recursive_forecast_equals_a_loop_of_one_step_predictions(
    series, name, request
):
    model = request.getfixturevalue(name)
    history = series[:300]
    extended = list(history)
    for _ in range(5):
        extended.append(model.predict(np.asarray(extended))[-1])
    assert_allclose(forecast(model, history, 5), extended[-5:], rtol=1e-12)


def test_many_origins_at_once_equal_one_origin_at_a_time(series, lstm):
    origins = [7, 50, 123, 300, 398]
    together = forecast(lstm, series[:399], 6, origins=origins)
    assert together.shape == (5, 6)
    for row, origin in zip(together, origins, strict=True):
        assert_allclose(row, forecast(lstm, series[: origin + 1], 6), rtol=1e-12)


def test_many_origins_cost_one_compiled_call_per_step(series, lstm, monkeypatch):
    calls = []
    real = Programs.predict

    def counted(self, *args):
        calls.append(None)
        return real(self, *args)

    monkeypatch.setattr(Programs, "predict", counted)
    forecast(lstm, series, 7, origins=np.arange(8, 390))
    assert len(calls) == 7


def test_no_look_ahead(series, lstm):
    origins = np.array([40, 150, 260])
    before = forecast(lstm, series, 4, origins=origins)
    for i, origin in enumerate(origins):
        changed = series.copy()
        changed[origin + 1 :] += 100.0
        after = forecast(lstm, changed, 4, origins=origins)
        assert_array_equal(after[i], before[i])


def test_a_bare_regressor_on_windows(series):
    windows = causal_windows(series[:-1, None], 6)
    three_d = LSTMRegressor(**TINY).fit(windows, series[1:])
    pipe = make_pipeline(WindowTransformer(6), LSTMRegressor(**TINY))
    pipe.fit(series[:-1], series[1:])
    assert_array_equal(forecast(three_d, series, 4), forecast(pipe, series, 4))
    two_d = LSTMRegressor(**TINY).fit(windows[:, :, 0], series[1:])
    assert_allclose(forecast(two_d, series, 4), forecast(three_d, series, 4))


def test_direct_forecast_reads_every_step_from_the_origin(series):
    horizon = 4
    model = make_pipeline(WindowTransformer(8), LSTMRegressor(**TINY))
    model.fit(series[:-horizon], horizon_targets(series, horizon))
    direct = forecast(model, series, horizon, origins=[100, 200])
    assert_allclose(direct, model.predict(series)[[100, 200]], rtol=1e-12)
    assert_allclose(forecast(model, series, 2, origins=[100]), direct[:1, :2])
    with pytest.raises(ValueError, match="forecasts 4 steps directly; horizon=5"):
        forecast(model, series, 5)


def test_several_targets_and_covariates():
    rng = np.random.RandomState(0)
    n = 300
    calendar = np.tile(np.arange(12.0), 25)  # known ahead
    level = np.cumsum(rng.normal(size=n)) + 0.5 * calendar
    other = np.cumsum(rng.normal(size=n))
    frame = pd.DataFrame({"level": level, "other": other, "month": calendar})
    model = make_pipeline(WindowTransformer(12, flatten=True), LinearRegression())
    model.fit(frame.iloc[:-1], frame[["level", "other"]].to_numpy()[1:])
    future = (np.arange(300, 310) % 12)[:, None]
    predicted = forecast(
        model, frame, 5, targets=["level", "other"], future_covariates=future
    )
    assert predicted.shape == (5, 2)
    # The covariate is read, not forecast: other calendars change the forecast.
    shifted = forecast(
        model, frame, 5, targets=["level", "other"], future_covariates=future + 1
    )
    assert_array_equal(shifted[0], predicted[0])
    assert not np.array_equal(shifted[1:], predicted[1:])
    # A loop of one-step predictions with the known calendar agrees.
    rows = frame
    for k in range(5):
        step = model.predict(rows)[-1]
        assert_allclose(step, predicted[k], rtol=1e-10)
        rows = pd.concat(
            [rows, pd.DataFrame([[*step, future[k, 0]]], columns=rows.columns)]
        )


def test_covariates_that_are_missing_or_misshaped(series):
    frame = pd.DataFrame({"y": series, "x": np.arange(400.0)})
    model = make_pipeline(WindowTransformer(5, flatten=True), LinearRegression())
    model.fit(frame.iloc[:-1], series[1:])
    with pytest.raises(ValueError, match=r"needs the covariates \['x'\] .* 3 too few"):
        forecast(model, frame, 4, targets="y")
    with pytest.raises(ValueError, match="gives 1 more rows, 2 too few"):
        forecast(model, frame, 4, targets="y", future_covariates=[[400.0]])
    with pytest.raises(ValueError, match="future_covariates has 2 columns; it needs"):
        forecast(model, frame, 4, targets="y", future_covariates=np.ones((3, 2)))
    with pytest.raises(ValueError, match="future_covariates has a missing"):
        forecast(model, frame, 4, targets="y", future_covariates=[[1.0], [np.nan]])
    # One step needs no future covariates; neither does an earlier origin.
    assert forecast(model, frame, 1, targets="y").shape == (1,)
    assert forecast(model, frame, 4, targets="y", origins=[300]).shape == (1, 4)
    with pytest.raises(ValueError, match="predicts 1 outputs per window, which is"):
        forecast(model, frame, 2, origins=[300])


def test_columns_must_be_those_the_model_was_fitted_on(series):
    frame = pd.DataFrame({"y": series, "x": np.arange(400.0)})
    model = make_pipeline(WindowTransformer(5, flatten=True), LinearRegression())
    model.fit(frame.iloc[:-1], series[1:])
    with pytest.raises(ValueError, match=r"columns \['x', 'y'\] are not those"):
        forecast(model, frame[["x", "y"]], 1, targets="y")
    with pytest.raises(ValueError, match=r"columns \['x', 'y'\] are not those"):
        backtest(model, frame[["x", "y"]], 1, test_size=10, targets="y")
    # Plain arrays carry no names: their columns are taken in the fitted order,
    # with scikit-learn's warning that they are.
    with pytest.warns(UserWarning, match=r"no column names.*\['y', 'x'\]"):
        from_array = forecast(model, frame.to_numpy(), 1, targets=[0])
    assert_array_equal(from_array, forecast(model, frame, 1, targets="y"))
    unnamed = make_pipeline(WindowTransformer(5, flatten=True), LinearRegression())
    unnamed.fit(frame.iloc[:-1].to_numpy(), series[1:])
    with pytest.warns(UserWarning, match="fitted without them"):
        backtest(unnamed, frame, 1, test_size=10, targets="y")
    # A column may be named like another's position.
    numbered = frame.rename(columns={"x": "0"})
    model.fit(numbered.iloc[:-1], series[1:])
    assert backtest(model, numbered, 1, test_size=10, targets="y")[0].shape[0] == 10


def test_a_bare_regressor_forecasts_named_columns_without_a_warning(series):
    # Fitted on windows, it never saw the series' names: nothing to compare.
    frame = pd.DataFrame({"y": series})
    windows = causal_windows(series[:-1, None], 5)
    model = LSTMRegressor([4], steps=10, random_state=0).fit(windows, series[1:])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        forecast(model, frame, 2, targets="y")
        backtest(model, frame, 1, test_size=5, targets="y")


def test_future_covariates_are_checked_by_name(series):
    frame = pd.DataFrame({"y": series, "promo": np.arange(400.0), "price": 1.0})
    model = make_pipeline(WindowTransformer(5, flatten=True), LinearRegression())
    model.fit(frame.iloc[:-1], series[1:])
    future = pd.DataFrame({"promo": [400.0, 401.0], "price": [1.0, 2.0]})
    expected = forecast(model, frame, 3, targets="y", future_covariates=future)
    # The same values by position, without names, give the same forecast.
    assert_array_equal(
        forecast(model, frame, 3, targets="y", future_covariates=future.to_numpy()),
        expected,
    )
    with pytest.raises(ValueError, match=r"\['price', 'promo'\] are not history's"):
        forecast(model, frame, 3, targets="y", future_covariates=future.iloc[:, ::-1])


def test_a_bare_regressor_on_newest_first_windows(series):
    windows = causal_windows(series[:-1, None], 6)[:, :, 0]
    oldest = LSTMRegressor(**TINY).fit(windows, series[1:])
    newest = LSTMRegressor(**TINY, time_order="newest_first").fit(
        np.ascontiguousarray(windows[:, ::-1]), series[1:]
    )
    assert_array_equal(forecast(newest, series, 4), forecast(oldest, series, 4))
    assert_array_equal(
        forecast(newest, series, 1)[0],
        newest.predict(series[None, :-7:-1])[0],
    )


def test_future_covariates_without_covariates(series, linear):
    with pytest.raises(ValueError, match="every column of history is a target"):
        forecast(linear, series, 3, future_covariates=[[1.0]])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"horizon": 0}, ValueError, "horizon must be an int >= 1; got 0"),
        ({"history": np.arange(5.0)}, ValueError, "5 rows, fewer than the model's"),
        (
            {"history": np.r_[np.arange(20.0), np.nan]},
            ValueError,
            "missing or infinite value at row 20",
        ),
        ({"history": np.ones((30, 2))}, ValueError, "history has 2 columns"),
        ({"origins": [6]}, ValueError, "origin 6 is outside the rows .* from 7"),
        ({"origins": [30]}, ValueError, "origin 30 is outside"),
        ({"origins": []}, ValueError, "origins is empty"),
        ({"origins": [1.5]}, TypeError, "origins must be a 1-D sequence"),
        ({"coverage": 1.0}, ValueError, r"coverage must be a float in \(0, 1\)"),
        ({"coverage": True}, TypeError, "coverage must be a float"),
        ({"targets": ["x9"]}, ValueError, "column 'x9', which is not among"),
    ],
)
def test_forecast_errors(linear, kwargs, error, match):
    arguments = {"history": np.arange(30.0), "horizon": 3, **kwargs}
    history, horizon = arguments.pop("history"), arguments.pop("horizon")
    with pytest.raises(error, match=match):
        forecast(linear, history, horizon, **arguments)


def test_former_argument_names_warn_and_still_work(series, linear):
    expected = forecast(linear, series, 3, origins=[50])
    with pytest.warns(FutureWarning, match="'steps' is now called 'horizon'"):
        np.testing.assert_array_equal(
            forecast(linear, series, steps=3, origins=[50]), expected
        )
    with pytest.warns(FutureWarning, match="'steps' is now called 'horizon'"):
        old_frames = backtest(linear, series, steps=2, test_size=20)
    new_frames = backtest(linear, series, horizon=2, test_size=20)
    for old, new in zip(old_frames, new_frames, strict=True):
        pd.testing.assert_frame_equal(old, new)
    with pytest.warns(FutureWarning, match="'columns' is now called 'targets'"):
        old_targets = horizon_targets(series, 2, columns=[0])
    np.testing.assert_array_equal(old_targets, horizon_targets(series, 2, targets=[0]))
    with pytest.raises(TypeError, match="got both 'horizon' and its former name"):
        forecast(linear, series, horizon=3, steps=3)


def test_forecast_needs_a_windowed_model(series):
    with pytest.raises(TypeError, match="starts with a WindowTransformer"):
        forecast(LinearRegression().fit(np.ones((3, 1)), [1, 2, 3]), series, 2)
    with pytest.raises(TypeError, match="got a Pipeline of"):
        forecast(make_pipeline(LinearRegression()), series, 2)


# --------------------------------------------------------------- intervals
def test_intervals_cover_an_ar2_process_as_stated():
    series = _ar2(3000)
    model = make_pipeline(WindowTransformer(5), LSTMRegressor([8], random_state=0))
    model.fit(series[:1999], series[1:2000])
    assert model[-1].n_validation_samples_ == 200
    origins = np.arange(1999, 2997)
    _, lower, upper = forecast(model, series, 3, origins=origins, coverage=0.9)
    actual = np.stack([series[origins + k] for k in (1, 2, 3)], axis=1)
    coverage = ((lower <= actual) & (actual <= upper)).mean(axis=0)
    assert np.all((coverage >= 0.85) & (coverage <= 0.95)), coverage
    # Wider a step further, as the errors grow.
    widths = (upper - lower).mean(axis=0)
    assert widths[0] < widths[1]


def test_an_interval_is_the_conformal_quantile_of_the_errors_up_to_its_origin(
    series, linear
):
    point, lower, upper = forecast(
        linear, series, 2, origins=[300, 350], coverage=0.8, calibration_size=40
    )
    # Origin 350, step 2: the errors of the 2-step forecasts landing on rows
    # 311 to 350, from origins 309 to 348; the ceil(41 * 0.8) = 33rd smallest.
    earlier = forecast(linear, series, 2, origins=np.arange(309, 349))
    errors = np.abs(earlier[:, 1] - series[311:351])
    assert upper[1, 1] - point[1, 1] == pytest.approx(np.sort(errors)[32])
    assert point[1, 1] - lower[1, 1] == pytest.approx(np.sort(errors)[32])
    assert_allclose(point, forecast(linear, series, 2, origins=[300, 350]))


def test_intervals_read_nothing_after_their_origin(series, lstm):
    origins = np.array([300, 350])
    before = forecast(lstm, series, 3, origins=origins, coverage=0.8)
    for i, origin in enumerate(origins):
        changed = series.copy()
        changed[origin + 1 :] += 50.0
        after = forecast(lstm, changed, 3, origins=origins, coverage=0.8)
        for mine, theirs in zip(after, before, strict=True):
            assert_array_equal(mine[i], theirs[i])


def test_a_pipeline_with_pandas_output_forecasts_without_warnings():
    frame = pd.DataFrame({"v": np.sin(np.arange(120) / 5) + np.arange(120) / 100})
    plain = make_pipeline(WindowTransformer(8, flatten=True), LinearRegression())
    plain.fit(frame.iloc[:-1], frame["v"].iloc[1:])
    named = clone(plain).set_output(transform="pandas")
    named.fit(frame.iloc[:-1], frame["v"].iloc[1:])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = forecast(named, frame, 3)
        backtest(named, frame, 3, test_size=10)
    assert_allclose(found, forecast(plain, frame, 3))


def test_interval_errors(series, linear, lstm):
    with pytest.raises(ValueError, match="Pass calibration_size"):
        forecast(linear, series, 2, coverage=0.9)
    with pytest.raises(ValueError, match=r"coverage=0\.9 needs at least 9 calibration"):
        forecast(linear, series, 2, coverage=0.9, calibration_size=8)
    with pytest.raises(ValueError, match=r"the model's validation tail has \d+\."):
        forecast(lstm, series, 2, coverage=0.999)
    with pytest.raises(
        ValueError,
        match="needs forecasts from row 2, but the first row with a full window is 7",
    ):
        forecast(linear, series, 3, origins=[40], coverage=0.5, calibration_size=36)
    # Checked even without coverage, rather than ignored.
    with pytest.raises(ValueError, match=r"calibration_size must be an int >= 1"):
        forecast(linear, series, 2, calibration_size=-5)
    with pytest.raises(TypeError, match=r"calibration_size must be an int >= 1"):
        backtest(linear, series, 2, test_size=10, calibration_size=2.5)
    point, lower, upper = forecast(lstm, series, 2, coverage=0.9)
    assert point.shape == lower.shape == upper.shape == (2,)
    assert np.all(lower < point) and np.all(point < upper)


# ---------------------------------------------------------------- backtest
def test_backtest_of_a_fitted_model_is_its_forecasts(series, lstm):
    forecasts, errors = backtest(lstm, series, 3, test_size=40, coverage=0.9)
    origins = np.arange(359, 397)
    assert forecasts["origin"].unique().tolist() == origins.tolist()
    assert list(forecasts.columns) == [
        "origin",
        "time",
        "step",
        "target",
        "actual",
        "forecast",
        "lower",
        "upper",
    ]
    point, lower, _ = forecast(lstm, series, 3, origins=origins, coverage=0.9)
    assert_allclose(forecasts["forecast"], point.ravel())
    assert_allclose(forecasts["lower"], lower.ravel())
    assert_array_equal(forecasts["actual"], series[forecasts["time"]])
    assert_array_equal(forecasts["time"], forecasts["origin"] + forecasts["step"])
    # Per-step errors are those of the rows.
    assert errors["step"].tolist() == [1, 2, 3]
    assert errors["n"].tolist() == [38, 38, 38]
    for step in (1, 2, 3):
        rows = forecasts[forecasts["step"] == step]
        error = rows["forecast"] - rows["actual"]
        mine = errors.set_index("step").loc[step]
        assert mine["mse"] == pytest.approx(np.mean(error**2))
        assert mine["mae"] == pytest.approx(np.mean(np.abs(error)))
        inside = (rows["lower"] <= rows["actual"]) & (rows["actual"] <= rows["upper"])
        assert mine["coverage"] == pytest.approx(inside.mean())


class _Recorder(LinearRegression):
    """LinearRegression that remembers how many rows each fit saw."""

    seen: list = []

    def fit(self, X, y, sample_weight=None):
        _Recorder.seen.append(len(X))
        return super().fit(X, y, sample_weight)


def test_backtest_refits_on_every_row_before_each_group(series):
    _Recorder.seen = []
    model = make_pipeline(WindowTransformer(5, flatten=True), _Recorder())
    forecasts, _ = backtest(model, series, 2, test_size=21, refit=5)
    # Origins 378 to 397 in groups of 5; a group's model saw rows up to its
    # first origin: windows of rows 0 .. t - 1 with targets up to row t.
    assert _Recorder.seen == [378, 383, 388, 393]
    assert forecasts["origin"].min() == 378 and forecasts["origin"].max() == 397
    _Recorder.seen = []
    backtest(model, series, 2, test_size=21)  # unfitted: fitted once
    assert _Recorder.seen == [378]
    _Recorder.seen = []
    backtest(model, series, 2, test_size=21, refit=True)
    assert len(_Recorder.seen) == 20


def test_backtest_direct_strategy_and_pandas_labels(series):
    index = pd.date_range("2000-01-01", periods=len(series), freq="W")
    frame = pd.Series(series, index=index, name="y")
    model = make_pipeline(WindowTransformer(6, flatten=True), LinearRegression())
    forecasts, _ = backtest(model, frame, 4, test_size=30, strategy="direct")
    assert forecasts["origin"].iloc[0] == index[369]
    assert forecasts["time"].iloc[3] == index[373]
    assert set(forecasts["target"]) == {"y"}
    # The same model fitted by hand on the rows up to the first origin.
    by_hand = make_pipeline(WindowTransformer(6, flatten=True), LinearRegression())
    by_hand.fit(series[: 370 - 4], horizon_targets(series[:370], 4))
    expected = forecast(by_hand, series, 4, origins=np.arange(369, 396))
    assert_allclose(forecasts["forecast"], expected.ravel())
    with pytest.raises(ValueError, match="strategy='recursive', but the model"):
        backtest(by_hand, series, 4, test_size=30, strategy="recursive")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"test_size": 2}, ValueError, "test part of 2 rows of 400: it needs at least"),
        ({"test_size": 400}, ValueError, "test part of 400 rows"),
        ({"test_size": 1.5}, ValueError, "test_size must be an int"),
        ({"test_size": "all"}, TypeError, "test_size must be an int"),
        (
            {"test_size": 30, "refit": 0},
            ValueError,
            "refit must be True, False or an int >= 1",
        ),
        ({"test_size": 30, "strategy": "both"}, ValueError, "strategy must be"),
        # The first forecast would read a padded window of 8 rows.
        ({"test_size": 395}, ValueError, "test_size=395 leaves 5 rows before"),
        ({"test_size": 3, "targets": 0.0}, TypeError, "targets must be a column"),
    ],
)
def test_backtest_errors(series, linear, kwargs, error, match):
    with pytest.raises(error, match=match):
        backtest(linear, series, 3, **kwargs)


def test_backtest_fits_only_a_pipeline_that_builds_its_windows(series, lstm):
    bare = LSTMRegressor(**TINY)
    for model, refit in ((bare, False), (lstm[-1], True)):
        with pytest.raises(TypeError, match="backtest fits the model on the rows"):
            backtest(model, series[:, None], 2, test_size=10, refit=refit)
    # Fitted and not refitted, the regressor is backtested as it is.
    forecasts, _ = backtest(lstm[-1], series, 2, test_size=10)
    assert len(forecasts) == 18


def test_backtest_of_an_unfitted_model_needs_a_window_before_the_test_part(series):
    model = make_pipeline(WindowTransformer(8, flatten=True), LinearRegression())
    with pytest.raises(ValueError, match="test_size=393 leaves 7 rows before"):
        backtest(model, series, 3, test_size=393)
    forecasts, _ = backtest(model, series, 3, test_size=392)
    assert forecasts["origin"].min() == 7


def test_backtest_test_size_as_a_fraction(series, linear):
    _, errors = backtest(linear, series, 1, test_size=0.1)
    assert errors["n"].tolist() == [40]


def test_named_columns_must_be_those_the_model_was_fitted_on():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"y": rng.rand(60), "cal": rng.rand(60)})
    model = make_pipeline(WindowTransformer(4, flatten=True), LinearRegression())
    model.fit(frame.iloc[:-1], frame["y"].iloc[1:])
    future = rng.rand(3)
    for named in (pd.DataFrame({"y": future}), pd.Series(future, name="y")):
        with pytest.raises(ValueError, match=r"columns \['y'\] are not history's"):
            forecast(model, frame, 3, targets="y", future_covariates=named)
    # Unnamed values are read by position.
    assert forecast(
        model, frame, 3, targets="y", future_covariates=pd.Series(future)
    ).shape == (3,)
    alone = make_pipeline(WindowTransformer(4, flatten=True), LinearRegression())
    alone.fit(frame[["y"]].iloc[:-1], frame["y"].iloc[1:])
    for renamed in (frame[["y"]].rename(columns={"y": "q"}), frame["y"].rename("q")):
        with pytest.raises(ValueError, match=r"history's columns \['q'\] are not"):
            forecast(alone, renamed, 2)
    assert forecast(alone, frame["y"], 2).shape == (2,)


def test_outputs_as_many_as_the_columns_are_read_as_direct_steps_with_a_warning():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"y": np.sin(np.arange(80) / 3), "cal": rng.rand(80)})
    next_rows = make_pipeline(WindowTransformer(5, flatten=True), LinearRegression())
    next_rows.fit(frame.iloc[:-1], frame.iloc[1:].to_numpy())
    # Two outputs per window: the next row of both columns, or two steps of y.
    with pytest.warns(UserWarning, match=r"read as 2 steps of \['y'\]"):
        steps = forecast(next_rows, frame, 2, targets="y")
    assert_allclose(steps, forecast(next_rows, frame, 1)[0])
    with pytest.raises(ValueError, match="strategy='recursive', but the model"):
        forecast(next_rows, frame, 2, targets="y", strategy="recursive")
    with pytest.raises(ValueError, match="strategy must be 'recursive', 'direct'"):
        forecast(next_rows, frame, 2, strategy="both")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert forecast(next_rows, frame, 2).shape == (2, 2)
        # Told the strategy, or fitting the model itself, nothing is guessed.
        forecast(next_rows, frame, 2, targets="y", strategy="direct")
        backtest(
            clone(next_rows), frame, 2, test_size=10, targets="y", strategy="direct"
        )


def _daily_frame():
    t = np.arange(120.0)
    return pd.DataFrame(
        {"y": np.sin(t / 5), "z": np.cos(t / 7), "c": (t % 7) / 7},
        index=pd.date_range("2020-01-01", periods=120, freq="D"),
    )


def _linear_windows(time_steps=4):
    return make_pipeline(
        WindowTransformer(time_steps, flatten=True), LinearRegression()
    )


def test_outputs_that_read_two_ways_warn_unless_the_strategy_is_given():
    frame = _daily_frame()
    direct = _linear_windows().fit(
        frame.iloc[:-3], horizon_targets(frame, 3, targets="y")
    )
    with pytest.warns(UserWarning, match="could also be the steps of 3 of"):
        forecast(direct, frame, 3, targets="y")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        by_hand = direct.predict(frame)[-1]
        assert_allclose(
            forecast(direct, frame, 3, targets="y", strategy="direct"), by_hand
        )
        # One column: no other reading.
        single = _linear_windows().fit(frame[["y"]].iloc[:-1], frame["y"].iloc[1:])
        forecast(single, frame[["y"]], 3)


def test_a_bare_regressor_forecasts_in_the_order_it_was_fitted_on():
    series = np.sin(np.arange(80) / 5)
    windows = np.ascontiguousarray(causal_windows(series[:, None], 6)[5:-1])
    model = LSTMRegressor(rnn_layers=[4], steps=20, random_state=0)
    model.fit(windows, series[6:])
    before = forecast(model, series, 3)
    model.set_params(time_order="newest_first")
    assert_array_equal(forecast(model, series, 3), before)


def test_dates_out_of_order_are_refused():
    series = _daily_frame()["y"]
    model = _linear_windows().fit(series.iloc[:-1], series.iloc[1:].to_numpy())
    with pytest.raises(ValueError, match="history's dates are not increasing"):
        forecast(model, series.sort_index(ascending=False), 3)
    with pytest.raises(ValueError, match="series's dates are not increasing"):
        backtest(
            _linear_windows(), pd.concat([series, series.iloc[-1:]]), 3, test_size=10
        )


def test_dated_future_covariates_must_follow_the_history():
    frame = _daily_frame()
    model = _linear_windows().fit(
        frame.iloc[:-1], frame[["y", "z"]].iloc[1:].to_numpy()
    )
    after = pd.date_range("2020-04-30", periods=5, freq="D")
    future = pd.DataFrame({"c": (np.arange(120, 125) % 7) / 7}, index=after)
    kept = forecast(
        model,
        frame,
        5,
        targets=["y", "z"],
        future_covariates=future,
        strategy="recursive",
    )
    assert kept.shape == (5, 2)
    with pytest.raises(ValueError, match="future_covariates's dates are not incr"):
        forecast(model, frame, 5, targets=["y", "z"], future_covariates=future[::-1])
    for wrong in (future.shift(-1, freq="D"), future.shift(3, freq="D")):
        with pytest.raises(ValueError, match="future_covariates' index starts at"):
            forecast(
                model,
                frame,
                5,
                targets=["y", "z"],
                future_covariates=wrong,
                strategy="recursive",
            )


def test_dated_future_covariates_must_keep_history_s_pace_and_kind():
    frame = _daily_frame()
    model = _linear_windows().fit(
        frame.iloc[:-1], frame[["y", "z"]].iloc[1:].to_numpy()
    )
    after = pd.date_range("2020-04-30", periods=5, freq="D")
    # A day missing after the second row: the rest would be read a day early.
    gapped = pd.DatetimeIndex(
        ["2020-04-30", "2020-05-01", "2020-05-03", "2020-05-04", "2020-05-05"]
    )
    cases = [
        (
            gapped,
            "row 2 is dated 2020-05-03 00:00:00, but history's dates come every D",
        ),
        (after.tz_localize("UTC"), r"\(dates in UTC\) and history's \(dates without"),
        (after.to_period("D"), r"\(periods of D\) and history's \(dates without"),
    ]
    for index, message in cases:
        future = pd.DataFrame({"c": np.zeros(len(index))}, index=index)
        with pytest.raises(ValueError, match=message):
            forecast(
                model,
                frame,
                5,
                targets=["y", "z"],
                future_covariates=future,
                strategy="recursive",
            )


def test_an_int_target_that_names_another_column_is_refused():
    frame = _daily_frame()
    frame.columns = [1, 0, 2]
    with pytest.raises(ValueError, match="a column other than the one at position 0"):
        horizon_targets(frame, 1, targets=0)
    assert horizon_targets(frame, 1, targets="0").shape == (119, 1)


def test_backtest_names_what_leaves_it_nothing_to_score_or_fit():
    series = _daily_frame()["y"]
    with pytest.raises(ValueError, match="seasonality=200 is not shorter than"):
        backtest(_linear_windows(), series, 3, test_size=10, seasonality=200)
    one_row = make_pipeline(WindowTransformer(1, flatten=True), LinearRegression())
    with pytest.raises(
        ValueError, match=r"test_size=119 leaves 1 rows .* no row to fit"
    ):
        backtest(one_row, series, 3, test_size=119)
    twins = pd.DataFrame(_daily_frame()[["y", "z"]].to_numpy(), columns=["y", "y"])
    with pytest.raises(ValueError, match="two columns named 'y'"):
        backtest(_linear_windows(), twins, 3, test_size=10)


def test_a_pipeline_that_cannot_forecast_is_described_step_by_step():
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    series = _daily_frame()["y"]
    scaled = make_pipeline(StandardScaler(), WindowTransformer(4, flatten=True))
    with pytest.raises(
        TypeError, match="Pipeline of StandardScaler, WindowTransformer"
    ):
        forecast(scaled.fit(series.to_frame()), series, 3)
    ends = make_pipeline(WindowTransformer(4, flatten=True), FunctionTransformer())
    with pytest.raises(TypeError, match="must end with a regressor"):
        forecast(ends.fit(series.to_frame()), series, 3)
    with pytest.raises(TypeError, match="refit must be True, False or an int"):
        backtest(_linear_windows(), series, 3, test_size=10, refit=None)
