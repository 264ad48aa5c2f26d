"""The saved-file format: an archive of data that loading checks and never runs.

This module knows the archive, not the estimators: what a fitted estimator's
state is, the estimator writes and checks itself (its ``_save_state`` and
``_restore_state``), with the checked readers and the :class:`InvalidFile`
error defined here.

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
    description of the network), and SHA-256 digests of the other members
    and of its own content.
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
import secrets
import struct
import tempfile
import zipfile
import zlib
from numbers import Integral, Real
from typing import IO, Any

import numpy as np

from ._config import load_keras
from ._version import __version__

__all__ = [
    "InvalidFile",
    "checked_array",
    "checked_float",
    "checked_int",
    "load",
    "register",
    "save",
]

FORMAT_VERSION = 15
# The estimators files can hold, by format name ("sklstm.<class name>"); each
# face registers itself when it is defined.
_FACES: dict[str, type] = {}
# Versions this sklstm reads. Version 1 (sklstm 0.1) stored one relative flag
# for all targets and no validation size; version 2 files evaluated every
# validation row (no n_validation_evaluated_); version 3 files divided no
# window by its own scale (no scaling divisor, no window_scale parameter);
# version 4 files hold a network of one member (no n_networks parameter);
# version 5 files read time steps one by one (no patch_length parameter);
# version 6 files weigh a panel's windows alike (no recency_halflife
# parameter); version 7 files learn no vector per series (no
# series_embedding parameter); version 8 files train every regressor on the
# squared error (no loss parameter); version 9 files give the linear path of
# a network in relative mode no levels (no scaling level arrays); version
# 10 files read no series attributes (no series_attributes parameter);
# version 11 files carry no digest of their own manifest; version 12 files
# train classifiers on the one-hot classes (no label_smoothing parameter);
# version 13 files leave out dropout's random generators, so a loaded model
# with dropout trains on from fresh generators; version 14 files divide a
# window of zeros by 1 (no scaling zero_scale array).
READABLE_VERSIONS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
# The first version whose manifest holds a digest of itself.
MANIFEST_DIGEST_SINCE = 12
MANIFEST = "sklstm.json"
ARRAYS = "arrays.npz"
MODEL = "model.keras"
# Limits on what a member may claim to hold, so that a crafted archive cannot
# make loading decompress gigabytes.
MAX_MANIFEST_BYTES = 64 << 20
MAX_MEMBER_BYTES = 2 << 30
_KERAS_MEMBERS = {"config.json", "metadata.json", "model.weights.h5"}
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


class InvalidFile(Exception):
    """A file that is not a valid sklstm model; becomes a ValueError in load.

    Its message continues "<file> is not a valid sklstm model file: ", so it
    reads as "its ... ." (what is wrong with the file).
    """


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
def manifest_digest(manifest: dict) -> str:
    """SHA-256 of the manifest's content but its own digest, as canonical JSON.

    Computed on the parsed content rather than the bytes, so that how the
    JSON is laid out does not matter, only what it says: Python writes every
    float back exactly as it read it.
    """
    content = {
        key: value for key, value in manifest.items() if key != "manifest_sha256"
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def save(estimator, path: PathOrFile) -> None:
    """Write ``estimator`` to ``path``; see :meth:`LSTMRegressor.save`."""
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
    state = estimator._save_state(arrays)
    if state is not None:
        manifest["fitted"], model = state
        members[MODEL] = _keras_bytes(model)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    members[ARRAYS] = buffer.getvalue()
    manifest["sha256"] = {
        name: hashlib.sha256(data).hexdigest() for name, data in members.items()
    }
    manifest["manifest_sha256"] = manifest_digest(manifest)
    text = json.dumps(manifest, indent=1).encode("utf-8")
    path = _checked_path(path, "save", "write")
    if hasattr(path, "write"):
        _write_archive(path, text, members)
        return
    # Write beside the target, then rename: an interrupted save never leaves
    # a truncated file where a good one was.
    target = pathlib.Path(path)
    if target.is_dir():
        raise IsADirectoryError(
            f"save writes a file, but {str(target)!r} is a directory: give a "
            "file name in it."
        )
    # Named after the target, shortened so that a name the file system takes
    # for the target is not too long once marked as temporary.
    temporary = target.parent / f".{target.name[:64]}.{secrets.token_hex(8)}.part"
    # Created as open() creates files, so the user's umask decides who may
    # read it (mkstemp would make it the owner's alone).
    try:
        handle = os.open(
            temporary,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
            0o666,
        )
    except OSError as error:
        # The error names the hidden file written first; the user gave target.
        if error.errno is None:
            raise OSError(f"save cannot write {str(target)!r}: {error}") from None
        raise type(error)(error.errno, error.strerror, str(target)) from None
    try:
        with os.fdopen(handle, "wb") as file:
            _write_archive(file, text, members)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise


def _checked_path(path: Any, function: str, method: str) -> Any:
    """A str path, or the binary file object given; else an error saying so."""
    if hasattr(path, method):
        if isinstance(path, io.TextIOBase):
            raise TypeError(
                f"{function} takes a binary file object, but this one is opened "
                f"as text: open it with open(..., '{method[0]}b')."
            )
        return path
    if isinstance(path, (bytes, bytearray)):
        return os.fsdecode(bytes(path))
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"{function} takes a path (a str or path-like object) or a binary "
            f"file object; got {type(path).__name__}."
        )
    return os.fspath(path)


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
    if isinstance(value, dict) and all(
        k is None or isinstance(k, (bool, np.bool_, str, Real)) for k in value
    ):
        # Keys that JSON objects cannot hold (a class_weight keyed by int
        # labels) go as pairs.
        return {
            "items": [
                [
                    _encode(k, f"{where} key", arrays),
                    _encode(v, f"{where}[{k!r}]", arrays),
                ]
                for k, v in value.items()
            ]
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
    if isinstance(path, (bytes, bytearray)) and path[:2] == b"PK":
        raise TypeError(
            "load takes a path or a binary file object, not the file's bytes: "
            "wrap them in io.BytesIO."
        )
    path = _checked_path(path, "load", "read")
    if hasattr(path, "read"):
        name = repr(getattr(path, "name", "the file object"))
        head = path.read(4)
        if isinstance(head, str):
            raise TypeError(
                f"load reads a binary file object, but {name} was opened as "
                "text: open it with open(..., 'rb')."
            )
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
    except InvalidFile as exc:
        raise ValueError(f"{name} is not a valid sklstm model file: {exc}") from None
    except (*_DAMAGED, UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(
            f"{name} is not a valid sklstm model file: it is not a zip archive, or "
            f"it is truncated or damaged ({type(exc).__name__}: {exc})."
        ) from exc


def _read(archive: zipfile.ZipFile, member: str, limit: int) -> bytes:
    info = archive.getinfo(member)
    if info.file_size > limit:
        raise InvalidFile(f"its member {member!r} claims {info.file_size} bytes.")
    return archive.read(info)


def _load_archive(archive: zipfile.ZipFile):
    names = archive.namelist()
    if MANIFEST not in names:
        raise InvalidFile(f"it has no {MANIFEST!r} (members: {names[:10]}).")
    try:
        manifest = json.loads(_read(archive, MANIFEST, MAX_MANIFEST_BYTES))
    except ValueError as exc:  # not JSON, not UTF-8, or an absurd number
        raise InvalidFile(f"its {MANIFEST!r} is not JSON ({exc}).") from None
    face = _FACES.get(manifest.get("format")) if isinstance(manifest, dict) else None
    if face is None:
        raise InvalidFile(
            f"its {MANIFEST!r} does not describe an estimator sklstm saves "
            f"({', '.join(sorted(_FACES))})."
        )
    version = manifest.get("format_version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise InvalidFile(
            f"it has format version {version!r}; this sklstm reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))}. A newer sklstm may have "
            "written it."
        )
    if version >= MANIFEST_DIGEST_SINCE and manifest.get(
        "manifest_sha256"
    ) != manifest_digest(manifest):
        raise InvalidFile(
            f"its member {MANIFEST!r} was modified after the file was saved "
            "(checksum mismatch)."
        )
    fitted = manifest.get("fitted")
    expected = {MANIFEST, ARRAYS} | ({MODEL} if fitted is not None else set())
    if len(names) != len(set(names)) or set(names) != expected:
        raise InvalidFile(f"it holds members {sorted(names)}, not {sorted(expected)}.")
    digests = manifest.get("sha256")
    if not isinstance(digests, dict) or set(digests) != expected - {MANIFEST}:
        raise InvalidFile("its checksums are missing.")
    data = {}
    for member in sorted(expected - {MANIFEST}):
        data[member] = _read(archive, member, MAX_MEMBER_BYTES)
        if hashlib.sha256(data[member]).hexdigest() != digests[member]:
            raise InvalidFile(
                f"its member {member!r} was modified after the file was saved "
                "(checksum mismatch)."
            )
    arrays = _read_arrays(data[ARRAYS])

    params = manifest.get("params")
    own = set(face._get_param_names())
    if isinstance(params, dict) and version < FORMAT_VERSION:
        # Parameters added since: the values that mean what older files did.
        params = {**face._params_older_files_lack, **params}
    if not isinstance(params, dict) or set(params) != own:
        raise InvalidFile(
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
        raise InvalidFile(str(exc)) from None
    if fitted is not None:
        recorded = _RecordedReads(arrays)
        estimator._restore_state(
            fitted,
            recorded,
            lambda network: _keras_weights(data[MODEL], network),
            version=version,
            weight_bytes=len(data[MODEL]),
        )
        extra = set(arrays) - recorded.read - {"random_state"}
        if extra:
            raise InvalidFile(f"it holds unexpected arrays {sorted(extra)[:5]}.")
    return estimator


class _RecordedReads(dict):
    """The file's arrays, remembering which the estimator read: no array may
    be left unread."""

    def __init__(self, arrays: dict) -> None:
        super().__init__(arrays)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> np.ndarray:
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)


def _read_arrays(data: bytes) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except ValueError as exc:
        raise InvalidFile(
            f"its {ARRAYS!r} cannot be read without pickle ({exc})."
        ) from None


def _decode(value: Any, where: str, arrays: dict, depth: int) -> Any:
    if depth > 20:
        raise InvalidFile(f"{where} is nested too deeply.")
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
        if (
            tag == "items"
            and isinstance(content, list)
            and all(
                isinstance(pair, list)
                and len(pair) == 2
                and (pair[0] is None or isinstance(pair[0], (bool, int, float, str)))
                for pair in content
            )
        ):
            return {k: _decode(v, where, arrays, depth + 1) for k, v in content}
        if tag == "path" and isinstance(content, str):
            return pathlib.Path(content)
        if tag == "random_state" and isinstance(content, dict):
            return _random_state(content, arrays, where)
    raise InvalidFile(f"{where} holds {value!r}, which sklstm does not write.")


def _random_state(content: dict, arrays: dict, where: str) -> np.random.RandomState:
    keys = arrays.get("random_state")
    if keys is None or set(content) != {"kind", "pos", "has_gauss", "cached_gaussian"}:
        raise InvalidFile(f"{where}'s state is incomplete.")
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
        raise InvalidFile(f"{where}'s state is invalid ({exc}).") from None
    return rng


def checked_int(value: Any, where: str, minimum: int = 0) -> int:
    """``value`` read from a file, which must be an int of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidFile(f"{where} must be an int >= {minimum}; got {value!r}.")
    return value


