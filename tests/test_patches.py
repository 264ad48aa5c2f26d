"""patch_length: consecutive time steps read by the recurrent layers as one."""

from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sklstm import LSTMClassifier, LSTMRegressor, load
from sklstm._network import (
    NetworkSpec,
    build_model,
    parse_dense_layers,
    parse_rnn_layers,
)
from sklstm._patches import auto_patch_length, patch_layer, patched_shape
from sklstm._scaling import PAD_VALUE


@pytest.fixture(scope="module")
def long_sequences():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 90, 2))
    y = np.where(X[:, -30:, 0].mean(axis=1) > 0, "up", "down")
    return X, y


@pytest.fixture(scope="module")
def patched(long_sequences):
    X, y = long_sequences
    return LSTMClassifier([4], n_networks=1, steps=40, random_state=0).fit(X, y)


@pytest.mark.parametrize(
    ("time_steps", "expected"),
    [(1, 1), (12, 1), (40, 1), (41, 2), (80, 2), (81, 3), (150, 4), (1460, 37)],
)
def test_auto_leaves_at_most_forty_recurrent_steps(time_steps, expected):
    patch = auto_patch_length(time_steps, 4)
    assert patch == expected
    assert patched_shape(time_steps, 4, patch) == (-(-time_steps // patch), 4 * patch)


@pytest.mark.parametrize(
    ("time_steps", "n_features", "expected"),
    [(24, 1, 4), (24, 2, 2), (24, 3, 2), (24, 4, 1), (3, 1, 3), (1, 1, 1), (150, 1, 4)],
)
def test_auto_gives_each_recurrent_step_at_least_four_values(
    time_steps, n_features, expected
):
    # Never longer than the sequences: three steps of one feature are one patch.
    assert auto_patch_length(time_steps, n_features) == expected


def test_auto_reads_short_univariate_sequences_in_patches_of_four():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 24))
    y = np.where(X[:, -6:].mean(axis=1) > 0, "up", "down")
    model = LSTMClassifier([4], n_networks=1, steps=20, random_state=0).fit(X, y)
    assert model._network_spec.patch == 4
    assert model.model_.get_layer("patches").compute_output_shape((None, 24, 1)) == (
        None,
        6,
        4,
    )


def test_layer_joins_steps_and_completes_the_first_patch_with_zeros():
    x = np.arange(2 * 5 * 2, dtype=np.float32).reshape(2, 5, 2) + 1
    out = np.asarray(patch_layer(2)(x))
    assert out.shape == (2, 3, 4)
    assert_array_equal(out[0, 0], [0, 0, 1, 2])
    assert_array_equal(out[0, 1], [3, 4, 5, 6])
    assert_array_equal(out[1, 2], [17, 18, 19, 20])


def test_layer_keeps_padding_masked_and_reads_padded_steps_as_zeros():
    x = np.ones((1, 6, 1), dtype=np.float32)
    x[0, :3] = PAD_VALUE  # three steps of padding before the sequence
    out = np.asarray(patch_layer(2)(x))[0, :, 0:2]
    # The first patch is padding only and stays padding for the mask; the
    # second holds one padded step (read as 0) and one real step.
    assert_array_equal(out, [[PAD_VALUE, PAD_VALUE], [0, 1], [1, 1]])


def test_patched_classifier_reads_its_sequences_in_fewer_steps(long_sequences, patched):
    X, _ = long_sequences
    assert patched.patch_length == "auto"
    assert patched._network_spec.patch == 3
    patches = patched.model_.get_layer("patches")
    assert patches.compute_output_shape((None, 90, 2)) == (None, 30, 6)
    assert patched.predict_proba(X).shape == (80, 2)


def test_patches_leave_padding_without_effect(long_sequences):
    X, y = long_sequences
    # Sequences of different lengths: the first ten have 70 steps.
    X = X.copy()
    X[:10, :20] = np.nan
    model = LSTMClassifier(
        [4], n_networks=2, patch_length=4, steps=30, random_state=0
    ).fit(X, y)
    assert model._network_spec.patch == 4 and model._network_spec.masked
    shorter = model.predict_proba(X[:10, 20:])
    assert_array_equal(shorter, model.predict_proba(X[:10]))


