"""LSTMClassifier's label smoothing: what the networks are trained towards."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.utils._param_validation import InvalidParameterError

from sklstm import LSTMClassifier, load


@pytest.fixture(scope="module")
def separable():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 4, 1))
    y = np.where(X[:, :, 0].mean(axis=1) > 0, "up", "down")
    return X, y


def _fit(X, y, smoothing, **params):
    params = {"n_networks": 1, "random_state": 0, **params}
    return LSTMClassifier([8], label_smoothing=smoothing, **params).fit(X, y)


def test_smoothed_networks_stop_short_of_certainty(separable):
    X, y = separable
    fixed = {"steps": 600, "early_stopping_rounds": None, "learning_rate": 0.05}
    sharp = _fit(X, y, 0.0, **fixed)
    smoothed = _fit(X, y, 0.2, **fixed)
    assert sharp.score(X, y) == smoothed.score(X, y) == 1.0
    assert sharp.predict_proba(X).max(axis=1).min() > 0.99
    # Two classes smoothed by 0.2: the true class's target is 0.9.
    top = smoothed.predict_proba(X).max(axis=1)
    assert top.min() > 0.8 and top.max() < 0.95
    # The loss is measured beyond the smoothed targets' own entropy (0.325
    # nats), so a network that matches them trains down to about 0.
    assert smoothed.history_["train_loss"][-1] < 0.02


def test_the_training_loss_still_ends_auto_early_stopping(separable):
    X, y = separable
    model = _fit(X, y, 0.05, steps=5000, learning_rate=0.05)
    assert model.n_iter_ < 5000
    assert model.history_["train_loss"][-1] < 0.01


def test_smoothing_changes_the_fit_and_is_seeded(separable):
    X, y = separable
    first, again = (_fit(X, y, 0.1, steps=40) for _ in range(2))
    assert_array_equal(first.predict_proba(X), again.predict_proba(X))
    plain = _fit(X, y, 0.0, steps=40)
    assert not np.array_equal(first.predict_proba(X), plain.predict_proba(X))


def test_the_validation_loss_is_the_plain_cross_entropy(separable):
    X, y = separable
    model = _fit(
        X, y, 0.3, steps=100, early_stopping_rounds=1000, validation_split="tail"
    )
    tail = slice(len(X) - model.n_validation_samples_, None)
    probabilities = model.predict_proba(X[tail])
    truth = np.searchsorted(model.classes_, y[tail])
    entropy = -np.log(probabilities[np.arange(len(truth)), truth]).mean()
    assert model.best_loss_ == pytest.approx(entropy, rel=1e-4)


@pytest.mark.parametrize("value", [1.0, -0.1, 1.5, "0.1"])
def test_label_smoothing_outside_zero_to_one_is_refused(separable, value):
    X, y = separable
    with pytest.raises(InvalidParameterError, match="'label_smoothing'"):
        LSTMClassifier([2], label_smoothing=value, steps=2).fit(X, y)


def test_files_from_before_smoothing_load_with_none(separable, tmp_path):
    from test_persistence_safe import _drop_version_12_fields, _saved_as_older_version

    X, y = separable
    model = _fit(X, y, 0.0, steps=20)
    path = tmp_path / "model.sklstm"
    _saved_as_older_version(model, path, 12, _drop_version_12_fields)
    restored = load(path)
    assert restored.label_smoothing == 0.0
    assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    model.set_params(label_smoothing=0.1).save(path)
    assert load(path).label_smoothing == 0.1
