"""n_networks: several networks trained side by side, their predictions averaged."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklstm import LSTMClassifier, LSTMRegressor, load
from sklstm._network import member_suffix


@pytest.fixture(scope="module")
def sequences():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 6, 2))
    y = np.where(X[:, :, 0].sum(axis=1) > 0, "up", "down")
    return X, y


@pytest.fixture(scope="module")
def three_networks(sequences):
    X, y = sequences
    return LSTMClassifier(
        [4], n_networks=3, steps=60, standardize=False, random_state=0
    ).fit(X, y)


def _softmax(logits):
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def test_probabilities_are_the_average_of_the_networks(sequences, three_networks):
    X, _ = sequences
    model = three_networks
    # The Keras model's outputs are the three networks' logits side by side.
    logits = np.asarray(model.model_(X.astype(np.float32)), dtype=np.float64)
    assert logits.shape == (120, 6)
    members = _softmax(logits.reshape(120, 3, 2))
    assert_allclose(model.predict_proba(X), members.mean(axis=1), atol=1e-5)
    assert_array_equal(model.predict(X), model.classes_[members.mean(1).argmax(1)])
    # Each network starts from weights of its own and stays apart.
    assert not np.allclose(members[:, 0], members[:, 1], atol=1e-3)
    assert not np.allclose(members[:, 1], members[:, 2], atol=1e-3)


def test_one_network_is_the_first_of_several():
    # The first network draws the seeds and names a single one does, so a
    # network of one member is the network sklstm always built.
    from dataclasses import replace

    from sklstm._network import (
        NetworkSpec,
        build_model,
        parse_dense_layers,
        parse_rnn_layers,
    )

    spec = NetworkSpec(
        6,
        2,
        3,
        tuple(parse_rnn_layers([4, 3])),
        parse_dense_layers([5]),
        "Adam",
        0.01,
        loss="crossentropy",
    )
    one = build_model(spec, seed=7)
    three = build_model(replace(spec, members=3), seed=7)
    assert three.output_shape == (None, 9)
    assert three.count_params() == 3 * one.count_params()
    for layer in one.layers:
        for mine, theirs in zip(
            layer.get_weights(),
            three.get_layer(layer.name).get_weights(),
            strict=True,
        ):
            assert_array_equal(mine, theirs)
    first = three.get_layer("lstm_0").get_weights()[0]
    second = three.get_layer("lstm_0_member_1").get_weights()[0]
    assert not np.allclose(first, second)


def test_same_seed_same_networks(sequences, three_networks):
    X, y = sequences
    again = LSTMClassifier(
        [4], n_networks=3, steps=60, standardize=False, random_state=0
    ).fit(X, y)
    assert_array_equal(again.predict_proba(X), three_networks.predict_proba(X))


def test_save_and_load_keep_every_network(sequences, three_networks, tmp_path):
    X, _ = sequences
    path = tmp_path / "three.sklstm"
    three_networks.save(path)
    restored = load(path)
    assert restored.n_networks == 3
    assert_array_equal(restored.predict_proba(X), three_networks.predict_proba(X))


def test_regressor_averages_its_networks_over_the_linear_part(noisy_logistic_map):
    # A noisy logistic map, where the recurrent layers add to the linear part
    # clearly enough for the validation rows to keep most of what they add.
    series = noisy_logistic_map
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], 3)[..., None]
    y = series[3:]
    model = LSTMRegressor(
        [4],
        n_networks=2,
        steps=400,
        batch_size=16,
        standardize=False,
        relative=False,
        window_scale=False,
        random_state=0,
    ).fit(X, y)
    inputs = X.astype(np.float32)
    outputs = np.asarray(model.model_(inputs), dtype=np.float64)
    assert outputs.shape == (len(X), 2)
    assert_allclose(model.predict(X), outputs.mean(axis=1), rtol=1e-4, atol=1e-4)
    # Each network adds its own part to the shared linear part's outputs.
    coef, intercept = model.model_.get_layer("linear").get_weights()
    linear = X[:, :, 0] @ coef[:, 0] + intercept[0]
    added = outputs - linear[:, None]
    assert np.abs(added).max() > 0.05
    assert np.abs(added[:, 0] - added[:, 1]).max() > 1e-3
    for member in range(2):
        layer = model.model_.get_layer(f"output{member_suffix(member)}")
        layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    silent = np.asarray(model.model_(inputs), dtype=np.float64)
    assert_allclose(silent, np.column_stack([linear, linear]), atol=1e-5)


def test_networks_with_dropout_train(sequences):
    X, y = sequences
    model = LSTMClassifier(
        [{"num_units": 4, "dropout": 0.2}], n_networks=2, steps=30, random_state=0
    ).fit(X, y)
    assert model.predict_proba(X).shape == (120, 2)


@pytest.mark.parametrize(
    "value, error, match",
    [
        (0, ValueError, "'n_networks' parameter .* must be an int in the range"),
        (2.0, ValueError, "'n_networks' parameter"),
        (True, TypeError, "n_networks must be an int, not a bool"),
    ],
)
def test_bad_n_networks(sequences, value, error, match):
    X, y = sequences
    with pytest.raises(error, match=match):
        LSTMClassifier([4], n_networks=value, steps=5).fit(X, y)


def test_warm_start_refuses_another_number_of_networks(sequences, three_networks):
    import copy

    X, y = sequences
    model = copy.deepcopy(three_networks)
    before = model.predict_proba(X)
    model.set_params(warm_start=True, n_networks=2)
    with pytest.raises(ValueError, match="n_networks"):
        model.fit(X, y)
    model.set_params(n_networks=3)
    assert_array_equal(model.predict_proba(X), before)


def test_auto_averages_five_networks_on_small_data_and_one_in_chunks(sequences):
    X, y = sequences
    model = LSTMClassifier([2], steps=2, random_state=0).fit(X, y)
    assert model.n_networks == "auto"
    assert model._network_spec.members == 5
    assert model.model_.output_shape == (None, 10)
    chunked = LSTMClassifier([2], random_state=0).partial_fit(
        X, y, classes=["down", "up"]
    )
    assert chunked._network_spec.members == 1
    # warm_start continues the fitted networks, however many rows come.
    model.set_params(warm_start=True).fit(X[:60], y[:60])
    assert model._network_spec.members == 5
    assert LSTMRegressor().n_networks == 1
