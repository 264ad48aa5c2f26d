"""The training loop: compiled gradient steps until the budget or early stopping.

It feeds batches from the window view, evaluates, stops early, logs, and
recovers from divergence or Ctrl-C; each of these is a piece of its own
(:class:`_TrainLosses`, :class:`_Progress`, :class:`_BestWeights`,
:func:`_finish`) that :func:`train` calls.

Why the loop looks like this: a tiny recurrent network on a CPU costs almost
nothing in arithmetic (the post's network is under 1 MFLOP per step), so its
speed is set by framework overhead per step. Plain ``model.fit`` pays that
overhead on every step (about 5 ms), and copies the window array twice. Here
one compiled call runs up to ``STEPS_PER_CALL`` gradient steps in a
``tf.while_loop``, so Python, the dispatcher and the data pipeline are paid
once per call, not per step; each call is fed by gathering its batches from the
read-only window view, so memory grows with the series and the call, never
with series x time_steps.

Three more choices follow from the same measurements:

- the compiled programs belong to the architecture, not to one model, and run
  on the engine that suits the network's size (:mod:`sklstm._programs`);
- inference calls a compiled loop over blocks of exactly ``PREDICT_ROWS``
  windows, up to ``MAX_PREDICT_BLOCKS`` blocks per call, instead of
  ``model.predict``, whose fixed cost per call is tens of milliseconds; every
  block runs through the same compiled block program, which makes a row's
  prediction independent of the rows predicted with it;
- evaluation happens only between calls, every ``print_steps`` steps (more
  often when an epoch is shorter, see :func:`evaluation_steps`), on the
  validation tail; up to ``PREDICT_ROWS`` windows of it are predicted by the
  training call itself as it ends (:meth:`CompiledNetwork.holding_out`),
  which on a short series saves a fifth of the fit, and a small
  validation part in a smaller block (:func:`held_out_rows`), which on the
  classifier's few held-out sequences saved another fifth.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from ._config import load_tensorflow
from ._programs import current_engine, load_state, programs_for, read_state

__all__ = [
    "AUTO_MIN_ROUNDS",
    "BatchSampler",
    "CompiledNetwork",
    "TrainingConfig",
    "TrainingResult",
    "WindowBatches",
    "build_network",
    "evaluation_steps",
    "held_out_rows",
    "train",
]

# Most gradient steps one compiled call runs. More amortises the per-call cost
# further, but evaluation and early stopping can only happen between calls.
STEPS_PER_CALL = 100
# Most window values fed to one call: bounds the memory of a call (gathered in
# float64, then cast) for long windows; the post's windows stay at 100 steps.
VALUES_PER_CALL = 1 << 18
# Rows of every block the network infers on (see CompiledNetwork.predict_windows).
PREDICT_ROWS = 256
# Rows of the block in which early stopping predicts a small validation part.
SMALL_HELD_OUT_ROWS = 32
# Most blocks one compiled inference call runs (fewer for long windows, as
# bounded by VALUES_PER_CALL).
MAX_PREDICT_BLOCKS = 16
# early_stopping_rounds="auto": training goes on for as many steps again as it
# took to reach the best evaluation, and at least this many.
AUTO_MIN_ROUNDS = 1000
# Fewest steps between evaluations, when an epoch is shorter than print_steps.
MIN_EVAL_STEPS = 10


def held_out_rows(n_windows: int) -> int:
    """Rows of the block in which early stopping predicts ``n_windows`` windows.

    ``SMALL_HELD_OUT_ROWS`` for a validation part that fits in it, else
    ``PREDICT_ROWS``. A classifier of a few dozen sequences validates on a
    handful of them at every evaluation, and predicting a block of 256 rows
    each time took a fifth of its fit; two sizes only, so that an
    architecture's fits (the folds of a search, whose validation parts
    differ in size) compile at most one more training program.

    Examples
    --------
    >>> from sklstm._training import held_out_rows
    >>> held_out_rows(4), held_out_rows(32), held_out_rows(33)
    (32, 32, 256)
    """
    return SMALL_HELD_OUT_ROWS if n_windows <= SMALL_HELD_OUT_ROWS else PREDICT_ROWS


def build_network(spec, seed: int) -> CompiledNetwork:
    """A freshly initialised compiled network of architecture ``spec``."""
    from ._network import build_model, make_optimizer

    model = build_model(spec, seed)
    return CompiledNetwork(
        model, make_optimizer(spec.optimizer, spec.learning_rate), spec
    )


class CompiledNetwork:
    """A Keras model and optimizer with compiled training and inference.

    ``train_steps`` runs many gradient steps in one compiled call;
    ``predict_windows`` runs blocks of a fixed shape through one compiled
    call, which avoids ``model.predict``'s large fixed cost per call. Both are
    shared by every network of the same architecture (``spec``, a
    :class:`~sklstm._network.NetworkSpec`) and run on the engine
    :func:`~sklstm._programs.choose_engine` picks for it and the batch, see
    :mod:`sklstm._programs`.
    """

    def __init__(self, model, optimizer, spec) -> None:
        self.model = model
        self.optimizer = optimizer
        self.spec = spec
        optimizer.build(model.trainable_variables)
        # Held here too, so that the shared cache dropping an architecture
        # never makes a network compile again in the middle of a fit.
        self._held_programs: dict = {}
        # The block of held-out windows that training calls also predict
        # (see holding_out), and their outputs after the last call.
        self._held_out: np.ndarray | None = None
        self._held_out_outputs: np.ndarray | None = None

    def _programs(self, rows: int):
        """The programs for batches of ``rows``, on the engine chosen now."""
        engine = current_engine(self.spec, rows)
        programs = self._held_programs.get(engine)
        if programs is None:
            programs = programs_for(self.spec, engine, self.optimizer)
            self._held_programs[engine] = programs
        return programs

    def train_steps(
        self, xs: np.ndarray, ys: np.ndarray, ws: np.ndarray, n_steps: int
    ) -> np.ndarray:
        """Run ``n_steps`` steps on batches ``xs[:n_steps]``; mean loss per output."""
        programs = self._programs(xs.shape[1])
        state = read_state(self.model, self.optimizer)
        # The held-out outputs come from the training call's engine, which
        # for a larger network can differ from inference's on the same
        # block: engines agree to rounding (see set_config).
        held_out = self._held_out if programs.fuses_inference else None
        with programs.lock:
            returned = programs.train(
                state, xs, ys, ws, np.int32(n_steps), held_out=held_out
            )
        load_state(self.model, self.optimizer, returned[0])
        self._held_out_outputs = None if held_out is None else returned[2].numpy()
        return returned[1].numpy()

    @contextmanager
    def holding_out(
        self, windows: np.ndarray, scaling
    ) -> Iterator[Callable[[], np.ndarray]]:
        """Within the block, a function giving the predictions of ``windows``.

        Early stopping predicts the same held-out windows after every
        training call. Up to ``PREDICT_ROWS`` of them are predicted by the
        training call itself, as it ends: on a short series the separate
        inference calls cost a fifth of the fit. They go in one block of
        :func:`held_out_rows` rows, whichever call predicts them, so that
        the fit does not depend on which does.
        """
        if len(windows) > PREDICT_ROWS:
            yield lambda: self.predict_windows(windows, scaling)
            return
        # Rows gathered lazily become one array here, as a chunk does in
        # predict_windows.
        windows = windows[: len(windows)]
        rows = held_out_rows(len(windows))
        block = np.zeros((rows, *windows.shape[1:]), dtype=np.float32)
        block[: len(windows)] = scaling.transform_windows(windows)

        def predictions() -> np.ndarray:
            if self._held_out_outputs is None:
                return self.predict_windows(windows, scaling, block_rows=rows)
            raw = self._held_out_outputs[: len(windows)]
            return np.asarray(scaling.inverse_targets(windows, raw), dtype=np.float64)

        self._held_out, self._held_out_outputs = block, None
        try:
            yield predictions
        finally:
            self._held_out, self._held_out_outputs = None, None

    def predict_windows(
        self, windows: np.ndarray, scaling, *, block_rows: int = PREDICT_ROWS
    ) -> np.ndarray:
        """Float64 predictions for any number of windows.

        Windows go through the network in blocks of exactly ``block_rows``
        rows (the last one padded): float32 kernels sum in an order that
        depends on the batch shape, so a fixed shape is what makes a row's
        prediction independent of how many rows come with it.
        One compiled call runs up to ``MAX_PREDICT_BLOCKS`` blocks, and only
        that call's rows are copied and cast, so predicting over a view of a
        long series costs memory in the output only.
        """
        n_rows = len(windows)
        n_outputs = self.spec.n_outputs
        outputs = np.empty((n_rows, n_outputs))
        trainable = [v.value for v in self.model.trainable_variables]
        non_trainable = [v.value for v in self.model.non_trainable_variables]
        values_per_block = block_rows * int(np.prod(windows.shape[1:]))
        programs = self._programs(block_rows)
        shards = programs.engine.shards
        blocks_per_call = max(
            1, min(MAX_PREDICT_BLOCKS, VALUES_PER_CALL // values_per_block)
        )
        # The graph engine runs its shards' blocks at once: whole groups only.
        blocks_per_call = max(shards, blocks_per_call // shards * shards)
        blocks = np.zeros(
            (blocks_per_call, block_rows, *windows.shape[1:]), dtype=np.float32
        )
        inputs = blocks.reshape(-1, *windows.shape[1:])
        for start in range(0, n_rows, len(inputs)):
            chunk = windows[start : start + len(inputs)]
            n_blocks = -(-len(chunk) // block_rows)
            inputs[: len(chunk)] = scaling.transform_windows(chunk)
            inputs[len(chunk) : n_blocks * block_rows] = 0.0
            raw = programs.predict(
                trainable, non_trainable, blocks, np.int32(n_blocks)
            ).numpy()
            outputs[start : start + len(chunk)] = scaling.inverse_targets(
                chunk, raw.reshape(-1, n_outputs)[: len(chunk)]
            )
        return outputs

    def get_weights(self) -> list[np.ndarray]:
        return self.model.get_weights()

    def set_weights(self, weights: list[np.ndarray]) -> None:
        self.model.set_weights(weights)
        self._held_out_outputs = None

    def get_optimizer_state(self) -> list[np.ndarray]:
        return [v.numpy() for v in self.optimizer.variables]

    def set_optimizer_state(self, state: list[np.ndarray]) -> None:
        for variable, value in zip(self.optimizer.variables, state, strict=True):
            variable.assign(value)

    def _generator_variables(self) -> list:
        # The model's variables besides its weights: the states of the random
        # generators dropout draws from, which get_weights leaves out.
        weights = {id(weight) for weight in self.model.weights}
        return [v for v in self.model.variables if id(v) not in weights]

    def get_state(self) -> tuple:
        """What a continued fit starts from: the weights, the optimizer's
        state and the random generators' states."""
        return (
            self.get_weights(),
            self.get_optimizer_state(),
            self.get_generator_state(),
        )

    def set_state(self, state: tuple) -> None:
        """Put back a :meth:`get_state`; one of two parts (weights and the
        optimizer, as pickles before the generators' states) keeps them."""
        self.set_weights(state[0])
        self.set_optimizer_state(state[1])
        if len(state) > 2:
            self.set_generator_state(state[2])

    def get_generator_state(self) -> list[np.ndarray]:
        """The states of the random generators dropout draws from."""
        return [np.asarray(v.numpy()) for v in self._generator_variables()]

    def set_generator_state(self, values: list) -> None:
        """Put back a :meth:`get_generator_state`."""
        for variable, value in zip(self._generator_variables(), values, strict=True):
            variable.assign(value)


