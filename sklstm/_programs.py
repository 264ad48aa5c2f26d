"""The compiled programs of a network architecture, and the engine that runs them.

A fit calls a training program that runs many gradient steps, and predict
calls an inference program over blocks of windows. Two engines build them:

- ``"xla"``: the whole call, its loop over steps (or blocks) included, is one
  XLA-compiled program. Python, TensorFlow's dispatcher and the data feed are
  paid once per call, which is what makes the small networks sklstm is
  usually given fast: their steps cost almost nothing in arithmetic.
- ``"graph"``: the loop is a TensorFlow graph whose body splits each batch
  into shards. On a CPU every shard's gradient is an XLA-compiled program of
  its own, and TensorFlow's executor runs the shards at once on different
  cores; one XLA program runs on one core at a time except inside its matrix
  products, which for a recurrent network are too small to split well.
  On a GPU there is one shard, left uncompiled, so that Keras's LSTM and GRU
  layers run on cuDNN's kernels (which XLA cannot compile).

:func:`choose_engine` picks between them from the arithmetic of a batch, the
threads TensorFlow runs with and the device; ``sklstm.set_config(engine=...)``
overrides it. Measured on 2 cores, a step of two LSTM layers of 64 units over
50 steps with batches of 256 took 40 ms in two shards against 54 ms as one
XLA program, while the post's network, five thousand times less arithmetic,
runs its steps fastest as one XLA program.

Every program belongs to an architecture, not to one model: tracing and
compiling cost about a second, and paying them once per architecture instead
of once per fit is what makes grid searches, cross-validation folds and
refits start at once.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

from ._config import engine_setting, load_tensorflow, tensorflow_threads
from ._network import relative_errors
from ._patches import patched_shape

__all__ = [
    "Engine",
    "GraphPrograms",
    "Programs",
    "choose_engine",
    "current_engine",
    "forward_macs",
    "load_state",
    "programs_for",
    "read_state",
    "shard_sizes",
]

# Gate blocks of each cell: an LSTM computes four of them, a GRU three.
_GATES = {"lstm": 4, "gru": 3, "rnn": 1}
# Fewest rows a CPU shard gets: below it a shard's products are too small to
# pay for running it on a core of its own.
MIN_SHARD_ROWS = 32
# Multiply-adds of a batch's forward pass from which the graph engine's
# shards beat one XLA program on a CPU with two or more cores. Measured on 2
# cores with Adam: the post's network (120 thousand) ran a step in 0.53 ms as
# one XLA program and 0.60 ms in two shards; an LSTM of 16 units over 10 steps
# with batches of 100 (1.1 million) in 0.92 against 0.73 ms, and the gain
# grows with the network, to 54 against 40 ms for two layers of 64 units over
# 50 steps with batches of 256 (640 million).
CPU_GRAPH_MIN_MACS = 1_000_000
# The same threshold on a GPU, from which cuDNN's kernels are preferred to
# one XLA program: cuDNN runs a whole sequence in a few kernel launches, XLA a
# few per time step, while the graph engine pays TensorFlow's executor on
# every step. An estimate, not yet measured on a GPU: the post's network
# (about 1e5) stays in XLA, two layers of 256 units over 100 steps with
# batches of 1,024 (about 8e10) go to cuDNN; tests/test_gpu.py and
# benchmarks/bench_speed.py --gpu measure both.
GPU_GRAPH_MIN_MACS = 100_000_000


@dataclass(frozen=True)
class Engine:
    """How a program runs: ``name`` ``"xla"`` or ``"graph"``, ``shards`` of a batch.

    ``compiled_shards`` is False only on a GPU, where the graph engine leaves
    its one shard to Keras's cuDNN layers.
    """

    name: str
    shards: int = 1
    compiled_shards: bool = True

    def __str__(self) -> str:
        if self.name == "xla":
            return "xla"
        if not self.compiled_shards:
            return "graph (Keras's kernels: cuDNN on a GPU)"
        return f"graph ({self.shards} shard{'s' if self.shards > 1 else ''})"


def forward_macs(spec, rows: int) -> int:
    """Multiply-adds of the recurrent layers' forward pass over ``rows`` windows.

    Examples
    --------
    >>> from sklstm._network import DenseSpec, NetworkSpec, RecurrentSpec
    >>> from sklstm._programs import forward_macs
    >>> post = NetworkSpec(10, 1, 1, (RecurrentSpec(5),), DenseSpec(), "Adagrad", 0.03)
    >>> forward_macs(post, 100)
    120000
    """
    time_steps, inputs = patched_shape(
        spec.time_steps, spec.n_features + spec.embedding, spec.patch
    )
    per_step = 0
    for layer in spec.rnn_layers:
        directions = 2 if layer.bidirectional else 1
        per_step += (
            directions * _GATES[layer.cell] * layer.units * (inputs + layer.units)
        )
        inputs = directions * layer.units
    return rows * time_steps * per_step * spec.members


def choose_engine(
    spec, rows: int, *, setting: str = "auto", threads: int = 1, gpu: bool = False
) -> Engine:
    """The engine for programs of ``spec`` over batches of ``rows`` windows.

    Parameters
    ----------
    spec : NetworkSpec
        The architecture.
    rows : int
        Windows a program takes at once: the batch size, or the rows of a
        prediction block.
    setting : {"auto", "xla", "graph"}
        ``sklstm.set_config(engine=...)``.
    threads : int
        Cores TensorFlow runs on.
    gpu : bool
        Whether TensorFlow sees a GPU.

    Examples
    --------
    >>> from sklstm._network import DenseSpec, NetworkSpec, RecurrentSpec
    >>> from sklstm._programs import choose_engine
    >>> large = NetworkSpec(50, 4, 1, (RecurrentSpec(64),) * 2, DenseSpec(), "Adam", 1e-3)
    >>> choose_engine(large, 256, threads=2)
    Engine(name='graph', shards=2, compiled_shards=True)
    >>> choose_engine(large, 256, threads=1)
    Engine(name='xla', shards=1, compiled_shards=True)
    >>> choose_engine(large, 256, gpu=True)
    Engine(name='graph', shards=1, compiled_shards=False)
    """  # noqa: E501
    macs = forward_macs(spec, rows)
    if gpu:
        cudnn_kernels = not spec.masked and all(
            layer.cell in ("lstm", "gru") and not layer.recurrent_dropout
            for layer in spec.rnn_layers
        )
        if setting == "graph" or (
            setting == "auto" and cudnn_kernels and macs >= GPU_GRAPH_MIN_MACS
        ):
            return Engine("graph", 1, compiled_shards=False)
        return Engine("xla")
    # Dropout draws from seed variables that concurrent shards would share.
    random = spec.dense.dropout or any(
        layer.dropout or layer.recurrent_dropout for layer in spec.rnn_layers
    )
    shards = 1 if random else max(1, min(threads, rows // MIN_SHARD_ROWS))
    if setting == "graph" or (
        setting == "auto" and shards > 1 and macs >= CPU_GRAPH_MIN_MACS
    ):
        return Engine("graph", shards)
    return Engine("xla")


def current_engine(spec, rows: int) -> Engine:
    """:func:`choose_engine` for this process's setting, threads and devices."""
    tf = load_tensorflow()

    threads = tensorflow_threads() or _cores()
    gpu = bool(tf.config.list_logical_devices("GPU"))
    return choose_engine(spec, rows, setting=engine_setting(), threads=threads, gpu=gpu)


