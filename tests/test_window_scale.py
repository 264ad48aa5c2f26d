"""Per-window scaling (window_scale) and early stopping on each series' own
tail (groups): what panels of series on different scales need."""

import warnings

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from sklstm import (
    LSTMRegressor,
    SeriesChunks,
    WindowTransformer,
    causal_windows,
    forecast,
    load,
)
from sklstm._panel_forecast import series_params
from sklstm._scaling import (
    WindowScaling,
    spread_growth,
    window_scales,
    window_spreads,
)

TINY = {"rnn_layers": [4], "steps": 40, "print_steps": 10, "batch_size": 16}


def _panel(levels=(1.0, 1000.0), n_rows=120, time_steps=6, seed=0):
    """Windows and next values of seasonal series at very different levels."""
    rng = np.random.RandomState(seed)
    windows, targets, groups = [], [], []
    for number, level in enumerate(levels):
        t = np.arange(n_rows + time_steps)
        series = level * (
            2 + np.sin(2 * np.pi * t / 12) + 0.05 * rng.normal(size=len(t))
        )
        windows.append(
            np.lib.stride_tricks.sliding_window_view(series[:-1], time_steps)
        )
        targets.append(series[time_steps:])
        groups.append(np.full(n_rows, f"s{number}"))
    return np.concatenate(windows), np.concatenate(targets), np.concatenate(groups)


def test_window_scales_are_mean_absolute_values_and_never_zero():
    windows = np.array(
        [
            [[2.0, 0.0], [-4.0, 0.0]],
            [[np.nan, 1.0], [6.0, 3.0]],
            [[np.nan, np.nan], [np.nan, np.nan]],
        ]
    )
    np.testing.assert_array_equal(
        window_scales(windows), [[3.0, 1.0], [6.0, 2.0], [1.0, 1.0]]
    )


def test_divided_targets_map_back_exactly():
    rng = np.random.RandomState(0)
    windows = rng.uniform(1, 100, size=(50, 4, 2))
    windows[3] = 0.0  # a window of zeros is left as it is
    y = rng.uniform(1, 100, size=(50, 2))
    scaling = WindowScaling(
        x_mean=np.array([1.0, 0.5]),
        x_scale=np.array([0.5, 2.0]),
        y_mean=np.array([0.1, -0.2]),
        y_scale=np.array([0.3, 3.0]),
        reference=np.array([-1, 1]),
        divisor=np.array([0, 1]),
    )
    scaled = scaling.transform_targets(windows, y).astype(np.float64)
    np.testing.assert_allclose(scaling.inverse_targets(windows, scaled), y, rtol=1e-5)
    inputs = scaling.transform_windows(windows)
    divided = windows / window_scales(windows)[:, None, :]
    expected = (np.log(divided[..., 0] + 0.1) - 1.0) / 0.5
    np.testing.assert_allclose(inputs[..., 0], expected, rtol=1e-5)
    np.testing.assert_array_equal(inputs[3], scaling.transform_windows(windows[3:4])[0])


def test_auto_divides_a_panel_and_leaves_a_single_series_alone():
    X, y, _ = _panel()
    panel = LSTMRegressor(**TINY, random_state=0).fit(X, y)
    assert panel.window_scale_ is True
    single = X[:120], y[:120]
    assert LSTMRegressor(**TINY, random_state=0).fit(*single).window_scale_ is False
    # Values below zero: a window's mean absolute value is no level.
    assert (
        LSTMRegressor(**TINY, random_state=0).fit(X - 2.5, y - 2.5).window_scale_
        is False
    )
    assert (
        LSTMRegressor(**TINY, window_scale=True, random_state=0)
        .fit(*single)
        .window_scale_
    )
    off = LSTMRegressor(**TINY, window_scale=False, random_state=0).fit(X, y)
    assert off.window_scale_ is False


