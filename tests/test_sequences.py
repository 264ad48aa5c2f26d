"""Sequences of different lengths: padding, masking, and their errors."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sklstm import LSTMClassifier, LSTMRegressor, pad_sequences
from sklstm._sequences import check_padding

TINY = dict(rnn_layers=[6], n_networks=1, steps=150, random_state=0)


@pytest.fixture(scope="module")
def sequences():
    rng = np.random.RandomState(0)
    seqs = [rng.normal(size=(rng.randint(3, 13), 2)) for _ in range(160)]
    labels = np.array([int(s[:, 0].mean() > 0) for s in seqs])
    return seqs, labels


# ------------------------------------------------------------ pad_sequences
def test_pad_sequences_pre_and_post():
    padded = pad_sequences([np.ones((2, 3)), 2 * np.ones((4, 3))])
    assert padded.shape == (2, 4, 3)
    assert np.isnan(padded[0, :2]).all() and (padded[0, 2:] == 1).all()
    post = pad_sequences([[1.0], [2.0, 3.0]], padding="post", value=-1.0)
    assert_array_equal(post[..., 0], [[1.0, -1.0], [2.0, 3.0]])
    assert pad_sequences([[1.0, 2.0]], length=5).shape == (1, 5, 1)
    assert pad_sequences(np.ones((3, 4, 2))).shape == (3, 4, 2)


@pytest.mark.parametrize(
    ("sequences", "kwargs", "match"),
    [
        ([], {}, "sequences is empty"),
        ([[1.0], []], {}, "sequence 1 is empty"),
        ([np.ones((2, 2)), np.ones((2, 3))], {}, "different numbers of features"),
        ([[1.0, np.nan, 2.0]], {}, "sequence 0 has a missing value at step 1"),
        ([[1.0, 2.0, 3.0]], {"length": 2}, "sequence 0 has 3 steps, more than"),
        ([[1.0]], {"padding": "middle"}, "padding must be 'pre' or 'post'"),
        ([[1.0]], {"length": 0}, "length must be a positive int"),
        ([np.ones((2, 2, 2))], {}, "sequence 0 must be 1-D .* or 2-D"),
        ([["a", "b"]], {}, "sequence 0 is not numeric"),
        (
            [[1.0], [[0.0, 1.0], [2.0, -np.inf]]],
            {"value": 0.0},
            r"sequence 1 has an infinite value at step 1 \(feature 1\)",
        ),
        ([[1.0], [2.0, 3.0]], {"value": np.inf}, "value must be finite, or NaN"),
    ],
)
def test_pad_sequences_errors(sequences, kwargs, match):
    with pytest.raises(ValueError, match=match):
        pad_sequences(sequences, **kwargs)


@pytest.mark.parametrize("value", [None, "0", True])
def test_the_padding_value_must_be_a_number(value):
    with pytest.raises(TypeError, match="value must be a float"):
        pad_sequences([[1.0, 2.0], [3.0]], value=value)


def test_check_padding_rules():
    X = np.ones((3, 4, 2))
    assert not check_padding(X)
    X[0, :2] = np.nan  # pre-padding
    X[1, 3:] = np.nan  # post-padding
    assert check_padding(X)
    holes = X.copy()
    holes[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"sequence 2 of X has steps of NaN between"):
        check_padding(holes)
    partial = X.copy()
    partial[2, 1, 0] = np.nan
    with pytest.raises(ValueError, match=r"missing value \(NaN\) inside sequence 2"):
        check_padding(partial)
    empty = X.copy()
    empty[2] = np.nan
    with pytest.raises(ValueError, match="sequence 2 of X is all padding"):
        check_padding(empty)


# ---------------------------------------------------------------- masking
@pytest.mark.parametrize(
    "layers",
    [[6], [{"num_units": 6, "cell": "gru", "bidirectional": True}, 4]],
    ids=["lstm", "bidirectional-gru"],
)
def test_a_prediction_does_not_depend_on_the_padding(sequences, layers):
    seqs, labels = sequences
    X = pad_sequences(seqs)
    model = LSTMClassifier(layers, n_networks=1, steps=150, random_state=0).fit(
        X, labels
    )
    assert model._network_spec.masked
    reference = model.predict_proba(X)
    for length in (12, 20, 31):
        for padding in ("pre", "post"):
            other = model.predict_proba(
                pad_sequences(seqs, length=length, padding=padding)
            )
            assert_array_equal(other, reference)
    # One sequence alone, padded to its own length.
    alone = model.predict_proba(pad_sequences(seqs[:1]))
    assert_array_equal(alone, reference[:1])


def test_the_regressor_masks_too(sequences):
    seqs, _ = sequences
    targets = np.array([s[-1, 0] for s in seqs])
    X = pad_sequences(seqs)
    model = LSTMRegressor(**TINY).fit(X, targets)
    assert model._network_spec.masked
    assert model.relative_.tolist() == [False]  # padded: levels
    assert_array_equal(
        model.predict(pad_sequences(seqs, length=25, padding="post")),
        model.predict(X),
    )
    with pytest.raises(ValueError, match="relative=True measures targets from"):
        LSTMRegressor(**TINY, relative=True).fit(X, targets)


def test_padded_input_needs_a_masked_model(sequences):
    seqs, labels = sequences
    full = pad_sequences([s[:3] for s in seqs])  # no padding at all
    model = LSTMClassifier(**TINY).fit(full, labels)
    assert not model._network_spec.masked
    with pytest.raises(ValueError, match="fitted on sequences without padding"):
        model.predict(pad_sequences([seqs[0][:2], seqs[1][:3]]))


def test_errors_in_fit_and_predict(sequences):
    seqs, labels = sequences
    X = pad_sequences(seqs)
    all_padding = X.copy()
    all_padding[5] = np.nan
    model = LSTMClassifier(**TINY)
    with pytest.raises(ValueError, match="sequence 5 of X is all padding"):
        model.fit(all_padding, labels)
    fitted = model.fit(X, labels)
    inside = X.copy()
    inside[0, -1, 1] = np.nan
    with pytest.raises(ValueError, match=r"missing value \(NaN\) inside sequence 0"):
        fitted.predict(inside)
    with pytest.raises(ValueError, match="has 13 real steps, more than the 12"):
        fitted.predict(pad_sequences([np.ones((13, 2))]))
    # A 2-D row cannot tell padding from a missing value.
    with pytest.raises(ValueError, match="Input X contains NaN"):
        LSTMClassifier(**TINY).fit(X[:, :, 0], labels)