def checked_float(value: Any, where: str, *, finite: bool = False) -> float:
    """``value`` read from a file, which must be a number (finite if asked)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidFile(f"{where} must be a number; got {value!r}.")
    if finite and not math.isfinite(value):
        raise InvalidFile(f"{where} must be finite; got {value!r}.")
    return float(value)


def checked_array(arrays: dict, key: str, shape: tuple, *, positive: bool = False):
    """The finite float64 array ``key`` of the file, of shape ``shape``."""
    value = arrays.get(key)
    if (
        value is None
        or value.dtype != np.float64
        or value.shape != shape
        or not np.isfinite(value).all()
        or (positive and not (value > 0).all())
    ):
        raise InvalidFile(
            f"its array {key!r} must be {'positive ' if positive else ''}finite "
            f"float64 of shape {shape}."
        )
    return value


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
            raise InvalidFile(f"its {MODEL!r} holds unexpected members {names}.")
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
            raise InvalidFile(f"its {MODEL!r} has a damaged config ({exc}).") from None
        allowed = _class_references(_keras_config(expected_path), set())
        unexpected = _class_references(config, set()) - allowed
        if unexpected:
            raise InvalidFile(
                f"its {MODEL!r} refers to classes the network does not use: "
                f"{sorted(unexpected)[:5]}."
            )
        try:
            model = keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as exc:  # any failure to read the Keras model
            raise InvalidFile(
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
        raise InvalidFile(
            f"its {MODEL!r} is not the network its description builds "
            f"(layers {layers})."
        )
    if not all(np.isfinite(w).all() for w in weights):
        raise InvalidFile(f"its {MODEL!r} has non-finite weights.")
    return weights
