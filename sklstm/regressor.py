"""LSTMRegressor: the scikit-learn face of the network."""

from __future__ import annotations

import math
import os
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from .network import parse_dense_layers, parse_optimizer, parse_rnn_layers
from .scaling import WindowScaling

__all__ = ["LSTMRegressor"]

_FLOATS = [np.float64, np.float32]


class LSTMRegressor(RegressorMixin, BaseEstimator):
    """Stacked LSTM regression on windows of a sequence, the scikit-learn way.

    The network is one or more LSTM layers (``rnn_layers``), optional dense
    layers (``dense_layers``) and a linear output, trained on the mean squared
    error for a budget of ``steps`` mini-batch gradient steps. Early stopping
    watches a validation tail: the *last* ``validation_fraction`` of the
    training rows, in time order, never a random subset. Inputs and targets
    are standardised from the training rows, and a target whose series
    drifts is learnt as its change from the window's last value
    (``relative="auto"``), so the defaults work on data on any scale and at
    levels beyond those of the training rows.

    The parameter names follow skflow's ``TensorFlowEstimator`` (``steps``,
    ``optimizer``, ``learning_rate``, ``batch_size``,
    ``early_stopping_rounds``, ``print_steps``, ``verbose``, ``logdir``), and
    ``rnn_layers`` / ``dense_layers`` accept the 2016 post's dictionaries.

    Parameters
    ----------
    rnn_layers : list of int or dict, default=(32,)
        One entry per stacked LSTM layer: its number of units, or a dict with
        ``num_units`` and optionally ``keep_prob`` (the post's spelling: the
        probability of keeping each input, so ``dropout = 1 - keep_prob``),
        ``dropout`` and ``recurrent_dropout``.
    dense_layers : None, list of int or dict, default=None
        Dense layers after the last LSTM: None for none, a list of units
        (ReLU), or the post's ``{"layers": [...], "activation": ...,
        "dropout": ...}``.
    optimizer : str, default="Adam"
        Name of a Keras optimizer, in any case: "Adam", "Adagrad", "SGD",
        "RMSprop", "Nadam", "AdamW", ...
    learning_rate : float, default=0.02
        The optimizer's learning rate. The default suits Adam on standardised
        data; the post used Adagrad at 0.03.
    batch_size : int, default=32
        Windows per gradient step (capped at the number of training rows).
    steps : int, default=10000
        Budget of gradient steps, as skflow counted training.
    early_stopping_rounds : int, "auto" or None, default="auto"
        Stop when the validation loss has not improved for this many steps,
        and keep the weights of the best evaluation. ``"auto"`` scales the
        patience with the run: a best evaluation reached after ``k`` steps of
        this fit stops training once ``max(1000, k)`` more steps bring no
        improvement, so a fit that peaks early ends early, and one still
        improving late keeps its budget. None trains on all rows for the full
        budget, with no validation split.
    validation_fraction : float, default=0.1
        Fraction of the training rows, taken from the end, held out for early
        stopping. Unused when ``early_stopping_rounds`` is None.
    print_steps : int, default=100
        Steps between evaluations and progress lines. Each evaluation records
        ``history_`` and checks early stopping; at ``verbose=1``, each
        progress line reads ``Step #9700, epoch #119, avg. train loss:
        0.00082, avg. val loss: 0.00084``. When early stopping is on and an
        epoch (a pass over the training rows) takes fewer than a quarter of
        ``print_steps`` steps, evaluations follow the epochs instead, every
        ``d`` steps with ``d`` the largest divisor of ``print_steps`` not
        above an epoch's steps, and at least 10 steps; progress lines stay
        every ``print_steps`` steps.
    verbose : int, default=0
        0 is silent; 1 prints a progress line every ``print_steps`` steps.
    logdir : str, path or None, default=None
        Directory for TensorBoard summaries of the training and validation
        loss.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, dropout and the order of the batches. Two
        fits with the same integer give identical predictions.
    warm_start : bool, default=False
        If True, :meth:`fit` on a fitted estimator continues training from its
        weights and optimizer state for another ``steps`` steps, keeps the
        scaling statistics of the first fit, and extends ``history_`` and
        ``n_iter_``. The network must be unchanged: changing ``rnn_layers``,
        ``dense_layers``, ``optimizer``, ``learning_rate`` or the number of
        targets raises a ``ValueError``.
    standardize : bool, default=True
        Standardise each input feature and each target with the mean and
        standard deviation of the training rows.
    relative : "auto" or bool, default="auto"
        Whether a target is learnt as its change from the last value of an
        input feature in the window (relative mode), with that feature taken
        relative to its last value in the windows too; predictions are mapped
        back. It helps when the level of a series drifts beyond the training
        range, where a model of the level would have to extrapolate; it does
        not help when the level itself carries the information (a series
        pulled back to a fixed mean). Each target's feature is the one whose
        last value lies nearest to it over the training rows, so the next
        value of a series, its values several steps ahead (multi-output) and
        input columns that are not targets (covariates) need no declaration.
        True uses relative mode for every target. ``"auto"`` decides per
        target from the training rows: relative mode when that feature's last
        value predicts the target better than the target's mean does, and the
        feature drifts: its mean squared change over one time step is below 2%
        of its variance (a random walk, a trend or a smooth signal), or a
        straight-line trend over the rows explains more than half its
        variance. False never uses it.

    Attributes
    ----------
    model_ : keras.Model
        The trained network.
    n_features_in_ : int
        Features seen during :meth:`fit`: the columns of a 2-D input (each a
        time step of a univariate sequence, as scikit-learn counts them), or
        the last dimension of a 3-D input.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of a 2-D DataFrame input with string column names.
    time_steps_in_ : int
        Length of the windows seen during :meth:`fit`.
    n_outputs_ : int
        Number of targets.
    history_ : dict of lists
        Per evaluation: ``"step"``, ``"epoch"``, ``"train_loss"`` (mean over
        the steps since the previous evaluation) and ``"val_loss"`` (None
        without validation). Losses are MSE in the targets' units.
    best_loss_ : float
        Validation loss of the kept weights, or the last evaluation's
        training loss when there is no validation.
    best_step_ : int
        Step at which the kept weights were reached.
    n_iter_ : int
        Gradient steps run since the network was initialised.
    relative_ : ndarray of bool of shape (`n_outputs_`,)
        Which targets are learnt in relative mode (see ``relative``).
    n_validation_samples_ : int
        Rows held out for early stopping (the last rows of the data) by the
        latest fit that held any out, 0 if none did. Prediction intervals are
        calibrated on them by default (see :func:`sklstm.forecast`).

    See Also
    --------
    WindowTransformer : Makes the windows from a series.

    Notes
    -----
    Training runs many gradient steps per XLA-compiled call, fed from the
    window view, so the first fit of a new network pays a compile of one or
    two seconds and then runs far faster than ``model.fit``.

    If the loss becomes NaN or infinite, training stops at once: the best
    finite weights so far are restored with a ``RuntimeWarning``, or, when
    there are none yet, :meth:`fit` raises a ``ValueError`` (lower
    ``learning_rate`` or check the data's scale). Interrupting :meth:`fit`
    (Ctrl-C) stops training with a ``RuntimeWarning`` and keeps the best
    weights so far, leaving a fitted estimator that can predict or continue
    with ``warm_start=True``. :meth:`predict` is safe to call from several
    threads at once.

    Fitted estimators pickle, but unpickling runs code from the file: never
    unpickle (or ``joblib.load``) a file you do not trust. :meth:`save` and
    :func:`sklstm.load` are the safe route: the file holds data only and
    loading checks it, never running code from it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklstm import LSTMRegressor, WindowTransformer
    >>> series = np.sin(np.linspace(0, 20, 400))
    >>> X, y = series[:-1, None], series[1:]
    >>> model = make_pipeline(
    ...     WindowTransformer(10), LSTMRegressor([8], steps=200, random_state=0)
    ... ).fit(X, y)
    >>> model.predict(X[-3:]).shape
    (3,)
    >>> model.score(X, y) > 0.9
    True
    """

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
        "relative": ["boolean", StrOptions({"auto"})],
    }

    def __init__(
        self,
        rnn_layers=(32,),
        dense_layers=None,
        *,
        optimizer: str = "Adam",
        learning_rate: float = 0.02,
        batch_size: int = 32,
        steps: int = 10000,
        early_stopping_rounds: int | str | None = "auto",
        validation_fraction: float = 0.1,
        print_steps: int = 100,
        verbose: int = 0,
        logdir=None,
        random_state=None,
        warm_start: bool = False,
        standardize: bool = True,
        relative: bool | str = "auto",
    ) -> None:
        self.rnn_layers = rnn_layers
        self.dense_layers = dense_layers
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.steps = steps
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.print_steps = print_steps
        self.verbose = verbose
        self.logdir = logdir
        self.random_state = random_state
        self.warm_start = warm_start
        self.standardize = standardize
        self.relative = relative

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None) -> LSTMRegressor:
        """Train the network on windows ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, time_steps, n_features) or (n_samples, time_steps)
            Windows in time order; a 2-D array holds one univariate window per
            row (for example ``WindowTransformer``'s output).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets, one row per window.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows in the loss.

        Returns
        -------
        self : LSTMRegressor
            The fitted estimator.
        """  # noqa: E501
        return self._atomic(self._fit, X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None) -> LSTMRegressor:
        """Train for one pass (epoch) over a new chunk of data.

        The first call on an unfitted estimator initialises the network and
        fixes the scaling statistics from its chunk; every later call (and a
        call on an estimator fitted by :meth:`fit`) continues from the fitted
        weights and keeps those statistics, so chunks should come from the
        same distribution as the first one. There is no validation split or
        early stopping; ``history_`` gains one entry per call.

        Parameters
        ----------
        X : array-like of shape (n_samples, time_steps, n_features) or (n_samples, time_steps)
            Windows in time order.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets, one row per window.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows in the loss.

        Returns
        -------
        self : LSTMRegressor
            The updated estimator.
        """  # noqa: E501
        return self._atomic(self._fit, X, y, sample_weight, incremental=True)

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

    def _fit(self, X, y, sample_weight, *, incremental: bool) -> LSTMRegressor:
        from .training import (
            BatchSampler,
            TrainingConfig,
            WindowBatches,
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
        windows = self._validate_windows(X, reset=not continuing)
        y2d, y_ndim = self._validate_targets(y, windows)
        weights = None
        if sample_weight is not None:
            weights = _check_sample_weight(
                sample_weight, windows, dtype=np.float64, ensure_non_negative=True
            )
            # Mean 1 keeps the learning rate's meaning whatever the weights' scale
            # (divided by the largest first, so that weights of 1e308 stay finite).
            weights = weights / weights.max()
            weights = weights / weights.mean()

        network_spec = (
            windows.shape[1],
            windows.shape[2],
            y2d.shape[1],
            tuple(rnn_specs),
            dense_spec,
            optimizer_name,
            float(self.learning_rate),
        )
        if continuing and network_spec != self._network_spec:
            how = "partial_fit" if incremental else "warm_start=True"
            raise ValueError(
                f"{how} continues the fitted network, but the number of targets "
                "or rnn_layers, dense_layers, optimizer or learning_rate changed "
                "since it was built. Fit a fresh estimator (warm_start=False) to "
                "change them."
            )

        n_train = len(windows)
        validating = self.early_stopping_rounds is not None and not incremental
        if validating:
            n_val = max(1, round(len(windows) * self.validation_fraction))
            n_train = len(windows) - n_val
            if n_train < 1:
                raise ValueError(
                    "Early stopping holds out the last rows for validation, so it "
                    f"needs at least 2 samples; got {len(windows)} sample. Set "
                    "early_stopping_rounds=None to train on a single sample."
                )

        if weights is not None and not weights[:n_train].any():
            raise ValueError(
                "sample_weight is zero on every training row"
                + (
                    f" (the first {n_train}; the last {len(windows) - n_train} are "
                    "held out for early stopping)"
                    if validating
                    else ""
                )
                + ": the network would learn nothing. Give some training rows a "
                "positive weight."
            )

        rng = check_random_state(self.random_state)
        if continuing:
            network, scaling = self._network, self._scaling
        else:
            scaling = WindowScaling.fit(
                windows[:n_train],
                y2d[:n_train],
                standardize=self.standardize,
                relative=self.relative
                if self.relative == "auto"
                else bool(self.relative),
            )
            network = _new_network(
                network_spec, int(rng.randint(np.iinfo(np.int32).max - 1000))
            )

        validation_loss = None
        if validating:
            val_windows, val_y = windows[n_train:], y2d[n_train:]
            val_w = None
            if weights is not None and weights[n_train:].sum() > 0:
                val_w = weights[n_train:]

            def validation_loss() -> float:
                predicted = network.predict_windows(val_windows, scaling)
                errors = np.mean((predicted - val_y) ** 2, axis=1)
                return float(np.average(errors, weights=val_w))

        batches = WindowBatches(
            windows[:n_train],
            scaling.transform_targets(windows[:n_train], y2d[:n_train]),
            None if weights is None else weights[:n_train].astype(np.float32),
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
            loss_scale=scaling.y_scale**2,
            validation_loss=validation_loss,
        )

        self._network = network
        self._network_spec = network_spec
        self._scaling = scaling
        self.model_ = network.model
        self.n_outputs_ = y2d.shape[1]
        self._y_ndim = y_ndim
        if continuing:
            for key, values in result.history.items():
                self.history_[key].extend(values)
        else:
            self.history_ = result.history
        self.best_loss_ = result.best_loss
        self.best_step_ = result.best_step
        self.n_iter_ = previous_steps + result.steps_run
        self.relative_ = scaling.relative_targets
        if validating or not continuing:
            self.n_validation_samples_ = len(windows) - n_train
        return self

    # ------------------------------------------------------------ validation
    def _validate_windows(self, X, *, reset: bool) -> np.ndarray:
        """Validated windows of shape (n_samples, time_steps, n_features)."""
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
            windows = check_array(X, allow_nd=True, dtype=_FLOATS, input_name="X")
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
            windows = validate_data(self, X, reset=reset, dtype=_FLOATS)[:, :, None]
        if reset:
            self._fit_ndim = ndim
            self.time_steps_in_ = windows.shape[1]
        elif windows.shape[1] != self.time_steps_in_:
            raise ValueError(
                f"X has windows of {windows.shape[1]} time steps, but "
                f"{type(self).__name__} was fitted on windows of "
                f"{self.time_steps_in_} time steps."
            )
        return windows

    def _validate_targets(self, y, windows: np.ndarray) -> tuple[np.ndarray, int]:
        """Validated float64 targets, shaped (n_samples, n_outputs), and y's ndim."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y = check_array(
            y, ensure_2d=False, allow_nd=True, dtype=np.float64, input_name="y"
        )
        if y.ndim not in (1, 2):
            raise ValueError(
                "y must be 1-D (n_samples,) or 2-D (n_samples, n_outputs); "
                f"got {y.ndim}-D."
            )
        check_consistent_length(windows, y)
        y2d = y.reshape(len(y), -1)
        return y2d, y.ndim

    # -------------------------------------------------------------- predict
    def predict(self, X) -> np.ndarray:
        """Predict the targets of windows ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, time_steps, n_features) or (n_samples, time_steps)
            Windows shaped as in :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of float64, shape (n_samples,) or (n_samples, n_outputs)
            Shaped as the ``y`` given to :meth:`fit`.
        """  # noqa: E501
        check_is_fitted(self)
        windows = self._validate_windows(X, reset=False)
        predicted = self._network.predict_windows(windows, self._scaling)
        if not np.isfinite(predicted).all():
            raise ValueError(
                "The network's predictions for X are not finite: X lies too far "
                "outside the data the model was fitted on."
            )
        return predicted.ravel() if self._y_ndim == 1 else predicted

    # ---------------------------------------------------------- persistence
    def save(self, path) -> None:
        """Write the estimator to one file that loading never runs code from.

        The file (a zip archive) holds the parameters and fitted attributes
        as JSON, the scaling statistics and optimizer state as ``.npz`` and
        the network in Keras's native ``.keras`` format; see
        :mod:`sklstm.persistence`. Read it back with :func:`sklstm.load`,
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
        from .persistence import save_regressor

        save_regressor(self, path)

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
        network_state = state.pop("_network_state", None)
        super().__setstate__(state)
        if network_state is not None:
            network = _new_network(self._network_spec, seed=0)
            weights, optimizer_state = network_state
            network.set_weights(weights)
            network.set_optimizer_state(optimizer_state)
            self._network = network
            self.model_ = network.model

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags


def _new_network(network_spec, seed: int):
    """A freshly initialised compiled network for a fitted network spec."""
    from .network import build_model, make_optimizer
    from .training import CompiledNetwork

    time_steps, n_features, n_outputs, rnn_specs, dense_spec, optimizer, lr = (
        network_spec
    )
    model = build_model(time_steps, n_features, n_outputs, rnn_specs, dense_spec, seed)
    return CompiledNetwork(model, make_optimizer(optimizer, lr), network_spec)