def _cores() -> int:
    """The cores this process may run on (all of them where that is unknown)."""
    if hasattr(os, "sched_getaffinity"):  # Linux
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def shard_sizes(rows: int, shards: int) -> list[int]:
    """Rows of each shard, as even as possible.

    Examples
    --------
    >>> from sklstm._programs import shard_sizes
    >>> shard_sizes(100, 3)
    [34, 33, 33]
    """
    base, extra = divmod(rows, shards)
    return [base + (i < extra) for i in range(shards)]


class Programs:
    """The compiled functions of one network architecture, shared by all its networks.

    Every estimator with the same architecture reuses one trace and one
    compilation: a refit, a clone in a grid search or a cross-validation fold
    starts training at once, and memory does not grow fit after fit with
    compiled code. The functions are pure for their callers: weights and
    optimizer state go in as tensors and come back out. Inference runs through
    Keras's ``stateless_call`` on a template network of the architecture;
    training loads the state into the template's variables, steps them, and
    reads them back (Keras's ``stateless_apply`` is not available with the
    TensorFlow backend), so training calls hold ``lock``.

    This class runs the ``"xla"`` engine; :class:`GraphPrograms` the
    ``"graph"`` one.
    """

    # The "xla" engine compiles whole calls; the "graph" engine only its shards.
    _jit = True
    # Whether a training call can also predict a block (see train): the
    # "graph" engine's inference runs in shards of their own, not inside it.
    fuses_inference = True

    def __init__(
        self, model, optimizer, loss: str, engine: Engine, members: int = 1
    ) -> None:
        self._model, self._optimizer, self._loss = model, optimizer, loss
        self.engine = engine
        # The model's outputs are its members' side by side; a prediction is
        # one member's width.
        self._members, self._n_outputs = members, model.output_shape[-1] // members
        self.lock = threading.Lock()
        # Traced programs by purpose and shape (see _traced).
        self._traced_programs: dict = {}
        # Reentrant: the graph engine traces its shards while tracing its loop.
        self._trace_lock = threading.RLock()

    def _traced(self, key, function, args, *, jit_compile: bool = True):
        """The program of ``function`` for ``key``, traced once on ``args``.

        Each program is a ``tf.function`` of its own, traced into a concrete
        function and called directly: ``tf.function``'s dispatch (matching
        the arguments to a trace) costs as much as running the post's network
        on a block, and retracing one function for new shapes would make
        TensorFlow warn about it.
        """
        program = self._traced_programs.get(key)
        if program is None:
            with self._trace_lock:
                program = self._traced_programs.get(key)
                if program is None:
                    tf = load_tensorflow()
                    # autograph=False: converting Keras's layer code costs a
                    # third of a second per trace and changes nothing in the
                    # graph.
                    program = tf.function(
                        function, jit_compile=jit_compile, autograph=False
                    ).get_concrete_function(*args)
                    self._traced_programs[key] = program
        return program

    def predict(self, trainable, non_trainable, blocks, n_blocks):
        """Outputs for the first ``n_blocks`` of ``blocks``, float32 tensors in.

        ``blocks`` has shape ``(blocks_per_call, rows, time_steps, features)``,
        the same for every call of an architecture but for early stopping's
        smaller blocks of held-out rows, so one compilation serves every
        call of each.
        """
        args = (trainable, non_trainable, blocks, n_blocks)
        key = ("predict", blocks.shape)
        return self._traced(key, self._predict, args, jit_compile=self._jit)(*args)

    def train(self, state, xs, ys, ws, n_steps, held_out=None):
        """Run ``n_steps`` gradient steps on the first batches of ``xs``.

        Each shape of batches (window length, batch size, steps per call)
        gets a program of its own, as a grid search or a refit on new windows
        brings them. With a ``held_out`` block of windows, the program also
        returns the trained network's outputs for it, as a third value: one
        compiled call where training and then inference would take two.
        """
        args = (state, xs, ys, ws, n_steps)
        key = ("train", xs.shape, ys.shape, ws.shape)
        if held_out is None:
            return self._traced(key, self._train, args, jit_compile=self._jit)(*args)
        args, key = (*args, held_out), (*key, held_out.shape)
        return self._traced(key, self._train_and_predict, args, jit_compile=self._jit)(
            *args
        )

    def _batch_loss(self, outputs, ys, ws, batch_rows):
        """Per-output loss sums of some rows, divided by the whole batch's rows."""
        tf = load_tensorflow()

        # Each member is trained on its own loss: the batch's loss is their
        # mean, so that members learn apart, as separately fitted networks.
        outputs = tf.reshape(outputs, (-1, self._members, self._n_outputs))
        ys = ys[:, None, :]
        if self._loss == "crossentropy":
            # ys holds the classes' probabilities (one-hot, or smoothed);
            # the network outputs logits. The loss is the cross-entropy beyond
            # the targets' own entropy, so that it falls to 0 when the
            # predictions match smoothed targets as it does for one-hot ones.
            entropy = tf.nn.softmax_cross_entropy_with_logits(
                tf.broadcast_to(ys, tf.shape(outputs)), outputs
            ) + tf.reduce_sum(tf.math.xlogy(ys, ys), axis=-1)
            entropy = tf.reduce_mean(entropy, axis=1)
            return tf.reduce_sum(ws * entropy, keepdims=True) / batch_rows
        if self._loss == "relative":
            # Outputs and targets are standardised log ratios; one unit is
            # the target scale's worth of log on each output.
            scale = self._model.get_layer("target_scale").scale
            errors = relative_errors((outputs - ys) * scale, tf.math)
        else:
            errors = tf.square(outputs - ys)
        errors = tf.reduce_mean(errors, axis=1)
        return tf.reduce_sum(ws[:, None] * errors, axis=0) / batch_rows

    def _n_losses(self, ys) -> int:
        return 1 if self._loss == "crossentropy" else ys.shape[-1]

    def _train(self, state, xs, ys, ws, n_steps):
        tf = load_tensorflow()

        load_state(self._model, self._optimizer, state)
        weights = self._model.trainable_variables

        def step(i, total):
            gradients, per_output = self._gradients(xs[i], ys[i], ws[i])
            self._optimizer.apply_gradients(zip(gradients, weights, strict=True))
            return i + 1, total + per_output

        _, total = tf.while_loop(
            lambda i, _: i < n_steps,
            step,
            (tf.constant(0), tf.zeros((self._n_losses(ys),), dtype=tf.float32)),
        )
        return (
            read_state(self._model, self._optimizer),
            total / tf.cast(n_steps, tf.float32),
        )

    def _train_and_predict(self, state, xs, ys, ws, n_steps, held_out):
        state, loss = self._train(state, xs, ys, ws, n_steps)
        trainable, non_trainable, _ = state
        return state, loss, self._block_outputs(trainable, non_trainable, held_out)

    def _gradients(self, x, y, w):
        """A batch's gradients of the weights, and its loss per output."""
        return self._rows_gradients(x, y, w, x.shape[0])

    def _rows_gradients(self, x, y, w, batch_rows):
        """Gradients and per-output losses of some rows of a batch of ``batch_rows``."""
        tf = load_tensorflow()

        with tf.GradientTape() as tape:
            outputs = self._model(x, training=True)
            per_output = self._batch_loss(outputs, y, w, batch_rows)
            loss = tf.reduce_mean(per_output)
        return tape.gradient(loss, self._model.trainable_variables), per_output

    def _block_outputs(self, trainable, non_trainable, block):
        tf = load_tensorflow()

        outputs, _ = self._model.stateless_call(
            trainable, non_trainable, block, training=False
        )
        if self._members == 1:
            return outputs
        outputs = tf.reshape(outputs, (-1, self._members, self._n_outputs))
        if self._loss == "crossentropy":
            # The members' probabilities are averaged; the log of that
            # average serves as the logits, whose softmax it is.
            log_probabilities = tf.nn.log_softmax(outputs, axis=-1)
            return tf.reduce_logsumexp(log_probabilities, axis=1) - tf.math.log(
                float(self._members)
            )
        return tf.reduce_mean(outputs, axis=1)

    def _predict(self, trainable, non_trainable, blocks, n_blocks):
        tf = load_tensorflow()

        # Every block goes through the same loop body, compiled once for one
        # block's shape: a row's output cannot depend on its block's position
        # or on how many blocks the call runs.
        def block_outputs(i, outputs):
            block = self._block_outputs(trainable, non_trainable, blocks[i])
            return i + 1, outputs.write(i, block)

        outputs = tf.TensorArray(
            tf.float32,
            size=blocks.shape[0],
            element_shape=(blocks.shape[1], self._n_outputs),
        )
        _, outputs = tf.while_loop(
            lambda i, _: i < n_blocks, block_outputs, (tf.constant(0), outputs)
        )
        return outputs.stack()


