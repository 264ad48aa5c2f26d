"""pickle, joblib and clone round trips."""

import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline

from sklstm import LSTMRegressor, WindowTransformer

TINY = dict(rnn_layers=[6], steps=100, random_state=0)


@pytest.fixture
def fitted(sine_windows):
    X, y = sine_windows
    return LSTMRegressor(**TINY).fit(X, y), X, y


def test_pickle_round_trip_predicts_identically(fitted):
    model, X, _ = fitted
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    assert restored.get_params() == model.get_params()
    assert restored.history_ == model.history_
    assert restored.best_loss_ == model.best_loss_
    # The original is untouched by pickling.
    np.testing.assert_array_equal(model.predict(X[:5]), restored.predict(X[:5]))


def test_joblib_round_trip_of_a_pipeline(tmp_path):
    series = np.sin(np.linspace(0, 30, 300))
    X, y = series[:-1, None], series[1:]
    pipe = make_pipeline(WindowTransformer(6), LSTMRegressor(**TINY)).fit(X, y)
    path = tmp_path / "pipe.joblib"
    joblib.dump(pipe, path)
    np.testing.assert_array_equal(joblib.load(path).predict(X), pipe.predict(X))


def test_unfitted_estimator_pickles():
    restored = pickle.loads(pickle.dumps(LSTMRegressor(**TINY)))
    assert restored.get_params() == LSTMRegressor(**TINY).get_params()
    with pytest.raises(NotFittedError):
        restored.predict(np.zeros((1, 3, 1)))


def test_clone_of_a_fitted_estimator_is_unfitted(fitted):
    model, X, _ = fitted
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "model_")
    with pytest.raises(NotFittedError):
        copy.predict(X)


def test_warm_start_after_unpickling_continues(fitted):
    model, X, y = fitted
    restored = pickle.loads(pickle.dumps(model))
    restored.set_params(warm_start=True)
    restored.fit(X, y)
    assert restored.n_iter_ == model.n_iter_ + 100


def test_a_pickled_model_with_dropout_continues_as_the_original_does():
    series = np.sin(np.linspace(0, 20, 121))[:, None] + 2
    X, y = WindowTransformer(5).fit_transform(series[:-1]), series[1:, 0]
    layers = [{"num_units": 4, "keep_prob": 0.7}]

    def fitted():
        return LSTMRegressor(layers, steps=10, random_state=0, warm_start=True).fit(
            X, y
        )

    original, copied = fitted(), pickle.loads(pickle.dumps(fitted()))
    original.fit(X, y)
    copied.fit(X, y)
    np.testing.assert_array_equal(copied.predict(X), original.predict(X))
