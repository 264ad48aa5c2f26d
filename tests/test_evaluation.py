"""Which validation rows early stopping evaluates: all of a small part, a
fixed seeded sample of a large one, for both estimators."""

from contextlib import contextmanager

import numpy as np
import pytest

from sklstm import LSTMClassifier, LSTMRegressor, _core, load
from sklstm._training import CompiledNetwork

TINY = {
    "rnn_layers": [4],
    "n_networks": 1,
    "steps": 30,
    "print_steps": 10,
    "batch_size": 16,
}
# The regressor without its linear part, so that evaluations measure the
# recurrent network alone.
REGRESSOR = {**TINY, "linear": False}


@pytest.fixture
def evaluated(monkeypatch):
    """Rows (by their first value) of every evaluation during a fit."""
    calls: list[np.ndarray] = []
    holding_out = CompiledNetwork.holding_out

    # Evaluations read their predictions through holding_out, whether the
    # training calls or separate inference calls make them.
    @contextmanager
    def recording(self, windows, scaling):
        with holding_out(self, windows, scaling) as predictions:

            def recorded():
                # Read as inference reads: by slices of rows.
                calls.append(np.array(windows[: len(windows)][:, 0, 0]))
                return predictions()

            yield recorded

    monkeypatch.setattr(CompiledNetwork, "holding_out", recording)
    return calls


def _rows(calls, X) -> list[np.ndarray]:
    """Row indices of X that each recorded call read (X's first values differ)."""
    index = {value: row for row, value in enumerate(X[:, 0, 0])}
    return [np.array([index[value] for value in call]) for call in calls]


def _regression_data(n_rows=400):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n_rows, 5, 1))
    return X, X[:, -1, 0] + 0.1 * rng.normal(size=n_rows)


