"""The network: layer specifications, validated without Keras, and the Keras model.

Parsing ``rnn_layers`` and ``dense_layers`` is plain Python so that the
estimator can reject a bad specification before TensorFlow is imported;
:func:`build_model` and :func:`make_optimizer` import Keras only when called.

A network is described by a :class:`NetworkSpec`: its input shape, outputs,
layers, optimizer, loss and whether padded steps are masked. The same
description keys the shared compiled programs, and writes and reads itself
(:meth:`NetworkSpec.to_dict`, :meth:`NetworkSpec.from_dict`) for saved files,
whose network is rebuilt from it.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np

from ._config import load_keras
from ._patches import patch_layer
from ._scaling import PAD_VALUE

__all__ = [
    "OPTIMIZERS",
    "PAD_VALUE",
    "DenseSpec",
    "NetworkSpec",
    "RecurrentSpec",
    "build_model",
    "make_optimizer",
    "parse_dense_layers",
    "parse_optimizer",
    "parse_rnn_layers",
]

# Lower-case name -> Keras class name, for case-insensitive `optimizer` values.
OPTIMIZERS = {
    name.lower(): name
    for name in (
        "Adadelta",
        "Adafactor",
        "Adagrad",
        "Adam",
        "AdamW",
        "Adamax",
        "Ftrl",
        "Lamb",
        "Lion",
        "Nadam",
        "RMSprop",
        "SGD",
    )
}

# Name of a recurrent cell -> Keras layer class.
CELLS = {"lstm": "LSTM", "gru": "GRU", "rnn": "SimpleRNN"}

_RNN_KEYS = {
    "num_units",
    "keep_prob",
    "dropout",
    "recurrent_dropout",
    "cell",
    "bidirectional",
}
_DENSE_KEYS = {"layers", "activation", "dropout"}
# What a network is trained on: "mse" outputs values trained on their
# squared error; "relative" outputs values on the log scale of windows
# divided by their own scale, trained on the relative error of what they map
# back to (see relative_errors); "crossentropy" the logits of a softmax over
# classes.
_LOSSES = ("mse", "relative", "crossentropy")
_SPEC_KEYS = {
    "time_steps",
    "n_features",
    "n_outputs",
    "rnn_layers",
    "dense_layers",
    "optimizer",
    "learning_rate",
    "loss",
    "masked",
    "linear",
    "members",
    "patch",
    "series",
    "embedding",
    "levels",
    "attributes",
}


@dataclass(frozen=True)
class RecurrentSpec:
    """One recurrent layer: cell, direction, units and drop rates."""

    units: int
    dropout: float = 0.0
    recurrent_dropout: float = 0.0
    cell: str = "lstm"
    bidirectional: bool = False


@dataclass(frozen=True)
class DenseSpec:
    """The dense layers between the last LSTM and the linear output."""

    units: tuple[int, ...] = ()
    activation: str = "relu"
    dropout: float = 0.0


def _check_keys(layer: dict, allowed: set, where: str) -> None:
    unknown = set(layer) - allowed
    if unknown:
        raise ValueError(
            f"{where} has unknown keys {sorted(unknown)}; "
            f"allowed keys are {sorted(allowed)}."
        )


def _positive_units(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{where} must be a positive int; got {value!r}.")
    if value < 1:
        raise ValueError(f"{where} must be a positive int; got {value!r}.")
    return int(value)


def _rate(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{where} must be a float in [0, 1); got {value!r}.")
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"{where} must be a float in [0, 1); got {value!r}.")
    return float(value)


def parse_rnn_layers(rnn_layers: Any) -> list[RecurrentSpec]:
    """Validate ``rnn_layers`` and return one spec per stacked recurrent layer.

    Each item is an int (the units) or a dict with ``num_units`` and
    optionally ``keep_prob`` (the post's spelling: the probability of keeping
    an input, so ``dropout = 1 - keep_prob``), ``dropout``,
    ``recurrent_dropout``, ``cell`` (``"lstm"``, the default, ``"gru"`` or
    ``"rnn"``) and ``bidirectional`` (a bool).

    Examples
    --------
    >>> from sklstm._network import parse_rnn_layers
    >>> parse_rnn_layers([{"num_units": 5, "keep_prob": 0.5}, 3])[0]
    RecurrentSpec(units=5, dropout=0.5, recurrent_dropout=0.0, cell='lstm', bidirectional=False)
    >>> parse_rnn_layers([{"num_units": 8, "cell": "gru", "bidirectional": True}])[0].cell
    'gru'
    """  # noqa: E501
    if isinstance(rnn_layers, (str, bytes, dict)) or not hasattr(
        rnn_layers, "__iter__"
    ):
        raise TypeError(
            "rnn_layers must be a list of ints or of dicts with 'num_units'; "
            f"got {rnn_layers!r}."
        )
    layers = list(rnn_layers)
    if not layers:
        raise ValueError("rnn_layers must hold at least one layer; got an empty list.")
    specs = []
    for i, layer in enumerate(layers):
        where = f"rnn_layers[{i}]"
        if isinstance(layer, dict):
            _check_keys(layer, _RNN_KEYS, where)
            if "num_units" not in layer:
                raise ValueError(f"{where} must give 'num_units'; got {layer!r}.")
            if "keep_prob" in layer and "dropout" in layer:
                raise ValueError(
                    f"{where} gives both 'keep_prob' and 'dropout'; "
                    "keep_prob is 1 - dropout, give one of them."
                )
            units = _positive_units(layer["num_units"], f"{where}['num_units']")
            if "keep_prob" in layer:
                keep = layer["keep_prob"]
                if isinstance(keep, bool) or not isinstance(keep, Real):
                    raise TypeError(
                        f"{where}['keep_prob'] must be a float in (0, 1]; got {keep!r}."
                    )
                if not 0.0 < float(keep) <= 1.0:
                    raise ValueError(
                        f"{where}['keep_prob'] must be a float in (0, 1]; got {keep!r}."
                    )
                dropout = 1.0 - float(keep)
                if dropout >= 1.0:
                    raise ValueError(
                        f"{where}['keep_prob'] = {keep!r} keeps no unit: 1 - "
                        "keep_prob rounds to 1. Give a keep_prob of at least "
                        "1e-16."
                    )
            else:
                dropout = _rate(layer.get("dropout", 0.0), f"{where}['dropout']")
            recurrent = _rate(
                layer.get("recurrent_dropout", 0.0), f"{where}['recurrent_dropout']"
            )
            cell = layer.get("cell", "lstm")
            if not isinstance(cell, str) or cell not in CELLS:
                raise ValueError(
                    f"{where}['cell'] must be one of {sorted(CELLS)}; got {cell!r}."
                )
            bidirectional = layer.get("bidirectional", False)
            if not isinstance(bidirectional, bool):
                raise TypeError(
                    f"{where}['bidirectional'] must be True or False; got "
                    f"{bidirectional!r}."
                )
            specs.append(RecurrentSpec(units, dropout, recurrent, cell, bidirectional))
        else:
            specs.append(RecurrentSpec(_positive_units(layer, where)))
    return specs


def parse_dense_layers(dense_layers: Any) -> DenseSpec:
    """Validate ``dense_layers``: None, a list of ints, or the post's dict.

    Examples
    --------
    >>> from sklstm._network import parse_dense_layers
    >>> parse_dense_layers({"layers": [10, 10], "activation": "tanh", "dropout": 0.5})
    DenseSpec(units=(10, 10), activation='tanh', dropout=0.5)
    >>> parse_dense_layers(None)
    DenseSpec(units=(), activation='relu', dropout=0.0)
    """
    if dense_layers is None:
        return DenseSpec()
    if isinstance(dense_layers, dict):
        _check_keys(dense_layers, _DENSE_KEYS, "dense_layers")
        if "layers" not in dense_layers:
            raise ValueError(
                "dense_layers must give 'layers' (a list of ints); "
                f"got {dense_layers!r}."
            )
        units = _dense_units(dense_layers["layers"], "dense_layers['layers']")
        activation = dense_layers.get("activation", "relu")
        if not isinstance(activation, str) or not activation:
            raise TypeError(
                "dense_layers['activation'] must be the name of a Keras "
                f"activation; got {activation!r}."
            )
        dropout = dense_layers.get("dropout", 0.0)
        return DenseSpec(units, activation, _rate(dropout, "dense_layers['dropout']"))
    return DenseSpec(_dense_units(dense_layers, "dense_layers"))


def _dense_units(layers: Any, where: str) -> tuple[int, ...]:
    if isinstance(layers, (str, bytes, dict, set)) or not hasattr(layers, "__iter__"):
        raise TypeError(f"{where} must be a list of ints; got {layers!r}.")
    return tuple(
        _positive_units(units, f"{where}[{i}]") for i, units in enumerate(layers)
    )


def parse_optimizer(optimizer: str) -> str:
    """Return the Keras class name of a case-insensitive optimizer name."""
    name = OPTIMIZERS.get(optimizer.lower()) if isinstance(optimizer, str) else None
    if name is None:
        raise ValueError(
            f"optimizer must be one of {sorted(OPTIMIZERS.values())} "
            f"(any case); got {optimizer!r}."
        )
    return name


def _check_activation(activation: str) -> None:
    keras = load_keras()

    try:
        function = keras.activations.get(activation)
    except ValueError as exc:
        raise ValueError(
            f"dense_layers['activation'] {activation!r} is not a Keras activation."
        ) from exc
    # Some of Keras's activations take more arguments (threshold) or change
    # the layer's width (glu): a dense layer cannot end in them.
    probe = np.linspace(-1.0, 1.0, 6, dtype=np.float32).reshape(2, 3)
    try:
        shape = tuple(keras.ops.shape(function(probe)))
    except Exception:  # any failure of the activation itself
        shape = None
    if shape != probe.shape:
        raise ValueError(
            f"dense_layers['activation'] {activation!r} is not an activation a "
            "dense layer can use: it needs more arguments or changes the "
            "layer's width. Use one that maps each unit alone, such as 'relu' "
            "or 'tanh'."
        )


@dataclass(frozen=True)
class NetworkSpec:
    """Everything that makes two networks the same architecture.

    ``n_outputs`` counts the network's outputs: targets for ``loss="mse"``
    and ``loss="relative"``, classes for ``loss="crossentropy"``. A network
    trained on ``"relative"`` ends in a :func:`target_scale_layer`, which holds
    the spread of the standardised targets for the loss to read. ``masked``
    puts a Masking layer in front, for sequences padded with
    :data:`PAD_VALUE`. ``linear`` adds a linear autoregressive path: a dense
    layer ``"linear"`` (not trained by gradient steps) on the flattened
    window whose outputs are added to those
    of the recurrent layers' output layer (which then starts at zero, so that
    the network starts as the linear path alone). Padded sequences have no
    linear path: ``masked`` and ``linear`` exclude each other. ``members``
    networks of this architecture, each with its own initial weights, read
    the same input side by side: the model's outputs are theirs, member by
    member (``members * n_outputs`` columns), each member is trained on its
    own loss, and a prediction is their average (see :mod:`sklstm._programs`).
    ``patch`` consecutive time steps are read by the recurrent layers as one
    (see :mod:`sklstm._patches`); the linear path reads the steps as given.
    ``levels`` are the features whose last step holds their level for the
    linear path alone (relative mode's features, see
    :class:`~sklstm._scaling.WindowScaling`): the recurrent layers read zero
    there, as they do without it.
    ``series`` series known by a learnt vector of ``embedding`` values each
    (both 0: none): the network's input then has one more column than
    ``n_features``, each window's series number (0 to ``series - 1``) on
    every step, and the recurrent layers read that series' vector beside the
    ``n_features`` values of every step (see :func:`series_embedding_layer`);
    the linear path reads the values alone.
    ``attributes`` holds one ``(categories, size)`` pair per categorical
    attribute of the series (a region, a product type): each window's
    category number of every attribute follows its series number (or the
    values, without one) on every step, and is read as that category's
    learnt vector of ``size`` values, as the series' own.
    """

    time_steps: int
    n_features: int
    n_outputs: int
    rnn_layers: tuple[RecurrentSpec, ...]
    dense: DenseSpec
    optimizer: str
    learning_rate: float
    loss: str = "mse"
    masked: bool = False
    linear: bool = False
    members: int = 1
    patch: int = 1
    series: int = 0
    embedding: int = 0
    levels: tuple[int, ...] = ()
    attributes: tuple[tuple[int, int], ...] = ()

    @property
    def input_features(self) -> int:
        """Columns of each step of the network's input (the series and
        category numbers' columns included)."""
        return self.n_features + (1 if self.series else 0) + len(self.attributes)

    def to_dict(self) -> dict[str, Any]:
        """The description as plain JSON values, in the estimators' vocabulary.

        Examples
        --------
        >>> from sklstm._network import NetworkSpec, parse_dense_layers
        >>> from sklstm._network import parse_rnn_layers
        >>> spec = NetworkSpec(
        ...     10, 1, 1, tuple(parse_rnn_layers([5])), parse_dense_layers(None),
        ...     "Adam", 0.01,
        ... )
        >>> NetworkSpec.from_dict(spec.to_dict()) == spec
        True
        """
        return {
            "time_steps": int(self.time_steps),
            "n_features": int(self.n_features),
            "n_outputs": int(self.n_outputs),
            "rnn_layers": [
                {
                    "num_units": layer.units,
                    "dropout": layer.dropout,
                    "recurrent_dropout": layer.recurrent_dropout,
                    "cell": layer.cell,
                    "bidirectional": layer.bidirectional,
                }
                for layer in self.rnn_layers
            ],
            "dense_layers": {
                "layers": list(self.dense.units),
                "activation": self.dense.activation,
                "dropout": self.dense.dropout,
            },
            "optimizer": self.optimizer,
            "learning_rate": float(self.learning_rate),
            "loss": self.loss,
            "masked": bool(self.masked),
            "linear": bool(self.linear),
            "members": int(self.members),
            "patch": int(self.patch),
            "series": int(self.series),
            "embedding": int(self.embedding),
            "levels": [int(feature) for feature in self.levels],
            "attributes": [[int(n), int(size)] for n, size in self.attributes],
        }

    @classmethod
    def from_dict(cls, description: Any) -> NetworkSpec:
        """The spec ``to_dict`` wrote, every value checked.

        Raises ``ValueError`` or ``TypeError`` naming what is wrong.
        """
        if not isinstance(description, dict) or set(description) != _SPEC_KEYS:
            raise ValueError(
                "its network description does not have the expected fields."
            )
        attributes = _attribute_sizes(description["attributes"])
        shape = {}
        for name in ("time_steps", "n_features", "n_outputs"):
            shape[name] = _positive_units(description[name], name)
        learning_rate = description["learning_rate"]
        if (
            isinstance(learning_rate, bool)
            or not isinstance(learning_rate, Real)
            or not 0 < learning_rate < float("inf")
        ):
            raise ValueError(
                f"learning_rate must be a positive number; got {learning_rate!r}."
            )
        if description["loss"] not in _LOSSES:
            raise ValueError(
                f"loss must be one of {_LOSSES}; got {description['loss']!r}."
            )
        if not isinstance(description["masked"], bool):
            raise TypeError("its network's masked flag must be a bool.")
        linear = description["linear"]
        if not isinstance(linear, bool) or (
            linear and (description["masked"] or description["loss"] == "crossentropy")
        ):
            raise TypeError(
                "its network's linear flag must be a bool, False for a masked or "
                "classifying network."
            )
        series, embedding = description["series"], description["embedding"]
        if any(
            isinstance(v, bool) or not isinstance(v, int) or v < 0
            for v in (series, embedding)
        ) or (series == 0) != (embedding == 0):
            raise ValueError(
                "its network's series and embedding must be non-negative ints, "
                "both 0 or both positive."
            )
        levels = description["levels"]
        if (
            not isinstance(levels, list)
            or any(isinstance(f, bool) or not isinstance(f, int) for f in levels)
            or sorted(set(levels)) != levels
            or any(not 0 <= f < shape["n_features"] for f in levels)
            or (levels and not linear)
        ):
            raise ValueError(
                "its network's levels must be increasing feature positions, "
                "empty without a linear path."
            )
        return cls(
            **shape,
            series=series,
            embedding=embedding,
            levels=tuple(levels),
            attributes=attributes,
            rnn_layers=tuple(parse_rnn_layers(description["rnn_layers"])),
            dense=parse_dense_layers(description["dense_layers"]),
            optimizer=parse_optimizer(description["optimizer"]),
            learning_rate=float(learning_rate),
            loss=description["loss"],
            masked=description["masked"],
            linear=linear,
            members=_positive_units(description["members"], "members"),
            patch=_positive_units(description["patch"], "patch"),
        )