class BatchSampler:
    """Row indices of mini-batches: shuffled epochs, read back to back.

    Batches may straddle two epochs, so every batch has the same size and one
    compiled function serves the whole fit. Only one epoch's permutation is
    held, as int32: 4 bytes a row.
    """

    def __init__(self, n_rows: int, batch_size: int, rng: np.random.RandomState):
        self.n_rows = n_rows
        self.batch_size = min(batch_size, n_rows)
        self._rng = rng
        self._order = np.empty(0, dtype=np.int32)
        self._position = 0

    def draw(self, n_batches: int) -> np.ndarray:
        """Indices of shape ``(n_batches, batch_size)``."""
        needed = n_batches * self.batch_size
        pieces = []
        while needed:
            if self._position == len(self._order):
                # Shuffled in place: the same order as permutation, without
                # a second copy of the rows' indices.
                self._order = np.arange(self.n_rows, dtype=np.int32)
                self._rng.shuffle(self._order)
                self._position = 0
            take = min(needed, len(self._order) - self._position)
            pieces.append(self._order[self._position : self._position + take])
            self._position += take
            needed -= take
        return np.concatenate(pieces).reshape(n_batches, self.batch_size)


class WindowBatches:
    """Feeds compiled calls: gathers batches from the window view and scales them.

    Only the rows of one call are copied (and cast to float32), whatever the
    length of the series.
    """

    def __init__(
        self,
        windows: np.ndarray,
        targets: np.ndarray,
        weights: np.ndarray | None,
        scaling,
    ):
        self.windows = windows
        self.targets = targets
        self.weights = weights
        self.scaling = scaling
        self.values_per_window = int(np.prod(windows.shape[1:]))

    def __call__(
        self, indices: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Float32 windows, targets and weights for indices of shape (k, batch)."""
        rows = indices.ravel()
        shape = indices.shape
        xs = self.scaling.transform_windows(self.windows[rows])
        if self.weights is None:
            weights = np.ones(shape, dtype=np.float32)
        else:
            weights = self.weights[rows].reshape(shape)
        return (
            xs.reshape(*shape, *xs.shape[1:]),
            self.targets[rows].reshape(*shape, -1),
            weights,
        )


@dataclass
class TrainingConfig:
    """How long to train and how to watch it (see LSTMRegressor's parameters)."""

    steps: int
    print_steps: int
    early_stopping_rounds: int | str | None
    verbose: int = 0
    logdir: str | None = None
    step_offset: int = 0
    # Passes over the training rows completed before this call (a continued
    # fit counts on from them, as step does from step_offset).
    epoch_offset: int = 0
    eval_steps: int | None = None
    # Least fall of the validation loss that counts as an improvement.
    min_delta: float = 0.0
    # Fewest steps without improvement before "auto" stops.
    min_rounds: int = AUTO_MIN_ROUNDS

    def __post_init__(self) -> None:
        if self.eval_steps is None:
            self.eval_steps = self.print_steps


def evaluation_steps(print_steps: int, epoch_steps: int) -> int:
    """Steps between evaluations: ``print_steps``, or about an epoch if shorter.

    On a small training set an epoch takes a few steps and a network can
    overfit long before ``print_steps`` steps. When an epoch takes fewer than
    a quarter of ``print_steps`` steps, evaluation follows the epochs: every
    ``d`` steps, ``d`` the largest divisor of ``print_steps`` that is at most
    the steps of an epoch, and at least ``MIN_EVAL_STEPS`` (to bound the cost
    of evaluating). Being a divisor puts every progress line on an
    evaluation. Longer epochs keep ``print_steps``: evaluating them more
    often would cost more than it could gain.

    Examples
    --------
    >>> from sklstm._training import evaluation_steps
    >>> evaluation_steps(100, 250), evaluation_steps(100, 57), evaluation_steps(100, 3)
    (100, 100, 10)
    """
    if 4 * epoch_steps >= print_steps or print_steps <= MIN_EVAL_STEPS:
        return print_steps
    for divisor in range(max(epoch_steps, MIN_EVAL_STEPS), MIN_EVAL_STEPS - 1, -1):
        if print_steps % divisor == 0:
            return divisor
    return print_steps


@dataclass
class TrainingResult:
    """What a training run did; losses are MSE in the targets' own units."""

    history: dict[str, list] = field(
        default_factory=lambda: {
            "step": [],
            "epoch": [],
            "train_loss": [],
            "val_loss": [],
        }
    )
    best_loss: float = math.inf
    best_step: int = 0
    steps_run: int = 0
    stopped_early: bool = False
    interrupted: bool = False
    diverged: bool = False


def format_progress(
    step: int, epoch: int, train_loss: float, val_loss: float | None
) -> str:
    """The post's progress line, e.g. ``Step #9700, epoch #119, avg. train loss: ...``.

    Losses are written to five significant digits, so that both the post's
    ``0.00082`` and today's ``1.2e-07`` stay readable.
    """
    line = f"Step #{step}, epoch #{epoch}, avg. train loss: {train_loss:.5g}"
    if val_loss is not None:
        line += f", avg. val loss: {val_loss:.5g}"
    return line


def train(
    network: CompiledNetwork,
    batches: WindowBatches,
    sampler: BatchSampler,
    config: TrainingConfig,
    *,
    loss_scale: np.ndarray,
    validation_loss: Callable[[], float] | None = None,
) -> TrainingResult:
    """Train ``network`` for ``config.steps`` gradient steps.

    Parameters
    ----------
    network : CompiledNetwork
        Trained in place; on return it holds the weights to keep.
    batches : WindowBatches
        Maps batch indices of shape ``(k, batch_size)`` to the float32 arrays
        ``(windows, targets, weights)`` of shape ``(k, batch_size, ...)``.
    sampler : BatchSampler
        Draws the batch indices.
    config : TrainingConfig
        Step budget, evaluation period, early stopping, logging.
    loss_scale : ndarray of shape (n_outputs,)
        Squared target scales: turns the per-output loss on standardised
        targets into MSE in the targets' units.
    validation_loss : callable or None
        Returns the current MSE on the validation tail. None trains without
        validation and keeps the final weights.

    Returns
    -------
    TrainingResult
    """
    result = TrainingResult()
    losses = _TrainLosses()
    progress = _Progress(config)
    best = _BestWeights(network, config, validating=validation_loss is not None)
    per_call = _steps_per_call(config, sampler, batches)
    writer = _summary_writer(config.logdir)
    try:
        while result.steps_run < config.steps:
            until_eval = config.eval_steps - result.steps_run % config.eval_steps
            n_steps = min(per_call, until_eval, config.steps - result.steps_run)
            xs, ys, ws = _padded(batches(sampler.draw(n_steps)), per_call)
            per_output = network.train_steps(xs, ys, ws, n_steps)
            chunk_loss = float(np.mean(per_output * loss_scale))
            result.steps_run += n_steps
            if not math.isfinite(chunk_loss):
                result.diverged = True
                break
            losses.add(chunk_loss, n_steps)
            at_end = result.steps_run == config.steps
            if not (result.steps_run % config.eval_steps == 0 or at_end):
                continue
            train_loss = losses.evaluation_mean()
            step = config.step_offset + result.steps_run
            epoch = (
                config.epoch_offset
                + result.steps_run * sampler.batch_size // sampler.n_rows
            )
            val_loss = validation_loss() if validation_loss is not None else None
            if val_loss is not None and not math.isfinite(val_loss):
                result.diverged = True
                break
            _record(result, step, epoch, train_loss, val_loss, writer)
            progress.report(result.steps_run, step, epoch, losses, val_loss, at_end)
            verdict = best.update(train_loss, val_loss, step)
            if verdict is not None:
                setattr(result, verdict, True)
                break
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        if writer is not None:
            writer.close()
    result.best_loss, result.best_step = best.loss, best.step
    return _finish(network, result, best.saved, validation_loss is not None)


def _steps_per_call(config: TrainingConfig, sampler, batches) -> int:
    # The batches of one call have the same shape in every call of a fit
    # whatever the evaluation period, so that one compiled program serves it.
    return max(
        1,
        min(
            STEPS_PER_CALL,
            config.print_steps,
            VALUES_PER_CALL // (sampler.batch_size * batches.values_per_window),
        ),
    )


class _TrainLosses:
    """Sums of the training loss: since the last evaluation, and the last line."""

    def __init__(self) -> None:
        self.loss_sum, self.loss_steps = 0.0, 0
        self.printed_sum, self.printed_steps = 0.0, 0

    def add(self, chunk_loss: float, n_steps: int) -> None:
        self.loss_sum += chunk_loss * n_steps
        self.loss_steps += n_steps

    def evaluation_mean(self) -> float:
        """Mean since the last evaluation; it then counts towards the line."""
        self.printed_sum += self.loss_sum
        self.printed_steps += self.loss_steps
        mean = self.loss_sum / self.loss_steps
        self.loss_sum, self.loss_steps = 0.0, 0
        return mean

    def line_mean(self) -> float:
        """Mean since the last progress line, which starts a new one."""
        mean = self.printed_sum / self.printed_steps
        self.printed_sum, self.printed_steps = 0.0, 0
        return mean


class _Progress:
    """The post's progress lines, every ``print_steps`` steps at ``verbose``."""

    def __init__(self, config: TrainingConfig) -> None:
        self.verbose = config.verbose
        self.print_steps = config.print_steps

    def report(self, steps_run, step, epoch, losses: _TrainLosses, val_loss, at_end):
        if self.verbose and (steps_run % self.print_steps == 0 or at_end):
            # The line's train loss covers every step since the last line.
            line = format_progress(step, epoch, losses.line_mean(), val_loss)
            print(line, flush=True)


class _BestWeights:
    """Early stopping: the best evaluation, its weights, and when to stop."""

    def __init__(self, network, config: TrainingConfig, *, validating: bool):
        self.network = network
        self.config = config
        self.validating = validating
        self.loss, self.step = math.inf, 0
        self.saved: list[np.ndarray] | None = None

    def update(
        self, train_loss: float, val_loss: float | None, step: int
    ) -> str | None:
        """Keep improved weights; None to go on, or why training ends."""
        current = train_loss if val_loss is None else val_loss
        if not self.validating or current < self.loss - self.config.min_delta:
            weights = self.network.get_weights()
            if not _all_finite(weights):
                # The last update of the chunk overflowed the weights.
                return "diverged"
            self.loss, self.step = current, step
            self.saved = weights
        elif step - self.step >= _patience(self.config, self.step):
            return "stopped_early"
        if self.validating and _fitted_training_rows(self.config, train_loss):
            return "stopped_early"
        return None


def _padded(arrays: tuple, length: int) -> tuple:
    """Arrays of batches extended with zeros to ``length`` batches (never read)."""
    missing = length - len(arrays[0])
    if not missing:
        return arrays
    return tuple(
        np.concatenate([a, np.zeros((missing, *a.shape[1:]), a.dtype)]) for a in arrays
    )


def _patience(config: TrainingConfig, best_step: int) -> int:
    """Steps without improvement after which training stops.

    ``"auto"`` scales with the run: a best evaluation reached after ``k``
    steps of this fit earns another ``k`` steps (at least
    ``AUTO_MIN_ROUNDS``) to be improved on, so that a network still improving
    late keeps training while one that peaked early stops early.
    """
    if config.early_stopping_rounds == "auto":
        return max(config.min_rounds, best_step - config.step_offset)
    return config.early_stopping_rounds


def _fitted_training_rows(config: TrainingConfig, train_loss: float) -> bool:
    """Whether ``"auto"`` early stopping ends because the training rows are fitted.

    A training loss below ``min_delta`` cannot itself fall by ``min_delta``:
    the networks give every training row its target with near certainty, and
    further steps only sharpen their outputs, which the validation loss reads
    as drift around its best. Without a ``min_delta`` this never stops.
    """
    return config.early_stopping_rounds == "auto" and train_loss < config.min_delta


def _record(result, step, epoch, train_loss, val_loss, writer) -> None:
    history = result.history
    history["step"].append(step)
    history["epoch"].append(epoch)
    history["train_loss"].append(train_loss)
    history["val_loss"].append(val_loss)
    if writer is not None:
        tf = load_tensorflow()

        with writer.as_default():
            tf.summary.scalar("loss/train", train_loss, step=step)
            if val_loss is not None:
                tf.summary.scalar("loss/validation", val_loss, step=step)


def _summary_writer(logdir):
    if logdir is None:
        return None
    # Checked before the folder is made: a fit that cannot log leaves none.
    try:
        import tensorboard  # noqa: F401  (tf.summary needs it to write events)
    except ImportError as exc:
        raise ImportError(
            "logdir writes TensorBoard summaries and needs the tensorboard "
            "package: pip install 'sklstm[tensorboard]'."
        ) from exc
    try:
        os.makedirs(logdir, exist_ok=True)
    except OSError as exc:
        raise ValueError(
            f"logdir must be a folder that can be made or written to; got "
            f"{str(logdir)!r} ({exc.strerror or exc})."
        ) from None
    tf = load_tensorflow()

    return tf.summary.create_file_writer(str(logdir))


def _all_finite(weights: list[np.ndarray]) -> bool:
    return all(np.isfinite(w).all() for w in weights)


def _finish(network, result, saved, validating) -> TrainingResult:
    if (
        result.interrupted
        and not (validating and saved is not None)
        and not _all_finite(network.get_weights())
    ):
        # Interrupted just after a chunk that diverged, before its check.
        result.diverged = True
    if result.diverged:
        if saved is None:
            raise ValueError(
                "Training diverged: the loss became NaN or infinite before any "
                "finite evaluation. Lower learning_rate, or check the scale of X "
                "and y (keep standardize=True for data on large scales)."
            )
        network.set_weights(saved)
        warnings.warn(
            f"Training diverged (the loss became NaN or infinite) after "
            f"{result.steps_run} steps; restored the "
            + ("best weights" if validating else "last finite weights")
            + f", those of step {result.best_step}. Lower learning_rate to train "
            "further.",
            RuntimeWarning,
            stacklevel=3,
        )
        return result
    if result.interrupted:
        if validating and saved is not None:
            network.set_weights(saved)
        warnings.warn(
            f"Training was interrupted after {result.steps_run} steps; the "
            + (
                f"best weights so far (step {result.best_step}) are kept."
                if validating and saved is not None
                else "weights reached so far are kept."
            ),
            RuntimeWarning,
            stacklevel=3,
        )
        return result
    if validating and saved is not None:
        network.set_weights(saved)
    return result
