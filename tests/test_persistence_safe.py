"""LSTMRegressor.save and sklstm.load: exact round trips, and no code ever runs.

Every tampered file below is rewritten with fresh checksums where the test is
about a later check, so that each test reaches the check it is named after.
"""

import hashlib
import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import joblib
import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from sklstm import LSTMRegressor, load
from sklstm._network import DenseSpec, NetworkSpec, RecurrentSpec, build_model
from sklstm._persistence import ARRAYS, MANIFEST, MODEL, manifest_digest

TINY = dict(rnn_layers=[3], steps=20, print_steps=10, random_state=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.rand(60, 4, 2)
    return X, np.c_[X[:, -1, 0] + X[:, -2, 1], X[:, -1, 1]]


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    model = LSTMRegressor(
        rnn_layers=(3, {"num_units": 2, "keep_prob": 0.9}),
        dense_layers={"layers": [2], "activation": "tanh", "dropout": 0.25},
        optimizer="adagrad",
        steps=np.int64(30),
        print_steps=10,
        random_state=np.random.RandomState(7),
        logdir=None,
    )
    return model.fit(X, y)


@pytest.fixture
def saved(fitted, tmp_path):
    path = tmp_path / "model.sklstm"
    fitted.save(path)
    return path


@pytest.fixture(scope="module")
def fitted_before_linear(data):
    """A model as files before format version 3 held: no linear part, no
    window divided by its own scale."""
    X, y = data
    return LSTMRegressor(**TINY, linear=False, window_scale=False).fit(X, y)


@pytest.fixture
def saved_before_linear(fitted_before_linear, tmp_path):
    path = tmp_path / "model.sklstm"
    fitted_before_linear.save(path)
    return path


def _drop_arrays_nothing_reads(members):
    """Arrays older formats do not hold, where a test rewrites a file as one:
    the random generators' states (format 13 and older, whose manifests do
    not list them) and what a window of zeros is divided by (14 and older)."""
    try:
        manifest = json.loads(members[MANIFEST])
        fitted, version = manifest["fitted"], manifest["format_version"]
    except (ValueError, KeyError, TypeError, RecursionError):  # damaged on purpose
        return
    if not isinstance(fitted, dict) or not isinstance(version, int):
        return
    dropped = () if "generator_variables" in fitted else ("generator.",)
    dropped += ("scaling.zero_scale",) if version < 15 else ()
    if not dropped:
        return
    with np.load(io.BytesIO(members[ARRAYS]), allow_pickle=False) as arrays:
        kept = {k: arrays[k] for k in arrays.files if not k.startswith(dropped)}
    buffer = io.BytesIO()
    np.savez(buffer, **kept)
    members[ARRAYS] = buffer.getvalue()


def _members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rewrite(path, changes, *, refresh_digests=True):
    """Rewrite the archive at ``path`` with some members replaced or added.

    ``changes`` maps a member name to new bytes, to None (remove it), or to a
    function of the manifest dict (for MANIFEST).
    """
    members = _members(path)
    for name, change in changes.items():
        if change is None:
            members.pop(name)
        elif callable(change):
            manifest = json.loads(members[name])
            change(manifest)
            members[name] = json.dumps(manifest).encode()
        else:
            members[name] = change
    _drop_arrays_nothing_reads(members)
    if refresh_digests:
        manifest = json.loads(members[MANIFEST])
        manifest["sha256"] = {
            name: hashlib.sha256(data).hexdigest()
            for name, data in members.items()
            if name in manifest["sha256"]
        }
        manifest["manifest_sha256"] = manifest_digest(manifest)
        members[MANIFEST] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


# ------------------------------------------------------------- round trips
def test_round_trip_is_exact(fitted, saved, data):
    X, _ = data
    restored = load(saved)
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    params, original = restored.get_params(), fitted.get_params()
    rng = params.pop("random_state")
    original_rng = original.pop("random_state")
    assert params == original
    assert type(params["rnn_layers"]) is tuple
    assert isinstance(rng, np.random.RandomState) and rng is not original_rng
    for mine, theirs in zip(rng.get_state(), original_rng.get_state(), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    # Every attribute comes back: a new fitted attribute must be saved too.
    assert set(vars(restored)) == set(vars(fitted))
    for name in ("n_features_in_", "time_steps_in_", "n_outputs_", "history_"):
        assert getattr(restored, name) == getattr(fitted, name)
    for name in ("best_loss_", "best_step_", "n_iter_", "input_ndim_", "_y_ndim"):
        assert getattr(restored, name) == getattr(fitted, name)
    assert restored._network_spec == fitted._network_spec
    np.testing.assert_array_equal(restored.relative_, fitted.relative_)
    assert restored.n_validation_samples_ == fitted.n_validation_samples_ == 6
    assert restored.n_validation_evaluated_ == fitted.n_validation_evaluated_ == 6
    for name in ("x_mean", "x_scale", "y_mean", "y_scale", "reference"):
        np.testing.assert_array_equal(
            getattr(restored._scaling, name), getattr(fitted._scaling, name)
        )
    for mine, theirs in zip(
        restored._network.get_optimizer_state(),
        fitted._network.get_optimizer_state(),
        strict=True,
    ):
        np.testing.assert_array_equal(mine, theirs)
    assert restored.model_ is restored._network.model


def test_round_trip_of_a_dataframe_fit_with_relative_targets(tmp_path):
    rng = np.random.RandomState(1)
    frame = pd.DataFrame(rng.rand(50, 5), columns=[f"lag{k}" for k in range(5)])
    model = LSTMRegressor(
        [2], steps=10, random_state=0, relative=True, logdir=tmp_path / "logs"
    ).fit(frame, frame["lag4"] + 0.1)
    model.save(tmp_path / "frame.sklstm")
    restored = load(str(tmp_path / "frame.sklstm"))
    np.testing.assert_array_equal(restored.feature_names_in_, frame.columns)
    assert restored.feature_names_in_.dtype == object
    assert restored.logdir == tmp_path / "logs"
    np.testing.assert_array_equal(restored._scaling.reference, [0])
    np.testing.assert_array_equal(restored.relative_, [True])
    np.testing.assert_array_equal(restored.predict(frame), model.predict(frame))
    assert restored.predict(frame).shape == (50,)


def test_warm_start_after_loading_continues_exactly(data, tmp_path):
    # Weights and optimizer state both come back: continuing the loaded model
    # trains exactly as continuing the original does.
    X, y = data
    original = LSTMRegressor(**TINY, warm_start=True).fit(X, y)
    original.save(tmp_path / "model.sklstm")
    restored = load(tmp_path / "model.sklstm")
    for model in (restored, original):
        model.set_params(random_state=3).fit(X, y)
    assert restored.n_iter_ == original.n_iter_ == 40
    assert restored.history_ == original.history_
    np.testing.assert_array_equal(restored.predict(X), original.predict(X))


def test_a_loaded_model_with_dropout_continues_as_the_original_does(tmp_path):
    # Dropout draws from generators whose states get_weights leaves out; the
    # file keeps them, so the continued fits draw the same masks.
    X, y = np.random.RandomState(0).rand(60, 4, 1), np.arange(60.0) / 60
    layers = [{"num_units": 3, "keep_prob": 0.7}]
    original = LSTMRegressor(layers, steps=10, random_state=0, warm_start=True)
    original.fit(X, y).save(tmp_path / "model.sklstm")
    restored = load(tmp_path / "model.sklstm")
    for model in (restored, original):
        model.fit(X, y)
    assert restored.history_ == original.history_
    np.testing.assert_array_equal(restored.predict(X), original.predict(X))


def test_files_without_generator_states_still_load(fitted, data, tmp_path):
    path = tmp_path / "model.sklstm"
    _saved_as_older_version(fitted, path, 13, _drop_version_13_fields)
    with np.load(io.BytesIO(_members(path)[ARRAYS]), allow_pickle=False) as npz:
        assert not [key for key in npz.files if key.startswith("generator.")]
    X, _ = data
    restored = load(path)
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    # Its generators start afresh: the fit's had moved on as it trained.
    fresh, trained = (
        np.concatenate(model._network.get_generator_state())
        for model in (restored, fitted)
    )
    assert not np.array_equal(fresh, trained)


def test_file_objects_work_too(fitted, data):
    X, _ = data
    buffer = io.BytesIO()
    fitted.save(buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(load(buffer).predict(X), fitted.predict(X))
    with pytest.raises(TypeError, match="not the file's bytes: wrap them in io"):
        load(buffer.getvalue())


def test_unfitted_estimator_saves_its_parameters_only(tmp_path):
    model = LSTMRegressor([5, 4], (3,), optimizer="SGD", logdir=Path("runs"))
    model.save(tmp_path / "unfitted.sklstm")
    assert set(_members(tmp_path / "unfitted.sklstm")) == {MANIFEST, ARRAYS}
    restored = load(tmp_path / "unfitted.sklstm")
    assert restored.get_params() == model.get_params()
    assert not hasattr(restored, "model_")
    with pytest.raises(NotFittedError):
        restored.predict(np.zeros((2, 3, 1)))


def test_the_file_is_plain_data_in_documented_formats(fitted, saved):
    members = _members(saved)
    assert set(members) == {MANIFEST, ARRAYS, MODEL}
    manifest = json.loads(members[MANIFEST])
    assert manifest["format"] == "sklstm.LSTMRegressor"
    assert manifest["format_version"] == 15
    assert manifest["params"]["optimizer"] == "adagrad"
    assert manifest["fitted"]["n_iter_"] == fitted.n_iter_
    with np.load(io.BytesIO(members[ARRAYS]), allow_pickle=False) as arrays:
        np.testing.assert_array_equal(
            arrays["scaling.y_scale"], fitted._scaling.y_scale
        )
    # Keras alone opens the network, in safe mode, and it is the fitted one.
    keras_file = saved.parent / "network.keras"
    keras_file.write_bytes(members[MODEL])
    network = keras.saving.load_model(keras_file, compile=False, safe_mode=True)
    for mine, theirs in zip(
        network.get_weights(), fitted.model_.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(mine, theirs)


def test_loading_never_unpickles(saved, data, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("load used pickle")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    assert load(saved).predict(data[0]).shape == (60, 2)


# ----------------------------------------------------------- not a model
def test_a_pickle_is_refused_with_a_warning_about_pickle(fitted, tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(fitted))
    with pytest.raises(ValueError, match=r"looks like a pickle file.*trust"):
        load(path)


@pytest.mark.parametrize(
    "content",
    [b"", b"hello, world\n", b"PK\x03\x04 not really a zip", bytes(range(256))],
    ids=["empty", "text", "zip-magic", "binary"],
)
def test_files_that_are_not_models(tmp_path, content):
    path = tmp_path / "junk.sklstm"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="not a valid sklstm model file"):
        load(path)


def test_a_joblib_file_is_not_a_model(fitted, tmp_path):
    joblib.dump(fitted, tmp_path / "model.joblib")
    with pytest.raises(ValueError, match=r"pickle|not a valid sklstm"):
        load(tmp_path / "model.joblib")


def test_a_zip_of_something_else(tmp_path):
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValueError, match=r"has no 'sklstm.json'"):
        load(tmp_path / "other.zip")


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.99])
def test_truncated_files(saved, keep):
    content = saved.read_bytes()
    saved.write_bytes(content[: int(len(content) * keep)])
    with pytest.raises(ValueError, match="not a valid sklstm model file"):
        load(saved)


def test_a_missing_file_is_not_a_format_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nowhere.sklstm")


# -------------------------------------------------------------- tampering
def test_a_modified_member_fails_its_checksum(saved):
    weights = bytearray(_members(saved)[MODEL])
    weights[len(weights) // 2] ^= 0xFF
    _rewrite(saved, {MODEL: bytes(weights)}, refresh_digests=False)
    with pytest.raises(ValueError, match="modified after the file was saved"):
        load(saved)


def test_an_edited_manifest_fails_its_checksum(saved, fitted, data):
    # The layout of the JSON is not its content: written again in another
    # layout (no indentation), the manifest still passes.
    _rewrite(saved, {MANIFEST: lambda manifest: None}, refresh_digests=False)
    X, _ = data
    np.testing.assert_array_equal(load(saved).predict(X), fitted.predict(X))

    def reversed_order(manifest):
        manifest["params"]["time_order"] = "newest_first"

    _rewrite(saved, {MANIFEST: reversed_order}, refresh_digests=False)
    with pytest.raises(ValueError, match=r"'sklstm\.json' was modified after the"):
        load(saved)


def test_a_corrupted_compressed_member(saved):
    # Flip a byte inside the deflated data of the manifest: zip's CRC fails.
    content = bytearray(saved.read_bytes())
    with zipfile.ZipFile(saved) as archive:
        info = archive.getinfo(MANIFEST)
    content[info.header_offset + 30 + len(MANIFEST) + 10] ^= 0xFF
    saved.write_bytes(bytes(content))
    with pytest.raises(ValueError, match="not a valid sklstm model file"):
        load(saved)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: m.update(format_version=16), "format version 16.*newer"),
        (lambda m: m.update(format_version=True), "format version True"),
        (
            lambda m: m["fitted"]["scaling"].update(reference=[0, 2]),
            "reference must list 2 feature indices between -1 and 1",
        ),
        (
            lambda m: m["fitted"]["scaling"].update(reference=[0, True]),
            "reference must list",
        ),
        (lambda m: m["fitted"]["scaling"].update(relative=True), "expected fields"),
        (
            lambda m: m["fitted"].update(n_validation_samples_=-1),
            "n_validation_samples_ must be an int",
        ),
        (
            lambda m: m["fitted"].update(n_validation_evaluated_=1.5),
            "n_validation_evaluated_ must be an int",
        ),
        (lambda m: m.update(format="something.Else"), "does not describe"),
        (lambda m: m["params"].update(steps=-1), "'steps' parameter"),
        (lambda m: m["params"].update(hidden="x"), "not those of LSTMRegressor"),
        (lambda m: m["params"].update(rnn_layers={"exec": "x"}), "does not write"),
        (lambda m: m["fitted"].update(n_outputs_=3), "do not agree"),
        (lambda m: m["fitted"].update(n_iter_=-5), "n_iter_ must be an int"),
        (lambda m: m["fitted"].update(n_iter_=True), "n_iter_ must be an int"),
        (lambda m: m["fitted"]["history_"]["step"].pop(), "differ in length"),
        (lambda m: m["fitted"]["history_"].update(extra=[]), "expected keys"),
        (lambda m: m["fitted"].pop("best_loss_"), "expected fields"),
        (
            lambda m: m["fitted"]["network"]["rnn_layers"][0].update(num_units=4),
            "not the network its description builds",
        ),
        (
            lambda m: m["fitted"]["network"]["rnn_layers"][0].update(num_units=10**6),
            "asks for at least 4000016000040 weights",
        ),
        (
            lambda m: m["fitted"]["network"]["dense_layers"].update(
                layers=[3 * 10**6, 3 * 10**6]
            ),
            "asks for at least 9000",
        ),
        (
            lambda m: m["fitted"]["network"].update(optimizer="Adam"),
            "does not fit the Adam optimizer",
        ),
        (
            lambda m: m["fitted"]["network"]["dense_layers"].update(
                activation="os.system"
            ),
            "network description is invalid",
        ),
        (lambda m: m["fitted"].update(feature_names_in_=[1, 2]), "do not agree"),
        (lambda m: m.update(fitted=None), "holds members"),
    ],
)
def test_tampered_manifests(saved, edit, message):
    _rewrite(saved, {MANIFEST: edit})
    with pytest.raises(ValueError, match=message):
        load(saved)