def test_spread_growth_tells_swings_in_proportion_from_swings_of_one_size():
    rng = np.random.RandomState(0)
    levels = np.exp(np.linspace(0, 5, 200))
    noise = rng.normal(size=(200, 8))
    proportional = levels[:, None] * (1 + 0.1 * noise)
    one_size = levels[:, None] + noise
    for windows, slope in ((proportional, 1.0), (one_size, 0.0)):
        windows = windows[:, :, None]
        growth = spread_growth(window_scales(windows), window_spreads(windows))
        assert growth == pytest.approx([slope], abs=0.1)
    # Padded steps count in no spread; a window of padding alone has none.
    padded = np.array([[[np.nan], [1.0], [3.0]], [[np.nan], [np.nan], [np.nan]]])
    spreads = window_spreads(padded)
    assert spreads[0, 0] == 1.0 and np.isnan(spreads[1, 0])
    # Values near the float limit give an infinite spread, without a warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isinf(window_spreads(np.array([[[1e200], [-1e200]]])))[0, 0]
    # Windows all of one scale show no growth.
    assert spread_growth(np.ones((5, 1)), np.ones((5, 1))) == [0.0]


def test_auto_divides_growth_but_not_a_noisy_trend_from_zero():
    # Both series' windows span far more than an order of magnitude; only
    # the growing one's ups and downs grow with its level.
    rng = np.random.RandomState(1)
    ramp = np.abs(np.linspace(0, 100, 200) + rng.normal(0, 0.5, 200))
    growth = np.exp(np.linspace(-4, 3, 200)) * (1 + 0.05 * rng.normal(size=200))
    model = LSTMRegressor(**TINY, random_state=0)
    for series, divided in ((ramp, False), (growth, True)):
        X = np.lib.stride_tricks.sliding_window_view(series[:-1], 6)
        assert model.fit(X, series[6:]).window_scale_ is divided


def test_auto_divides_the_series_of_a_panel_at_like_levels():
    X, y, groups = _panel(levels=(1.0, 2.0))
    model = LSTMRegressor(**TINY, random_state=0)
    # Levels twice apart: no spread tells a panel from one series' windows...
    assert model.fit(X, y).window_scale_ is False
    # ...but groups naming two series do.
    assert model.fit(X, y, groups=groups).window_scale_ is True
    one = np.full(len(groups), "s0")
    assert model.fit(X, y, groups=one).window_scale_ is False
    assert model.fit(X - 2.5, y - 2.5, groups=groups).window_scale_ is False
    # A target below zero where no window is: "auto" leaves the windows whole
    # rather than refusing the target.
    below = np.r_[y[:-1], -3.0]
    assert model.fit(X, below, groups=groups).window_scale_ is False
    # The same for a value below zero in a held-out window only.
    held_out = X.copy()
    held_out[-1, 0] = -3.0
    assert model.fit(held_out, y, groups=groups).window_scale_ is False


def test_auto_leaves_windows_whole_where_a_covariate_goes_below_zero():
    X, y, _ = _panel()
    # A calendar term in [-1, 1] beside a panel whose levels differ 1000-fold:
    # dividing every feature would need its logarithm.
    calendar = np.sin(np.arange(X.shape[0] + X.shape[1])[:, None] / 2.0)
    windows = np.concatenate(
        [
            X[..., None],
            np.lib.stride_tricks.sliding_window_view(calendar[:, 0], 6)[
                : len(X), :, None
            ],
        ],
        axis=2,
    )
    model = LSTMRegressor(**TINY, random_state=0).fit(windows, y)
    assert model.window_scale_ is False
    assert np.isfinite(model.predict(windows[:5])).all()
    with pytest.raises(ValueError, match="far below zero"):
        LSTMRegressor(**TINY, window_scale=True, random_state=0).fit(windows, y)


def test_divided_fit_does_not_depend_on_the_panel_scale():
    X, y, _ = _panel()
    model = LSTMRegressor(**TINY, window_scale=True, random_state=0).fit(X, y)
    scaled = LSTMRegressor(**TINY, window_scale=True, random_state=0)
    scaled.fit(X * 1000.0, y * 1000.0)
    np.testing.assert_allclose(
        scaled.predict(X * 1000.0), 1000.0 * model.predict(X), rtol=1e-3
    )


