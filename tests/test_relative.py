"""Relative mode: targets learnt as changes from a feature's last value."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklstm import LSTMRegressor, causal_windows, horizon_targets
from sklstm._scaling import (
    SMOOTH_CHANGE_RATIO,
    WindowScaling,
    choose_references,
    drifting_features,
)


@pytest.fixture
def integer_windows():
    # Small integers survive the float32 network dtype exactly, so any
    # difference in a round trip would be the transform's, not rounding's.
    # Each target is the next value of its own feature: a small change from
    # the window's last row.
    rng = np.random.RandomState(0)
    windows = rng.randint(-500, 500, size=(64, 6, 2)).astype(np.float64)
    y = windows[:, -1, :] + rng.randint(-5, 5, size=(64, 2))
    return windows, y


def test_relative_windows_and_targets_are_changes_from_the_last_row(integer_windows):
    windows, y = integer_windows
    scaling = WindowScaling.fit(windows, y, standardize=False, relative=True)
    inputs = scaling.transform_windows(windows)
    assert_array_equal(inputs, windows - windows[:, -1:, :])
    assert_array_equal(inputs[:, -1, :], 0.0)
    assert_array_equal(scaling.transform_targets(windows, y), y - windows[:, -1, :])


def test_relative_round_trip_is_exact(integer_windows):
    windows, y = integer_windows
    scaling = WindowScaling.fit(windows, y, standardize=False, relative=True)
    outputs = scaling.transform_targets(windows, y)
    assert_array_equal(scaling.inverse_targets(windows, outputs), y)


def test_standardised_relative_round_trip_is_exact_to_float32(integer_windows):
    windows, y = integer_windows
    scaling = WindowScaling.fit(windows, y, standardize=True, relative=True)
    outputs = scaling.transform_targets(windows, y)
    # The statistics are those of the changes, not of the levels.
    changes = y - windows[:, -1, :]
    assert_allclose(scaling.y_mean, changes.mean(axis=0))
    assert_allclose(scaling.y_scale, changes.std(axis=0))
    # One float32 rounding of a standardised value, scaled back.
    tolerance = 2 * np.finfo(np.float32).eps * (np.abs(outputs).max() + 1)
    assert_allclose(
        scaling.inverse_targets(windows, outputs),
        y,
        rtol=0,
        atol=tolerance * scaling.y_scale.max(),
    )


def test_relative_mode_ignores_the_level(integer_windows):
    # What relative mode is for: a series that drifts to a new level looks
    # the same to the network, and predictions follow the level.
    windows, y = integer_windows
    scaling = WindowScaling.fit(windows, y, standardize=True, relative=True)
    shifted = windows + 1000.0
    assert_array_equal(
        scaling.transform_windows(shifted), scaling.transform_windows(windows)
    )
    outputs = scaling.transform_targets(windows, y)
    assert_array_equal(scaling.transform_targets(shifted, y + 1000.0), outputs)
    assert_allclose(
        scaling.inverse_targets(shifted, outputs),
        scaling.inverse_targets(windows, outputs) + 1000.0,
    )


def test_absolute_mode_keeps_the_level(integer_windows):
    windows, y = integer_windows
    scaling = WindowScaling.fit(windows, y, standardize=False, relative=False)
    assert_array_equal(scaling.transform_windows(windows), windows)
    assert_array_equal(scaling.transform_targets(windows, y), y)
    assert_array_equal(scaling.inverse_targets(windows, y), y)


def test_each_target_is_measured_from_the_feature_nearest_to_it():
    rng = np.random.RandomState(0)
    windows = rng.normal(size=(200, 5, 3)) * [1.0, 10.0, 100.0]
    # Targets: the next value of feature 2, then of feature 0, then of
    # feature 2 again (a second step ahead).
    last = windows[:, -1, :]
    y = np.c_[last[:, 2] + 1, last[:, 0] + 0.1, last[:, 2] - 2]
    assert_array_equal(choose_references(windows, y, True), [2, 0, 2])
    assert_array_equal(choose_references(windows, y, False), [-1, -1, -1])
    scaling = WindowScaling.fit(windows, y, standardize=False, relative=True)
    assert_array_equal(scaling.relative_features, [True, False, True])
    inputs = scaling.transform_windows(windows)
    # Feature 1 is nobody's reference: it keeps its level.
    assert_allclose(inputs[:, :, 1], windows[:, :, 1].astype(np.float32))
    assert_allclose(inputs[:, :, 0], windows[:, :, 0] - windows[:, -1:, 0], atol=1e-4)
    assert_allclose(
        scaling.transform_targets(windows, y), [[1.0, 0.1, -2.0]] * 200, atol=1e-4
    )
    assert_allclose(scaling.inverse_targets(windows, [[1.0, 0.1, -2.0]] * 200), y)


def test_auto_chooses_relative_mode_for_drifting_series_only():
    rng = np.random.RandomState(0)
    n = 600
    walk = np.cumsum(rng.normal(size=n))  # a random walk
    trend = 0.05 * np.arange(n) + rng.normal(size=n)  # a noisy trend
    sine = np.sin(np.linspace(0, 60, n))  # smooth
    noise = rng.normal(size=n)  # pulled back to its mean at once
    ar = np.zeros(n)  # mean-reverting, lag-one correlation 0.8
    for t in range(1, n):
        ar[t] = 0.8 * ar[t - 1] + rng.normal()
    series = np.c_[walk, trend, sine, noise, ar]
    windows = causal_windows(series[:-1], 10)
    assert_array_equal(drifting_features(windows), [True, True, True, False, False])
    y = series[1:]
    assert_array_equal(choose_references(windows, y, "auto"), [0, 1, 2, -1, -1])


def test_auto_keeps_targets_that_are_not_later_values_of_a_feature():
    # A drifting input and a target that does not follow it: the target's
    # mean predicts it better than any feature's last value.
    rng = np.random.RandomState(0)
    series = np.cumsum(rng.normal(size=300))[:, None]
    windows = causal_windows(series, 5)
    unrelated = rng.normal(size=(300, 1))
    assert_array_equal(choose_references(windows, unrelated, "auto"), [-1])
    assert_array_equal(choose_references(windows, unrelated, True), [0])


def test_smooth_change_threshold_is_a_lag_one_correlation_of_about_0_99():
    # For a stationary series, mean squared change / variance = 2 (1 - rho).
    rng = np.random.RandomState(0)
    for rho, drifts in ((0.999, True), (0.95, False)):
        x = np.zeros(20_000)
        for t in range(1, len(x)):
            x[t] = rho * x[t - 1] + rng.normal()
        ratio = np.mean(np.diff(x) ** 2) / x.var()
        assert (ratio < SMOOTH_CHANGE_RATIO) == drifts
    assert pytest.approx(2 * (1 - 0.99)) == SMOOTH_CHANGE_RATIO


def test_fitted_relative_attribute_and_direct_targets():
    # A random walk with a drift: a trend the level follows out of range.
    series = np.cumsum(np.random.RandomState(0).normal(0.3, 1.0, size=300)) + 50
    X = causal_windows(series[:, None], 8)[:-3]
    Y = horizon_targets(series, 3)
    model = LSTMRegressor([4], steps=20, random_state=0).fit(X, Y)
    assert_array_equal(model.relative_, [True, True, True])
    assert_array_equal(model._scaling.reference, [0, 0, 0])
    absolute = LSTMRegressor([4], steps=20, relative=False, random_state=0)
    assert_array_equal(absolute.fit(X, Y).relative_, [False] * 3)


def test_relative_model_follows_a_level_beyond_the_training_range():
    # A ramp: every change is +1. Trained on levels 0 to 300, asked about
    # levels near 5000, only the relative model can answer from what it saw.
    series = np.arange(300.0)
    X = np.stack([series[i : i + 10] for i in range(290)])[:, :, None]
    y = series[10:]
    far = X + 5000.0
    common = dict(steps=200, early_stopping_rounds=None, random_state=0)
    # Levels from 0 to 300 span far more than tenfold: "auto" would divide
    # each window by its own scale, which is not what this test measures.
    common["window_scale"] = False
    relative = LSTMRegressor(relative=True, **common).fit(X, y)
    assert_allclose(relative.predict(far), far[:, -1, 0] + 1.0, atol=0.05)
    # A network of levels without its linear path (which extrapolates a ramp
    # of levels as well), and not divided by each window's scale, cannot.
    absolute = LSTMRegressor(relative=False, linear=False, **common).fit(X, y)
    assert np.abs(absolute.predict(far) - (far[:, -1, 0] + 1.0)).max() > 100
