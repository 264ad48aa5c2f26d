"""LSTMClassifier: labels, probabilities, weights, validation splits, partial_fit,
saving."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklstm import LSTMClassifier, LSTMRegressor, load

TINY = dict(rnn_layers=[8], n_networks=1, steps=300, random_state=0)


@pytest.fixture(scope="module")
def three_classes():
    """Sequences whose class is the sign pattern of their sum and slope."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 8, 2))
    total = X[:, :, 0].sum(axis=1)
    y = np.where(total > 1.0, 2, np.where(total < -1.0, 0, 1))
    return X, y


@pytest.fixture(scope="module")
def fitted(three_classes):
    X, y = three_classes
    return LSTMClassifier(**TINY).fit(X, y)


def test_multiclass_probabilities_and_accuracy(three_classes, fitted):
    X, y = three_classes
    proba = fitted.predict_proba(X)
    assert proba.shape == (300, 3)
    assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    assert (proba >= 0).all()
    assert_array_equal(fitted.predict(X), fitted.classes_[proba.argmax(axis=1)])
    assert_allclose(np.exp(fitted.predict_log_proba(X)), proba)
    assert fitted.score(X, y) > 0.85
    assert_array_equal(fitted.classes_, [0, 1, 2])
    assert fitted.model_.output_shape == (None, 3)


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["down", "flat", "up"]),
        np.array([-1, 0, 7]),
        np.array([1.0, 2.0, 4.0]),
        np.array(["b", "a", "c"], dtype=object),
    ],
    ids=["str", "int", "float", "object"],
)
def test_label_types_come_back(three_classes, labels):
    X, y = three_classes
    named = labels[y]
    model = LSTMClassifier(**TINY).fit(X, named)
    assert_array_equal(model.classes_, np.unique(labels))
    predicted = model.predict(X)
    assert predicted.dtype == model.classes_.dtype
    assert set(predicted) <= set(labels)
    # The same fit with integer labels predicts the same classes.
    plain = LSTMClassifier(**TINY).fit(X, np.searchsorted(np.unique(labels), named))
    assert_array_equal(predicted, model.classes_[plain.predict(X)])


def test_binary(three_classes):
    X, y = three_classes
    binary = (y == 2).astype(int)
    model = LSTMClassifier(**TINY).fit(X, binary)
    assert model.predict_proba(X).shape == (300, 2)
    assert model.score(X, binary) > 0.9


def test_class_weight_changes_the_fit(three_classes):
    X, y = three_classes
    plain = LSTMClassifier(**TINY).fit(X, y)
    heavy = LSTMClassifier(**TINY, class_weight={2: 20.0}).fit(X, y)
    # Weighting class 2 makes it predicted more often.
    assert (heavy.predict(X) == 2).sum() > (plain.predict(X) == 2).sum()
    balanced = LSTMClassifier(**TINY, class_weight="balanced").fit(X, y)
    assert not np.array_equal(balanced.predict_proba(X), plain.predict_proba(X))


def test_sample_weight_zero_rows_are_ignored(three_classes):
    X, y = three_classes
    flipped = y.copy()
    flipped[::2] = (flipped[::2] + 1) % 3  # every other label is wrong
    weights = np.ones(len(y))
    weights[::2] = 0
    params = {**TINY, "early_stopping_rounds": None}
    weighted = LSTMClassifier(**params).fit(X, flipped, sample_weight=weights)
    assert weighted.score(X[1::2], y[1::2]) > 0.8