def test_small_series_are_forecast_well_beside_large_ones():
    X, y, groups = _panel()
    small = groups == "s0"
    errors = {}
    for setting in (False, True):
        model = LSTMRegressor(
            rnn_layers=[8], steps=300, window_scale=setting, random_state=0
        )
        model.fit(X, y)
        errors[setting] = np.mean((model.predict(X[small]) - y[small]) ** 2)
    # Globally standardised, the small series sits near zero beside the large
    # one; divided by its own scale it is as clear as the large one.
    assert errors[True] < errors[False] / 10


def test_values_far_below_zero_are_refused_by_a_divided_model():
    X, y, _ = _panel()
    with pytest.raises(ValueError, match=r"y has a value \(-1e\+06\) far below zero"):
        LSTMRegressor(**TINY, window_scale=True).fit(X, np.r_[y[:-1], -1e6])
    model = LSTMRegressor(**TINY, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"X has a value .* window_scale=False"):
        model.predict(np.c_[X[:1, :-1], [[-1e6]]])


def test_windows_of_zeros_give_finite_predictions():
    X, y, _ = _panel()
    X[:20], y[:20] = 0.0, 0.0
    model = LSTMRegressor(**TINY, window_scale=True, random_state=0).fit(X, y)
    assert np.isfinite(model.predict(X)).all()
    assert np.isfinite(model.predict(np.zeros((3, 6)))).all()


def test_padded_input_and_chunk_statistics_refuse_true():
    X, y, _ = _panel()
    X3 = X[:, :, None].copy()
    X3[0, :2] = np.nan
    with pytest.raises(
        ValueError,
        match="window_scale=True divides each window by the mean of its steps",
    ):
        LSTMRegressor(**TINY, window_scale=True).fit(X3, y)
    assert LSTMRegressor(**TINY, random_state=0).fit(X3, y).window_scale_ is False
    series = np.abs(np.sin(np.arange(200.0)))[:, None] + 1.0
    chunks = SeriesChunks(series, 6, chunk_size=100)
    first_X, first_y = next(iter(chunks))
    with pytest.raises(ValueError, match="window_scale=True divides each window"):
        LSTMRegressor(**TINY, window_scale=True).partial_fit(
            first_X, first_y, statistics=chunks.statistics()
        )


def test_divided_model_survives_save_and_load(tmp_path):
    X, y, _ = _panel()
    model = LSTMRegressor(**TINY, random_state=0).fit(X, y)
    model.save(tmp_path / "m.sklstm")
    loaded = load(tmp_path / "m.sklstm")
    assert loaded.window_scale_ is True and loaded.window_scale == "auto"
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded._scaling.zero_scale, model._scaling.zero_scale)


def test_files_that_divide_windows_of_zeros_by_one_still_load(tmp_path):
    from test_persistence_safe import (
        _drop_version_13_fields,
        _drop_version_14_fields,
        _saved_as_older_version,
    )

    X, y, _ = _panel()
    model = LSTMRegressor(**TINY, random_state=0).fit(X, y)
    path = tmp_path / "m.sklstm"
    _saved_as_older_version(model, path, 14, _drop_version_14_fields)
    loaded = load(path)
    assert loaded._scaling.zero_scale is None
    # No window of these series is all zeros: the predictions are the same.
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    # Saved again, it says what it divides windows of zeros by: 1.
    loaded.save(path)
    np.testing.assert_array_equal(load(path)._scaling.zero_scale, [1.0])
    np.testing.assert_array_equal(load(path).predict(X), model.predict(X))
    _saved_as_older_version(model, path, 13, _drop_version_13_fields)
    assert load(path)._scaling.zero_scale is None


def test_groups_hold_out_each_series_tail():
    X, y, groups = _panel(levels=(1.0, 10.0, 100.0))
    model = LSTMRegressor(**TINY, random_state=0, validation_fraction=0.1)
    train, validation = model._validation_rows(y[:, None], None, groups)
    expected = np.r_[108:120, 228:240, 348:360]
    np.testing.assert_array_equal(validation, expected)
    np.testing.assert_array_equal(np.sort(np.r_[train, validation]), np.arange(360))
    model.fit(X, y, groups=groups)
    assert model.n_validation_samples_ == 36
    # Groups given by labels in any order: each label's rows in their order.
    shuffled = np.r_[np.flatnonzero(groups == "s2"), np.flatnonzero(groups != "s2")]
    _, held = model._validation_rows(y[shuffled, None], None, groups[shuffled])
    np.testing.assert_array_equal(
        shuffled[held], np.r_[108:120, 228:240, 348:360][[*range(24, 36), *range(24)]]
    )