def attribute_vector_size(n_categories: int) -> int:
    """The size of the learnt vector of each category of a series attribute:
    half the number of categories, rounded up, and at most 16.

    Examples
    --------
    >>> [attribute_vector_size(n) for n in (1, 2, 5, 100)]
    [1, 1, 3, 16]
    """
    return min(16, (n_categories + 1) // 2)


def _attribute_sizes(attributes: Any) -> tuple[tuple[int, int], ...]:
    """A saved spec's ``attributes``, checked: pairs of positive ints."""
    if not isinstance(attributes, list) or any(
        not isinstance(pair, list)
        or len(pair) != 2
        or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in pair)
        for pair in attributes
    ):
        raise ValueError(
            "its network's attributes must be pairs of positive ints (the "
            "number of categories and the size of their vectors)."
        )
    return tuple((n, size) for n, size in attributes)


def _recurrent_layer(
    keras, spec: RecurrentSpec, index: int, last: bool, seeds, use_cudnn, suffix=""
):
    layer_class = getattr(keras.layers, CELLS[spec.cell])
    # SimpleRNN has no cuDNN kernel, and no option for one.
    kernels = {} if spec.cell == "rnn" else {"use_cudnn": use_cudnn}
    options = dict(
        **kernels,
        return_sequences=not last,
        dropout=spec.dropout,
        recurrent_dropout=spec.recurrent_dropout,
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
        seed=next(seeds),
    )
    name = f"{spec.cell}_{index}{suffix}"
    if not spec.bidirectional:
        return layer_class(spec.units, name=name, **options)
    # Each direction draws its own initial weights.
    backward = dict(
        options,
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
        seed=next(seeds),
    )
    return keras.layers.Bidirectional(
        layer_class(spec.units, name=f"{name}_forward", **options),
        backward_layer=layer_class(
            spec.units, go_backwards=True, name=f"{name}_backward", **backward
        ),
        name=f"bidirectional_{index}{suffix}",
    )