def _saved_as_older_version(model, path, version, drop_fields):
    """Save ``model`` at ``path`` as a file of an older format ``version``:
    without the fields ``drop_fields`` removes (those added since)."""
    model.save(path)

    def as_older(manifest):
        drop_fields(manifest)
        manifest["format_version"] = version

    _rewrite(path, {MANIFEST: as_older})


def _drop_version_14_fields(manifest):
    """What format version 14 files lack: the fraction the fit held out by
    (and what a window of zeros is divided by, see _drop_arrays_nothing_reads)."""
    (manifest["fitted"] or {}).pop("held_out_fraction", None)


def _drop_version_13_fields(manifest):
    """What format version 13 files lack: the random generators' states."""
    _drop_version_14_fields(manifest)
    (manifest["fitted"] or {}).pop("generator_variables", None)


def _drop_version_12_fields(manifest):
    """What format version 12 added: a classifier's label smoothing."""
    _drop_version_13_fields(manifest)
    if manifest["format"] == "sklstm.LSTMClassifier":
        manifest["params"].pop("label_smoothing")


def _drop_version_11_fields(manifest):
    """What format version 11 added: a regressor's series attributes."""
    _drop_version_12_fields(manifest)
    fitted = manifest["fitted"]
    if fitted is not None:
        assert fitted["network"].pop("attributes") == []
    if manifest["format"] == "sklstm.LSTMRegressor":
        assert manifest["params"].pop("series_attributes") is None
        if fitted is not None:
            assert fitted.pop("series_attributes_") is None


