"""The shared estimator core: one place for what every recurrent estimator does.

:class:`BaseRecurrentNetwork` owns the parameters both faces share, the
validation of windows and padding, the fit loop (scaling, validation split,
early stopping, warm start, ``partial_fit``, divergence and Ctrl-C, a failed
call leaving a fitted estimator as it was), prediction through the compiled
network, pickling and the hook for safe saving. A face
(:class:`~sklstm.LSTMRegressor`, :class:`~sklstm.LSTMClassifier`) adds only
what differs: its targets, its loss, its validation split, its scaling of the
outputs and its scikit-learn mixin. The pattern is scikit-learn's own
``BaseMultilayerPerceptron`` with ``MLPRegressor`` and ``MLPClassifier``.
"""

from __future__ import annotations

import math
import os
from dataclasses import replace
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_is_fitted,
    validate_data,
)

from ._network import (
    NetworkSpec,
    parse_dense_layers,
    parse_optimizer,
    parse_rnn_layers,
)
from ._scaling import WindowStatistics
from ._sequences import check_padding, repad
from ._training import AUTO_MIN_ROUNDS

__all__ = ["BaseRecurrentNetwork"]

_FLOATS = [np.float64, np.float32]


class BaseRecurrentNetwork(BaseEstimator):
    """Base class of the recurrent estimators; not to be used directly.

    Faces define ``__init__`` (their parameters), ``_loss`` (``"mse"`` or
    ``"crossentropy"``) and the hooks ``_validate_targets``,
    ``_target_scaling`` (which takes statistics gathered over chunks, see
    :class:`~sklstm.WindowStatistics`), ``_validation_rows``, ``_validation_loss`` and
    ``_loss_scale``.
    """

    _loss = "mse"
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
    }

    # ------------------------------------------------------------- fitting
    def _atomic(self, method, *args, **kwargs):
        # A failed call must leave a fitted estimator as it was: remember the
        # attributes and the network's weights, put both back on any error.
        state = dict(self.__dict__)
        network = self.__dict__.get("_network")
        weights = network.get_weights() if network is not None else None
        optimizer = network.get_optimizer_state() if network is not None else None
        try:
            return method(*args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            if network is not None:
                network.set_weights(weights)
                network.set_optimizer_state(optimizer)
            raise

    def _fit(
        self, X, y, sample_weight, *, incremental: bool, classes=None, statistics=None
    ):
        from ._training import (
            BatchSampler,
            TrainingConfig,
            WindowBatches,
            build_network,
            evaluation_steps,
            train,
        )

        for name in ("steps", "batch_size", "print_steps", "early_stopping_rounds"):
            if isinstance(getattr(self, name), (bool, np.bool_)):
                raise TypeError(
                    f"{name} must be an int, not a bool; got {getattr(self, name)!r}."
                )
        rnn_specs = parse_rnn_layers(self.rnn_layers)
        dense_spec = parse_dense_layers(self.dense_layers)
        optimizer_name = parse_optimizer(self.optimizer)

        continuing = hasattr(self, "_network") and (incremental or self.warm_start)
        windows, padded = self._validate_windows(X, reset=not continuing)
        targets = self._validate_targets(
            y, windows, reset=not continuing, classes=classes
        )
        weights = self._row_weights(targets)
        if sample_weight is not None:
            given = _check_sample_weight(
                sample_weight, windows, dtype=np.float64, ensure_non_negative=True
            )
            weights = given if weights is None else weights * given
        if weights is not None and weights.max() > 0:
            # Mean 1 keeps the learning rate's meaning whatever the weights' scale
            # (divided by the largest first, so that weights of 1e308 stay finite).
            weights = weights / weights.max()
            weights = weights / weights.mean()

        spec = NetworkSpec(
            time_steps=windows.shape[1],
            n_features=windows.shape[2],
            n_outputs=targets.shape[1],
            rnn_layers=tuple(rnn_specs),
            dense=dense_spec,
            optimizer=optimizer_name,
            learning_rate=float(self.learning_rate),
            loss=self._loss,
            masked=padded or (continuing and self._network_spec.masked),
        )
        spec = replace(spec, linear=self._uses_linear_part(spec))
        if continuing and spec != self._network_spec:
            how = "partial_fit" if incremental else "warm_start=True"
            raise ValueError(
                f"{how} continues the fitted network, but the number of "
                f"{'classes' if self._loss == 'crossentropy' else 'targets'} or "
                "rnn_layers, dense_layers, optimizer, learning_rate or linear changed "
                "since it was built. Fit a fresh estimator (warm_start=False) to "
                "change them."
            )

        validating = self.early_stopping_rounds is not None and not incremental
        rng = check_random_state(self.random_state)
        train_rows, val_rows = slice(None), None
        if validating:
            train_rows, val_rows = self._validation_rows(targets, rng)
        train_windows, train_targets = windows[train_rows], targets[train_rows]
        n_train = len(train_windows)
        train_weights = None if weights is None else weights[train_rows]
        if train_weights is not None and not train_weights.any():
            raise ValueError(
                "sample_weight is zero on every training row"
                + (
                    f" ({n_train} rows; {len(windows) - n_train} are held out for "
                    "early stopping)"
                    if validating
                    else ""
                )
                + ": the network would learn nothing. Give some training rows a "
                "positive weight."
            )

        if statistics is not None:
            statistics = self._scaling_from(statistics, windows, targets, padded)
        if continuing:
            network, scaling = self._network, self._scaling
            if statistics is not None and not _same_scaling(statistics, scaling):
                raise ValueError(
                    "statistics differ from those the estimator started training "
                    "with: partial_fit keeps the scaling of its first call. Pass "
                    "the same statistics on every call, or none after the first."
                )
        else:
            scaling = statistics
            if scaling is None:
                scaling = self._target_scaling(train_windows, train_targets, padded)
            network = build_network(
                spec, int(rng.randint(np.iinfo(np.int32).max - 1000))
            )
            self._initialise_network(
                network, scaling, train_windows, train_targets, train_weights
            )

        validation_loss = None
        if validating:
            val_windows, val_targets = windows[val_rows], targets[val_rows]
            val_weights = None
            if weights is not None and weights[val_rows].sum() > 0:
                val_weights = weights[val_rows]

            def validation_loss() -> float:
                outputs = network.predict_windows(val_windows, scaling)
                return self._validation_loss(outputs, val_targets, val_weights)

        batches = WindowBatches(
            train_windows,
            scaling.transform_targets(train_windows, train_targets),
            None if train_weights is None else train_weights.astype(np.float32),
            scaling,
        )
        sampler = BatchSampler(
            n_train, self.batch_size, np.random.RandomState(rng.randint(2**31 - 1))
        )
        previous_steps = self.n_iter_ if continuing else 0
        steps = math.ceil(n_train / sampler.batch_size) if incremental else self.steps
        print_steps = min(self.print_steps, steps) if incremental else self.print_steps
        config = TrainingConfig(
            steps=steps,
            print_steps=print_steps,
            early_stopping_rounds=self.early_stopping_rounds if validating else None,
            verbose=int(self.verbose),
            logdir=self.logdir,
            step_offset=previous_steps,
            min_delta=self._min_delta,
            min_rounds=self._auto_min_rounds,
            # Only early stopping gains from evaluating more often.
            eval_steps=evaluation_steps(
                print_steps, math.ceil(n_train / sampler.batch_size)
            )
            if validating
            else print_steps,
        )
        result = train(
            network,
            batches,
            sampler,
            config,
            loss_scale=self._loss_scale(scaling),
            validation_loss=validation_loss,
        )

        self._network = network
        self._network_spec = spec
        self._scaling = scaling
        self.model_ = network.model
        if continuing:
            for key, values in result.history.items():
                self.history_[key].extend(values)
        else:
            self.history_ = result.history
        self.best_loss_ = result.best_loss
        self.best_step_ = result.best_step
        self.n_iter_ = previous_steps + result.steps_run
        if validating or not continuing:
            self.n_validation_samples_ = len(windows) - n_train
        self._describe_fit(
            windows,
            targets,
            weights,
            train_rows if val_rows is None else val_rows,
            validated=validating,
        )
        return self

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
        if not hasattr(X, "ndim"):
            X = np.asarray(X)
        ndim = X.ndim
        if ndim > 3:
            raise ValueError(
                "X must be 2-D (n_samples, time_steps) or 3-D (n_samples, "
                f"time_steps, n_features); got a {ndim}-D array."
            )
        if not reset and ndim in (2, 3) and ndim != self._fit_ndim:
            raise ValueError(
                f"X is {ndim}-D, but {type(self).__name__} was fitted on "
                f"{self._fit_ndim}-D input."
            )
        if ndim == 3:
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
            windows = validate_data(self, X, reset=reset, dtype=_FLOATS)[:, :, None]
        padded = check_padding(windows)
        if reset:
            self._fit_ndim = ndim
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

    def _uses_linear_part(self, spec: NetworkSpec) -> bool:
        """Whether the network gets a linear path beside its recurrent layers."""
        return False

    def _initialise_network(self, network, scaling, windows, targets, weights):
        """Set a freshly built network's starting weights from the training rows."""

    def _describe_fit(self, windows, targets, weights, rows, validated) -> None:
        """Finish the trained network and set the fitted attributes that read it.

        ``rows`` are the validation rows when ``validated``, else the training
        rows.
        """

    def _row_weights(self, targets: np.ndarray) -> np.ndarray | None:
        """Weights the face gives each row before sample_weight (None: equal)."""
        return None

    # ------------------------------------------------------------- predict
    def _outputs(self, X) -> np.ndarray:
        """The network's outputs for ``X``, float64, in the targets' units."""
        check_is_fitted(self)
        windows, _ = self._validate_windows(X, reset=False)
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
        :mod:`sklstm._persistence`. Read it back with :func:`sklstm.load`,
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
        >>> import os, tempfile
        >>> import numpy as np
        >>> from sklstm import LSTMRegressor, load
        >>> X = np.sin(np.linspace(0, 20, 200)).reshape(-1, 5, 1)
        >>> model = LSTMRegressor([4], steps=20, random_state=0).fit(X, X[:, -1, 0])
        >>> path = os.path.join(tempfile.mkdtemp(), "model.sklstm")
        >>> model.save(path)
        >>> load(path).get_params() == model.get_params()
        True
        """
        from ._persistence import save

        save(self, path)

    def __getstate__(self):
        # BaseEstimator may hand back the live __dict__: never mutate it.
        state = dict(super().__getstate__())
        network = state.pop("_network", None)
        state.pop("model_", None)
        if network is not None:
            state["_network_state"] = (
                network.get_weights(),
                network.get_optimizer_state(),
            )
        return state

    def __setstate__(self, state):
        from ._training import build_network

        network_state = state.pop("_network_state", None)
        super().__setstate__(state)
        if network_state is not None:
            network = build_network(self._network_spec, seed=0)
            weights, optimizer_state = network_state
            network.set_weights(weights)
            network.set_optimizer_state(optimizer_state)
            self._network = network
            self.model_ = network.model

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # NaN is read only as the padding of 3-D sequences, never as a missing
        # value, so allow_nan stays False.
        tags.input_tags.three_d_array = True
        return tags


def _same_scaling(first, second) -> bool:
    return all(
        np.array_equal(getattr(first, name), getattr(second, name))
        for name in ("x_mean", "x_scale", "y_mean", "y_scale", "reference")
    )