class GraphPrograms(Programs):
    """The ``"graph"`` engine: a TensorFlow graph loop over sharded batches.

    Each step splits its batch into ``engine.shards`` shards whose gradients
    come from separate programs (XLA-compiled on a CPU), which TensorFlow's
    executor runs at once, one per core; their sum is the batch's gradient
    and the optimizer applies it. Inference runs ``engine.shards`` blocks at
    once the same way. A shard's program is the same for every shard of its
    shape, so a row's prediction still depends only on its block.
    """

    _jit = False
    fuses_inference = False

    def _shard(self, key, function, args):
        return self._traced(
            key, function, args, jit_compile=self.engine.compiled_shards
        )

    def _gradients(self, x, y, w):
        tf = load_tensorflow()

        batch_rows = float(x.shape[0])
        sizes = shard_sizes(x.shape[0], self.engine.shards)
        gradients, losses = [], []
        for x_part, y_part, w_part in zip(
            tf.split(x, sizes), tf.split(y, sizes), tf.split(w, sizes), strict=True
        ):
            # The shard's loss is divided by the whole batch's rows, which
            # two batch sizes with the same shards do not share.
            program = self._shard(
                ("gradient", x_part.shape, y_part.shape, batch_rows),
                lambda x, y, w: self._rows_gradients(x, y, w, batch_rows),
                (x_part, y_part, w_part),
            )
            shard_gradients, per_output = program(x_part, y_part, w_part)
            gradients.append(shard_gradients)
            losses.append(per_output)
        summed = [tf.add_n(list(parts)) for parts in zip(*gradients, strict=True)]
        return summed, tf.add_n(losses)

    def _predict(self, trainable, non_trainable, blocks, n_blocks):
        tf = load_tensorflow()

        shards = self.engine.shards
        program = self._shard(
            ("block", blocks.shape[1:]),
            self._block_outputs,
            (trainable, non_trainable, blocks[0]),
        )

        # blocks holds a multiple of ``shards`` blocks (see blocks_per_call);
        # past n_blocks, a group's padding blocks are skipped and read as zeros.
        empty = tf.zeros((blocks.shape[1], self._n_outputs))

        def block_outputs(index):
            return tf.cond(
                index < n_blocks,
                lambda: program(trainable, non_trainable, blocks[index]),
                lambda: empty,
            )

        def group_outputs(i, outputs):
            group = [block_outputs(i * shards + j) for j in range(shards)]
            return i + 1, outputs.write(i, tf.stack(group))

        outputs = tf.TensorArray(
            tf.float32,
            size=blocks.shape[0] // shards,
            element_shape=(shards, blocks.shape[1], self._n_outputs),
        )
        n_groups = (n_blocks + shards - 1) // shards
        _, outputs = tf.while_loop(
            lambda i, _: i < n_groups, group_outputs, (tf.constant(0), outputs)
        )
        return tf.reshape(outputs.stack(), (-1, *outputs.element_shape[1:]))


