"""Saving and loading the estimators without pickle: nothing in a file is run.

Unpickling a file runs whatever code the file asks for, so a pickle (or a
joblib file) must only ever be loaded from a source you trust.
:meth:`LSTMRegressor.save <sklstm.LSTMRegressor.save>` (and the classifier's)
and :func:`load` are the safe route: the file holds data only, and loading
checks every part of it. The file names the estimator it holds
(``"sklstm.LSTMRegressor"`` or ``"sklstm.LSTMClassifier"``) and must hold
exactly that estimator's parameters and fitted state, so a file of one never
loads as the other.

The file is a zip archive of three members:

``sklstm.json``
    The format's name and version, the estimator's parameters, its fitted
    attributes (``n_features_in_``, ``history_``, ``best_loss_``, ... and the
    description of the network), and a SHA-256 digest of the other members.
``arrays.npz``
    The scaling statistics, the optimizer's state and, when ``random_state``
    is a ``RandomState``, its state; read with ``allow_pickle=False``.
``model.keras``
    The trained network in Keras's native format, loaded with
    ``keras.saving.load_model(..., safe_mode=True)`` (Keras alone can open it
    too). Before Keras reads it, its configuration must use no class that the
    network sklstm builds from ``sklstm.json`` does not use, and after, its
    layers and weights must be exactly that network's.

An unfitted estimator saves its parameters only (no ``model.keras``) and loads
unfitted. A file that is not such an archive, is truncated, was modified after
it was saved or breaks any of these rules raises :class:`ValueError`. The
digests catch accidental or careless changes; they are not a signature, and
the guarantee against a deliberately crafted file is that loading never runs
code from it, not that its numbers are the ones that were saved.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import pathlib
import struct
import tempfile
import zipfile
import zlib
from numbers import Integral, Real
from typing import IO, Any

import numpy as np

from ._config import load_keras

__all__ = ["load", "register", "save"]

FORMAT_VERSION = 2
# The estimators files can hold, by format name ("sklstm.<class name>"); each
# face registers itself when it is defined.
_FACES: dict[str, type] = {}
# Versions this sklstm reads. Version 1 (sklstm 0.1) stored one relative flag
# for all targets and no validation size.
READABLE_VERSIONS = (1, 2)
MANIFEST = "sklstm.json"
ARRAYS = "arrays.npz"
MODEL = "model.keras"
# Limits on what a member may claim to hold, so that a crafted archive cannot
# make loading decompress gigabytes.
MAX_MANIFEST_BYTES = 64 << 20
MAX_MEMBER_BYTES = 2 << 30
_KERAS_MEMBERS = {"config.json", "metadata.json", "model.weights.h5"}
_HISTORY_KEYS = ("step", "epoch", "train_loss", "val_loss")
# Errors of reading a damaged archive, as raised by zipfile, zlib and struct.
_DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    struct.error,
    NotImplementedError,
)

PathOrFile = str | os.PathLike | IO[bytes]


class _Invalid(Exception):
    """A file that is not a valid sklstm model; becomes a ValueError in load."""


def register(face: type) -> type:
    """Let files hold estimators of class ``face`` (one of sklstm's faces)."""
    _FACES[f"sklstm.{face.__name__}"] = face
    return face


def _face_of(estimator) -> tuple[str, type]:
    for name, face in _FACES.items():
        if isinstance(estimator, face):
            return name, face
    raise TypeError(
        f"save writes {' or '.join(f.__name__ for f in _FACES.values())}; got "
        f"{type(estimator).__name__}."
    )


# --------------------------------------------------------------------- save
def save(estimator, path: PathOrFile) -> None:
    """Write ``estimator`` to ``path``; see :meth:`LSTMRegressor.save`."""
    from . import __version__

    format_name, face = _face_of(estimator)
    params = estimator.get_params(deep=False)
    own = set(face._get_param_names())
    if set(params) != own:
        raise TypeError(
            f"save writes exactly {face.__name__}'s parameters; "
            f"{type(estimator).__name__} adds {sorted(set(params) - own)} and "
            f"lacks {sorted(own - set(params))}."
        )
    # Invalid parameters would only be found when the file is loaded.
    estimator._validate_params()

    arrays: dict[str, np.ndarray] = {}
    manifest: dict[str, Any] = {
        "format": format_name,
        "format_version": FORMAT_VERSION,
        "sklstm_version": __version__,
        "params": {
            name: _encode(value, f"parameter {name}", arrays)
            for name, value in params.items()
        },
        "fitted": None,
    }
    members: dict[str, bytes] = {}
    if hasattr(estimator, "_network"):
        manifest["fitted"] = _fitted_state(estimator, arrays)
        members[MODEL] = _keras_bytes(estimator._network.model)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    members[ARRAYS] = buffer.getvalue()
    manifest["sha256"] = {
        name: hashlib.sha256(data).hexdigest() for name, data in members.items()
    }
    text = json.dumps(manifest, indent=1).encode("utf-8")
    if hasattr(path, "write"):
        _write_archive(path, text, members)
        return
    # Write beside the target, then rename: an interrupted save never leaves
    # a truncated file where a good one was.
    target = pathlib.Path(os.fspath(path))
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".part", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as file:
            _write_archive(file, text, members)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise


def _write_archive(file: IO[bytes], manifest: bytes, members: dict) -> None:
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest)
        for name, data in members.items():
            archive.writestr(name, data)


