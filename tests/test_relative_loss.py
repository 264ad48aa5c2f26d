"""The relative-error loss of models whose windows are divided by their own
scale (``loss="auto"`` / ``"relative_error"``)."""

import math

import numpy as np
import pytest
from test_window_scale import _panel

from sklstm import LSTMRegressor, load
from sklstm._network import RELATIVE_ERROR_KNEE, relative_errors

TINY = {"rnn_layers": [4], "steps": 60, "print_steps": 10, "batch_size": 16}


def _one_series(n_rows=120, time_steps=6, seed=0):
    rng = np.random.RandomState(seed)
    t = np.arange(n_rows + time_steps)
    series = 5 + np.sin(2 * np.pi * t / 12) + 0.1 * rng.normal(size=len(t))
    windows = np.lib.stride_tricks.sliding_window_view(series[:-1], time_steps)
    return windows, series[time_steps:]


def test_relative_errors_are_shares_of_the_actual_value():
    knee = RELATIVE_ERROR_KNEE
    gaps = [*np.log([0.5, 1.0, 1.5]), knee, knee + 1.0]
    np.testing.assert_allclose(
        relative_errors(np.array(gaps), np),
        [0.5, 0.0, 0.5, math.exp(knee) - 1, 2 * math.exp(knee) - 1],
    )


def test_a_panel_divided_by_window_scales_trains_on_relative_errors():
    X, y, groups = _panel()
    model = LSTMRegressor(**TINY, random_state=0).fit(X, y, groups=groups)
    assert model.window_scale_ and model.loss_ == "relative_error"
    assert model._network_spec.loss == "relative"
    np.testing.assert_allclose(
        model.model_.get_layer("target_scale").get_weights()[0],
        model._scaling.y_scale,
        rtol=1e-6,
    )
    assert np.isfinite(model.history_["train_loss"]).all()
    # Shares of the actual values: a model of these series errs by a few
    # percent, the mean squared error in the larger series' units by far more.
    assert 0 < model.best_loss_ < 0.5
    squared = LSTMRegressor(**TINY, loss="squared_error", random_state=0)
    squared.fit(X, y, groups=groups)
    assert squared.window_scale_ and squared.loss_ == "squared_error"
    assert "target_scale" not in [layer.name for layer in squared.model_.layers]


def test_undivided_windows_keep_the_squared_error():
    X, y = _one_series()
    model = LSTMRegressor(**TINY, random_state=0).fit(X, y)
    assert not model.window_scale_ and model.loss_ == "squared_error"
    assert model._network_spec.loss == "mse"


def test_the_validation_loss_is_the_mean_relative_error():
    # Each target y of a window of mean absolute value s, forecast as f, errs
    # by |f - y| / (y + 0.1 s): the share of the divided values on whose log
    # the network works (see window_scale).
    X, y = _one_series()
    model = LSTMRegressor(
        **TINY, window_scale=True, validation_fraction=0.2, random_state=0
    )
    model.fit(X, y)
    assert model.loss_ == "relative_error"
    held_out = slice(len(y) - model.n_validation_samples_, None)
    assert model.n_validation_evaluated_ == model.n_validation_samples_
    scales = np.abs(X[held_out]).mean(axis=1)
    forecasts = model.predict_linear(X[held_out])
    expected = np.mean(np.abs(forecasts - y[held_out]) / (y[held_out] + 0.1 * scales))
    assert model.linear_loss_ == pytest.approx(expected, rel=1e-4)


def test_relative_errors_need_divided_windows_and_a_failed_fit_changes_nothing():
    X, y = _one_series()
    model = LSTMRegressor(**TINY, random_state=0).fit(X, y)
    before = model.predict(X[:5])
    model.set_params(loss="relative_error", window_scale=False)
    with pytest.raises(ValueError, match=r"loss='relative_error'.*window_scale=True"):
        model.fit(X, y)
    np.testing.assert_array_equal(model.predict(X[:5]), before)
    assert model.loss_ == "squared_error"


def test_a_warm_start_cannot_change_the_loss():
    X, y, groups = _panel()
    model = LSTMRegressor(**TINY, warm_start=True, random_state=0)
    model.fit(X, y, groups=groups)
    before = model.predict(X[:5])
    model.set_params(loss="squared_error")
    with pytest.raises(ValueError, match="but loss changed"):
        model.fit(X, y, groups=groups)
    np.testing.assert_array_equal(model.predict(X[:5]), before)
    model.set_params(loss="relative_error")
    model.fit(X, y, groups=groups)  # what "auto" chose: the training goes on
    assert model.n_iter_ > TINY["steps"] - 1


def test_bad_loss_is_named():
    X, y = _one_series()
    with pytest.raises(ValueError, match="'loss' parameter"):
        LSTMRegressor(**TINY, loss="mape").fit(X, y)


def test_saved_and_loaded_model_keeps_its_loss(tmp_path):
    X, y, groups = _panel()
    model = LSTMRegressor(**TINY, random_state=0).fit(X, y, groups=groups)
    model.save(tmp_path / "model.sklstm")
    restored = load(tmp_path / "model.sklstm")
    assert restored.loss_ == "relative_error"
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    # A loss parameter set after the fit takes effect at the next fit: the
    # file's network keeps the loss it was trained on.
    from test_persistence_safe import MANIFEST, _rewrite

    def as_squared(manifest):
        manifest["params"]["loss"] = "squared_error"

    _rewrite(tmp_path / "model.sklstm", {MANIFEST: as_squared})
    changed = load(tmp_path / "model.sklstm")
    assert (changed.loss, changed.loss_) == ("squared_error", "relative_error")
    np.testing.assert_array_equal(changed.predict(X), model.predict(X))

    # A file whose network takes relative errors of windows it does not
    # divide is refused.
    def undivided(manifest):
        manifest["fitted"]["scaling"]["divisor"] = None

    model.save(tmp_path / "model.sklstm")
    _rewrite(tmp_path / "model.sklstm", {MANIFEST: undivided})
    with pytest.raises(ValueError, match="loss 'relative' does not agree"):
        load(tmp_path / "model.sklstm")