def _drop_version_10_fields(manifest):
    """What format version 10 added: levels for a relative network's linear
    path (none in the networks these tests save)."""
    _drop_version_11_fields(manifest)
    network = (manifest["fitted"] or {}).get("network")
    assert network is None or network.pop("levels") == []


def _drop_version_9_fields(manifest):
    """What format version 9 added: a regressor's choice of loss."""
    _drop_version_10_fields(manifest)
    if manifest["format"] == "sklstm.LSTMRegressor":
        assert manifest["params"].pop("loss") == "auto"
        network = (manifest["fitted"] or {}).get("network")
        assert network is None or network["loss"] == "mse"


def _drop_version_8_fields(manifest):
    """What format version 8 added: a vector learnt per series."""
    _drop_version_9_fields(manifest)
    fitted = manifest["fitted"]
    if fitted is not None:
        assert fitted["network"].pop("series") == 0
        assert fitted["network"].pop("embedding") == 0
    if manifest["format"] == "sklstm.LSTMRegressor":
        assert manifest["params"].pop("series_embedding") is None
        if fitted is not None:
            assert fitted.pop("series_labels_") is None


def _drop_version_7_fields(manifest):
    """What format version 7 added: a panel's older windows weigh less."""
    _drop_version_8_fields(manifest)
    if manifest["format"] == "sklstm.LSTMRegressor":
        manifest["params"].pop("recency_halflife")


