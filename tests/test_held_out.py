"""Early stopping's held-out predictions, made by the training calls themselves.

A training call that ends at an evaluation also predicts up to one block of
held-out windows; a fit must be the same as when they are predicted by a
separate inference call, and must not make those calls.
"""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import sklstm
from sklstm import LSTMClassifier, LSTMRegressor, WindowTransformer
from sklstm._programs import Programs
from sklstm._training import PREDICT_ROWS, CompiledNetwork


def _series(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(seed)
    t = np.arange(n + 1)
    values = np.sin(0.3 * t) + 0.1 * rng.randn(n + 1)
    windows = WindowTransformer(8).fit_transform(values[:-1].reshape(-1, 1))
    return windows, values[1:]


def _count_inference(monkeypatch) -> list:
    calls: list = []
    original = CompiledNetwork.predict_windows

    def counted(self, windows, scaling, **options):
        calls.append(len(windows))
        return original(self, windows, scaling, **options)

    monkeypatch.setattr(CompiledNetwork, "predict_windows", counted)
    return calls


def _regressor() -> LSTMRegressor:
    return LSTMRegressor(
        [4], steps=120, print_steps=20, early_stopping_rounds=40, random_state=0
    )


def test_a_short_tail_is_predicted_by_the_training_calls(monkeypatch):
    X, y = _series(200)
    calls = _count_inference(monkeypatch)
    model = _regressor().fit(X, y)
    assert model.n_validation_evaluated_ <= PREDICT_ROWS
    assert len(model.history_["val_loss"]) >= 2
    # Only the recurrent part's share, measured once training ends, predicts
    # the held-out rows by inference calls: before and after its shrinking.
    assert calls == [model.n_validation_evaluated_] * 2
    model.predict(X[:5])
    assert calls[2:] == [5]


def test_a_long_tail_is_predicted_by_inference_calls(monkeypatch):
    X, y = _series(3000)
    calls = _count_inference(monkeypatch)
    model = _regressor().fit(X, y)
    assert model.n_validation_evaluated_ > PREDICT_ROWS
    evaluations = len(model.history_["val_loss"])
    assert calls == [model.n_validation_evaluated_] * (evaluations + 2)


def test_the_graph_engine_predicts_the_tail_by_inference_calls(
    monkeypatch, engine_setting
):
    # Its inference runs in shards of their own, outside the training call.
    sklstm.set_config(engine="graph")
    X, y = _series(200)
    calls = _count_inference(monkeypatch)
    model = _regressor().fit(X, y)
    evaluations = len(model.history_["val_loss"])
    assert calls == [model.n_validation_evaluated_] * (evaluations + 2)


@pytest.mark.parametrize("estimator", ["regressor", "classifier"])
def test_fused_and_separate_predictions_give_the_same_fit(monkeypatch, estimator):
    if estimator == "regressor":
        X, y = _series(200)
        make = _regressor
    else:
        rng = np.random.RandomState(0)
        X = rng.randn(120, 6, 2)
        y = (X[:, :, 0].sum(axis=1) > 0).astype(int)

        def make():
            return LSTMClassifier(
                [4],
                n_networks=2,
                steps=120,
                print_steps=20,
                early_stopping_rounds=40,
                random_state=0,
            )

    fused = make().fit(X, y)
    monkeypatch.setattr(Programs, "fuses_inference", False)
    separate = make().fit(X, y)
    assert fused.history_ == separate.history_
    assert fused.best_step_ == separate.best_step_
    assert_array_equal(fused.predict(X), separate.predict(X))


def test_the_held_out_block_is_dropped_after_the_fit():
    X, y = _series(200)
    model = _regressor().fit(X, y)
    network = model._network
    assert network._held_out is None and network._held_out_outputs is None


def test_the_held_out_block_is_as_small_as_its_windows_allow(monkeypatch):
    blocks: list = []
    original = Programs.train

    def recorded(self, state, xs, ys, ws, n_steps, held_out=None):
        blocks.append(None if held_out is None else held_out.shape[0])
        return original(self, state, xs, ys, ws, n_steps, held_out=held_out)

    monkeypatch.setattr(Programs, "train", recorded)
    rng = np.random.RandomState(0)
    X = rng.randn(60, 6, 2)
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    model = LSTMClassifier(
        [4], n_networks=1, steps=40, print_steps=20, random_state=0
    ).fit(X, y)
    # 6 held-out sequences go in blocks of 32 rows, not of PREDICT_ROWS.
    assert model.n_validation_samples_ == 6
    assert blocks and set(blocks) == {32}
