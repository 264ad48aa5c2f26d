"""The two engines: which one a network gets, and that they compute the same.

The graph engine's GPU path (one uncompiled shard, Keras's layers choosing
cuDNN) runs here on the CPU, where Keras falls back to its own loop; the
cuDNN kernels themselves are exercised by tests/test_gpu.py on a GPU.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import sklstm
from sklstm import LSTMClassifier, LSTMRegressor
from sklstm._network import DenseSpec, NetworkSpec, RecurrentSpec
from sklstm._programs import (
    Engine,
    Programs,
    choose_engine,
    forward_macs,
    programs_for,
    read_state,
    shard_sizes,
)
from sklstm._training import build_network

POST = NetworkSpec(10, 1, 1, (RecurrentSpec(5),), DenseSpec(), "Adagrad", 0.03)
LARGE = NetworkSpec(50, 4, 1, (RecurrentSpec(64),) * 2, DenseSpec(), "Adam", 1e-3)
GPU_LARGE = NetworkSpec(100, 1, 1, (RecurrentSpec(256),) * 2, DenseSpec(), "Adam", 1e-3)
XLA = Engine("xla")


def test_forward_macs_counts_gates_directions_and_layers():
    assert forward_macs(POST, 100) == 100 * 10 * 4 * 5 * (1 + 5)
    mixed = NetworkSpec(
        7,
        3,
        1,
        (RecurrentSpec(4, cell="gru", bidirectional=True), RecurrentSpec(2)),
        DenseSpec(),
        "Adam",
        1e-3,
    )
    per_step = 2 * 3 * 4 * (3 + 4) + 4 * 2 * (8 + 2)
    assert forward_macs(mixed, 5) == 5 * 7 * per_step


def test_shard_sizes_are_even_and_cover_the_batch():
    assert shard_sizes(256, 2) == [128, 128]
    assert shard_sizes(100, 3) == [34, 33, 33]
    assert shard_sizes(7, 1) == [7]


@pytest.mark.parametrize(
    ("spec", "rows", "options", "expected"),
    [
        # The post's network is all overhead: one XLA program, CPU or GPU.
        (POST, 100, dict(threads=2), XLA),
        (POST, 100, dict(gpu=True), XLA),
        # Arithmetic-bound: a shard per core, at most one per 32 rows.
        (LARGE, 256, dict(threads=2), Engine("graph", 2)),
        (LARGE, 256, dict(threads=16), Engine("graph", 8)),
        (LARGE, 256, dict(threads=1), XLA),
        (LARGE, 40, dict(threads=2), XLA),
        (GPU_LARGE, 1024, dict(gpu=True), Engine("graph", 1, False)),
        # Settings override the choice.
        (LARGE, 256, dict(threads=2, setting="xla"), XLA),
        (POST, 100, dict(threads=2, setting="graph"), Engine("graph", 2)),
        (POST, 100, dict(gpu=True, setting="graph"), Engine("graph", 1, False)),
        (LARGE, 256, dict(gpu=True, setting="xla"), XLA),
    ],
)
def test_choose_engine(spec, rows, options, expected):
    assert choose_engine(spec, rows, **options) == expected


def test_networks_without_cudnn_kernels_stay_in_xla_on_a_gpu():
    masked = NetworkSpec(**{**vars(GPU_LARGE), "masked": True})
    simple = NetworkSpec(
        **{**vars(GPU_LARGE), "rnn_layers": (RecurrentSpec(256, cell="rnn"),) * 2}
    )
    recurrent_dropout = NetworkSpec(
        **{
            **vars(GPU_LARGE),
            "rnn_layers": (RecurrentSpec(256, recurrent_dropout=0.1),) * 2,
        }
    )
    for spec in (masked, simple, recurrent_dropout):
        assert choose_engine(spec, 1024, gpu=True) == XLA


def test_dropout_keeps_one_shard_on_a_cpu():
    # Concurrent shards would share the dropout layers' seed variables.
    dropout = NetworkSpec(
        **{**vars(LARGE), "rnn_layers": (RecurrentSpec(64, dropout=0.2),) * 2}
    )
    assert choose_engine(dropout, 256, threads=2) == XLA
    assert choose_engine(dropout, 256, threads=2, setting="graph") == Engine("graph", 1)


def test_set_config_engine_validates_and_leaves_threads(engine_setting):
    threads = sklstm.get_config()["n_threads"]
    sklstm.set_config(engine="graph")
    assert sklstm.get_config()["engine"] == "graph"
    assert sklstm.get_config()["n_threads"] == threads
    with pytest.raises(ValueError, match=r"engine must be one of \['auto', 'xla', "):
        sklstm.set_config(engine="cudnn")
    assert sklstm.get_config()["engine"] == "graph"


def _batches(spec, n_steps, rows, seed=0):
    rng = np.random.RandomState(seed)
    xs = rng.normal(size=(n_steps, rows, spec.time_steps, spec.n_features))
    ys = rng.normal(size=(n_steps, rows, spec.n_outputs))
    ws = rng.uniform(0.5, 2.0, size=(n_steps, rows))
    return xs.astype(np.float32), ys.astype(np.float32), ws.astype(np.float32)


SMALL = NetworkSpec(
    6, 2, 2, (RecurrentSpec(4), RecurrentSpec(3)), DenseSpec((5,)), "Adam", 0.01
)


@pytest.mark.parametrize(
    "engine", [Engine("graph", 3), Engine("graph", 1, compiled_shards=False)]
)
def test_graph_engine_trains_as_one_xla_program_does(engine):
    """The same steps from the same state: equal up to the order of sums."""
    xs, ys, ws = _batches(SMALL, 4, 50)
    results = []
    for kind in (XLA, engine):
        network = build_network(SMALL, seed=3)
        programs = programs_for(SMALL, kind, network.optimizer)
        state = read_state(network.model, network.optimizer)
        # Three of the four batches: the fourth is padding, never read.
        state, loss = programs.train(state, xs, ys, ws, np.int32(3))
        results.append(([w.numpy() for w in state[0]], loss.numpy()))
    (xla_weights, xla_loss), (graph_weights, graph_loss) = results
    assert graph_loss.shape == (2,)
    assert_allclose(graph_loss, xla_loss, rtol=1e-5)
    for a, b in zip(xla_weights, graph_weights, strict=True):
        assert_allclose(b, a, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    "engine", [Engine("graph", 3), Engine("graph", 1, compiled_shards=False)]
)
def test_graph_engine_predicts_as_one_xla_program_does(engine):
    network = build_network(SMALL, seed=1)
    trainable = [v.value for v in network.model.trainable_variables]
    non_trainable = [v.value for v in network.model.non_trainable_variables]
    rng = np.random.RandomState(0)
    # 6 blocks, 4 of them filled: the second group of 3 runs one padding block.
    blocks = rng.normal(size=(6, 256, 6, 2)).astype(np.float32)
    outputs = []
    for kind in (XLA, engine):
        programs = programs_for(SMALL, kind, network.optimizer)
        outputs.append(
            programs.predict(trainable, non_trainable, blocks, np.int32(4)).numpy()
        )
    assert outputs[1].shape == (6, 256, 2)
    assert_allclose(outputs[1][:4], outputs[0][:4], rtol=1e-5, atol=1e-6)


def test_templates_ask_for_cudnn_only_on_the_uncompiled_graph_engine():
    spec = NetworkSpec(
        5,
        1,
        1,
        (
            RecurrentSpec(3, cell="gru", bidirectional=True),
            RecurrentSpec(3, cell="rnn"),
            RecurrentSpec(3),
        ),
        DenseSpec(),
        "Adam",
        1e-3,
    )
    optimizer = build_network(spec, 0).optimizer

    def cudnn_settings(engine):
        model = programs_for(spec, engine, optimizer)._model
        layers = []
        for layer in model.layers:
            layers += (
                [layer.forward_layer, layer.backward_layer]
                if hasattr(layer, "forward_layer")
                else [layer]
            )
        return [layer.use_cudnn for layer in layers if hasattr(layer, "use_cudnn")]

    # Two GRU directions and one LSTM; SimpleRNN has no cuDNN kernel.
    assert cudnn_settings(XLA) == [False, False, False]
    assert cudnn_settings(Engine("graph", 2)) == [False, False, False]
    assert cudnn_settings(Engine("graph", 1, False)) == ["auto", "auto", "auto"]


REGRESSOR = dict(
    rnn_layers=[16], n_networks=1, batch_size=100, steps=200, random_state=0
)


def test_estimators_fit_on_either_engine_alike(engine_setting, sine_windows):
    X, y = sine_windows
    fits = {}
    for engine in ("xla", "graph"):
        sklstm.set_config(engine=engine)
        fits[engine] = LSTMRegressor(**REGRESSOR).fit(X, y)
    assert fits["xla"].score(X, y) > 0.9
    assert_allclose(fits["graph"].predict(X), fits["xla"].predict(X), atol=2e-3)
    # Deterministic, and a row's prediction does not depend on its neighbours.
    again = LSTMRegressor(**REGRESSOR).fit(X, y)
    assert_array_equal(again.predict(X), fits["graph"].predict(X))
    assert_array_equal(again.predict(X[5:6]), again.predict(X)[5:6])


def test_classifier_on_the_graph_engine(engine_setting, sine_windows):
    X, y = sine_windows
    labels = np.where(y > 0, "up", "down")
    probabilities = {}
    for engine in ("xla", "graph"):
        sklstm.set_config(engine=engine)
        model = LSTMClassifier(**REGRESSOR).fit(X, labels)
        probabilities[engine] = model.predict_proba(X)
    assert_allclose(probabilities["graph"], probabilities["xla"], atol=2e-3)
    assert (model.predict(X) == labels).mean() > 0.9


def test_batch_sizes_with_the_same_shards_weigh_their_own_rows():
    """Batches of 64 and 65 both have a shard of 32 rows, divided differently."""
    spec = NetworkSpec(4, 1, 1, (RecurrentSpec(3),), DenseSpec(), "SGD", 0.0)
    losses = {}
    for kind in (XLA, Engine("graph", 2)):
        network = build_network(spec, seed=0)
        programs = programs_for(spec, kind, network.optimizer)
        state = read_state(network.model, network.optimizer)
        for rows in (64, 65):
            xs, ys, ws = _batches(spec, 1, rows, seed=rows)
            _, loss = programs.train(state, xs, ys, ws, np.int32(1))
            losses[kind.name, rows] = loss.numpy()
    for rows in (64, 65):
        assert_allclose(losses["graph", rows], losses["xla", rows], rtol=1e-6)


def test_prediction_calls_hold_whole_groups_within_their_budget(
    engine_setting, monkeypatch
):
    """A call's blocks are a multiple of the shards, never past the budget."""
    sklstm.set_config(engine="graph")
    X = np.random.RandomState(0).normal(size=(3000, 200, 1))
    model = LSTMRegressor([4], steps=1, batch_size=64, random_state=0)
    model.fit(X[:200], X[:200, -1, 0])
    calls = []
    real = Programs.predict

    def recorded(self, trainable, non_trainable, blocks, n_blocks):
        calls.append((self.engine.shards, blocks.shape[0], int(n_blocks)))
        return real(self, trainable, non_trainable, blocks, n_blocks)

    monkeypatch.setattr(Programs, "predict", recorded)
    predicted = model.predict(X)
    # 256-row blocks of 200 values: at most 5 fit in 2**18 values.
    assert calls and all(
        size % shards == 0 and size <= 5 and n <= size for shards, size, n in calls
    )
    assert sum(n for _, _, n in calls) == -(-3000 // 256)
    assert_array_equal(predicted[1234:1236], model.predict(X[1234:1236]))


def test_an_estimator_on_the_gpu_engine_runs_on_a_cpu(monkeypatch, sine_windows):
    """The GPU path end to end (one uncompiled shard), with Keras's CPU kernels."""
    import sklstm._training

    X, y = sine_windows
    reference = LSTMRegressor(**REGRESSOR).fit(X, y)
    monkeypatch.setattr(
        sklstm._training,
        "current_engine",
        lambda spec, rows: Engine("graph", 1, compiled_shards=False),
    )
    model = LSTMRegressor(**REGRESSOR).fit(X, y)
    held = set(model._network._held_programs)
    assert held == {Engine("graph", 1, compiled_shards=False)}
    assert_allclose(model.predict(X), reference.predict(X), atol=2e-3)
    assert_array_equal(model.predict(X[3:4]), model.predict(X)[3:4])