def _drop_version_6_fields(manifest):
    """What format version 6 added: time steps read in patches."""
    _drop_version_7_fields(manifest)
    assert manifest["fitted"]["network"].pop("patch") == 1
    assert manifest["params"].pop("patch_length") == 1


def _drop_version_5_fields(manifest):
    """What format version 5 added: networks of several members."""
    _drop_version_6_fields(manifest)
    assert manifest["fitted"]["network"].pop("members") == 1
    assert manifest["params"].pop("n_networks") == 1


def _drop_version_4_fields(manifest):
    """What format version 4 added: the windows' own scales."""
    _drop_version_5_fields(manifest)
    assert manifest["fitted"]["scaling"].pop("divisor") is None
    assert manifest["params"].pop("window_scale") is False


def _drop_version_3_fields(manifest):
    """What format version 3 added: the evaluated rows and the linear part."""
    _drop_version_4_fields(manifest)
    fitted = manifest["fitted"]
    fitted.pop("n_validation_evaluated_")
    assert fitted.pop("linear_loss_") is None  # such files had no linear part
    assert manifest["params"].pop("linear") is False
    assert fitted["network"].pop("linear") is False


def _as_version_1(relative):
    """Rewrite a manifest as sklstm 0.1 wrote it: one relative flag."""

    def edit(manifest):
        _drop_version_3_fields(manifest)
        manifest["format_version"] = 1
        manifest["params"]["relative"] = relative
        manifest["params"]["early_stopping_rounds"] = 5000
        fitted = manifest["fitted"]
        fitted.pop("n_validation_samples_")
        fitted["scaling"] = {"relative": relative}
        network = fitted["network"]
        del network["loss"], network["masked"]
        for layer in network["rnn_layers"]:
            del layer["cell"], layer["bidirectional"]

    return edit


