"""The shared estimator core: one place for what every recurrent estimator does.

:class:`BaseRecurrentNetwork`, an abstract base, owns the parameters both
faces share, the validation of windows and padding, the fit (in phases:
``_prepare``, ``_build``, ``_train``, ``_store_fit``; with scaling,
validation split, early stopping, warm start, ``partial_fit``, a failed call
leaving a fitted estimator as it was), prediction through the compiled
network, pickling, and the fitted state a saved file holds
(``_save_state``, ``_restore_state``). A face (:class:`~sklstm.LSTMRegressor`,
:class:`~sklstm.LSTMClassifier`) adds only what differs, through the
abstract hooks: its targets, its loss, its validation split, its scaling of
the outputs, the fitted attributes that are its own, and its scikit-learn
mixin. The pattern is scikit-learn's own ``BaseMultilayerPerceptron`` with
``MLPRegressor`` and ``MLPClassifier``.

The package's layers, each importing only from those below it: the faces,
this core, the engine (:mod:`sklstm._network`, :mod:`sklstm._programs`,
:mod:`sklstm._training`: the only modules that touch TensorFlow) and the
tools (scaling, windows, sequences, settings, the file format).
"""

from __future__ import annotations

import functools
import math
import os
import re
import warnings
from abc import ABCMeta, abstractmethod
from dataclasses import dataclass, field, replace
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import issparse
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state, resample
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_is_fitted,
    validate_data,
)

from ._horizon import _first_frame_outside_package
from ._network import (
    NetworkSpec,
    attribute_vector_size,
    parse_dense_layers,
    parse_optimizer,
    parse_rnn_layers,
)
from ._patches import auto_patch_length
from ._persistence import (
    InvalidFile,
    checked_float,
    checked_int,
)
from ._persistence import save as save_file
from ._saved_state import (
    HISTORY_KEYS,
    LEVEL_ARRAYS,
    SAVED_FIELDS,
    SCALING_ARRAYS,
    fields_in,
    plain,
    saved_history,
    saved_inputs,
    saved_network,
    saved_scaling,
)
from ._scaling import WindowStatistics, falls_below_zero, statistics_rows
from ._sequences import block_rows, check_padding, refuse_non_real, repad
from ._training import AUTO_MIN_ROUNDS
from ._window import check_numeric_columns

__all__ = ["BaseRecurrentNetwork"]

# n_networks="auto": this many networks for fewer training rows than
# AUTO_NETWORKS_MAX_ROWS, one network from there on.
AUTO_NETWORKS = 5
AUTO_NETWORKS_MAX_ROWS = 10_000

_FLOATS = [np.float64, np.float32]
# Parameters that must be ints, where a bool would pass as one.
_INT_PARAMS = (
    "steps",
    "batch_size",
    "n_networks",
    "patch_length",
    "print_steps",
    "early_stopping_rounds",
)
# The same for floats.
_FLOAT_PARAMS = ("learning_rate", "validation_fraction")

# Most validation rows an evaluation of early stopping reads. Reading a
# validation part of millions of rows every 100 steps costs many times the
# training (measured on 2,000,000 hourly rows, windows of 48 x 3 and the
# defaults: 10 times the same fit without evaluations). A fixed, seeded
# sample of 4,096 rows (16 of the blocks of 256 that inference runs) took 14
# to 16% of that fit, and the fit stopped where evaluating every row did, with
# the same test error; a sample of 2,000 changed where it stopped.
MAX_EVALUATED_ROWS = 4096


# The parameters behind each field of a network's spec, as errors name them
# (the number of outputs is the face's to name).
_ARCHITECTURE_NAMES = {
    "rnn_layers": "rnn_layers",
    "dense": "dense_layers",
    "optimizer": "optimizer",
    "learning_rate": "learning_rate",
    "loss": "loss",
    "linear": "linear",
    "members": "n_networks",
    "patch": "patch_length",
    "series": "series_embedding",
    "embedding": "series_embedding",
    "attributes": "series_attributes",
}

# Parameters that set how a fit reads its data into the network (kept in the
# fitted scaling and windows): a continued fit must read them as the first.
_READING_PARAMS = ("standardize", "relative", "window_scale", "time_order")


def _names_several_series(groups: Any) -> bool:
    """Whether ``groups`` (None, or a label per row) labels two series or more."""
    if groups is None:
        return False
    return len(pd.unique(np.asarray(groups, dtype=object).ravel())) > 1


@dataclass
class _FitPlan:
    """What one fit works on, as ``_prepare`` decided it."""

    windows: np.ndarray
    targets: np.ndarray
    weights: np.ndarray | None
    padded: bool
    spec: NetworkSpec
    continuing: bool
    incremental: bool
    validating: bool
    rng: np.random.RandomState
    train_rows: Any = field(default_factory=lambda: slice(None))
    val_rows: Any = None
    # Each row's series, where fit was given groups.
    groups: Any = None
    # The series the network learns a vector for (see _with_series_numbers).
    series_labels: Any = None
    # Each series attribute's categories, in the order of their vectors.
    attribute_categories: Any = None
    # What the weights come from, as errors about them name it.
    weights_name: str = "sample_weight"
    # Validation rows each evaluation reads (see evaluated_rows).
    n_evaluated: int = 0
    evaluated_rows: Any = None

    @property
    def n_train(self) -> int:
        rows = self.train_rows
        return len(range(len(self.windows))[rows] if isinstance(rows, slice) else rows)

    @functools.cached_property
    def train_windows(self) -> np.ndarray:
        # Taken once: an index array (a shuffled split) copies the windows.
        return self.windows[self.train_rows]

    @functools.cached_property
    def train_targets(self) -> np.ndarray:
        return self.targets[self.train_rows]

    def check_training_weights(self) -> None:
        if self.weights is None:
            return
        if self.validating and not self.weights[self.val_rows].sum() > 0:
            n_held = len(self.windows) - self.n_train
            warnings.warn(
                f"{self.weights_name} is zero on every one of the {n_held} rows held "
                "out for early stopping, so early stopping weighs them alike "
                "instead. Give some of them a positive weight, or set "
                "early_stopping_rounds=None.",
                UserWarning,
                stacklevel=_first_frame_outside_package(),
            )
        if self.weights[self.train_rows].any():
            return
        n_train = self.n_train
        held_out = (
            f" ({n_train} rows; {len(self.windows) - n_train} are held out for "
            "early stopping)"
            if self.validating
            else ""
        )
        raise ValueError(
            f"{self.weights_name} is zero on every training row{held_out}: the network "
            "would learn nothing. Give some training rows a positive weight."
        )


