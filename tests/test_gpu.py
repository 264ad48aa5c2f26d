"""Fit and predict on a GPU: skipped where TensorFlow sees none.

On a GPU the post's network runs as one XLA program (whose template never
asks for cuDNN, which XLA cannot compile) and large LSTM stacks run on the
graph engine, where Keras's layers call cuDNN. Both must match a CPU fit
closely and place their work on the GPU.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import sklstm
from sklstm import LSTMRegressor
from sklstm._config import load_tensorflow
from sklstm._network import DenseSpec, NetworkSpec, RecurrentSpec
from sklstm._programs import Engine, current_engine

tf = load_tensorflow()
pytestmark = pytest.mark.skipif(
    not tf.config.list_physical_devices("GPU"), reason="TensorFlow sees no GPU"
)


def _windows(time_steps=10, n=2000, features=1, seed=0):
    rng = np.random.RandomState(seed)
    t = np.arange(n + time_steps)
    series = np.sin(t / 7.0)[:, None] + 0.01 * rng.normal(size=(n + time_steps, 1))
    series = np.repeat(series, features, axis=1)
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], time_steps, axis=0)
    return X.transpose(0, 2, 1)[:n], series[time_steps:, 0][:n]


def _weight_devices(model):
    return {v.value.device for v in model.model_.trainable_variables}


def test_auto_engine_on_the_gpu():
    post = NetworkSpec(10, 1, 1, (RecurrentSpec(5),), DenseSpec(), "Adagrad", 0.03)
    large = NetworkSpec(100, 4, 1, (RecurrentSpec(256),) * 2, DenseSpec(), "Adam", 1e-3)
    assert current_engine(post, 100) == Engine("xla")
    assert current_engine(large, 1024) == Engine("graph", 1, compiled_shards=False)


@pytest.mark.parametrize("engine", ["xla", "graph"])
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_fit_and_predict_on_the_gpu(engine_setting, engine, cell):
    X, y = _windows()
    params = dict(
        rnn_layers=[{"num_units": 32, "cell": cell}],
        batch_size=100,
        steps=300,
        random_state=0,
    )
    sklstm.set_config(engine=engine)
    tf.config.experimental.reset_memory_stats("GPU:0")
    model = LSTMRegressor(**params).fit(X, y)
    assert model.score(X, y) > 0.9
    assert all("GPU" in device for device in _weight_devices(model))
    # The batches and the recurrent states of training went through the GPU.
    assert tf.config.experimental.get_memory_info("GPU:0")["peak"] > 100 * 32 * 4


def test_engines_agree_on_the_gpu(engine_setting):
    X, y = _windows(time_steps=20, features=4)
    params = dict(rnn_layers=[64, 64], batch_size=256, steps=100, random_state=0)
    predictions = {}
    for engine in ("xla", "graph"):
        sklstm.set_config(engine=engine)
        predictions[engine] = LSTMRegressor(**params).fit(X, y).predict(X)
    assert_allclose(predictions["graph"], predictions["xla"], atol=5e-3)