def state_variables(model, optimizer) -> tuple:
    """What one training call carries in and out: weights and optimizer state."""
    return (
        model.trainable_variables,
        model.non_trainable_variables,
        optimizer.variables,
    )


def read_state(model, optimizer) -> list:
    """The values of :func:`state_variables`, as nested lists of tensors."""
    return [
        [variable.value for variable in variables]
        for variables in state_variables(model, optimizer)
    ]


def load_state(model, optimizer, state) -> None:
    """Assign ``state`` (as :func:`read_state` gives it) to the variables.

    The values always come from the same variables of an architecture (read
    by :func:`read_state` or returned by a training call), so they have their
    shapes and dtypes: TensorFlow's own assignment op writes them, without
    the checks of Keras's ``assign``, which cost three times as much and,
    after every call of a small network's fit, a sixth of the fit.
    """
    tf = load_tensorflow()

    for variables, values in zip(state_variables(model, optimizer), state, strict=True):
        for variable, value in zip(variables, values, strict=True):
            tf.raw_ops.AssignVariableOp(resource=variable.value.handle, value=value)


_PROGRAMS: OrderedDict = OrderedDict()
_PROGRAMS_LOCK = threading.Lock()
# Architectures (and engines) whose compiled functions are kept (least
# recently used go).
MAX_CACHED_ARCHITECTURES = 32