def test_stratified_validation_keeps_every_class():
    # Labels listed class by class: a tail would validate on one class only.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5, 1))
    y = np.repeat([0, 1], 100)
    X[y == 1] += 1.0
    model = LSTMClassifier(**TINY)
    train, val = model._validation_rows(np.eye(2)[y], np.random.RandomState(0))
    assert np.bincount(y[val]).tolist() == [10, 10]
    assert len(np.intersect1d(train, val)) == 0 and len(train) + len(val) == 200
    tail = LSTMClassifier(**TINY, validation_split="tail")
    train, val = tail._validation_rows(np.eye(2)[y], np.random.RandomState(0))
    assert (train, val) == (slice(0, 180), slice(180, None))
    assert model.fit(X, y).n_validation_samples_ == 20
    # One row of a class cannot be split: a plain random draw instead.
    rare = y.copy()
    rare[0] = 2
    train, val = model._validation_rows(np.eye(3)[rare], np.random.RandomState(0))
    assert len(val) == 20


def test_the_validation_split_follows_random_state(three_classes):
    _, y = three_classes
    rows = [
        LSTMClassifier(**{**TINY, "random_state": seed})._validation_rows(
            np.eye(3)[y], np.random.RandomState(seed)
        )[1]
        for seed in (0, 0, 1)
    ]
    assert_array_equal(rows[0], rows[1])
    assert not np.array_equal(rows[0], rows[2])


def test_partial_fit_with_classes(three_classes):
    X, y = three_classes
    model = LSTMClassifier([8], random_state=0)
    with pytest.raises(ValueError, match="classes must be given at the first call"):
        model.partial_fit(X[:100], y[:100])
    assert not hasattr(model, "classes_")
    # The first chunk need not hold every class.
    first = y < 2
    model.partial_fit(X[:100][first[:100]], y[:100][first[:100]], classes=[0, 1, 2])
    assert_array_equal(model.classes_, [0, 1, 2])
    for start in range(100, 300, 100):
        model.partial_fit(X[start : start + 100], y[start : start + 100])
    assert model.predict_proba(X).shape == (300, 3)
    with pytest.raises(ValueError, match=r"y has labels not in classes_ \[0, 1, 2\]"):
        model.partial_fit(X[:10], np.full(10, 5))
    with pytest.raises(ValueError, match="differs from the fitted classes_"):
        model.partial_fit(X[:10], y[:10], classes=[0, 1])
    with pytest.raises(ValueError, match=r"classes mixes labels of types"):
        mixed = np.array([0, 1, "2"], dtype=object)
        LSTMClassifier().partial_fit(X[:10], y[:10], classes=mixed)
    with pytest.raises(ValueError, match=r"classes has a missing label"):
        LSTMClassifier().partial_fit(X[:10], y[:10], classes=[0, 1, None])


@pytest.mark.parametrize(
    ("params", "y_change", "match"),
    [
        ({}, lambda y: np.zeros_like(y), "needs samples of at least 2 classes"),
        ({}, lambda y: y + 0.5, "Unknown label type"),
        ({"class_weight": {5: 2.0}}, None, r"class_weight has labels .* \[5\]"),
        ({"class_weight": {0: -1.0}}, None, "non-negative"),
        ({"validation_split": "random"}, None, "'validation_split' parameter"),
        ({"class_weight": "heavy"}, None, "'class_weight' parameter"),
        (
            {},
            lambda y: np.where(y == 0, "a", y.astype(object)),
            r"y mixes labels of types \['int', 'str'\]",
        ),
        ({"standardize": "global"}, None, "'standardize' parameter"),
    ],
)
def test_errors(three_classes, params, y_change, match):
    X, y = three_classes
    if y_change is not None:
        y = y_change(y)
    model = LSTMClassifier(**{**TINY, "steps": 5}, **params)
    with pytest.raises(ValueError, match=match):
        model.fit(X, y)
    assert not hasattr(model, "model_")


@pytest.mark.parametrize("weight", ["2", True])
def test_class_weights_must_be_numbers(three_classes, weight):
    X, y = three_classes
    model = LSTMClassifier(**{**TINY, "steps": 5}, class_weight={0: weight})
    with pytest.raises(TypeError, match="class_weight must map classes to numbers"):
        model.fit(X, y)