def build_model(spec: NetworkSpec, seed: int, *, use_cudnn: bool | str = "auto"):
    """Build the network described by ``spec``, its weights drawn from ``seed``.

    Every initializer and dropout layer gets its own seed derived from
    ``seed``, so the same seed gives the same network without touching the
    global random state of Keras, TensorFlow or NumPy. ``use_cudnn`` is
    passed to the LSTM and GRU layers: XLA cannot compile cuDNN's kernels, so
    networks run in XLA programs are built with False.
    """
    keras = load_keras()

    _check_activation(spec.dense.activation)
    if spec.masked and spec.linear:
        raise ValueError("A network masking padded steps cannot have a linear path.")
    if (spec.series or spec.attributes) and spec.masked:
        raise ValueError("A network masking padded steps cannot embed series.")
    inputs = keras.Input(shape=(spec.time_steps, spec.input_features), name="windows")
    values = hidden = inputs
    n_layers = len(spec.rnn_layers) + len(spec.dense.units) + 1
    if spec.series or spec.attributes:
        values = inputs[:, :, : spec.n_features]
        # Seeded after every member's seeds, so that the members draw what
        # they draw without it.
        hidden = series_embedding_layer(
            spec.series,
            spec.embedding,
            seed + 8 * n_layers * spec.members,
            spec.attributes,
        )(inputs)
    if spec.levels:
        hidden = hidden_levels_layer(spec.levels)(hidden)
    if spec.patch > 1:
        hidden = patch_layer(spec.patch)(hidden)
    if spec.masked:
        hidden = keras.layers.Masking(mask_value=PAD_VALUE, name="padding")(hidden)
    linear = None
    if spec.linear:
        flat = keras.layers.Flatten(name="flat_window")(values)
        linear = keras.layers.Dense(
            spec.n_outputs,
            kernel_initializer="zeros",
            # Fitted by least squares before training and kept: trained with
            # the recurrent layers it wanders from that fit, which measured
            # worse on short noisy series.
            trainable=False,
            name="linear",
        )(flat)
    # Member 0 keeps the seeds and layer names of a network of one member, so
    # that members=1 builds exactly the network it always has; each member
    # draws from seeds of its own.
    outputs = [
        _member(
            keras,
            spec,
            (hidden, linear),
            iter(range(seed + 8 * n_layers * m, seed + 8 * n_layers * (m + 1))),
            member_suffix(m),
            use_cudnn,
        )
        for m in range(spec.members)
    ]
    if spec.members > 1:
        outputs = keras.layers.Concatenate(name="members")(outputs)
    else:
        outputs = outputs[0]
    if spec.loss == "relative":
        outputs = target_scale_layer(spec.n_outputs)(outputs)
    return keras.Model(inputs, outputs, name="sklstm_network")