def test_files_saved_before_evaluations_were_sampled_still_load(saved_before_linear):
    saved = saved_before_linear

    # Such files have no n_validation_evaluated_: they evaluated every row.
    def as_version_2(manifest):
        _drop_version_3_fields(manifest)
        manifest["format_version"] = 2

    _rewrite(saved, {MANIFEST: as_version_2})
    restored = load(saved)
    assert restored.n_validation_evaluated_ == restored.n_validation_samples_ == 6


@pytest.mark.parametrize("relative", [False, True])
def test_files_of_the_previous_format_still_load(
    saved_before_linear, fitted_before_linear, data, relative
):
    saved, fitted = saved_before_linear, fitted_before_linear
    _rewrite(saved, {MANIFEST: _as_version_1(relative)})
    restored = load(saved)
    assert restored.relative is relative
    assert restored.early_stopping_rounds == 5000
    np.testing.assert_array_equal(
        restored._scaling.reference, [0, 1] if relative else [-1, -1]
    )
    np.testing.assert_array_equal(restored.relative_, [relative, relative])
    assert restored.n_validation_samples_ == 0
    if not relative:  # the fitted model is not relative: same predictions
        X, _ = data
        np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))


def test_manifest_that_is_not_an_object(saved):
    _rewrite(saved, {MANIFEST: b"[1, 2, 3]"}, refresh_digests=False)
    with pytest.raises(ValueError, match="does not describe"):
        load(saved)