def test_balanced_weights_need_the_whole_data(three_classes):
    X, y = three_classes
    with pytest.raises(ValueError, match="'balanced' is not supported by partial_fit"):
        LSTMClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])


def test_a_failed_refit_leaves_the_fitted_classifier(three_classes, fitted):
    X, y = three_classes
    model = LSTMClassifier(**TINY).fit(X, y)
    before = model.predict_proba(X)
    with pytest.raises(ValueError):
        model.set_params(warm_start=True).fit(X[:, :, :1], y)
    model.set_params(warm_start=False)
    assert_array_equal(model.predict_proba(X), before)


def test_dataframe_input_and_series_labels(three_classes):
    X, y = three_classes
    frame = pd.DataFrame(X[:, :, 0], columns=[f"t{k}" for k in range(8)])
    model = LSTMClassifier(**TINY).fit(frame, pd.Series(y))
    assert_array_equal(model.feature_names_in_, frame.columns)
    assert model.predict(frame).shape == (300,)


def test_save_and_load_round_trip(three_classes, tmp_path):
    X, y = three_classes
    labels = np.array(["low", "mid", "high"])[y]
    model = LSTMClassifier(
        [{"num_units": 6, "cell": "gru", "bidirectional": True}],
        n_networks=1,
        steps=100,
        random_state=0,
        class_weight={"high": 2.0},
    ).fit(X, labels)
    path = tmp_path / "model.sklstm"
    model.save(path)
    restored = load(path)
    assert type(restored) is LSTMClassifier
    assert_array_equal(restored.classes_, model.classes_)
    assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    assert restored.get_params() == model.get_params()
    # It continues training like the original.
    restored.set_params(warm_start=True, steps=20).fit(X, labels)
    assert restored.n_iter_ == model.n_iter_ + 20


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32, bool])
def test_saved_labels_keep_their_dtype(three_classes, tmp_path, dtype):
    X, y = three_classes
    labels = (y > 0).astype(dtype) if dtype is bool else (2 * y).astype(dtype)
    model = LSTMClassifier(**{**TINY, "steps": 10}).fit(X, labels)
    model.save(tmp_path / "labels.sklstm")
    restored = load(tmp_path / "labels.sklstm")
    assert restored.classes_.dtype == dtype
    assert restored.predict(X).dtype == dtype
    assert_array_equal(restored.predict(X), model.predict(X))
    if dtype is np.uint8:
        from test_persistence_safe import MANIFEST, _rewrite

        def another_kind(manifest):
            manifest["fitted"]["classes_"]["dtype"] = "<f8"

        _rewrite(tmp_path / "labels.sklstm", {MANIFEST: another_kind})
        with pytest.raises(ValueError, match="classes_ have no dtype of kind 'u'"):
            load(tmp_path / "labels.sklstm")


def test_shared_standardization_divides_every_feature_by_one_scale(tmp_path):
    rng = np.random.RandomState(0)
    # Pixel-like features: zero for "nothing", the first nearly always zero.
    X = rng.poisson(3.0, size=(60, 6, 3)).astype(float)
    X[:, :, 0] *= rng.uniform(size=(60, 6)) < 0.05
    y = (X[:, :, 1].sum(axis=1) > X[:, :, 2].sum(axis=1)).astype(int)
    params = dict(TINY, steps=20, early_stopping_rounds=None)
    shared = LSTMClassifier(**params, standardize="shared").fit(X, y)
    assert_array_equal(shared._scaling.x_mean, np.zeros(3))
    assert_allclose(shared._scaling.x_scale, np.full(3, np.sqrt(np.mean(X**2))))
    # Per feature (the default), the rarely nonzero feature is magnified.
    each = LSTMClassifier(**params).fit(X, y)
    assert_allclose(each._scaling.x_scale, X.reshape(-1, 3).std(axis=0))
    assert each._scaling.x_scale[0] < shared._scaling.x_scale[0] / 2
    with pytest.raises(ValueError, match="too large to scale"):
        LSTMClassifier(**params, standardize="shared").fit(X * 1e200, y)
    path = tmp_path / "shared.sklstm"
    shared.save(path)
    restored = load(path)
    assert restored.standardize == "shared"
    assert_array_equal(restored.predict_proba(X), shared.predict_proba(X))