def programs_for(spec, engine: Engine, optimizer) -> Programs:
    """The shared programs of architecture ``spec`` on ``engine``, built on first use.

    The template is a network of its own, built from ``spec``, and a copy of
    ``optimizer``: training writes into the template's variables, which must
    never be a fitted estimator's own. The learning rate is one of the
    optimizer's variables, loaded with its state at every call, so networks
    that differ only in it share their programs: a search over learning rates
    compiles once. The "xla" engine's template never asks for cuDNN, whose
    kernels XLA cannot compile on a GPU; the "graph" engine's does on a GPU,
    unless the network masks padded steps.
    """
    from ._network import build_model

    key = (replace(spec, learning_rate=0.0), engine)
    with _PROGRAMS_LOCK:
        programs = _PROGRAMS.get(key)
        if programs is None:
            # cuDNN takes only padding after each sequence, sklstm pads before.
            cudnn = not engine.compiled_shards and not spec.masked
            template = build_model(spec, seed=0, use_cudnn="auto" if cudnn else False)
            template_optimizer = type(optimizer).from_config(optimizer.get_config())
            template_optimizer.build(template.trainable_variables)
            kind = Programs if engine.name == "xla" else GraphPrograms
            programs = _PROGRAMS[key] = kind(
                template, template_optimizer, spec.loss, engine, spec.members
            )
            if len(_PROGRAMS) > MAX_CACHED_ARCHITECTURES:
                _PROGRAMS.popitem(last=False)
        _PROGRAMS.move_to_end(key)
        return programs