def test_deeply_nested_manifest(saved):
    _rewrite(saved, {MANIFEST: b"[" * 100_000 + b"]" * 100_000}, refresh_digests=False)
    with pytest.raises(ValueError, match="not a valid sklstm model file"):
        load(saved)


def test_an_extra_member_is_refused(saved, fitted):
    _rewrite(saved, {"payload.pkl": pickle.dumps(fitted)})
    with pytest.raises(ValueError, match="holds members"):
        load(saved)


def test_arrays_that_need_pickle_are_refused(saved):
    buffer = io.BytesIO()
    np.savez(buffer, **{"scaling.x_mean": np.array([{"a": 1}], dtype=object)})
    _rewrite(saved, {ARRAYS: buffer.getvalue()})
    with pytest.raises(ValueError, match="cannot be read without pickle"):
        load(saved)


@pytest.mark.parametrize(
    "change",
    [
        {"scaling.x_scale": np.zeros(2)},
        {"scaling.x_mean": np.ones(3)},
        {"scaling.y_mean": np.array([np.nan, 0.0])},
        {"optimizer.1": np.ones((7, 7), np.float32)},
        {"generator.0": np.ones(3, np.float32)},
        {"extra": np.ones(1)},
    ],
    ids=["zero-scale", "wrong-shape", "nan", "optimizer", "generator", "extra"],
)
def test_tampered_arrays(saved, change):
    with np.load(io.BytesIO(_members(saved)[ARRAYS]), allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    arrays.update(change)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    _rewrite(saved, {ARRAYS: buffer.getvalue()})
    with pytest.raises(
        ValueError,
        match=r"must be (positive )?finite|optimizer|generators|unexpected",
    ):
        load(saved)


def _keras_bytes(model, folder):
    path = os.path.join(folder, "swap.keras")
    model.save(path)
    with open(path, "rb") as file:
        return file.read()


def test_a_lambda_layer_is_refused_before_keras_reads_it(saved, tmp_path):
    # A network whose Lambda layer would write a file if it were ever run.
    marker = tmp_path / "ran"
    action = eval(  # no closure, so that Keras can serialise the function
        f"lambda x: (__import__('pathlib').Path({str(marker)!r}).write_text('x'), x)[1]"
    )
    inputs = keras.Input((4, 2))
    hidden = keras.layers.Lambda(action)(inputs)
    outputs = keras.layers.Dense(2)(keras.layers.LSTM(3)(hidden))
    evil = keras.Model(inputs, outputs)
    _rewrite(saved, {MODEL: _keras_bytes(evil, tmp_path)})
    marker.unlink(missing_ok=True)
    with pytest.raises(ValueError, match="refers to classes the network does not use"):
        load(saved)
    assert not marker.exists()


def test_a_different_network_is_refused(saved, tmp_path):
    # The same classes, but a wider first layer: not the network described.
    spec = NetworkSpec(
        time_steps=4,
        n_features=2,
        n_outputs=2,
        rnn_layers=(RecurrentSpec(5), RecurrentSpec(2, 0.1)),
        dense=DenseSpec((2,)),
        optimizer="Adagrad",
        learning_rate=0.01,
    )
    other = build_model(spec, seed=0)
    _rewrite(saved, {MODEL: _keras_bytes(other, tmp_path)})
    with pytest.raises(ValueError, match="not the network its description builds"):
        load(saved)


def test_non_finite_weights_are_refused(fitted, saved, tmp_path):
    broken = keras.models.clone_model(fitted.model_)
    weights = fitted.model_.get_weights()
    weights[0] = np.full_like(weights[0], np.nan)
    broken.set_weights(weights)
    _rewrite(saved, {MODEL: _keras_bytes(broken, tmp_path)})
    with pytest.raises(ValueError, match="non-finite weights"):
        load(saved)


def test_a_keras_file_with_extra_members_is_refused(saved, tmp_path):
    model_bytes = _members(saved)[MODEL]
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(model_bytes)) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for name in source.namelist():
            target.writestr(name, source.read(name))
        target.writestr("assets/run.py", "print('hello')")
    _rewrite(saved, {MODEL: buffer.getvalue()})
    with pytest.raises(ValueError, match="unexpected members"):
        load(saved)