def test_a_classifier_file_never_loads_as_a_regressor(three_classes, tmp_path):
    import json
    import zipfile

    from sklstm._persistence import manifest_digest

    X, y = three_classes
    path = tmp_path / "model.sklstm"
    LSTMClassifier(**{**TINY, "steps": 10}).fit(X, y).save(path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members["sklstm.json"])
    manifest["format"] = "sklstm.LSTMRegressor"
    manifest["manifest_sha256"] = manifest_digest(manifest)
    members["sklstm.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match="not those of LSTMRegressor"):
        load(path)
    # And a regressor's fitted state is not a classifier's.
    manifest["format"] = "sklstm.LSTMClassifier"
    regressor = LSTMRegressor(**{**TINY, "steps": 10}).fit(X, y.astype(float))
    regressor.save(tmp_path / "regressor.sklstm")
    with zipfile.ZipFile(tmp_path / "regressor.sklstm") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members["sklstm.json"])
    manifest["format"] = "sklstm.LSTMClassifier"
    manifest["params"] = json.loads(
        json.dumps(LSTMClassifier(**{**TINY, "steps": 10}).get_params())
    )
    manifest["params"]["rnn_layers"] = {"tuple": [8]}
    manifest["manifest_sha256"] = manifest_digest(manifest)
    members["sklstm.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(tmp_path / "regressor.sklstm", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match="fitted state does not have the expected"):
        load(tmp_path / "regressor.sklstm")


def test_pickle_round_trip(fitted, three_classes):
    import pickle

    X, _ = three_classes
    restored = pickle.loads(pickle.dumps(fitted))
    assert_array_equal(restored.predict_proba(X), fitted.predict_proba(X))


def test_auto_early_stopping_ignores_tiny_improvements(three_classes):
    X, y = three_classes
    model = LSTMClassifier([8], n_networks=1, random_state=0).fit(X, y)
    history = model.history_
    later = [
        loss
        for step, loss in zip(history["step"], history["val_loss"], strict=True)
        if step > model.best_step_
    ]
    # No later evaluation beat the kept one by 0.01 or more...
    assert later and all(loss > model.best_loss_ - 0.01 for loss in later)
    # ...and "auto" waited max(200, best step) steps for one, then stopped.
    waited = model.n_iter_ - model.best_step_
    assert max(200, model.best_step_) <= waited < max(200, model.best_step_) + 100
    assert model.n_iter_ < model.steps


def test_auto_early_stopping_ends_once_the_training_rows_are_fitted():
    # Two classes far apart: the network fits every training row long
    # before "auto"'s patience would run out.
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 40)
    X = rng.normal(size=(80, 6, 1)) + np.where(y, 3.0, -3.0)[:, None, None]
    params = dict(rnn_layers=[8], n_networks=1, random_state=0, steps=3000)
    model = LSTMClassifier(**params).fit(X, y)
    history = model.history_
    fitted_at = [
        step
        for step, loss in zip(history["step"], history["train_loss"], strict=True)
        if loss < 0.01
    ]
    # It stopped at the first evaluation whose training loss was below
    # 0.01, and kept the best evaluation's weights.
    assert fitted_at and fitted_at[0] == model.n_iter_ == history["step"][-1]
    assert model.best_loss_ == min(history["val_loss"])
    # A fixed patience is kept as given: training goes on past that point.
    patient = LSTMClassifier(**params, early_stopping_rounds=200).fit(X, y)
    assert patient.n_iter_ >= model.n_iter_ + 100
    assert_array_equal(
        patient.history_["step"][: len(history["step"])], history["step"]
    )
