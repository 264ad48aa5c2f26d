"""Cells and direction of the recurrent layers, for both estimators."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sklstm import LSTMClassifier, LSTMRegressor, load
from sklstm._network import RecurrentSpec, parse_rnn_layers


@pytest.fixture(scope="module")
def data():
    x = np.linspace(0, 30, 400)
    series = np.sin(x)
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], 8)[:, :, None]
    return X, series[8:]


@pytest.mark.parametrize(
    ("layers", "kinds"),
    [
        ([{"num_units": 6, "cell": "gru"}], ["GRU"]),
        ([{"num_units": 6, "cell": "rnn"}], ["SimpleRNN"]),
        ([{"num_units": 6, "bidirectional": True}], ["Bidirectional"]),
        (
            [{"num_units": 6, "cell": "gru", "bidirectional": True}, 4],
            ["Bidirectional", "LSTM"],
        ),
    ],
    ids=["gru", "rnn", "bidirectional-lstm", "bidirectional-gru-then-lstm"],
)
def test_cells_and_directions_fit_save_and_load(data, layers, kinds, tmp_path):
    X, y = data
    model = LSTMRegressor(layers, steps=150, random_state=0).fit(X, y)
    found = [
        type(layer).__name__
        for layer in model.model_.layers
        if type(layer).__name__ in {"LSTM", "GRU", "SimpleRNN", "Bidirectional"}
    ]
    assert found == kinds
    assert model.score(X, y) > 0.8
    model.save(tmp_path / "model.sklstm")
    restored = load(tmp_path / "model.sklstm")
    assert_array_equal(restored.predict(X), model.predict(X))
    again = LSTMRegressor(layers, steps=150, random_state=0).fit(X, y)
    assert_array_equal(again.predict(X), model.predict(X))


def test_bidirectional_directions_have_their_own_weights(data):
    X, y = data
    model = LSTMRegressor(
        [{"num_units": 4, "bidirectional": True}], steps=1, random_state=0
    ).fit(X, y)
    layer = model.model_.get_layer("bidirectional_0")
    forward = layer.forward_layer.get_weights()
    backward = layer.backward_layer.get_weights()
    assert not np.array_equal(forward[0], backward[0])
    assert layer.backward_layer.go_backwards


def test_the_classifier_takes_the_same_layers(data):
    X, y = data
    labels = (y > 0).astype(int)
    model = LSTMClassifier(
        [{"num_units": 6, "cell": "gru", "bidirectional": True}],
        n_networks=1,
        steps=150,
        random_state=0,
    ).fit(X, labels)
    assert model.score(X, labels) > 0.9


def test_ints_and_the_posts_dictionaries_keep_working():
    specs = parse_rnn_layers([5, {"num_units": 5, "keep_prob": 0.5}])
    assert specs == [
        RecurrentSpec(5),
        RecurrentSpec(5, dropout=0.5, cell="lstm", bidirectional=False),
    ]


@pytest.mark.parametrize(
    ("layers", "error", "match"),
    [
        (
            [4, {"num_units": 4, "cell": "transformer"}],
            ValueError,
            r"rnn_layers\[1\]\['cell'\] must be one of \['gru', 'lstm', 'rnn'\]; "
            "got 'transformer'",
        ),
        (
            [{"num_units": 4, "bidirectional": "yes"}],
            TypeError,
            r"rnn_layers\[0\]\['bidirectional'\] must be True or False; got 'yes'",
        ),
        (
            [{"num_units": 4, "direction": "both"}],
            ValueError,
            r"rnn_layers\[0\] has unknown keys \['direction'\]",
        ),
        (
            [{"num_units": 4, "cell": None}],
            ValueError,
            r"rnn_layers\[0\]\['cell'\] must be one of",
        ),
    ],
)
def test_unknown_keys_and_values(data, layers, error, match):
    X, y = data
    for estimator in (LSTMRegressor(layers), LSTMClassifier(layers)):
        with pytest.raises(error, match=match):
            estimator.fit(X, (y > 0).astype(int))