def member_suffix(member: int) -> str:
    """What ends the names of member ``member``'s layers (``output`` of member
    0, ``output_member_1`` of member 1, ...)."""
    return f"_member_{member}" if member else ""


@functools.cache
def _hidden_levels_class():
    keras = load_keras()

    @keras.saving.register_keras_serializable(package="sklstm")
    class HiddenLevels(keras.layers.Layer):
        """Zeroes the last step of some features: their levels, which the
        linear path reads and the recurrent layers do not (in relative mode
        the recurrent layers read each window from its last value, which is
        zero at the last step)."""

        def __init__(self, features, **kwargs):
            super().__init__(**kwargs)
            self.features = [int(f) for f in features]

        def build(self, input_shape):
            _, time_steps, n_columns = input_shape
            keep = np.ones((time_steps, n_columns), dtype="float32")
            keep[-1, self.features] = 0.0
            self._keep = keep

        def compute_output_shape(self, input_shape):
            return input_shape

        def call(self, inputs):
            return inputs * keras.ops.convert_to_tensor(self._keep, inputs.dtype)

        def get_config(self):
            return {**super().get_config(), "features": self.features}

    return HiddenLevels


def hidden_levels_layer(features):
    """The layer hiding ``features``' last step from the recurrent layers."""
    return _hidden_levels_class()(features, name="hidden_levels")


