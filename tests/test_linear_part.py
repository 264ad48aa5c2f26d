"""The linear part: a least-squares autoregression inside every regressor."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LinearRegression

from sklstm import (
    LSTMRegressor,
    _regressor,
    causal_windows,
    horizon_targets,
    load,
    pad_sequences,
)
from sklstm._core import BaseRecurrentNetwork


def _split(windows, targets, test_fraction=0.2):
    cut = round(len(targets) * (1 - test_fraction))
    return windows[:cut], targets[:cut], windows[cut:], targets[cut:]


def _mse(predicted, actual):
    return float(np.mean((predicted - actual) ** 2))


def _linear_regression_mse(X_fit, y_fit, X_test, y_test):
    flat = LinearRegression().fit(X_fit.reshape(len(X_fit), -1), y_fit)
    return _mse(flat.predict(X_test.reshape(len(X_test), -1)), y_test)


@pytest.fixture(scope="module")
def noisy_ar2():
    rng = np.random.RandomState(0)
    series = np.zeros(600)
    for t in range(2, len(series)):
        series[t] = 0.6 * series[t - 1] + 0.25 * series[t - 2] + rng.normal()
    return causal_windows(series[:-1, None], 6)[5:], series[6:]


def test_defaults_match_least_squares_on_a_noisy_linear_autoregression(noisy_ar2):
    X_fit, y_fit, X_test, y_test = _split(*noisy_ar2)
    model = LSTMRegressor(random_state=0).fit(X_fit, y_fit)
    linear = _linear_regression_mse(X_fit, y_fit, X_test, y_test)
    assert _mse(model.predict(X_test), y_test) <= 1.05 * linear


def test_the_network_adds_what_the_linear_part_cannot_learn():
    series = np.empty(700)
    series[0] = 0.3
    for t in range(1, len(series)):
        series[t] = 3.9 * series[t - 1] * (1 - series[t - 1])
    X_fit, y_fit, X_test, y_test = _split(
        causal_windows(series[:-1, None], 3)[2:], series[3:]
    )
    model = LSTMRegressor(random_state=0).fit(X_fit, y_fit)
    linear_part = _mse(model.predict_linear(X_test), y_test)
    whole = _mse(model.predict(X_test), y_test)
    assert whole * 10 <= linear_part
    # What the fit reports says the same on its validation rows.
    assert model.best_loss_ * 10 <= model.linear_loss_


@pytest.mark.parametrize("relative", [False, True])
def test_the_linear_part_starts_as_least_squares_on_the_training_rows(relative):
    # Two features (the second a covariate), three steps ahead at once: the
    # linear path's ridge fit, fitted where the network sees the data
    # (standardised, and in relative mode measured from the series' last
    # value), is least squares on the windows.
    rng = np.random.RandomState(1)
    n = 1000
    # Around 10, the covariate is never the value nearest a target: the series
    # is every target's reference in relative mode.
    covariate = 10 + rng.normal(size=n)
    series = np.zeros(n)
    for t in range(1, n):
        series[t] = 0.7 * series[t - 1] + covariate[t - 1] - 10 + 0.3 * rng.normal()
    windows = causal_windows(np.c_[series, covariate][:-3], 4)[3:]
    targets = horizon_targets(series, 3)[3 : len(windows) + 3]
    model = LSTMRegressor(
        [4], steps=1, early_stopping_rounds=None, relative=relative, random_state=0
    ).fit(windows, targets)
    assert_array_equal(model._scaling.reference, [0, 0, 0] if relative else -1)
    # In relative mode the path reads the series from its last value, and
    # that value itself (its level): the same span as the values, so the fit
    # is least squares on the windows as given in either mode.
    flat = windows.reshape(len(windows), -1)
    expected = LinearRegression().fit(flat, targets).predict(flat)
    predicted = model.predict_linear(windows)
    assert predicted.shape == targets.shape
    # The penalty the ridge fit chooses moves its predictions by far less
    # than the noise: under 1% of least squares' own error.
    gap = np.mean((predicted - expected) ** 2)
    assert gap <= 0.01 * np.mean((expected - targets) ** 2)
    assert model.linear_loss_ == pytest.approx(_mse(predicted, targets), rel=1e-6)


class _WithoutHooks(LSTMRegressor):
    """A regressor whose fit runs the base core's hooks: the network before the
    linear part existed."""

    _uses_linear_part = BaseRecurrentNetwork._uses_linear_part
    _initialise_network = BaseRecurrentNetwork._initialise_network
    _describe_fit = BaseRecurrentNetwork._describe_fit


def test_switching_the_linear_part_off_gives_the_plain_network(sine_windows):
    X, y = sine_windows
    off = LSTMRegressor([4], steps=120, linear=False, random_state=3).fit(X, y)
    plain = _WithoutHooks([4], steps=120, random_state=3).fit(X, y)
    assert_array_equal(off.predict(X), plain.predict(X))
    assert off.linear_loss_ is None
    names = [layer.name for layer in off.model_.layers]
    assert "linear" not in names and "flat_window" not in names
    with pytest.raises(ValueError, match=r"no linear path.*linear=False"):
        off.predict_linear(X)


def _linear_weights(model):
    return model.model_.get_layer("linear").get_weights()


def test_many_training_rows_fit_the_linear_part_on_a_seeded_sample(
    sine_windows, monkeypatch
):
    X, y = sine_windows
    settings = {"rnn_layers": [3], "steps": 1, "early_stopping_rounds": None}
    whole = LSTMRegressor(**settings, random_state=0).fit(X, y)
    monkeypatch.setattr(_regressor, "MAX_LEAST_SQUARES_ROWS", 40)
    first, again, other = (
        _linear_weights(LSTMRegressor(**settings, random_state=seed).fit(X, y))
        for seed in (0, 0, 1)
    )
    for mine, its in zip(first, again, strict=True):
        assert_array_equal(mine, its)
    assert not np.array_equal(first[0], _linear_weights(whole)[0])
    assert not np.array_equal(first[0], other[0])


def test_without_validation_the_linear_loss_reads_the_latest_rows(
    sine_windows, monkeypatch
):
    X, y = sine_windows
    monkeypatch.setattr(_regressor, "MAX_LEAST_SQUARES_ROWS", 40)
    model = LSTMRegressor([3], steps=1, early_stopping_rounds=None, random_state=0)
    model.fit(X, y)
    expected = np.mean((model.predict_linear(X[-40:]) - y[-40:]) ** 2)
    assert model.linear_loss_ == pytest.approx(expected, rel=1e-6)


def test_the_initial_network_is_the_linear_part(sine_windows):
    X, y = sine_windows
    model = LSTMRegressor([4], steps=1, learning_rate=1e-12, random_state=0)
    model.set_params(early_stopping_rounds=None).fit(X, y)
    assert_allclose(model.predict(X), model.predict_linear(X), atol=1e-6)


def test_save_and_load_keep_the_linear_part(sine_windows, tmp_path):
    X, y = sine_windows
    model = LSTMRegressor([4], steps=200, random_state=0).fit(X, y)
    path = tmp_path / "model.sklstm"
    model.save(path)
    restored = load(path)
    assert restored._network_spec.linear
    assert restored.linear_loss_ == model.linear_loss_
    assert_array_equal(restored.predict(X), model.predict(X))
    assert_array_equal(restored.predict_linear(X), model.predict_linear(X))


def test_padded_sequences_have_no_linear_part():
    rng = np.random.RandomState(0)
    sequences = [rng.normal(size=(length, 1)) for length in rng.randint(3, 7, 40)]
    X = pad_sequences(sequences, length=6)
    y = np.array([s.sum() for s in sequences])
    model = LSTMRegressor([3], steps=20, random_state=0).fit(X, y)
    assert model._network_spec.masked and not model._network_spec.linear
    assert model.linear_loss_ is None
    with pytest.raises(ValueError, match="padded sequences"):
        model.predict_linear(X)


def test_warm_start_refuses_to_switch_the_linear_part(sine_windows):
    X, y = sine_windows
    model = LSTMRegressor([3], steps=20, warm_start=True, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="but linear changed"):
        model.set_params(linear=False).fit(X, y)


def test_linear_must_be_a_bool(sine_windows):
    X, y = sine_windows
    with pytest.raises(ValueError, match="'linear' parameter"):
        LSTMRegressor(linear="yes").fit(X, y)


def test_files_from_before_the_linear_part_load_without_one(sine_windows, tmp_path):
    from test_persistence_safe import MANIFEST, _drop_version_5_fields, _rewrite

    X, y = sine_windows
    model = LSTMRegressor([3], steps=30, linear=False, random_state=0).fit(X, y)
    path = tmp_path / "model.sklstm"
    model.save(path)

    def as_written_before(manifest):
        manifest["format_version"] = 2
        del manifest["fitted"]["n_validation_evaluated_"]
        del manifest["params"]["linear"]
        del manifest["fitted"]["network"]["linear"]
        del manifest["fitted"]["linear_loss_"]
        del manifest["params"]["window_scale"]
        del manifest["fitted"]["scaling"]["divisor"]
        _drop_version_5_fields(manifest)

    _rewrite(path, {MANIFEST: as_written_before})
    restored = load(path)
    assert restored.linear is False and restored.linear_loss_ is None
    assert_array_equal(restored.predict(X), model.predict(X))


def _share_and_evidence(recurrent, left):
    """Least-squares weight of ``recurrent`` in ``left`` and its squared t."""
    weight = (recurrent @ left) / (recurrent @ recurrent)
    residual = np.sum((left - weight * recurrent) ** 2)
    return weight, (len(left) - 1) * weight**2 * (recurrent @ recurrent) / residual


@pytest.mark.parametrize("n_networks", [1, 2])
def test_every_member_keeps_the_shrunk_share_of_the_recurrent_part(
    n_networks, monkeypatch, noisy_logistic_map
):
    # After training, what the recurrent layers add (the members' average) is
    # scaled by its least-squares share in what the linear part leaves of the
    # validation targets, clipped to [0, 1], times t2 / (t2 + SHARE_SHRINKAGE).
    # On a noisy logistic map the network adds something, and the validation
    # rows measure it with some doubt.
    series = noisy_logistic_map
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], 3)
    y = series[3:]
    params = dict(steps=60, print_steps=10, batch_size=16, n_networks=n_networks)
    model = LSTMRegressor([4], random_state=0, **params).fit(X, y)
    held_out = slice(len(y) - model.n_validation_samples_, None)
    linear = model.predict_linear(X[held_out])
    recurrent = model.predict(X[held_out]) - linear
    # The same fit with the whole recurrent part kept.
    monkeypatch.setattr(
        _regressor,
        "_recurrent_share",
        lambda recurrent, left, weights: np.ones(recurrent.shape[1]),
    )
    whole = LSTMRegressor([4], random_state=0, **params).fit(X, y)
    assert_allclose(whole.predict_linear(X[held_out]), linear)
    trained = whole.predict(X[held_out]) - linear
    assert np.abs(trained).max() > 0.1
    weight, t2 = _share_and_evidence(trained, y[held_out] - linear)
    kept = t2 / (t2 + _regressor.SHARE_SHRINKAGE)
    assert 0.5 < kept < 0.9
    assert_allclose(recurrent, min(weight, 1) * kept * trained, rtol=1e-3, atol=1e-6)


def test_the_share_is_the_least_squares_weight_shrunk_by_its_evidence():
    rng = np.random.RandomState(0)
    recurrent = rng.normal(size=(40, 2))
    left = np.c_[0.5 * recurrent[:, 0], -recurrent[:, 1]] + rng.normal(size=(40, 2))
    share = _regressor._recurrent_share(recurrent, left, None)
    weight, t2 = _share_and_evidence(recurrent[:, 0], left[:, 0])
    assert share[0] == pytest.approx(weight * t2 / (t2 + 20.0))
    assert 0 < share[0] < weight < 1
    # A part that points the wrong way is dropped.
    assert share[1] == 0


def test_the_share_grows_with_the_evidence_for_it():
    rng = np.random.RandomState(0)
    signal = rng.normal(size=(400, 1))
    left = 0.5 * signal + rng.normal(size=(400, 1))
    shares = [
        _regressor._recurrent_share(signal[:n], left[:n], None)[0]
        for n in (10, 100, 400)
    ]
    assert shares[0] < shares[1] < shares[2]
    # An exact part is kept whole, however few rows show it.
    assert _regressor._recurrent_share(signal[:3], signal[:3], None)[0] == 1
    # One row is no evidence; neither is a part that adds nothing.
    assert _regressor._recurrent_share(signal[:1], left[:1], None)[0] == 0
    assert _regressor._recurrent_share(np.zeros((5, 1)), left[:5], None)[0] == 0


def test_the_share_weighs_rows_as_the_loss_does():
    rng = np.random.RandomState(3)
    recurrent = rng.normal(size=(30, 1))
    left = 0.8 * recurrent + 0.5 * rng.normal(size=(30, 1))
    weights = np.r_[np.ones(20), np.zeros(10)]
    share = _regressor._recurrent_share
    # Rows of weight 0 count for nothing; the weights' scale does not matter.
    assert share(recurrent, left, weights) == pytest.approx(
        share(recurrent[:20], left[:20], None)
    )
    assert share(recurrent, left, 3 * weights) == pytest.approx(
        share(recurrent, left, weights)
    )


@pytest.fixture(scope="module")
def trending():
    rng = np.random.RandomState(2)
    series = np.cumsum(0.5 + rng.normal(size=300))
    return causal_windows(series[:-1, None], 6)[5:], series[6:]


@pytest.fixture(scope="module")
def relative_model(trending):
    X, y = trending
    return LSTMRegressor([4], steps=60, random_state=0).fit(X, y)


def test_in_relative_mode_the_linear_part_alone_reads_the_level(
    relative_model, trending
):
    X, _ = trending
    model = relative_model
    assert_array_equal(model.relative_, [True])
    # Relative mode makes the last step zero; there the level stands instead,
    # and least squares gives it a weight.
    coef, _ = _linear_weights(model)
    assert np.abs(coef[-1]).min() > 0
    # The recurrent layers never see it: shifting every value of the windows
    # leaves what they add (the prediction less the linear part) unchanged.
    recurrent = model.predict(X) - model.predict_linear(X)
    shifted = X + 50.0
    assert_allclose(
        model.predict(shifted) - model.predict_linear(shifted), recurrent, atol=1e-4
    )


def test_files_from_before_the_levels_load_with_a_linear_part_of_changes(
    trending, tmp_path, monkeypatch
):
    from test_persistence_safe import _drop_version_10_fields, _saved_as_older_version

    X, y = trending
    # Such files came from fits whose linear path read no levels.
    with monkeypatch.context() as patch:
        patch.setattr(
            _regressor.LSTMRegressor,
            "_spec_for_scaling",
            lambda self, spec, scaling: spec,
        )
        before = LSTMRegressor([4], steps=60, random_state=0).fit(X, y)
    assert before._network_spec.levels == () and before._scaling.level_mean is None
    path = tmp_path / "model.sklstm"
    _saved_as_older_version(before, path, 9, _drop_version_10_fields)
    restored = load(path)
    assert restored._network_spec.levels == ()
    assert_array_equal(restored.predict(X), before.predict(X))


def test_a_file_whose_network_reads_levels_needs_their_statistics(
    relative_model, tmp_path
):
    import io

    from test_persistence_safe import ARRAYS, _members, _rewrite

    path = tmp_path / "model.sklstm"
    relative_model.save(path)
    with np.load(io.BytesIO(_members(path)[ARRAYS])) as npz:
        kept = {k: npz[k] for k in npz.files if not k.startswith("scaling.level")}
    buffer = io.BytesIO()
    np.savez(buffer, **kept)
    _rewrite(path, {ARRAYS: buffer.getvalue()})
    with pytest.raises(ValueError, match=r"not a valid sklstm model file.*level_mean"):
        load(path)


def test_the_held_out_rows_choose_the_linear_parts_penalty(monkeypatch):
    # Windows of 20 values on 90 rows: the penalty matters. Fitted with each
    # penalty alone, the linear path's error on the held-out rows
    # (linear_loss_) is lowest for one of them; the fit that chooses among
    # them all takes that one.
    rng = np.random.RandomState(4)
    series = np.zeros(111)
    for t in range(2, len(series)):
        series[t] = 0.5 * series[t - 1] - 0.3 * series[t - 2] + rng.normal()
    windows, targets = causal_windows(series[:-1, None], 20)[19:], series[20:]
    settings = {"rnn_layers": [2], "steps": 1, "random_state": 0}
    alone = {}
    for penalty in _regressor._RIDGE_PENALTIES:
        monkeypatch.setattr(_regressor, "_RIDGE_PENALTIES", np.array([penalty]))
        model = LSTMRegressor(**settings).fit(windows, targets)
        alone[penalty] = (model.linear_loss_, _linear_weights(model))
    monkeypatch.undo()
    chosen = LSTMRegressor(**settings).fit(windows, targets)
    best = min(alone, key=lambda penalty: alone[penalty][0])
    assert best != _regressor._RIDGE_PENALTIES[0]
    assert chosen.linear_loss_ == pytest.approx(alone[best][0], rel=1e-6)
    for mine, its in zip(_linear_weights(chosen), alone[best][1], strict=True):
        assert_allclose(mine, its, rtol=1e-5, atol=1e-7)


def _no_held_out_choice(*args):
    raise AssertionError("the held-out rows chose the penalty")


@pytest.mark.parametrize("held_out", ["none", "panel"])
def test_the_training_rows_choose_without_one_series_held_out_rows(
    held_out, monkeypatch
):
    # Without held-out rows, and on a panel (whose held-out rows are every
    # series' last windows, the same few periods), generalised
    # cross-validation on the training rows chooses the penalty.
    rng = np.random.RandomState(5)
    windows, targets = rng.normal(size=(80, 4, 1)), rng.normal(size=80)
    monkeypatch.setattr(_regressor, "_held_out_errors", _no_held_out_choice)
    if held_out == "none":
        model = LSTMRegressor([2], steps=1, early_stopping_rounds=None)
        model.fit(windows, targets)
    else:
        model = LSTMRegressor([2], steps=1, random_state=0)
        model.fit(windows, targets, groups=np.repeat([0, 1], 40))
    assert model.linear_loss_ is not None
    with pytest.raises(AssertionError, match="held-out rows chose"):
        LSTMRegressor([2], steps=1, random_state=0).fit(windows, targets)