class BaseRecurrentNetwork(BaseEstimator, metaclass=ABCMeta):
    """Base class of the recurrent estimators; not to be used directly.

    Faces define ``__init__`` (their parameters), ``_losses`` (the network
    losses their fits may train on, the usual one first: ``"mse"``,
    ``"relative"`` or ``"crossentropy"``) and the abstract hooks below: how
    they read targets (``_validate_targets``), scale them (``_target_scaling``,
    which also takes statistics gathered over chunks, see
    :class:`~sklstm.WindowStatistics`), hold rows out (``_validation_rows``),
    measure the loss (``_validation_loss``, ``_loss_scale``), and save and
    restore the fitted attributes that are theirs alone
    (``_save_fitted_fields``, ``_restore_fitted_fields``, with their keys in
    ``_fitted_fields``). The base saves and restores everything else: the
    network, its scaling and what training measured.
    """

    _losses: tuple[str, ...] = ("mse",)
    # What the network's outputs are, in error messages.
    _outputs_name = "targets"
    # The keys of the face's own fitted fields in a saved file's fitted state,
    # each with the first format version that holds it (a field added later
    # is absent from older files, and _restore_fitted_fields gets none).
    _fitted_fields: dict[str, int] = {}
    # Parameters added after a file format version, with the values that
    # files of older versions (which lack them) mean.
    _params_older_files_lack: dict[str, Any] = {
        "time_order": "oldest_first",
        "n_networks": 1,
        "patch_length": 1,
    }
    # Early stopping: the least fall of the validation loss that counts as an
    # improvement, and the fewest steps "auto" waits for one.
    _min_delta = 0.0
    _auto_min_rounds = AUTO_MIN_ROUNDS

    _parameter_constraints: dict = {
        "rnn_layers": [list, tuple],
        "dense_layers": [None, list, tuple, dict],
        "optimizer": [str],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "steps": [Interval(Integral, 1, None, closed="left")],
        "n_networks": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "patch_length": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "early_stopping_rounds": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
            None,
        ],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "print_steps": [Interval(Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
        "logdir": [str, os.PathLike, None],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "standardize": ["boolean"],
        "time_order": [StrOptions({"oldest_first", "newest_first"})],
    }

    def _members(self, n_rows: int, continuing: bool, incremental: bool) -> int:
        """The networks ``n_networks`` asks for, ``"auto"`` resolved."""
        if self.n_networks != "auto":
            return self.n_networks
        if continuing:
            return self._network_spec.members
        # Averaging pays where the data are few, and one network's luck
        # weighs most; partial_fit trains on data too large to hold at once.
        return 1 if incremental or n_rows >= AUTO_NETWORKS_MAX_ROWS else AUTO_NETWORKS

    def _patch(self, time_steps: int, n_features: int, continuing: bool) -> int:
        """The patch length ``patch_length`` asks for, ``"auto"`` resolved."""
        if self.patch_length != "auto":
            if self.patch_length > time_steps:
                raise ValueError(
                    f"patch_length={self.patch_length} is longer than the "
                    f"sequences, which have {time_steps} time steps; pass at "
                    f"most {time_steps}, or 'auto'."
                )
            return self.patch_length
        if continuing:
            return self._network_spec.patch
        return auto_patch_length(time_steps, n_features)

    def __sklearn_is_fitted__(self) -> bool:
        # The one test of "fitted" every method and scikit-learn's
        # check_is_fitted use: a network exists once a fit has built one.
        return "_network" in self.__dict__

    # ------------------------------------------------------------- fitting
    def _atomic(self, method, *args, **kwargs):
        # A failed call must leave a fitted estimator as it was: remember the
        # attributes and the network's weights, put both back on any error.
        # A RandomState passed as random_state is the caller's object, which
        # the fit draws from: it is put back too, so that the next fit draws
        # as it would have.
        state = dict(self.__dict__)
        network = self.__dict__.get("_network")
        network_state = network.get_state() if network is not None else None
        generator = self.random_state
        if not isinstance(generator, np.random.RandomState):
            generator = None
        generator_state = None if generator is None else generator.get_state()
        try:
            return method(*args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            if network is not None:
                network.set_state(network_state)
            if generator is not None:
                generator.set_state(generator_state)
            raise

    def _fit_whole(self, X, y, sample_weight, groups=None):
        """``fit``: a new fit (or a warm start) on every row, atomically."""
        return self._atomic(
            self._fit, X, y, sample_weight, incremental=False, groups=groups
        )

    def _fit(
        self, X, y, sample_weight, *, incremental: bool, statistics=None, groups=None
    ):
        """Fit in three phases a subclass may override one by one.

        ``_prepare`` validates the data and decides what the fit does,
        ``_build`` makes (or takes over) the network and its scaling,
        ``_train`` runs the training loop; ``_store_fit`` keeps the result.
        """
        plan = self._prepare(
            X, y, sample_weight, incremental=incremental, groups=groups
        )
        network, scaling = self._build(plan, statistics)
        result = self._train(plan, network, scaling)
        self._store_fit(plan, network, scaling, result)
        return self

    def _prepare(
        self, X, y, sample_weight, *, incremental: bool, groups=None
    ) -> _FitPlan:
        """Validated windows, targets and weights, the network's spec, the split."""
        if incremental and self.__sklearn_is_fitted__():
            # scikit-learn checks the parameters before the first partial_fit
            # only: one set since would train unchecked.
            self._validate_params()
        self._check_no_bools()
        rnn_specs = parse_rnn_layers(self.rnn_layers)
        dense_spec = parse_dense_layers(self.dense_layers)
        optimizer_name = parse_optimizer(self.optimizer)

        continuing = self.__sklearn_is_fitted__() and (incremental or self.warm_start)
        self._check_reading(continuing, incremental)
        windows, padded = self._validate_windows(X, reset=not continuing)
        groups = self._checked_groups(groups, len(windows))
        targets = self._validate_targets(
            y, windows, reset=not continuing, incremental=incremental
        )
        n_features = windows.shape[2]
        windows, series_labels, embedding, attributes = self._with_series_numbers(
            windows,
            groups,
            continuing=continuing,
            padded=padded,
            incremental=incremental,
        )
        spec = NetworkSpec(
            time_steps=windows.shape[1],
            n_features=n_features,
            n_outputs=targets.shape[1],
            rnn_layers=tuple(rnn_specs),
            dense=dense_spec,
            optimizer=optimizer_name,
            learning_rate=float(self.learning_rate),
            loss=self._spec_loss(continuing),
            masked=padded or (continuing and self._network_spec.masked),
            members=self._members(len(windows), continuing, incremental),
            patch=self._patch(windows.shape[1], n_features, continuing),
            series=0 if series_labels is None else len(series_labels),
            embedding=embedding,
            attributes=tuple(
                (len(categories), attribute_vector_size(len(categories)))
                for categories in (attributes or {}).values()
            ),
            levels=self._network_spec.levels if continuing else (),
        )
        spec = replace(spec, linear=self._uses_linear_part(spec))
        if continuing and spec != self._network_spec:
            how = "partial_fit" if incremental else "warm_start=True"
            changed = self._changed_architecture(spec)
            raise ValueError(
                f"{how} continues the fitted network, but {' and '.join(changed)} "
                f"changed since it was built. Fit a fresh estimator "
                "(warm_start=False) to change "
                f"{'it' if len(changed) == 1 else 'them'}."
            )
        sample_weight = checked_weights(sample_weight, windows)
        plan = _FitPlan(
            windows=windows,
            targets=targets,
            weights=None,
            padded=padded,
            spec=spec,
            continuing=continuing,
            incremental=incremental,
            validating=self.early_stopping_rounds is not None and not incremental,
            rng=check_random_state(self.random_state),
        )
        if plan.validating:
            plan.train_rows, plan.val_rows = self._validation_rows(
                targets, plan.rng, groups
            )
        plan.groups = groups
        plan.series_labels = series_labels
        plan.attribute_categories = attributes
        plan.weights = self._sample_weights(targets, sample_weight)
        plan.weights_name = self._weights_name(sample_weight)
        plan.check_training_weights()
        return plan

    def _epochs_done(self) -> int:
        """The passes over the training rows the fitted network has made, as
        its history last counted them."""
        epochs = self.history_["epoch"]
        return int(epochs[-1]) if epochs else 0

    def _changed_architecture(self, spec: NetworkSpec) -> list[str]:
        """What differs between ``spec`` and the fitted network's, in the
        estimator's words."""
        names = {
            "n_outputs": f"the number of {self._outputs_name}",
            **_ARCHITECTURE_NAMES,
        }
        changed = dict.fromkeys(
            said
            for field, said in names.items()
            if getattr(spec, field) != getattr(self._network_spec, field)
        )
        return list(changed) or ["the network's architecture"]

    def _check_no_bools(self) -> None:
        """A bool is no int or float parameter's value, though Python's
        numbers say it is one."""
        for names, kind in ((_INT_PARAMS, "an int"), (_FLOAT_PARAMS, "a float")):
            for name in names:
                if isinstance(getattr(self, name), (bool, np.bool_)):
                    raise TypeError(
                        f"{name} must be {kind}, not a bool; got "
                        f"{getattr(self, name)!r}."
                    )

    def _checked_groups(self, groups, n_rows: int):
        """``groups`` checked against the ``n_rows`` windows; here as given
        (a face that takes groups checks them whenever they come)."""
        return groups

    def _with_series_numbers(self, windows, groups, **fit):
        """The windows the network reads, the series it learns a vector for
        (None: none), the vectors' size and each series attribute's
        categories (None: none); here the windows as they are.

        A face that embeds series returns the windows with more columns,
        each window's series and category numbers (see ``NetworkSpec``);
        ``fit`` holds the fit's ``continuing``, ``padded`` and ``incremental``
        flags.
        """
        return windows, None, 0, None

    def _series_numbers_for(self, windows, groups):
        """The windows ``predict`` gives the network (see _with_series_numbers)."""
        return windows

    def _sample_weights(self, targets, sample_weight) -> np.ndarray | None:
        """The face's row weights times the checked ``sample_weight``, of mean 1
        (None: equal)."""
        weights = self._row_weights(targets)
        if sample_weight is not None:
            weights = sample_weight if weights is None else weights * sample_weight
        return _mean_one(weights)

    def _weights_for_scaling(self, plan: _FitPlan, scaling) -> np.ndarray | None:
        """The row weights to train on once the scaling is chosen: the face may
        weigh rows by what the scaling does (here: the plan's, as they are)."""
        return plan.weights

    def _reading(self) -> dict:
        return {
            name: getattr(self, name) for name in _READING_PARAMS if hasattr(self, name)
        }

    def _check_reading(self, continuing: bool, incremental: bool) -> None:
        """A continued fit reads its data as the first fit did; a new fit
        records how that is."""
        if not continuing:
            self._fitted_reading = self._reading()
            return
        # Loaded files and pickles of fits before this record: their
        # parameters are the first fit's.
        fitted = self.__dict__.setdefault("_fitted_reading", self._reading())
        for name, value in self._reading().items():
            if name in fitted and fitted[name] != value:
                how = "partial_fit" if incremental else "warm_start=True"
                raise ValueError(
                    f"{how} continues the fitted network, whose scaling and "
                    f"windows were set by {name}={fitted[name]!r}; {name} is "
                    f"now {value!r}. Set it back, or fit a fresh estimator "
                    "(warm_start=False) to change it."
                )

    def _spec_loss(self, continuing: bool) -> str:
        """The network loss of a fit, as far as it is known before the data's
        scaling is chosen (see _spec_for_scaling); here the face's usual one."""
        return self._network_spec.loss if continuing else self._losses[0]

    def _spec_for_scaling(self, spec, scaling):
        """The spec of a new network once the scaling is chosen: the face may
        choose the loss by what the scaling does (here: the spec as it is)."""
        return spec

    def _build(self, plan: _FitPlan, statistics=None):
        """The network and scaling to train: new ones, or the fitted ones."""
        from ._training import build_network

        if statistics is not None:
            statistics = self._scaling_from(
                statistics, plan.windows, plan.targets, plan.padded
            )
        if plan.continuing:
            if statistics is not None:
                statistics = _scaling_for_spec(statistics, self._network_spec)
            if statistics is not None and not _same_scaling(statistics, self._scaling):
                raise ValueError(
                    "statistics differ from those the estimator started training "
                    "with: partial_fit keeps the scaling of its first call. Pass "
                    "the same statistics on every call, or none after the first."
                )
            plan.weights = self._weights_for_scaling(plan, self._scaling)
            return self._network, self._scaling
        seed = int(plan.rng.randint(np.iinfo(np.int32).max - 1000))
        scaling = statistics
        if scaling is None:
            scaling = self._target_scaling(
                # The features only: the series numbers are no statistic's.
                plan.train_windows[:, :, : plan.spec.n_features],
                plan.train_targets,
                plan.padded,
                rows=statistics_rows(plan.n_train, plan.rng),
                panel=_names_several_series(plan.groups),
                below_zero=functools.partial(
                    falls_below_zero,
                    plan.windows,
                    plan.targets,
                    plan.val_rows,
                    plan.spec.n_features,
                ),
            )
        plan.weights = self._weights_for_scaling(plan, scaling)
        plan.spec = self._spec_for_scaling(plan.spec, scaling)
        scaling = _scaling_for_spec(scaling, plan.spec)
        network = build_network(plan.spec, seed)
        train_weights = None if plan.weights is None else plan.weights[plan.train_rows]
        validation = None
        # A panel's held-out rows are every series' last few windows: the
        # same few periods of time, which measured worse than the training
        # rows for such choices (see LSTMRegressor's ``linear``).
        if plan.validating and plan.groups is None:
            validation = (
                _rows_of(plan.windows, plan.val_rows),
                plan.targets[plan.val_rows],
                _held_out_weights(plan.weights, plan.val_rows),
            )
        self._initialise_network(
            network,
            scaling,
            plan.train_windows,
            plan.train_targets,
            train_weights,
            plan.rng,
            validation,
        )
        return network, scaling

    def _train(self, plan: _FitPlan, network, scaling):
        """Run the training loop on the training rows; returns its result."""
        from ._training import (
            BatchSampler,
            TrainingConfig,
            WindowBatches,
            evaluation_steps,
            train,
        )

        rows = plan.train_rows
        train_windows, n_train = plan.train_windows, plan.n_train
        train_weights = None if plan.weights is None else plan.weights[rows]
        batches = WindowBatches(
            train_windows,
            self._training_targets(
                scaling.transform_targets(train_windows, plan.train_targets)
            ),
            None if train_weights is None else train_weights.astype(np.float32),
            scaling,
        )
        sampler = BatchSampler(
            n_train, self.batch_size, np.random.RandomState(plan.rng.randint(2**31 - 1))
        )
        epoch_steps = math.ceil(n_train / sampler.batch_size)
        steps = epoch_steps if plan.incremental else self.steps
        print_steps = (
            min(self.print_steps, steps) if plan.incremental else self.print_steps
        )
        config = TrainingConfig(
            steps=steps,
            print_steps=print_steps,
            early_stopping_rounds=self.early_stopping_rounds
            if plan.validating
            else None,
            verbose=int(self.verbose),
            logdir=self.logdir,
            step_offset=self.n_iter_ if plan.continuing else 0,
            epoch_offset=self._epochs_done() if plan.continuing else 0,
            min_delta=self._min_delta,
            min_rounds=self._auto_min_rounds,
            # Only early stopping gains from evaluating more often.
            eval_steps=evaluation_steps(print_steps, epoch_steps)
            if plan.validating
            else print_steps,
        )
        loss_scale = self._loss_scale(scaling, network.spec.loss)
        if not plan.validating:
            return train(network, batches, sampler, config, loss_scale=loss_scale)
        val_windows, val_loss = self._validation_loss_of(plan, network, scaling)
        with network.holding_out(val_windows, scaling) as predictions:
            return train(
                network,
                batches,
                sampler,
                config,
                loss_scale=loss_scale,
                validation_loss=lambda: val_loss(predictions()),
            )

    def _validation_loss_of(self, plan: _FitPlan, network, scaling):
        """The held-out windows, and the loss of their predictions as a function."""
        # Drawn after every other draw of the fit, so that it changes none.
        rows = evaluated_rows(
            plan.val_rows,
            len(plan.windows),
            plan.weights,
            self._evaluation_strata(plan.targets),
            plan.rng,
        )
        val_windows, val_targets = _rows_of(plan.windows, rows), plan.targets[rows]
        # Targets the network's float32 cannot hold once scaled are an error
        # naming y, as in the training rows, not a loss that overflows; read
        # a block at a time, as the rows may be gathered lazily.
        step = block_rows(val_windows)
        for start in range(0, len(val_windows), step):
            scaling.transform_targets(
                val_windows[start : start + step], val_targets[start : start + step]
            )
        plan.n_evaluated = len(val_windows)
        plan.evaluated_rows = rows
        val_weights = _held_out_weights(plan.weights, rows)
        measured = scaling.loss_space(val_windows)
        val_targets = measured(val_targets)

        def validation_loss(predictions: np.ndarray) -> float:
            return self._validation_loss(
                measured(predictions), val_targets, val_weights, network.spec.loss
            )

        return val_windows, validation_loss

    def _store_fit(self, plan: _FitPlan, network, scaling, result) -> None:
        """Keep the trained network and what training measured."""
        previous_steps = self.n_iter_ if plan.continuing else 0
        self._network = network
        self._network_spec = plan.spec
        self._scaling = scaling
        self.model_ = network.model
        if plan.continuing:
            # New lists: a caller that remembered the old ones (a failed
            # chunked training putting the estimator back) keeps them whole.
            self.history_ = {
                key: [*self.history_[key], *values]
                for key, values in result.history.items()
            }
        else:
            self.history_ = result.history
        self.best_loss_ = result.best_loss
        self.best_step_ = result.best_step
        self.n_iter_ = previous_steps + result.steps_run
        # Loops of fits (chunked training) stop where a Ctrl-C stopped one;
        # the mark lasts until the next fit, and a saved model has none.
        if result.interrupted:
            self._interrupted = True
        else:
            self.__dict__.pop("_interrupted", None)
        if plan.validating or not plan.continuing:
            self.n_validation_samples_ = len(plan.windows) - plan.n_train
            self.n_validation_evaluated_ = plan.n_evaluated
            # What the held-out tails were cut by, for panel intervals to
            # calibrate on the same tails whatever the parameter says later.
            self._held_out_fraction = self.validation_fraction
        self._describe_fit(
            plan.windows,
            plan.targets,
            plan.weights,
            plan.evaluated_rows if plan.validating else plan.train_rows,
            validated=plan.validating,
        )

    def _scaling_from(self, statistics, windows, targets, padded: bool):
        """The scaling that statistics gathered over chunks give this face."""
        if not isinstance(statistics, WindowStatistics):
            raise TypeError(
                "statistics must be a sklstm.WindowStatistics (for example "
                "SeriesChunks(...).statistics()) or None; got "
                f"{type(statistics).__name__}."
            )
        if not statistics.n_samples_seen_:
            raise ValueError(
                "statistics have seen no windows: update them with every chunk "
                "of the series before training."
            )
        order = getattr(statistics, "time_order", "oldest_first")
        if order != self.time_order:
            raise ValueError(
                f"statistics were gathered over windows listed {order}, but "
                f"this estimator reads them {self.time_order} (time_order): "
                f"gather them with WindowStatistics(time_order="
                f"{self.time_order!r})."
            )
        gathered = (statistics.time_steps_in_, statistics.n_features_in_)
        if gathered != windows.shape[1:]:
            raise ValueError(
                f"statistics were gathered over windows of {gathered[0]} time "
                f"steps x {gathered[1]} features, but X has windows of "
                f"{windows.shape[1]} x {windows.shape[2]}."
            )
        return self._target_scaling(windows, targets, padded, statistics=statistics)

    # ---------------------------------------------------------- validation
    def _validate_windows(self, X, *, reset: bool) -> tuple[np.ndarray, bool]:
        """Windows of shape (n_samples, time_steps, n_features), and if padded."""
        X = numbers_of(X, "X")
        ndim = X.ndim
        if ndim > 3:
            raise ValueError(
                "X must be 2-D (n_samples, time_steps) or 3-D (n_samples, "
                f"time_steps, n_features); got a {ndim}-D array."
            )
        if not reset and ndim in (2, 3) and ndim != self.input_ndim_:
            raise ValueError(
                f"X is {ndim}-D, but {type(self).__name__} was fitted on "
                f"{self.input_ndim_}-D input."
            )
        if ndim == 3:
            # scikit-learn tests finiteness on a sum, which values near the
            # float64 limit overflow (to inf or NaN) harmlessly: the padding
            # check reads the values themselves.
            with np.errstate(over="ignore", invalid="ignore"):
                windows = check_array(
                    X,
                    allow_nd=True,
                    dtype=_FLOATS,
                    input_name="X",
                    ensure_all_finite="allow-nan",
                )
            if 0 in windows.shape[1:]:
                raise ValueError(
                    f"X holds windows of {windows.shape[1]} time steps and "
                    f"{windows.shape[2]} features; a window needs at least one "
                    "of each."
                )
            if reset:
                self.__dict__.pop("feature_names_in_", None)
                self.n_features_in_ = windows.shape[2]
            elif windows.shape[2] != self.n_features_in_:
                raise ValueError(
                    f"X has {windows.shape[2]} features per time step, but "
                    f"{type(self).__name__} is expecting {self.n_features_in_} "
                    "features as input."
                )
        else:
            # validate_data rejects 1-D input with scikit-learn's own message.
            # A 2-D row has no room to tell padding from a missing value, so
            # it may hold no NaN: padded sequences come 3-D (pad_sequences).
            # (numbers_of has checked a DataFrame's columns.)
            windows = validate_data(self, X, reset=reset, dtype=_FLOATS)[:, :, None]
            if not np.isfinite(windows).all():
                # Reached only where scikit-learn's own check is off
                # (assume_finite): a NaN here would pass for padding.
                raise ValueError(
                    "X has a missing or infinite value; a 2-D X (one "
                    "univariate window per row) may hold neither."
                )
            if reset:
                names = getattr(self, "feature_names_in_", None)
                _refuse_lags_of_several_features(names)
                _warn_if_lags_reversed(names, self.time_order)
        # A fitted network reads windows in the order it was fitted on,
        # whatever set_params has changed since.
        time_order = (
            self.time_order
            if reset
            else self.__dict__.get("_fitted_reading", {}).get(
                "time_order", self.time_order
            )
        )
        if time_order == "newest_first":
            # A view: everything downstream reads the windows oldest first.
            windows = windows[:, ::-1]
        padded = check_padding(windows)
        if padded and np.isnan(windows[:, -1]).all(axis=1).any():
            # Patches (patch_length) group steps counted back from the last:
            # a sequence reads the same wherever its padding was put only
            # once the padding goes before it.
            windows = repad(windows, windows.shape[1])
        if reset:
            self.input_ndim_ = ndim
            self.time_steps_in_ = windows.shape[1]
        elif windows.shape[1] != self.time_steps_in_:
            if ndim == 3 and self._network_spec.masked:
                # Padding is masked: sequences padded to another length read
                # the same once re-padded to the network's.
                return repad(windows, self.time_steps_in_), True
            raise ValueError(
                f"X has windows of {windows.shape[1]} time steps, but "
                f"{type(self).__name__} was fitted on windows of "
                f"{self.time_steps_in_} time steps."
            )
        if padded and not reset and not self._network_spec.masked:
            raise ValueError(
                "X has padded steps (NaN), but the network was fitted on "
                "sequences without padding and has no mask for them. Fit it on "
                "padded sequences (see sklstm.pad_sequences), or give every "
                "sequence all its steps."
            )
        return windows, padded

    # ------------------------------------------------------ the faces' hooks
    @abstractmethod
    def _validate_targets(self, y, windows, *, reset: bool, incremental: bool):
        """Validated float64 targets of shape (n_samples, n_outputs).

        ``reset`` is True when the fit starts a new network, ``incremental``
        when it is a ``partial_fit``.
        """

    @abstractmethod
    def _target_scaling(
        self,
        windows,
        targets,
        padded: bool,
        statistics=None,
        rows=None,
        panel=False,
        below_zero=None,
    ):
        """The :class:`~sklstm._scaling.WindowScaling` of a new network.

        From ``statistics`` gathered over chunks when given, else from the
        training ``rows`` (None: every one) of ``windows`` and ``targets``;
        ``panel`` says the windows come from several series (``groups``),
        ``below_zero()`` whether a value the statistics do not cover (a
        target, a held-out window) is negative, read only where needed.
        """

    def _held_out_count(self, n_rows: int) -> int:
        """How many of ``n_rows`` early stopping holds out: the
        ``validation_fraction`` of them, at least one, and never all."""
        n_val = max(1, round(n_rows * self.validation_fraction))
        if n_rows - n_val >= 1:
            return n_val
        if n_rows < 2:
            raise ValueError(
                "Early stopping holds out rows for validation, so it needs at "
                f"least 2 samples; got {n_rows} sample. Set "
                "early_stopping_rounds=None to train on a single sample."
            )
        raise ValueError(
            f"validation_fraction={self.validation_fraction} holds out {n_val} "
            f"of the {n_rows} samples, leaving none to train on: lower it, or "
            "set early_stopping_rounds=None to train on every sample."
        )

    @abstractmethod
    def _validation_rows(self, targets, rng, groups=None):
        """Row selections (training, validation) for early stopping.

        ``groups`` labels each row's series where the face takes it.
        """

    @abstractmethod
    def _validation_loss(self, outputs, targets, weights, loss: str) -> float:
        """The network loss ``loss`` of outputs in the targets' units,
        weighted by row."""

    @abstractmethod
    def _loss_scale(self, scaling, loss: str) -> np.ndarray:
        """Turns the per-output loss ``loss`` on scaled targets into the
        targets' units."""

    @abstractmethod
    def _save_fitted_fields(self, arrays: dict) -> dict:
        """The face's own fitted attributes as JSON (keys ``_fitted_fields``).

        Arrays go into ``arrays`` instead, under names of the face's own
        beginning with ``"fitted."``.
        """

    @abstractmethod
    def _restore_fitted_fields(self, fields: dict, arrays: dict, spec, scaling):
        """Attributes to set from the saved ``fields`` and ``arrays``, checked.

        ``fields`` is the file's whole fitted state, ``arrays`` its arrays
        (read them with :func:`~sklstm._persistence.checked_array`). Returns a
        dict of attribute names to values; raises
        :class:`~sklstm._persistence.InvalidFile` when they do not agree with
        the network's ``spec`` or ``scaling``.
        """

    def _uses_linear_part(self, spec: NetworkSpec) -> bool:
        """Whether the network gets a linear path beside its recurrent layers."""
        return False

    def _initialise_network(
        self, network, scaling, windows, targets, weights, rng, validation=None
    ):
        """Set a freshly built network's starting weights from the training rows.

        ``rng`` is the fit's random state; draw from it only where the
        training rows call for it, so that other fits' draws stay as they are.
        ``validation`` is None or the held-out rows of a fit without
        ``groups`` (one series): their windows, targets and weights (None:
        equal), for choices the training rows cannot make.
        """

    def _describe_fit(self, windows, targets, weights, rows, validated) -> None:
        """Finish the trained network and set the fitted attributes that read it.

        ``rows`` are the rows each evaluation read when ``validated`` (see
        ``n_validation_evaluated_``), else the training rows.
        """

    def _training_targets(self, targets: np.ndarray) -> np.ndarray:
        """The scaled training targets as the loss reads them."""
        return targets

    def _row_weights(self, targets: np.ndarray) -> np.ndarray | None:
        """Weights the face gives each row before sample_weight (None: equal)."""
        return None

    def _weights_name(self, sample_weight) -> str:
        """What the row weights come from, for errors about them."""
        return "sample_weight"

    def _evaluation_strata(self, targets: np.ndarray) -> np.ndarray | None:
        """A label per row to stratify a sample of the validation rows by."""
        return None

    # ------------------------------------------------------------- predict
    def _outputs(self, X, groups=None) -> np.ndarray:
        """The network's outputs for ``X``, float64, in the targets' units."""
        check_is_fitted(self)
        windows, _ = self._validate_windows(X, reset=False)
        windows = self._series_numbers_for(windows, groups)
        outputs = self._network.predict_windows(windows, self._scaling)
        if not np.isfinite(outputs).all():
            raise ValueError(
                "The network's predictions for X are not finite: X lies too far "
                "outside the data the model was fitted on."
            )
        return outputs

    # -------------------------------------------------------- persistence
    def save(self, path) -> None:
        """Write the estimator to one file that loading never runs code from.

        The file (a zip archive) holds the parameters and fitted attributes
        as JSON, the scaling statistics and optimizer state as ``.npz`` and
        the network in Keras's native ``.keras`` format; see
        :doc:`/user_guide/persistence`. Read it back with :func:`sklstm.load`,
        which predicts exactly as this estimator does. Unlike a pickle, the
        file is safe to load from a source you do not trust. An unfitted
        estimator saves its parameters only and loads unfitted.

        Parameters
        ----------
        path : str, path-like or binary file object
            Where to write. A path is written to a temporary file beside it
            and then renamed, so an interrupted save never leaves a truncated
            file in its place.

        Raises
        ------
        TypeError
            If a parameter holds a value the format cannot store (anything
            but None, bools, numbers, strings, paths, a ``RandomState`` as
            ``random_state``, and lists, tuples and dicts of these).

        See Also
        --------
        sklstm.load : Reads the file back.

        Examples
        --------
        A binary file object serves as well as a path:

        >>> import io
        >>> from sklstm import LSTMClassifier, load
        >>> buffer = io.BytesIO()
        >>> LSTMClassifier([4], steps=50, random_state=0).save(buffer)
        >>> _ = buffer.seek(0)
        >>> load(buffer).get_params()["steps"]
        50
        """
        save_file(self, path)

    def _save_state(self, arrays: dict) -> tuple[dict, Any] | None:
        """The fitted state as a saved file holds it, and the Keras model.

        Returns None for an unfitted estimator. Arrays go into ``arrays`` by
        name; the returned dict is the JSON part.
        """
        if not self.__sklearn_is_fitted__():
            return None
        scaling = self._scaling
        for name in SCALING_ARRAYS:
            arrays[f"scaling.{name}"] = np.asarray(getattr(scaling, name), np.float64)
        if scaling.level_mean is not None:
            for name in LEVEL_ARRAYS:
                arrays[f"scaling.{name}"] = getattr(scaling, name).astype(np.float64)
        if scaling.divisor is not None:
            # Models fitted or loaded before it was kept divide windows of zeros
            # by 1, which ones say as well.
            zero_scale = scaling.zero_scale
            if zero_scale is None:
                zero_scale = np.ones(len(scaling.x_mean))
            arrays["scaling.zero_scale"] = zero_scale.astype(np.float64)
        optimizer_state = self._network.get_optimizer_state()
        for i, value in enumerate(optimizer_state):
            arrays[f"optimizer.{i}"] = np.asarray(value)
        generators = self._network.get_generator_state()
        for i, value in enumerate(generators):
            arrays[f"generator.{i}"] = value
        names = getattr(self, "feature_names_in_", None)
        state = {
            "n_features_in_": int(self.n_features_in_),
            "feature_names_in_": None if names is None else [str(n) for n in names],
            "time_steps_in_": int(self.time_steps_in_),
            "fit_ndim": int(self.input_ndim_),
            "history_": {
                key: [plain(v) for v in self.history_[key]] for key in HISTORY_KEYS
            },
            "best_loss_": float(self.best_loss_),
            "best_step_": int(self.best_step_),
            "n_iter_": int(self.n_iter_),
            "network": self._network_spec.to_dict(),
            "n_validation_samples_": int(self.n_validation_samples_),
            "n_validation_evaluated_": int(self.n_validation_evaluated_),
            "held_out_fraction": float(
                self.__dict__.get("_held_out_fraction", self.validation_fraction)
            ),
            "scaling": {
                "reference": [int(r) for r in scaling.reference],
                "divisor": None
                if scaling.divisor is None
                else [int(d) for d in scaling.divisor],
            },
            "optimizer_variables": len(optimizer_state),
            "generator_variables": len(generators),
        }
        state.update(self._save_fitted_fields(arrays))
        return state, self._network.model

    def _restore_state(
        self,
        fitted: Any,
        arrays: dict,
        read_weights,
        *,
        version: int,
        weight_bytes: int | None = None,
    ) -> None:
        """Become the fitted estimator a file describes.

        ``arrays`` are the file's arrays by name; loading refuses a file with
        arrays that nothing read. ``weight_bytes`` (the saved Keras model's
        size) bounds the network the description may ask for.

        ``read_weights(model)`` returns the saved weights of a Keras model of
        the network's architecture. Raises
        :class:`~sklstm._persistence.InvalidFile` for anything inconsistent;
        sets nothing until everything is checked.
        """

        expected = fields_in(SAVED_FIELDS, version)
        expected |= fields_in(self._fitted_fields, version)
        if not isinstance(fitted, dict) or set(fitted) != expected:
            raise InvalidFile("its fitted state does not have the expected fields.")
        spec = self._saved_spec(fitted["network"], version)
        state = saved_inputs(fitted, spec)
        state["history_"] = saved_history(fitted["history_"])
        scaling = saved_scaling(arrays, fitted["scaling"], spec, version)
        state.update(self._restore_fitted_fields(fitted, arrays, spec, scaling))
        network = saved_network(spec, fitted, arrays, read_weights, weight_bytes)
        state.update(
            _network=network,
            _network_spec=spec,
            _scaling=scaling,
            model_=network.model,
            best_loss_=checked_float(fitted["best_loss_"], "best_loss_"),
            best_step_=checked_int(fitted["best_step_"], "best_step_"),
            n_iter_=checked_int(fitted["n_iter_"], "n_iter_"),
            n_validation_samples_=checked_int(
                fitted.get("n_validation_samples_", 0), "n_validation_samples_"
            ),
        )
        state["_fitted_reading"] = self._reading()
        # Files before the fraction was kept: the saved parameter's.
        fraction = fitted.get("held_out_fraction", self.validation_fraction)
        state["_held_out_fraction"] = checked_float(fraction, "held_out_fraction")
        # Files saved before evaluations read a sample evaluated every row.
        state["n_validation_evaluated_"] = checked_int(
            fitted.get("n_validation_evaluated_", state["n_validation_samples_"]),
            "n_validation_evaluated_",
        )
        self.__dict__.update(state)

    def _saved_spec(self, description: Any, version: int) -> NetworkSpec:
        """The network spec of a file, trained on this face's loss."""

        if version == 1 and isinstance(description, dict):
            # sklstm 0.1 had LSTM layers only, unmasked, trained on the MSE.
            if {"loss", "masked"} & set(description):
                raise InvalidFile(
                    "its network description does not have the expected fields."
                )
            description = {**description, "loss": "mse", "masked": False}
        # Fields added to the description since, with what older files meant:
        # no linear path before format version 3, one member before 5, steps
        # read one by one before 6, no series vectors before 8, no levels
        # for the linear path before 10, no series attributes before 11.
        for added_in, field_name, value in (
            (3, "linear", False),
            (5, "members", 1),
            (6, "patch", 1),
            (8, "series", 0),
            (8, "embedding", 0),
            (10, "levels", []),
            (11, "attributes", []),
        ):
            if version < added_in and isinstance(description, dict):
                if field_name in description:
                    raise InvalidFile(
                        "its network description does not have the expected fields."
                    )
                description = {**description, field_name: value}
        try:
            spec = NetworkSpec.from_dict(description)
        except (TypeError, ValueError) as exc:
            message = str(exc)
            if not message.startswith("its "):
                message = f"its network description is invalid: {message}"
            raise InvalidFile(message) from None
        if spec.loss not in self._losses:
            raise InvalidFile(
                f"its network is trained on {spec.loss!r}, not on one of "
                f"{self._losses} as a {type(self).__name__}'s."
            )
        return spec

    def __getstate__(self):
        # BaseEstimator may hand back the live __dict__: never mutate it.
        state = dict(super().__getstate__())
        network = state.pop("_network", None)
        state.pop("model_", None)
        if network is not None:
            state["_network_state"] = network.get_state()
        return state

    def __setstate__(self, state):
        from ._training import build_network

        network_state = state.pop("_network_state", None)
        super().__setstate__(state)
        if network_state is not None:
            network = build_network(self._network_spec, seed=0)
            network.set_state(network_state)
            self._network = network
            self.model_ = network.model

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # NaN is read only as the padding of 3-D sequences, never as a missing
        # value, so allow_nan stays False.
        tags.input_tags.three_d_array = True
        return tags


def evaluated_rows(val_rows, n_rows: int, weights, strata, rng):
    """The validation rows that every evaluation of early stopping reads.

    All of ``val_rows`` (a slice or row indices into ``n_rows`` rows,
    returned as given) when at most ``MAX_EVALUATED_ROWS`` of them carry
    weight; otherwise that many of the rows that carry weight (rows of zero
    weight add nothing to a weighted loss), drawn once for the fit from
    ``rng``, without replacement, in proportion to each stratum when
    ``strata`` (a label per row) is given, and returned in row order.
    Drawn in proportion to each stratum, the sample's mean loss estimates
    the whole part's at least as well as a plain random draw of as many rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm._core import evaluated_rows
    >>> rng = np.random.RandomState(0)
    >>> evaluated_rows(slice(900, None), 1000, None, None, rng)
    slice(900, None, None)
    >>> rows = evaluated_rows(slice(10**5, None), 10**6, None, None, rng)
    >>> len(rows), int(rows[0]) >= 10**5, bool(np.all(np.diff(rows) > 0))
    (4096, True, True)
    """
    if isinstance(val_rows, slice):
        rows = np.arange(*val_rows.indices(n_rows))
    else:
        rows = np.asarray(val_rows)
    if weights is not None and weights[rows].any():
        rows = rows[weights[rows] > 0]
    if len(rows) <= MAX_EVALUATED_ROWS:
        return val_rows
    chosen = resample(
        rows,
        replace=False,
        n_samples=MAX_EVALUATED_ROWS,
        stratify=None if strata is None else strata[rows],
        random_state=rng.randint(np.iinfo(np.int32).max),
    )
    return np.sort(chosen)


def numbers_of(values: Any, name: str) -> Any:
    """``values`` as an array (a DataFrame as it is), or an error naming
    ``name`` where they are ragged or not numbers (numpy's own names the
    value, not the argument)."""
    if isinstance(values, pd.DataFrame):
        check_numeric_columns(values, name)
        return values
    if issparse(values):
        return values  # scikit-learn's validation says sparse is not read
    try:
        array = values if hasattr(values, "ndim") else np.asarray(values)
        if np.asarray(array).dtype.kind in "OUSV":
            np.asarray(array, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"{name} must be an array of numbers of one shape; {exc}"
        ) from None
    # Outside the try: its errors name the argument already.
    refuse_non_real(array, name)
    return array


def checked_weights(sample_weight: Any, X: Any) -> np.ndarray | None:
    """``sample_weight`` for the rows of ``X``: None, or non-negative finite
    floats, not all zero (scikit-learn's check, which skips finiteness
    under ``assume_finite``; a NaN weight would then reach the scaling's
    linear algebra, whose error names nothing)."""
    if sample_weight is None:
        return None
    weights = _check_sample_weight(
        numbers_of(sample_weight, "sample_weight"),
        X,
        dtype=np.float64,
        ensure_non_negative=True,
    )
    if not np.isfinite(weights).all():
        raise ValueError("sample_weight has a missing or infinite value.")
    return weights


def _held_out_weights(weights: np.ndarray | None, rows) -> np.ndarray | None:
    """The held-out rows' weights; None (equal) where they weigh nothing."""
    if weights is None or not weights[rows].sum() > 0:
        return None
    return weights[rows]


def _rows_of(windows: np.ndarray, rows):
    """Rows of the windows to predict on, without copying them all at once."""
    return windows[rows] if isinstance(rows, slice) else _GatheredRows(windows, rows)


class _GatheredRows:
    """Chosen rows of an array, gathered a slice at a time when read.

    Inference reads its windows one call's slice at a time, so a sample of the
    validation windows costs memory in that slice only, as a tail (a view)
    does, however long the windows.
    """

    def __init__(self, array: np.ndarray, rows: np.ndarray) -> None:
        self.array, self.rows = array, rows
        self.shape = (len(rows), *array.shape[1:])

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, key: slice) -> np.ndarray:
        return self.array[self.rows[key]]


# A column named like "lag_3", "y_lag3" or "Lag 3": the value that many steps back.
_LAG_NAME = re.compile(r"^(?:(.*)[ _])?lag[ _]?(\d+)$", re.IGNORECASE)


def _refuse_lags_of_several_features(names) -> None:
    """A 2-D X is one feature's time steps: lag columns of several features
    (``WindowTransformer(flatten=True)`` of a table) would be read as one
    sequence that mixes them."""
    if names is None:
        return
    matches = [_LAG_NAME.match(str(name)) for name in names]
    features = list(dict.fromkeys(m.group(1) for m in matches if m))
    if all(matches) and len(features) > 1:
        shown = ", ".join(repr(feature) for feature in features[:3])
        raise ValueError(
            f"X's columns are the lags of {len(features)} features ({shown}"
            f"{', ...' if len(features) > 3 else ''}), but a 2-D X is read as "
            "the time steps of one feature, which would mix them. Pass 3-D "
            "windows of shape (n_samples, time_steps, n_features), as "
            "WindowTransformer(flatten=False) makes them."
        )


def _warn_if_lags_reversed(names, time_order: str) -> None:
    """Warn when lag-named columns run against ``time_order``.

    ``lag_1, lag_2, ...`` (skforecast's names) put the newest value first,
    ``x_lag2, x_lag1, x_lag0`` (WindowTransformer's) the oldest.
    """
    if names is None or len(names) < 2:
        return
    matches = [_LAG_NAME.match(str(name)) for name in names]
    if not all(matches) or len({m.group(1) for m in matches}) != 1:
        return
    lags = np.array([int(m.group(2)) for m in matches])
    steps = np.diff(lags)
    if time_order == "oldest_first" and (steps > 0).all():
        found, fix = "newest first (lag 1 before lag 2)", 'time_order="newest_first"'
    elif time_order == "newest_first" and (steps < 0).all():
        found, fix = "oldest first (the largest lag first)", 'time_order="oldest_first"'
    else:
        return
    warnings.warn(
        f"X's columns {names[0]!r} ... {names[-1]!r} look like lags ordered "
        f"{found}, but time_order={time_order!r} reads each row as a sequence "
        f"in the other order, so the network would read time backwards. Pass "
        f"{fix} if the columns are in the order their names say.",
        UserWarning,
        stacklevel=2,
    )


def _scaling_for_spec(scaling, spec: NetworkSpec):
    """``scaling`` with level statistics only for a network that reads levels."""
    if spec.levels or scaling.level_mean is None:
        return scaling
    return replace(scaling, level_mean=None, level_scale=None)


def _same_scaling(first, second) -> bool:
    if (first.divisor is None) != (second.divisor is None):
        return False
    if (first.level_mean is None) != (second.level_mean is None):
        return False
    if (first.zero_scale is None) != (second.zero_scale is None):
        return False
    names = ("x_mean", "x_scale", "y_mean", "y_scale", "reference", "divisor")
    names += (*LEVEL_ARRAYS, "zero_scale")
    return all(
        np.array_equal(getattr(first, name), getattr(second, name)) for name in names
    )


def _mean_one(weights: np.ndarray | None) -> np.ndarray | None:
    """``weights`` scaled to mean 1, so that the learning rate keeps its meaning
    whatever their scale (None, or all zero: as they are)."""
    if weights is not None and weights.max() > 0:
        # Divided by the largest first, so that weights of 1e308 stay finite.
        weights = weights / weights.max()
        weights = weights / weights.mean()
    return weights