@functools.cache
def _target_scale_class():
    keras = load_keras()

    @keras.saving.register_keras_serializable(package="sklstm")
    class TargetScale(keras.layers.Layer):
        """Passes the outputs on unchanged; holds what one standardised unit
        of each target is on the log scale, which the relative loss reads.

        The scale lives in the network (not trained), so that the compiled
        training programs, shared by every network of an architecture, read
        each fit's own scale from the weights they are given.
        """

        def __init__(self, n_outputs: int, **kwargs):
            super().__init__(**kwargs)
            self.n_outputs = int(n_outputs)

        def build(self, input_shape):
            self.scale = self.add_weight(
                shape=(self.n_outputs,),
                initializer="ones",
                trainable=False,
                name="scale",
            )

        def compute_output_shape(self, input_shape):
            return input_shape

        def call(self, inputs):
            return inputs

        def get_config(self):
            return {**super().get_config(), "n_outputs": self.n_outputs}

    return TargetScale


def target_scale_layer(n_outputs: int):
    """The identity layer a network trained on relative errors ends in."""
    return _target_scale_class()(n_outputs, name="target_scale")


# Beyond this log ratio (a forecast 20 times the actual value) a relative
# error grows linearly rather than exponentially, so that one wild output
# early in training cannot swamp a batch's gradient.
RELATIVE_ERROR_KNEE = 3.0