def test_nan_in_a_panels_windows_is_named_as_padding():
    X, y, groups = _panel(levels=(1.0, 2.0))
    X = X.copy()
    X[120, :3] = np.nan  # the second series' first window misses its start
    with pytest.warns(UserWarning, match="steps of NaN, read as padding, in"):
        model = LSTMRegressor(**TINY, random_state=0).fit(
            X[:, :, None], y, groups=groups
        )
    assert model.window_scale_ is False and model.linear_loss_ is None


def test_bad_groups_are_named():
    X, y, groups = _panel()
    model = LSTMRegressor(**TINY, random_state=0).fit(X, y)
    before = model.predict(X[:3])
    with pytest.raises(ValueError, match="groups must label each of the 240 rows"):
        model.fit(X, y, groups=groups[:10])
    with pytest.raises(ValueError, match=r"groups must be 1-D.*shape \(240, 2\)"):
        model.fit(X, y, groups=np.c_[groups, groups])
    bad = groups.astype(object)
    bad[5] = None
    with pytest.raises(ValueError, match="groups has missing labels"):
        model.fit(X, y, groups=bad)
    with pytest.raises(ValueError, match="some group needs at least 2 rows"):
        model.fit(X[:3], y[:3], groups=["a", "b", "c"])
    np.testing.assert_array_equal(model.predict(X[:3]), before)


def test_panel_backtest_passes_the_series_to_the_network():
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline

    ids = np.array(["a", "a", "b"])
    pipeline = make_pipeline(WindowTransformer(3, series_id=0), LSTMRegressor())
    params = series_params(pipeline, "fit", ids)
    assert list(params) == ["lstmregressor__groups"]
    np.testing.assert_array_equal(params["lstmregressor__groups"], ids)
    assert series_params(LSTMRegressor(), "fit", ids)["groups"] is ids
    assert series_params(make_pipeline(LinearRegression()), "fit", ids) == {}
    # Pipeline.predict hands its parameters to the final step as they are.
    assert list(series_params(pipeline, "predict", ids)) == ["groups"]
    assert series_params(make_pipeline(LinearRegression()), "predict", ids) == {}


def test_forecasts_never_go_below_zero_and_feed_back_into_windows():
    # A sawtooth that rests at zero: the network's forecast of a zero can be a
    # little below it, and a recursive forecast fed that back into a window
    # of a tiny scale, whose logarithm does not exist.
    series = np.tile(np.r_[np.linspace(10, 0, 8), np.zeros(3)], 20)
    model = make_pipeline(
        WindowTransformer(4),
        LSTMRegressor(
            [4], steps=40, random_state=0, window_scale=True, loss="squared_error"
        ),
    ).fit(series[:-1], series[1:])
    assert model.predict(series).min() >= 0
    forecasts = forecast(model, series[:8], 4)
    assert forecasts.shape == (4,) and forecasts.min() >= 0


def test_windows_of_zeros_are_forecast_in_the_data_units():
    # Intermittent demand: windows of zeros are divided by a low window
    # scale of the data, not by 1 in whatever units the data come in.
    rng = np.random.RandomState(2)
    X, y, groups = [], [], []
    for number in range(5):
        values = np.where(rng.uniform(size=60) < 0.3, rng.poisson(5, size=60) + 1, 0)
        X.append(causal_windows(values[:-1, None].astype(float), 4))
        y.append(values[1:].astype(float))
        groups.append(np.full(59, number))
    X, y, groups = map(np.concatenate, (X, y, groups))
    zeros = (X[:, :, 0] == 0).all(axis=1)
    predictions = [
        LSTMRegressor(**TINY, random_state=0)
        .fit(X * k, y * k, groups=groups)
        .predict(X * k)
        / k
        for k in (1e-3, 1.0, 1e3)
    ]
    assert zeros.sum() > 20
    for other in predictions[1:]:
        np.testing.assert_allclose(other[zeros], predictions[0][zeros], rtol=1e-4)