def _classification_data(n_rows=1000):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n_rows, 5, 1))
    # Classes in shares 60/30/10, listed class by class as datasets often are.
    y = np.repeat([0, 1, 2], [6 * n_rows // 10, 3 * n_rows // 10, n_rows // 10])
    return X, y


def test_small_validation_part_is_evaluated_whole(evaluated):
    X, y = _regression_data()
    model = LSTMRegressor(**REGRESSOR, random_state=0).fit(X, y)
    assert model.n_validation_samples_ == model.n_validation_evaluated_ == 40
    calls = _rows(evaluated, X)
    assert len(calls) == 3
    for rows in calls:
        np.testing.assert_array_equal(rows, np.arange(360, 400))
    # best_loss_ is the MSE of the kept weights over those rows.
    assert model.best_loss_ == pytest.approx(
        np.mean((model.predict(X[360:]) - y[360:]) ** 2), rel=1e-12
    )


def test_small_classifier_validation_part_is_evaluated_whole(evaluated):
    X, y = _classification_data(400)
    model = LSTMClassifier(**TINY, random_state=0).fit(X, y)
    assert model.n_validation_samples_ == model.n_validation_evaluated_ == 40
    assert [len(set(rows)) for rows in _rows(evaluated, X)] == [40, 40, 40]


def test_large_validation_part_is_sampled(evaluated, monkeypatch):
    monkeypatch.setattr(_core, "MAX_EVALUATED_ROWS", 12)
    X, y = _regression_data()
    model = LSTMRegressor(**REGRESSOR, random_state=0).fit(X, y)
    assert model.n_validation_samples_ == 40
    assert model.n_validation_evaluated_ == 12
    calls = _rows(evaluated, X)
    sample = calls[0]
    # 12 distinct rows of the validation tail, in order, at every evaluation.
    assert len(calls) == 3 and all(np.array_equal(r, sample) for r in calls)
    assert len(sample) == 12 and np.all(np.diff(sample) > 0)
    assert sample.min() >= 360
    assert model.best_loss_ == pytest.approx(
        np.mean((model.predict(X[sample]) - y[sample]) ** 2), rel=1e-12
    )


def _sample_of(X, y, random_state, evaluated, face=LSTMRegressor):
    evaluated.clear()
    face(**TINY, random_state=random_state).fit(X, y)
    return _rows(evaluated, X)[0]


@pytest.mark.parametrize("face", [LSTMRegressor, LSTMClassifier])
def test_sample_follows_random_state(evaluated, monkeypatch, face):
    monkeypatch.setattr(_core, "MAX_EVALUATED_ROWS", 12)
    X, y = _regression_data() if face is LSTMRegressor else _classification_data()
    first = _sample_of(X, y, 0, evaluated, face)
    np.testing.assert_array_equal(_sample_of(X, y, 0, evaluated, face), first)
    assert not np.array_equal(_sample_of(X, y, 1, evaluated, face), first)


def test_sampling_changes_no_other_draw(monkeypatch):
    # After a single step both fits keep the same weights only if the initial
    # weights and the first batch are the same.
    X, y = _regression_data()
    settings = {**REGRESSOR, "steps": 1, "print_steps": 1}
    whole = LSTMRegressor(**settings, random_state=0).fit(X, y)
    monkeypatch.setattr(_core, "MAX_EVALUATED_ROWS", 12)
    sampled = LSTMRegressor(**settings, random_state=0).fit(X, y)
    assert (whole.n_validation_evaluated_, sampled.n_validation_evaluated_) == (40, 12)
    np.testing.assert_array_equal(sampled.predict(X), whole.predict(X))


@pytest.mark.parametrize("split", ["stratified", "shuffle", "tail"])
def test_classifier_sample_keeps_class_shares(evaluated, monkeypatch, split):
    X, y = _classification_data()
    LSTMClassifier(**TINY, validation_split=split, random_state=0).fit(X, y)
    held_out = np.bincount(y[_rows(evaluated, X)[0]], minlength=3)
    assert held_out.sum() == 100
    evaluated.clear()
    monkeypatch.setattr(_core, "MAX_EVALUATED_ROWS", 20)
    model = LSTMClassifier(**TINY, validation_split=split, random_state=0)
    model.fit(X, y)
    sample = _rows(evaluated, X)[0]
    assert model.n_validation_evaluated_ == len(sample) == 20
    # Each class's share of the sample is its share of the held-out rows, to
    # the nearest row.
    expected = 20 * held_out / 100
    assert np.all(np.abs(np.bincount(y[sample], minlength=3) - expected) < 1)


def test_rows_without_weight_are_never_sampled(evaluated, monkeypatch):
    monkeypatch.setattr(_core, "MAX_EVALUATED_ROWS", 12)
    X, y = _regression_data()
    weights = np.ones(len(y))
    weights[360::2] = 0.0
    model = LSTMRegressor(**REGRESSOR, random_state=0).fit(X, y, sample_weight=weights)
    sample = _rows(evaluated, X)[0]
    assert model.n_validation_evaluated_ == 12
    assert np.all(weights[sample] > 0)
    # 20 rows of the tail carry weight: more than 12, so 12 of them are read.
    monkeypatch.setattr(_core, "MAX_EVALUATED_ROWS", 20)
    model = LSTMRegressor(**REGRESSOR, random_state=0).fit(X, y, sample_weight=weights)
    assert model.n_validation_evaluated_ == 40


def test_evaluated_rows_survive_save_and_load(tmp_path, monkeypatch):
    monkeypatch.setattr(_core, "MAX_EVALUATED_ROWS", 12)
    X, y = _regression_data()
    model = LSTMRegressor(**REGRESSOR, random_state=0).fit(X, y)
    model.save(tmp_path / "model.sklstm")
    restored = load(tmp_path / "model.sklstm")
    assert restored.n_validation_evaluated_ == 12
    assert restored.n_validation_samples_ == 40
    unvalidated = LSTMRegressor(**REGRESSOR, early_stopping_rounds=None).fit(X, y)
    assert unvalidated.n_validation_evaluated_ == 0