def relative_errors(gaps, ops):
    """Relative errors ``|exp(gap) - 1|`` of log ratios forecast / actual.

    ``ops`` is ``numpy`` or ``tf.math``: whatever has ``abs``, ``expm1``,
    ``minimum`` and ``maximum``. A forecast below the actual value costs at
    most 1; one above it costs its excess share, growing linearly past
    :data:`RELATIVE_ERROR_KNEE`.
    """
    knee = RELATIVE_ERROR_KNEE
    inside = ops.minimum(gaps, knee)
    beyond = ops.maximum(gaps - knee, 0.0)
    return ops.abs(ops.expm1(inside)) + math.exp(knee) * beyond


@functools.cache
def _series_embedding_class():
    keras = load_keras()
    ops = keras.ops

    @keras.saving.register_keras_serializable(package="sklstm")
    class SeriesEmbedding(keras.layers.Layer):
        """Each window's series vector beside the values of its every step.

        The input's last columns hold the window's series number (with
        ``n_series``) and then its category number of each of the series'
        ``attributes`` (``(categories, size)`` pairs) on every step; they are
        replaced by the learnt vectors of that series (``dim`` values) and
        of those categories.
        """

        def __init__(self, n_series: int, dim: int, seed: int, attributes=(), **kwargs):
            super().__init__(**kwargs)
            self.n_series, self.dim, self.seed = int(n_series), int(dim), int(seed)
            self.attributes = tuple((int(n), int(size)) for n, size in attributes)

        def _tables(self):
            series = ((self.n_series, self.dim),) if self.n_series else ()
            return series + self.attributes

        def build(self, input_shape):
            # Keras's Embedding draws from the same range; the series'
            # vectors keep their name and seed from before attributes.
            self.tables = [
                self.add_weight(
                    shape=shape,
                    initializer=keras.initializers.RandomUniform(
                        -0.05, 0.05, seed=self.seed + i
                    ),
                    name="vectors" if i == 0 and self.n_series else f"attribute_{i}",
                )
                for i, shape in enumerate(self._tables())
            ]

        def compute_output_shape(self, input_shape):
            batch, time_steps, n_columns = input_shape
            tables = self._tables()
            width = n_columns - len(tables) + sum(size for _, size in tables)
            return (batch, time_steps, width)

        def call(self, inputs):
            n_codes = len(self.tables)
            numbers = ops.cast(ops.round(inputs[:, -1, -n_codes:]), "int32")
            vectors = ops.concatenate(
                [
                    ops.take(table, numbers[:, i], axis=0)
                    for i, table in enumerate(self.tables)
                ],
                axis=-1,
            )
            steps = ops.repeat(vectors[:, None, :], inputs.shape[1], axis=1)
            return ops.concatenate([inputs[:, :, :-n_codes], steps], axis=-1)

        def get_config(self):
            return {
                **super().get_config(),
                "n_series": self.n_series,
                "dim": self.dim,
                "seed": self.seed,
                "attributes": [list(pair) for pair in self.attributes],
            }

    return SeriesEmbedding