def _encode(value: Any, where: str, arrays: dict) -> Any:
    """A parameter value as JSON, tagging what JSON cannot tell apart."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        return float(value)
    if isinstance(value, list):
        return [_encode(v, f"{where}[{i}]", arrays) for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return {
            "tuple": [_encode(v, f"{where}[{i}]", arrays) for i, v in enumerate(value)]
        }
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {
            "dict": {k: _encode(v, f"{where}[{k!r}]", arrays) for k, v in value.items()}
        }
    if isinstance(value, os.PathLike) and isinstance(os.fspath(value), str):
        return {"path": os.fspath(value)}
    if isinstance(value, np.random.RandomState) and "random_state" not in arrays:
        kind, keys, pos, has_gauss, cached = value.get_state()
        arrays["random_state"] = keys
        return {
            "random_state": {
                "kind": kind,
                "pos": int(pos),
                "has_gauss": int(has_gauss),
                "cached_gaussian": float(cached),
            }
        }
    raise TypeError(
        f"{where} = {value!r} cannot be saved: save writes None, bools, numbers, "
        "strings, paths and lists, tuples and dicts of them (and a RandomState "
        "as random_state)."
    )


def _fitted_state(estimator, arrays: dict) -> dict:
    spec = estimator._network_spec
    scaling = estimator._scaling
    for name in ("x_mean", "x_scale", "y_mean", "y_scale"):
        arrays[f"scaling.{name}"] = np.asarray(getattr(scaling, name), np.float64)
    optimizer_state = estimator._network.get_optimizer_state()
    for i, value in enumerate(optimizer_state):
        arrays[f"optimizer.{i}"] = np.asarray(value)
    names = getattr(estimator, "feature_names_in_", None)
    state = {
        "n_features_in_": int(estimator.n_features_in_),
        "feature_names_in_": None if names is None else [str(n) for n in names],
        "time_steps_in_": int(estimator.time_steps_in_),
        "fit_ndim": int(estimator._fit_ndim),
        "history_": {
            key: [_plain(v) for v in estimator.history_[key]] for key in _HISTORY_KEYS
        },
        "best_loss_": float(estimator.best_loss_),
        "best_step_": int(estimator.best_step_),
        "n_iter_": int(estimator.n_iter_),
        "network": {
            "time_steps": int(spec.time_steps),
            "n_features": int(spec.n_features),
            "n_outputs": int(spec.n_outputs),
            "rnn_layers": [
                {
                    "num_units": layer.units,
                    "dropout": layer.dropout,
                    "recurrent_dropout": layer.recurrent_dropout,
                    "cell": layer.cell,
                    "bidirectional": layer.bidirectional,
                }
                for layer in spec.rnn_layers
            ],
            "dense_layers": {
                "layers": list(spec.dense.units),
                "activation": spec.dense.activation,
                "dropout": spec.dense.dropout,
            },
            "optimizer": spec.optimizer,
            "learning_rate": float(spec.learning_rate),
            "loss": spec.loss,
            "masked": bool(spec.masked),
            "linear": bool(spec.linear),
        },
        "n_validation_samples_": int(estimator.n_validation_samples_),
        "scaling": {"reference": [int(r) for r in scaling.reference]},
        "optimizer_variables": len(optimizer_state),
    }
    if spec.loss == "mse":
        state["n_outputs_"] = int(estimator.n_outputs_)
        state["y_ndim"] = int(estimator._y_ndim)
        state["linear_loss_"] = _plain(estimator.linear_loss_)
    else:
        state["classes_"] = _encode_classes(estimator.classes_)
    return state


def _encode_classes(classes: np.ndarray) -> dict:
    """Class labels as JSON: their kind and their values."""
    kind = classes.dtype.kind
    if kind == "O" and all(isinstance(c, str) for c in classes):
        kind = "U"
    if kind not in "biufU":
        raise TypeError(
            f"save writes class labels that are bools, numbers or strings; got "
            f"labels of dtype {classes.dtype}."
        )
    values = [c.item() if hasattr(c, "item") else c for c in classes]
    return {"kind": kind, "object": classes.dtype.kind == "O", "values": values}


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Integral):
        return int(value)
    return float(value)


def _keras_bytes(model) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, MODEL)
        model.save(path)
        with open(path, "rb") as file:
            return file.read()


# --------------------------------------------------------------------- load
def load(path: PathOrFile):
    """Load an estimator written by its ``save`` method.

    Reads :class:`~sklstm.LSTMRegressor` and :class:`~sklstm.LSTMClassifier`
    files alike, and returns the estimator the file names.

    Loading never runs code from the file, so it is the safe way to open a
    model from a source you do not fully trust; ``pickle.load`` and
    ``joblib.load`` must only ever open files you trust.

    Parameters
    ----------
    path : str, path-like or binary file object
        The file written by :meth:`LSTMRegressor.save
        <sklstm.LSTMRegressor.save>`, or a seekable binary file object
        holding it.

    Returns
    -------
    estimator : LSTMRegressor or LSTMClassifier
        With the saved parameters and, if it was fitted, the same fitted
        attributes, scaling, weights and optimizer state, so that it predicts
        exactly as the saved one did and ``warm_start`` or ``partial_fit``
        continue its training.

    Raises
    ------
    ValueError
        If the file is not an sklstm model file: another format (a pickle
        included), truncated, modified after it was saved, or written by a
        newer, incompatible version of sklstm.

    See Also
    --------
    LSTMRegressor.save : Writes the file.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sklstm import LSTMRegressor, load
    >>> X = np.sin(np.linspace(0, 20, 200)).reshape(-1, 5, 1)
    >>> model = LSTMRegressor([4], steps=20, random_state=0).fit(X, X[:, -1, 0])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.sklstm")
    >>> model.save(path)
    >>> restored = load(path)
    >>> bool((restored.predict(X) == model.predict(X)).all())
    True
    """
    if hasattr(path, "read"):
        name = repr(getattr(path, "name", "the file object"))
        head = path.read(4)
        path.seek(-len(head), os.SEEK_CUR)
    else:
        name = repr(os.fspath(path))
        with open(path, "rb") as file:
            head = file.read(4)
    if head[:1] == b"\x80":
        raise ValueError(
            f"{name} looks like a pickle file, not an sklstm model file. sklstm "
            "never unpickles: unpickling runs code from the file. Open a pickle "
            "with pickle.load or joblib.load only if you trust its source."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            return _load_archive(archive)
    except _Invalid as exc:
        raise ValueError(f"{name} is not a valid sklstm model file: {exc}") from None
    except (*_DAMAGED, UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(
            f"{name} is not a valid sklstm model file: it is not a zip archive, or "
            f"it is truncated or damaged ({type(exc).__name__}: {exc})."
        ) from exc


def _read(archive: zipfile.ZipFile, member: str, limit: int) -> bytes:
    info = archive.getinfo(member)
    if info.file_size > limit:
        raise _Invalid(f"its member {member!r} claims {info.file_size} bytes.")
    return archive.read(info)


def _load_archive(archive: zipfile.ZipFile):
    names = archive.namelist()
    if MANIFEST not in names:
        raise _Invalid(f"it has no {MANIFEST!r} (members: {names[:10]}).")
    try:
        manifest = json.loads(_read(archive, MANIFEST, MAX_MANIFEST_BYTES))
    except ValueError as exc:  # not JSON, not UTF-8, or an absurd number
        raise _Invalid(f"its {MANIFEST!r} is not JSON ({exc}).") from None
    face = _FACES.get(manifest.get("format")) if isinstance(manifest, dict) else None
    if face is None:
        raise _Invalid(
            f"its {MANIFEST!r} does not describe an estimator sklstm saves "
            f"({', '.join(sorted(_FACES))})."
        )
    version = manifest.get("format_version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise _Invalid(
            f"it has format version {version!r}; this sklstm reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))}. A newer sklstm may have "
            "written it."
        )
    fitted = manifest.get("fitted")
    expected = {MANIFEST, ARRAYS} | ({MODEL} if fitted is not None else set())
    if len(names) != len(set(names)) or set(names) != expected:
        raise _Invalid(f"it holds members {sorted(names)}, not {sorted(expected)}.")
    digests = manifest.get("sha256")
    if not isinstance(digests, dict) or set(digests) != expected - {MANIFEST}:
        raise _Invalid("its checksums are missing.")
    data = {}
    for member in sorted(expected - {MANIFEST}):
        data[member] = _read(archive, member, MAX_MEMBER_BYTES)
        if hashlib.sha256(data[member]).hexdigest() != digests[member]:
            raise _Invalid(
                f"its member {member!r} was modified after the file was saved "
                "(checksum mismatch)."
            )
    arrays = _read_arrays(data[ARRAYS])

    params = manifest.get("params")
    own = set(face._get_param_names())
    if isinstance(params, dict) and "linear" in own and "linear" not in params:
        # Written before the linear part existed: a network without one.
        params = {**params, "linear": False}
    if not isinstance(params, dict) or set(params) != own:
        raise _Invalid(
            f"its parameters are not those of {face.__name__} ({sorted(own)})."
        )
    decoded = {
        key: _decode(value, f"parameter {key}", arrays, 0)
        for key, value in params.items()
    }
    estimator = face(**decoded)
    try:
        estimator._validate_params()
    except ValueError as exc:
        raise _Invalid(str(exc)) from None
    if fitted is not None:
        _restore_fitted(estimator, fitted, arrays, data[MODEL], version)
    return estimator


def _read_arrays(data: bytes) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except ValueError as exc:
        raise _Invalid(
            f"its {ARRAYS!r} cannot be read without pickle ({exc})."
        ) from None


def _decode(value: Any, where: str, arrays: dict, depth: int) -> Any:
    if depth > 20:
        raise _Invalid(f"{where} is nested too deeply.")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_decode(v, where, arrays, depth + 1) for v in value]
    if isinstance(value, dict) and len(value) == 1:
        ((tag, content),) = value.items()
        if tag == "tuple" and isinstance(content, list):
            return tuple(_decode(v, where, arrays, depth + 1) for v in content)
        if tag == "dict" and isinstance(content, dict):
            return {k: _decode(v, where, arrays, depth + 1) for k, v in content.items()}
        if tag == "path" and isinstance(content, str):
            return pathlib.Path(content)
        if tag == "random_state" and isinstance(content, dict):
            return _random_state(content, arrays, where)
    raise _Invalid(f"{where} holds {value!r}, which sklstm does not write.")


def _random_state(content: dict, arrays: dict, where: str) -> np.random.RandomState:
    keys = arrays.get("random_state")
    if keys is None or set(content) != {"kind", "pos", "has_gauss", "cached_gaussian"}:
        raise _Invalid(f"{where}'s state is incomplete.")
    rng = np.random.RandomState()
    try:
        rng.set_state(
            (
                content["kind"],
                keys,
                content["pos"],
                content["has_gauss"],
                content["cached_gaussian"],
            )
        )
    except (TypeError, ValueError) as exc:
        raise _Invalid(f"{where}'s state is invalid ({exc}).") from None
    return rng


def _int(value: Any, where: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _Invalid(f"{where} must be an int >= {minimum}; got {value!r}.")
    return value


def _float(value: Any, where: str, *, finite: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Invalid(f"{where} must be a number; got {value!r}.")
    if finite and not math.isfinite(value):
        raise _Invalid(f"{where} must be finite; got {value!r}.")
    return float(value)


def _array(arrays: dict, key: str, shape: tuple, *, positive: bool = False):
    value = arrays.get(key)
    if (
        value is None
        or value.dtype != np.float64
        or value.shape != shape
        or not np.isfinite(value).all()
        or (positive and not (value > 0).all())
    ):
        raise _Invalid(
            f"its array {key!r} must be {'positive ' if positive else ''}finite "
            f"float64 of shape {shape}."
        )
    return value


def _restore_fitted(
    estimator, fitted: Any, arrays: dict, model_bytes: bytes, version: int
) -> None:
    from ._network import (
        NetworkSpec,
        parse_dense_layers,
        parse_optimizer,
        parse_rnn_layers,
    )
    from ._scaling import WindowScaling
    from ._training import build_network

    loss = estimator._loss
    expected = {
        "n_features_in_",
        "feature_names_in_",
        "time_steps_in_",
        "fit_ndim",
        "history_",
        "best_loss_",
        "best_step_",
        "n_iter_",
        "network",
        "scaling",
        "optimizer_variables",
    }
    expected |= {"n_outputs_", "y_ndim"} if loss == "mse" else {"classes_"}
    if version >= 2:
        expected.add("n_validation_samples_")
    # Files written before the linear part existed have none.
    optional = {"linear_loss_"} if loss == "mse" else set()
    if not isinstance(fitted, dict) or not expected <= set(fitted) <= (
        expected | optional
    ):
        raise _Invalid("its fitted state does not have the expected fields.")
    description = fitted["network"]
    spec_keys = {
        "time_steps",
        "n_features",
        "n_outputs",
        "rnn_layers",
        "dense_layers",
        "optimizer",
        "learning_rate",
    }
    if version >= 2:
        spec_keys |= {"loss", "masked"}
    if not isinstance(description, dict) or set(description) - {"linear"} != spec_keys:
        raise _Invalid("its network description does not have the expected fields.")
    try:
        rnn_specs = parse_rnn_layers(description["rnn_layers"])
        dense_spec = parse_dense_layers(description["dense_layers"])
        optimizer = parse_optimizer(description["optimizer"])
    except (TypeError, ValueError) as exc:
        raise _Invalid(f"its network description is invalid: {exc}") from None
    learning_rate = _float(description["learning_rate"], "learning_rate", finite=True)
    if learning_rate <= 0:
        raise _Invalid(f"learning_rate must be positive; got {learning_rate!r}.")
    if description.get("loss", "mse") != loss:
        raise _Invalid(
            f"its network is trained on {description.get('loss')!r}, not on "
            f"{loss!r} as a {type(estimator).__name__}'s."
        )
    masked = description.get("masked", False)
    if not isinstance(masked, bool):
        raise _Invalid("its network's masked flag must be a bool.")
    linear = description.get("linear", False)
    if not isinstance(linear, bool) or (linear and (masked or loss != "mse")):
        raise _Invalid("its network's linear flag must be a bool, False if masked.")
    spec = NetworkSpec(  # as the estimator's fit builds it
        time_steps=_int(description["time_steps"], "time_steps", 1),
        n_features=_int(description["n_features"], "n_features", 1),
        n_outputs=_int(description["n_outputs"], "n_outputs", 1),
        rnn_layers=tuple(rnn_specs),
        dense=dense_spec,
        optimizer=optimizer,
        learning_rate=learning_rate,
        loss=loss,
        masked=masked,
        linear=linear,
    )

    fit_ndim = fitted["fit_ndim"]
    n_features_in = _int(fitted["n_features_in_"], "n_features_in_", 1)
    time_steps_in = _int(fitted["time_steps_in_"], "time_steps_in_", 1)
    names = fitted["feature_names_in_"]
    state = {}
    if loss == "mse":
        y_ndim = fitted["y_ndim"]
        n_outputs = _int(fitted["n_outputs_"], "n_outputs_", 1)
        face_consistent = (
            y_ndim in (1, 2)
            and n_outputs == spec.n_outputs
            and (y_ndim == 2 or n_outputs == 1)
        )
        linear_loss = fitted.get("linear_loss_")
        state.update(
            n_outputs_=n_outputs,
            _y_ndim=y_ndim,
            linear_loss_=None
            if linear_loss is None
            else _float(linear_loss, "linear_loss_"),
        )
        face_consistent = face_consistent and (linear_loss is None) != linear
    else:
        classes = _decode_classes(fitted["classes_"])
        face_consistent = len(classes) == spec.n_outputs >= 2
        state["classes_"] = classes
    consistent = (
        face_consistent
        and fit_ndim in (2, 3)
        and time_steps_in == spec.time_steps
        and (
            (n_features_in == spec.time_steps and spec.n_features == 1)
            if fit_ndim == 2
            else n_features_in == spec.n_features
        )
        and (
            names is None
            or (
                fit_ndim == 2
                and isinstance(names, list)
                and len(names) == n_features_in
                and all(isinstance(n, str) for n in names)
            )
        )
    )
    if not consistent:
        raise _Invalid("its fitted shapes do not agree with each other.")

    history = fitted["history_"]
    if not isinstance(history, dict) or set(history) != set(_HISTORY_KEYS):
        raise _Invalid("its history_ does not have the expected keys.")
    lengths = {len(v) if isinstance(v, list) else -1 for v in history.values()}
    if len(lengths) != 1 or -1 in lengths:
        raise _Invalid("its history_ lists differ in length.")
    for key in ("step", "epoch"):
        for value in history[key]:
            _int(value, f"history_[{key!r}]")
    for value in history["train_loss"]:
        _float(value, "history_['train_loss']")
    for value in history["val_loss"]:
        if value is not None:
            _float(value, "history_['val_loss']")

    n_features, n_outputs = spec.n_features, spec.n_outputs
    scaling = WindowScaling(
        _array(arrays, "scaling.x_mean", (n_features,)),
        _array(arrays, "scaling.x_scale", (n_features,), positive=True),
        _array(arrays, "scaling.y_mean", (n_outputs,)),
        _array(arrays, "scaling.y_scale", (n_outputs,), positive=True),
        _reference(fitted["scaling"], n_features, n_outputs, version),
    )
    if loss == "mse":
        state["relative_"] = scaling.relative_targets
    elif scaling.relative_targets.any():
        raise _Invalid("its classifier's scaling measures outputs from features.")
    n_validation = 0
    if version >= 2:
        n_validation = _int(fitted["n_validation_samples_"], "n_validation_samples_")

    try:
        network = build_network(spec, seed=0)
    except ValueError as exc:  # an activation Keras does not know
        raise _Invalid(f"its network description is invalid: {exc}") from None
    weights = _keras_weights(model_bytes, network.model)
    n_optimizer = _int(fitted["optimizer_variables"], "optimizer_variables")
    optimizer_state = [arrays.get(f"optimizer.{i}") for i in range(n_optimizer)]
    fresh = network.get_optimizer_state()
    wanted = {f"optimizer.{i}" for i in range(n_optimizer)}
    extra = (
        set(arrays)
        - wanted
        - {"random_state"}
        - {f"scaling.{n}" for n in ("x_mean", "x_scale", "y_mean", "y_scale")}
    )
    if extra:
        raise _Invalid(f"it holds unexpected arrays {sorted(extra)[:5]}.")
    if len(optimizer_state) != len(fresh) or any(
        saved is None or saved.shape != now.shape or saved.dtype != now.dtype
        for saved, now in zip(optimizer_state, fresh, strict=False)
    ):
        raise _Invalid(f"its optimizer state does not fit the {optimizer} optimizer.")
    network.set_weights(weights)
    network.set_optimizer_state(optimizer_state)

    state.update(
        {
            "n_features_in_": n_features_in,
            "time_steps_in_": time_steps_in,
            "_fit_ndim": fit_ndim,
            "_network": network,
            "_network_spec": spec,
            "_scaling": scaling,
            "model_": network.model,
            "history_": {key: list(history[key]) for key in _HISTORY_KEYS},
            "best_loss_": _float(fitted["best_loss_"], "best_loss_"),
            "best_step_": _int(fitted["best_step_"], "best_step_"),
            "n_iter_": _int(fitted["n_iter_"], "n_iter_"),
            "n_validation_samples_": n_validation,
        }
    )
    if names is not None:
        state["feature_names_in_"] = np.asarray(names, dtype=object)
    estimator.__dict__.update(state)


def _decode_classes(encoded: Any) -> np.ndarray:
    """Class labels written by ``_encode_classes``, checked."""
    if (
        not isinstance(encoded, dict)
        or set(encoded) != {"kind", "object", "values"}
        or encoded["kind"] not in ("b", "i", "u", "f", "U")
        or not isinstance(encoded["object"], bool)
        or not isinstance(encoded["values"], list)
    ):
        raise _Invalid("its classes_ are not a list of labels of one kind.")
    kind, values = encoded["kind"], encoded["values"]
    allowed = {
        "b": (bool,),
        "i": (int,),
        "u": (int,),
        "f": (int, float),
        "U": (str,),
    }[kind]
    if not all(
        isinstance(v, allowed) and (kind == "b" or not isinstance(v, bool))
        for v in values
    ):
        raise _Invalid(f"its classes_ are not all of kind {kind!r}.")
    dtype = object if encoded["object"] else None
    classes = np.asarray(values, dtype=dtype)
    if len(classes) and not np.array_equal(np.unique(classes), classes):
        raise _Invalid("its classes_ are not sorted and unique.")
    return classes


def _reference(state: Any, n_features: int, n_outputs: int, version: int):
    """The scaling's reference feature per target, checked (see WindowScaling)."""
    if version == 1:
        # One flag: every target measured from the feature of the same index.
        if not isinstance(state, dict) or set(state) != {"relative"}:
            raise _Invalid("its scaling description does not have the expected fields.")
        relative = state["relative"]
        if not isinstance(relative, bool):
            raise _Invalid("its scaling's relative flag must be a bool.")
        if relative and n_outputs != n_features:
            raise _Invalid("its relative scaling needs one target per feature.")
        return np.arange(n_outputs) if relative else np.full(n_outputs, -1)
    if not isinstance(state, dict) or set(state) != {"reference"}:
        raise _Invalid("its scaling description does not have the expected fields.")
    reference = state["reference"]
    if (
        not isinstance(reference, list)
        or len(reference) != n_outputs
        or any(
            isinstance(r, bool) or not isinstance(r, int) or not -1 <= r < n_features
            for r in reference
        )
    ):
        raise _Invalid(
            f"its scaling's reference must list {n_outputs} feature indices "
            f"between -1 and {n_features - 1}."
        )
    return np.asarray(reference, dtype=np.int64)


