"""relative=True: windows and targets taken relative to each window's last row."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklstm import LSTMRegressor
from sklstm.scaling import WindowScaling


@pytest.fixture
def integer_windows():
    # Small integers survive the float32 network dtype exactly, so any
    # difference in a round trip would be the transform's, not rounding's.
    rng = np.random.RandomState(0)
    windows = rng.randint(-500, 500, size=(64, 6, 2)).astype(np.float64)
    y = rng.randint(-500, 500, size=(64, 2)).astype(np.float64)
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


@pytest.mark.parametrize(
    ("n_features", "y_shape", "message"),
    [
        (2, (30,), "X has 2 features per time step, y has 1 target"),
        (1, (30, 2), "X has 1 features per time step, y has 2 target"),
        (3, (30, 2), "X has 3 features per time step, y has 2 target"),
    ],
)
def test_relative_needs_targets_shaped_like_the_features(n_features, y_shape, message):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 5, n_features))
    y = rng.normal(size=y_shape)
    model = LSTMRegressor(steps=2, relative=True, random_state=0)
    with pytest.raises(ValueError, match=message):
        model.fit(X, y)
    assert not hasattr(model, "model_")


def test_relative_model_follows_a_level_beyond_the_training_range():
    # A ramp: every change is +1. Trained on levels 0 to 300, asked about
    # levels near 5000, only the relative model can answer from what it saw.
    series = np.arange(300.0)
    X = np.stack([series[i : i + 10] for i in range(290)])[:, :, None]
    y = series[10:]
    far = X + 5000.0
    common = dict(steps=200, early_stopping_rounds=None, random_state=0)
    relative = LSTMRegressor(relative=True, **common).fit(X, y)
    assert_allclose(relative.predict(far), far[:, -1, 0] + 1.0, atol=0.05)
    absolute = LSTMRegressor(relative=False, **common).fit(X, y)
    assert np.abs(absolute.predict(far) - (far[:, -1, 0] + 1.0)).max() > 100
