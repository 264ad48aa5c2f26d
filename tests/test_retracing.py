"""No TensorFlow retracing warnings: a grid over window lengths and batch
sizes reuses one trace per shape."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline

import sklstm
from sklstm import LSTMClassifier, LSTMRegressor, WindowTransformer


def _retracing(messages):
    return [m for m in messages if "retracing" in m]


def test_the_log_capture_sees_a_retracing_warning(tensorflow_log):
    import tensorflow as tf

    @tf.function
    def double(x):
        return 2 * x

    for n in range(1, 8):
        double(tf.zeros((n,)))
    assert _retracing(tensorflow_log)


@pytest.fixture(params=["auto", "graph"])
def engine(request, engine_setting):
    sklstm.set_config(engine=request.param)
    return request.param


def test_a_grid_over_time_steps_and_batch_size_does_not_retrace(tensorflow_log, engine):
    values = np.sin(np.linspace(0, 30, 300))
    # The graph engine splits batches of 64 or more in shards of 32 rows or
    # more. Six shapes: TensorFlow warns from the fifth trace of a function.
    batch_sizes = [8, 32] if engine == "auto" else [64, 96]
    search = GridSearchCV(
        make_pipeline(
            WindowTransformer(), LSTMRegressor([4], steps=30, random_state=0)
        ),
        {
            "windowtransformer__time_steps": [3, 5, 7],
            "lstmregressor__batch_size": batch_sizes,
        },
        cv=TimeSeriesSplit(2),
    ).fit(values[:-1, None], values[1:])
    assert len(search.cv_results_["params"]) == 6
    assert _retracing(tensorflow_log) == []


def test_classifier_refits_on_new_shapes_do_not_retrace(tensorflow_log):
    rng = np.random.RandomState(0)
    for time_steps in (4, 6, 8, 10, 12, 14):
        X = rng.normal(size=(60, time_steps, 2))
        y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
        LSTMClassifier(
            [4], n_networks=1, steps=20, batch_size=time_steps, random_state=0
        ).fit(X, y).predict(X)
    assert _retracing(tensorflow_log) == []