def _class_references(node: Any, found: set) -> set:
    """Every (module, class_name, registered_name) a Keras config refers to."""
    if isinstance(node, dict):
        if "class_name" in node:
            found.add(
                tuple(
                    json.dumps(node.get(key), sort_keys=True)
                    for key in ("module", "class_name", "registered_name")
                )
            )
        for value in node.values():
            _class_references(value, found)
    elif isinstance(node, list):
        for value in node:
            _class_references(value, found)
    return found


def _keras_config(path: str) -> Any:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if not set(names) <= _KERAS_MEMBERS or "config.json" not in names:
            raise _Invalid(f"its {MODEL!r} holds unexpected members {names}.")
        return json.loads(_read(archive, "config.json", MAX_MANIFEST_BYTES))


def _keras_weights(model_bytes: bytes, reference) -> list[np.ndarray]:
    """The weights of the saved Keras model, checked against ``reference``.

    ``reference`` is the network sklstm builds from the file's description;
    the saved model may use no class that it does not use, and must have its
    layers and weight shapes.
    """
    keras = load_keras()

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, MODEL)
        with open(path, "wb") as file:
            file.write(model_bytes)
        expected_path = os.path.join(folder, "reference.keras")
        reference.save(expected_path)
        try:
            config = _keras_config(path)
        except ValueError as exc:
            raise _Invalid(f"its {MODEL!r} has a damaged config ({exc}).") from None
        allowed = _class_references(_keras_config(expected_path), set())
        unexpected = _class_references(config, set()) - allowed
        if unexpected:
            raise _Invalid(
                f"its {MODEL!r} refers to classes the network does not use: "
                f"{sorted(unexpected)[:5]}."
            )
        try:
            model = keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as exc:  # any failure to read the Keras model
            raise _Invalid(
                f"Keras could not load its {MODEL!r} ({type(exc).__name__}: {exc})."
            ) from None
    layers = [(type(layer).__name__, layer.name) for layer in model.layers]
    expected_layers = [(type(layer).__name__, layer.name) for layer in reference.layers]
    weights = model.get_weights()
    expected_weights = reference.get_weights()
    if (
        layers != expected_layers
        or len(weights) != len(expected_weights)
        or any(
            w.shape != e.shape or w.dtype != e.dtype
            for w, e in zip(weights, expected_weights, strict=True)
        )
    ):
        raise _Invalid(
            f"its {MODEL!r} is not the network its description builds "
            f"(layers {layers})."
        )
    if not all(np.isfinite(w).all() for w in weights):
        raise _Invalid(f"its {MODEL!r} has non-finite weights.")
    return weights
