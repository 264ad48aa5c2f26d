"""Reading the shared fitted state back from a saved file, every value checked.

:meth:`BaseRecurrentNetwork._restore_state <sklstm._core.BaseRecurrentNetwork>`
reads a file's fitted state with these functions: the description of the
input, the history, the scaling and the network with its weights and
optimizer state. Each raises :class:`~sklstm._persistence.InvalidFile`,
naming what is wrong, and sets nothing on an estimator.
"""

from __future__ import annotations

from dataclasses import replace
from numbers import Integral
from typing import Any

import numpy as np

from ._network import NetworkSpec
from ._persistence import InvalidFile, checked_array, checked_float, checked_int
from ._scaling import WindowScaling
from ._training import build_network

__all__ = [
    "HISTORY_KEYS",
    "LEVEL_ARRAYS",
    "SAVED_FIELDS",
    "SCALING_ARRAYS",
    "fields_in",
    "plain",
    "saved_history",
    "saved_inputs",
    "saved_network",
    "saved_scaling",
]

# What a saved file holds of every fitted estimator, beside the face's own
# fields: each key with the first format version that holds it.
SAVED_FIELDS = {
    "n_features_in_": 1,
    "feature_names_in_": 1,
    "time_steps_in_": 1,
    "fit_ndim": 1,
    "history_": 1,
    "best_loss_": 1,
    "best_step_": 1,
    "n_iter_": 1,
    "network": 1,
    "scaling": 1,
    "optimizer_variables": 1,
    "n_validation_samples_": 2,
    "n_validation_evaluated_": 3,
    "generator_variables": 14,
    "held_out_fraction": 15,
}
HISTORY_KEYS = ("step", "epoch", "train_loss", "val_loss")
SCALING_ARRAYS = ("x_mean", "x_scale", "y_mean", "y_scale")
# Held where the network's linear path reads levels (NetworkSpec.levels).
LEVEL_ARRAYS = ("level_mean", "level_scale")
# The first format version whose window-scaled models hold what a window of
# zeros is divided by (earlier ones divided it by 1).
ZERO_SCALE_SINCE = 15


def fields_in(fields: dict[str, int], version: int) -> set[str]:
    """The keys of ``fields`` (key -> first format version) a file holds."""
    return {name for name, since in fields.items() if since <= version}


def plain(value: Any) -> Any:
    """A history value as JSON: None, an int or a float."""
    if value is None:
        return None
    if isinstance(value, Integral):
        return int(value)
    return float(value)


def saved_inputs(fitted: dict, spec: NetworkSpec) -> dict:
    """The attributes describing the input, checked against the network."""

    ndim = fitted["fit_ndim"]
    n_features_in = checked_int(fitted["n_features_in_"], "n_features_in_", 1)
    time_steps_in = checked_int(fitted["time_steps_in_"], "time_steps_in_", 1)
    names = fitted["feature_names_in_"]
    consistent = (
        ndim in (2, 3)
        and time_steps_in == spec.time_steps
        and (
            (n_features_in == spec.time_steps and spec.n_features == 1)
            if ndim == 2
            else n_features_in == spec.n_features
        )
        and (
            names is None
            or (
                ndim == 2
                and isinstance(names, list)
                and len(names) == n_features_in
                and all(isinstance(n, str) for n in names)
            )
        )
    )
    if not consistent:
        raise InvalidFile("its fitted shapes do not agree with each other.")
    state = {
        "n_features_in_": n_features_in,
        "time_steps_in_": time_steps_in,
        "input_ndim_": ndim,
    }
    if names is not None:
        state["feature_names_in_"] = np.asarray(names, dtype=object)
    return state


def saved_history(history: Any) -> dict:
    """The ``history_`` of a file, checked."""

    if not isinstance(history, dict) or set(history) != set(HISTORY_KEYS):
        raise InvalidFile("its history_ does not have the expected keys.")
    lengths = {len(v) if isinstance(v, list) else -1 for v in history.values()}
    if len(lengths) != 1 or -1 in lengths:
        raise InvalidFile("its history_ lists differ in length.")
    for key in ("step", "epoch"):
        for value in history[key]:
            checked_int(value, f"history_[{key!r}]")
    for value in history["train_loss"]:
        checked_float(value, "history_['train_loss']")
    for value in history["val_loss"]:
        if value is not None:
            checked_float(value, "history_['val_loss']")
    return {key: list(history[key]) for key in HISTORY_KEYS}


def saved_scaling(arrays: dict, state: Any, spec: NetworkSpec, version: int):
    """The :class:`~sklstm._scaling.WindowScaling` of a file, checked."""

    n_features, n_outputs = spec.n_features, spec.n_outputs
    levels = {}
    if spec.levels:
        levels = {
            "level_mean": checked_array(arrays, "scaling.level_mean", (n_features,)),
            "level_scale": checked_array(
                arrays, "scaling.level_scale", (n_features,), positive=True
            ),
        }
    scaling = WindowScaling(
        checked_array(arrays, "scaling.x_mean", (n_features,)),
        checked_array(arrays, "scaling.x_scale", (n_features,), positive=True),
        checked_array(arrays, "scaling.y_mean", (n_outputs,)),
        checked_array(arrays, "scaling.y_scale", (n_outputs,), positive=True),
        saved_reference(state, n_features, n_outputs, version),
        saved_divisor(state, n_features, n_outputs, version),
        **levels,
    )
    if scaling.divisor is not None and version >= ZERO_SCALE_SINCE:
        zero_scale = checked_array(
            arrays, "scaling.zero_scale", (n_features,), positive=True
        )
        scaling = replace(scaling, zero_scale=zero_scale)
    if spec.levels and (
        spec.levels != scaling.level_features or scaling.divisor is not None
    ):
        raise InvalidFile(
            "its network's levels are not its scaling's relative features."
        )
    return scaling