# ------------------------------------------------------------------ saving
def test_unsupported_parameter_values_are_named(tmp_path):
    model = LSTMRegressor([3], dense_layers={"layers": [2], "activation": object()})
    with pytest.raises(TypeError, match=r"parameter dense_layers\['activation'\]"):
        model.save(tmp_path / "bad.sklstm")
    assert not list(tmp_path.iterdir())


def test_invalid_parameters_are_refused_at_save(fitted, tmp_path):
    model = pickle.loads(pickle.dumps(fitted)).set_params(steps=0)
    with pytest.raises(ValueError, match="'steps' parameter"):
        model.save(tmp_path / "bad.sklstm")


def test_subclasses_with_extra_parameters_are_refused(tmp_path):
    class Custom(LSTMRegressor):
        def __init__(self, rnn_layers=(32,), dense_layers=None, *, extra=1):
            super().__init__(rnn_layers, dense_layers)
            self.extra = extra

    with pytest.raises(TypeError, match=r"Custom adds \['extra'\] and lacks \["):
        Custom().save(tmp_path / "custom.sklstm")


def test_an_interrupted_save_leaves_the_old_file(fitted, saved, monkeypatch):
    before = saved.read_bytes()
    real = zipfile.ZipFile.writestr
    calls = []

    def interrupted(self, name, data, *args, **kwargs):
        calls.append(name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fitted.save(saved)
    assert saved.read_bytes() == before
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]


def test_a_saved_file_is_readable_as_the_umask_allows(fitted, tmp_path):
    previous = os.umask(0o022)
    try:
        fitted.save(tmp_path / "shared.sklstm")
    finally:
        os.umask(previous)
    if os.name == "posix":
        assert (tmp_path / "shared.sklstm").stat().st_mode & 0o777 == 0o644


def test_parameters_set_after_the_fit_still_load(data, tmp_path):
    X, y = data
    for changed in ({"loss": "relative_error"}, {"series_embedding": 2}):
        model = LSTMRegressor(**TINY).fit(X, y).set_params(**changed)
        model.save(tmp_path / "changed.sklstm")
        loaded = load(tmp_path / "changed.sklstm")
        assert loaded.get_params() == model.get_params()
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_a_class_weight_keyed_by_int_labels_round_trips(tmp_path):
    from sklstm import LSTMClassifier

    rng = np.random.RandomState(0)
    X, y = rng.rand(40, 5, 1), np.repeat([0, 1], 20)
    weights = {0: 1.0, 1: 2.5}
    model = LSTMClassifier([3], steps=10, class_weight=weights, random_state=0)
    model.fit(X, y).save(tmp_path / "weighted.sklstm")
    loaded = load(tmp_path / "weighted.sklstm")
    assert loaded.class_weight == weights
    assert all(type(key) is int for key in loaded.class_weight)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_save_and_load_name_paths_they_cannot_use(tmp_path):
    from sklstm import LSTMRegressor, load

    rng = np.random.RandomState(0)
    model = LSTMRegressor([2], steps=5, random_state=0).fit(
        rng.rand(20, 3, 1), rng.rand(20)
    )
    path = tmp_path / "model.sklstm"
    model.save(path)
    with open(path) as text, pytest.raises(TypeError, match="opened as text"):
        load(text)
    with open(tmp_path / "other", "w") as text, pytest.raises(TypeError, match="text"):
        model.save(text)
    for bad in (None, 5):
        with pytest.raises(TypeError, match="takes a path"):
            load(bad)
        with pytest.raises(TypeError, match="takes a path"):
            model.save(bad)
    with pytest.raises(IsADirectoryError, match="is a directory"):
        model.save(tmp_path)
    missing = tmp_path / "no such folder" / "model.sklstm"
    with pytest.raises(FileNotFoundError) as refused:
        model.save(missing)
    assert refused.value.filename == str(missing)
    assert not (tmp_path / "no such folder").exists()
    restored = load(os.fsencode(path))
    windows = rng.rand(4, 3, 1)
    np.testing.assert_array_equal(restored.predict(windows), model.predict(windows))