def series_embedding_layer(n_series: int, dim: int, seed: int, attributes=()):
    """A Keras layer putting each window's learnt series vector (and its
    attributes' category vectors) on its steps."""
    return _series_embedding_class()(
        n_series, dim, seed, attributes, name="series_embedding"
    )


def _member(keras, spec: NetworkSpec, paths, seeds, suffix: str, use_cudnn):
    """One member's outputs: its own layers on the (masked) windows, plus
    the shared linear path's outputs when there is one."""
    hidden, linear = paths
    for i, layer in enumerate(spec.rnn_layers):
        last = i == len(spec.rnn_layers) - 1
        hidden = _recurrent_layer(
            keras, layer, i, last, seeds, use_cudnn, suffix=suffix
        )(hidden)
    for i, units in enumerate(spec.dense.units):
        hidden = keras.layers.Dense(
            units,
            activation=spec.dense.activation,
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            name=f"dense_{i}{suffix}",
        )(hidden)
        if spec.dense.dropout:
            hidden = keras.layers.Dropout(
                spec.dense.dropout, seed=next(seeds), name=f"dropout_{i}{suffix}"
            )(hidden)
    output_seed = next(seeds)
    outputs = keras.layers.Dense(
        spec.n_outputs,
        # With a linear path, the recurrent layers start by adding nothing to
        # it: the initial network is the linear path, fitted beforehand.
        kernel_initializer="zeros"
        if spec.linear
        else keras.initializers.GlorotUniform(seed=output_seed),
        name=f"output{suffix}",
    )(hidden)
    if linear is None:
        return outputs
    return keras.layers.Add(name=f"linear_plus_recurrent{suffix}")([linear, outputs])


def make_optimizer(name: str, learning_rate: float):
    """A fresh Keras optimizer of class ``name`` (see :data:`OPTIMIZERS`).

    It is always named ``"optimizer"``. Left to Keras, each optimizer gets a
    new name (``adam_1``, ``adam_2``, ...) and so do its variables, and
    TensorFlow caches a kernel of about 35 KiB per distinct variable name for
    the life of the process: a fit would leak half a megabyte.
    """
    keras = load_keras()

    optimizer = getattr(keras.optimizers, parse_optimizer(name))
    return optimizer(learning_rate=learning_rate, name="optimizer")