def saved_reference(state: Any, n_features: int, n_outputs: int, version: int):
    """The scaling's reference feature per target, checked (see WindowScaling)."""

    if version == 1:
        # One flag: every target measured from the feature of the same index.
        if not isinstance(state, dict) or set(state) != {"relative"}:
            raise InvalidFile(
                "its scaling description does not have the expected fields."
            )
        relative = state["relative"]
        if not isinstance(relative, bool):
            raise InvalidFile("its scaling's relative flag must be a bool.")
        if relative and n_outputs != n_features:
            raise InvalidFile("its relative scaling needs one target per feature.")
        return np.arange(n_outputs) if relative else np.full(n_outputs, -1)
    expected = {"reference"} | ({"divisor"} if version >= 4 else set())
    if not isinstance(state, dict) or set(state) != expected:
        raise InvalidFile("its scaling description does not have the expected fields.")
    return _feature_indices(state["reference"], "reference", n_features, n_outputs, -1)


def saved_divisor(state: Any, n_features: int, n_outputs: int, version: int):
    """The scaling's divisor feature per target, or None (see WindowScaling)."""

    if version < 4 or state["divisor"] is None:
        return None
    return _feature_indices(state["divisor"], "divisor", n_features, n_outputs, 0)


def _feature_indices(values, name: str, n_features: int, n_outputs: int, low: int):
    if (
        not isinstance(values, list)
        or len(values) != n_outputs
        or any(
            isinstance(r, bool) or not isinstance(r, int) or not low <= r < n_features
            for r in values
        )
    ):
        raise InvalidFile(
            f"its scaling's {name} must list {n_outputs} feature indices "
            f"between {low} and {n_features - 1}."
        )
    return np.asarray(values, dtype=np.int64)


# DEFLATE's greatest ratio: no saved Keras model, however compressed, holds
# more float32 weights than this many times its size in bytes, over 4.
MOST_DEFLATE_RATIO = 1032


def fewest_weights(spec: NetworkSpec) -> int:
    """A lower bound on the number of weights of the network ``spec`` builds.

    Each member's kernels, layer by layer (a layer's inputs are at least the
    previous layer's outputs, the first's at least the features), and the
    tables of the linear path, the series' vectors and the categories'.
    """
    gates = {"lstm": 4, "gru": 3, "rnn": 1}
    width, per_member = spec.n_features, 0
    for layer in spec.rnn_layers:
        directions = 2 if layer.bidirectional else 1
        per_member += (
            directions * gates[layer.cell] * (width + layer.units) * layer.units
        )
        width = directions * layer.units
    for units in (*spec.dense.units, spec.n_outputs):
        per_member += width * units
        width = units
    linear = spec.time_steps * spec.n_features * spec.n_outputs if spec.linear else 0
    tables = spec.series * spec.embedding + sum(n * size for n, size in spec.attributes)
    return spec.members * per_member + linear + tables


def saved_network(
    spec: NetworkSpec, fitted: dict, arrays: dict, read_weights, weight_bytes=None
):
    """The network with its saved weights, optimizer state and random
    generators' states. ``weight_bytes``, the saved Keras model's size, bounds
    the network a description may ask for before it is built: a file that
    claims a million units fails here, not in TensorFlow's allocator."""
    if weight_bytes is not None:
        fewest = fewest_weights(spec)
        if 4 * fewest > MOST_DEFLATE_RATIO * weight_bytes:
            raise InvalidFile(
                f"its network description asks for at least {fewest} weights, "
                f"more than its saved model of {weight_bytes} bytes can hold."
            )
    try:
        network = build_network(spec, seed=0)
    except ValueError as exc:  # an activation Keras does not know
        raise InvalidFile(f"its network description is invalid: {exc}") from None
    weights = read_weights(network.model)
    optimizer_state = _saved_variables(
        fitted, arrays, "optimizer", network.get_optimizer_state()
    )
    if optimizer_state is None:
        raise InvalidFile(
            f"its optimizer state does not fit the {spec.optimizer} optimizer."
        )
    network.set_weights(weights)
    network.set_optimizer_state(optimizer_state)
    if "generator_variables" in fitted:
        generators = _saved_variables(
            fitted, arrays, "generator", network.get_generator_state()
        )
        if generators is None:
            raise InvalidFile("its random generators' states do not fit the network.")
        network.set_generator_state(generators)
    return network


def _saved_variables(fitted: dict, arrays: dict, kind: str, fresh: list):
    """The file's arrays ``<kind>.0``, ``<kind>.1``... (as many as its
    ``<kind>_variables`` says), or None where they are not ``fresh``'s
    number, shapes and types."""
    count = checked_int(fitted[f"{kind}_variables"], f"{kind}_variables")
    if count != len(fresh):
        return None
    saved = [arrays.get(f"{kind}.{i}") for i in range(count)]
    if any(
        value is None or value.shape != now.shape or value.dtype != now.dtype
        for value, now in zip(saved, fresh, strict=True)
    ):
        return None
    return saved