def test_patches_read_a_sequence_alike_wherever_its_padding_sits(long_sequences):
    X, y = long_sequences
    before = X.copy()
    before[:10, :20] = np.nan
    after = X.copy()
    after[:10, :70] = X[:10, 20:]
    after[:10, 70:] = np.nan
    fitted = [
        LSTMClassifier([4], n_networks=1, patch_length=4, steps=30, random_state=0)
        .fit(padded, y)
        .predict_proba(before)
        for padded in (before, after)
    ]
    assert_array_equal(fitted[0], fitted[1])
    model = LSTMClassifier([4], n_networks=1, patch_length=4, steps=30, random_state=0)
    model.fit(before, y)
    # Padding after the sequence, at the fitted length and at another.
    assert_array_equal(model.predict_proba(after), fitted[0])
    longer = np.concatenate([after, np.full((80, 5, 2), np.nan)], axis=1)
    assert_array_equal(model.predict_proba(longer), fitted[0])


def test_one_step_patches_build_the_network_without_a_patch_layer():
    spec = NetworkSpec(
        12,
        2,
        1,
        tuple(parse_rnn_layers([4])),
        parse_dense_layers([]),
        "Adam",
        0.01,
    )
    plain = build_model(spec, seed=3)
    assert "patches" not in [layer.name for layer in plain.layers]
    patched = build_model(replace(spec, patch=3), seed=3)
    assert patched.get_layer("patches").output.shape == (None, 4, 6)
    # Only the recurrent layer's input width changes with the patch.
    # 4 more inputs to each of the LSTM's 4 gates of 4 units.
    assert plain.count_params() + 4 * 4 * 4 == patched.count_params()


def test_save_and_load_keep_the_patches(long_sequences, patched, tmp_path):
    X, _ = long_sequences
    path = tmp_path / "patched.sklstm"
    patched.save(path)
    restored = load(path)
    assert restored._network_spec.patch == 3
    assert_array_equal(restored.predict_proba(X), patched.predict_proba(X))


def test_files_from_before_patches_load_reading_every_step(tmp_path):
    from test_persistence_safe import _drop_version_6_fields, _saved_as_older_version

    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 6, 1))
    y = X[:, -1, 0] + X[:, -2, 0]
    model = LSTMRegressor([3], steps=20, random_state=0).fit(X, y)
    path = tmp_path / "model.sklstm"
    _saved_as_older_version(model, path, 5, _drop_version_6_fields)
    restored = load(path)
    assert restored.patch_length == 1 and restored._network_spec.patch == 1
    assert_array_equal(restored.predict(X), model.predict(X))


def test_warm_start_keeps_the_patches_and_refuses_new_ones(long_sequences):
    X, y = long_sequences
    model = LSTMClassifier(
        [2], n_networks=1, patch_length=5, steps=10, random_state=0
    ).fit(X, y)
    before = model.predict_proba(X)
    model.set_params(warm_start=True, patch_length=4)
    with pytest.raises(ValueError, match="patch_length"):
        model.fit(X, y)
    assert_array_equal(model.predict_proba(X), before)
    # "auto" continues with the patches the network was built with, where a
    # fresh fit would choose patches of 3.
    model.set_params(patch_length="auto").fit(X, y)
    assert model._network_spec.patch == 5
    assert model.n_iter_ == 20


def test_auto_counts_the_values_not_the_series_numbers_beside_them():
    # One feature per step: the series' number that fit(groups=...) adds
    # for the embedding is not a value, so patches stay at four steps.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 8, 1))
    y = X[:, -1, 0]
    groups = np.repeat(["a", "b"], 30)
    model = LSTMRegressor(
        [3], steps=5, patch_length="auto", series_embedding=2, random_state=0
    ).fit(X, y, groups=groups)
    assert model._network_spec.patch == 4


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "'patch_length' parameter .* int in the range \\[1, inf\\)"),
        ("long", "'patch_length' parameter .* among {'auto'}"),
        (91, "patch_length=91 is longer than the sequences, which have 90"),
    ],
)
def test_bad_patch_lengths_are_refused(long_sequences, value, message):
    X, y = long_sequences
    with pytest.raises(ValueError, match=message):
        LSTMClassifier([2], steps=2, patch_length=value).fit(X, y)


def test_regressor_reads_every_step_unless_asked():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(60, 50, 1))
    y = X[:, -1, 0]
    assert LSTMRegressor().patch_length == 1
    model = LSTMRegressor([3], steps=10, random_state=0).fit(X, y)
    assert model._network_spec.patch == 1
    model = LSTMRegressor([3], steps=10, patch_length="auto", random_state=0)
    # One feature: patches of four values, which also leave at most 40 steps.
    assert model.fit(X, y)._network_spec.patch == 4
    # The linear part still reads the 50 steps as given.
    assert model.model_.get_layer("linear").get_weights()[0].shape == (50, 1)
