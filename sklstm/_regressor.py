"""LSTMRegressor: the regression face of the shared recurrent core."""

from __future__ import annotations

import warnings
from dataclasses import replace
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)

from ._attributes import (
    category_numbers,
    check_series_attributes,
    fitted_categories,
    in_fitted_order,
    restored_attributes,
    saved_attributes,
)
from ._core import (
    BaseRecurrentNetwork,
    _GatheredRows,
    _mean_one,
    checked_weights,
    numbers_of,
)
from ._network import member_suffix, relative_errors
from ._persistence import InvalidFile, checked_float, checked_int, register
from ._scaling import (
    WindowScaling,
    choose_divisor,
    gathered_statistics,
    spread_rows,
    zero_window_scales,
)
from ._sequences import block_rows

__all__ = ["LSTMRegressor"]


@register
class LSTMRegressor(RegressorMixin, BaseRecurrentNetwork):
    """Stacked LSTM regression on windows of a sequence, the scikit-learn way.

    The network is one or more LSTM layers (``rnn_layers``), optional dense
    layers (``dense_layers``) and a linear output, trained on the mean squared
    error (or, on windows divided by their own scale, the mean relative
    error: see ``loss``) for a budget of ``steps`` mini-batch gradient
    steps. Early stopping
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
        One entry per stacked recurrent layer: its number of units (an LSTM
        layer), or a dict with ``num_units`` and optionally ``cell``
        (``"lstm"``, the default, ``"gru"`` or ``"rnn"``), ``bidirectional``
        (a bool: read the window both ways), ``keep_prob`` (the post's
        spelling: the probability of keeping each input, so ``dropout = 1 -
        keep_prob``), ``dropout`` and ``recurrent_dropout``.
    dense_layers : None, list of int or dict, default=None
        Dense layers after the last recurrent one: None for none, a list of
        units (ReLU), or the post's ``{"layers": [...], "activation": ...,
        "dropout": ...}`` (``activation`` is the name of a Keras activation,
        ``dropout`` the rate after each dense layer).
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
    n_networks : int or "auto", default=1
        Networks of this architecture trained side by side and averaged.
        Each starts from weights of its own and is trained on its own loss,
        over the same batches; a prediction is the average of theirs (with
        the linear part, each network adds its own share to the one shared
        linear part), and early stopping keeps the step at which the
        average's validation loss was best. The average depends less on the
        seed than one network does, at about ``n_networks`` times the time
        per step on a CPU. ``"auto"`` trains 5 networks when :meth:`fit`
        gets fewer than 10,000 windows, and one network on more windows and
        in :meth:`partial_fit`.
    patch_length : int or "auto", default=1
        Consecutive time steps of a window the recurrent layers read as one
        step (a patch of ``patch_length`` times the features), so that a
        window of ``T`` steps takes ``ceil(T / patch_length)`` recurrent
        steps; a window whose length is not a multiple is completed with
        zeros before its first step. Worth trying for windows of hundreds
        of steps. ``"auto"`` takes the shortest patches that leave at most
        40 steps and give each step at least four values (patches of 4 for
        windows of one feature, 2 for two or three features, 1 for four
        features or more, unless the windows exceed 40 steps). The linear
        part, when there is one, reads the steps as given.
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
        stopping. Unused when ``early_stopping_rounds`` is None. Each
        evaluation reads every held-out row when there are at most 4,096 of
        them; beyond that it reads 4,096 of them, drawn at random once per
        fit (seeded by ``random_state``) and the same at every evaluation,
        so that evaluations keep a small share of the fit's time however
        many rows there are (see ``n_validation_evaluated_``).
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
        fits with the same integer give identical predictions where
        TensorFlow runs the same number of threads. With another number (a
        search's workers under ``n_jobs``, ``OMP_NUM_THREADS``), a network
        of at least a million multiply-adds per batch may train on the
        other engine, whose results agree to rounding (see the user guide's
        page on speed).
    warm_start : bool, default=False
        If True, :meth:`fit` on a fitted estimator continues training from its
        weights and optimizer state for another ``steps`` steps, keeps the
        scaling statistics of the first fit, and extends ``history_`` and
        ``n_iter_``. The network must be unchanged: changing ``rnn_layers``,
        ``dense_layers``, ``optimizer``, ``learning_rate`` or the number of
        targets raises a ``ValueError``, and so does changing how the data
        are read (``standardize``, ``relative``, ``window_scale``,
        ``time_order``), for :meth:`partial_fit` too.
    standardize : bool, default=True
        Standardise each input feature and each target with the mean and
        standard deviation of the training rows (of a million of them, spread
        over the training part, when there are more).
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
        variance. On a panel (``fit`` given ``groups``) that variance counts
        the differences between the series' levels too, so series at
        different levels take relative mode: one model of their levels would
        have to span them all. False never uses it.
    window_scale : "auto" or bool, default="auto"
        Whether each window is divided by its own scale before anything else:
        every feature by its mean absolute value in that window (a window of
        zeros by the 5th percentile of the training windows' scales, so that
        what follows it is predicted in the data's units), and each target by
        that of the feature whose last value lies nearest to it; the
        divided values ``r`` are then taken as ``log(r + 0.1)``, on which
        an error is a share of the value, and predictions are mapped back.
        The network and its linear part then see
        every window on one scale, so a model fitted on many series whose
        levels differ a thousandfold (a panel, see
        :class:`WindowTransformer`'s ``series_id``) learns their shapes
        rather than their sizes, as DeepAR and N-BEATS scale their inputs,
        and the losses (``history_``, ``best_loss_``, ``linear_loss_``) are
        measured on that scale, so every series counts, not the largest
        alone. Relative mode and standardisation apply to these values. A
        value below -0.1 times its window's scale has no logarithm and is an
        error: the scaling is for values that are never negative (sales,
        visitors, counts), and its predictions are never below zero.
        True always divides. ``"auto"`` divides when no feature is ever
        negative in the windows (every feature is divided, so a covariate
        such as :func:`~sklstm.fourier_terms` keeps the windows whole), no
        target is negative either, and either ``fit`` is given the
        ``groups`` of several series (a panel: one model for series of many
        shapes and levels; on the M3 competition's monthly series, whose
        levels the competition had brought within one order of magnitude,
        dividing took the MAPE of one global model from 24.1 to 19.5) or,
        for every target, its feature's
        windows' scales span at least 10 times from their 5th to their 95th
        percentile: levels an order of magnitude apart, where one global
        scaling would leave the small windows near zero, and the windows'
        ups and downs grow with their level (the slope of the log of each
        window's standard deviation on the log of its scale is at least
        0.5, as a Box-Cox power closer to the log than to no transform,
        after Guerrero, 1993): growth, or a season that widens as the level
        rises, which dividing makes alike. A trend with ups and downs of
        one size at every level is not divided: near zero its windows would
        be all noise (on a noisy ramp from 0 to 100, dividing took the
        defaults from 0.97 to 1.19 to 1.42 times ``LinearRegression``'s
        error). A single series seldom spans so much (the yearly sunspots'
        windows of 12 span 4 times), so its fit is unchanged. False never
        divides.
        Padded sequences are never divided (True raises).
    linear : bool, default=True
        Whether the network holds a linear autoregression beside its
        recurrent layers: a linear path from the whole window (every time step
        of every feature, as the network sees them: standardised, and in
        relative mode measured from the last value, that last value itself
        standing at the last step, so that the path weighs the values as a
        linear model of the windows does, while the recurrent layers read
        zero there) to the outputs, added to the recurrent layers' output.
        It is fitted first, by least squares on the training rows, and kept
        fixed. The fit is a ridge fit whose penalty, per target, is the one
        of ``1e-6`` to ``1e2`` times the inputs' mean variance with the
        lowest error on the rows held out for early stopping, the rows
        nearest in time to the forecasts. Generalised cross-validation on
        the training rows chooses it instead where no rows are held out, and
        on a panel (``fit`` with ``groups``), whose held-out rows are every
        series' last windows, the same few periods of time. Beyond 100,000
        training rows the fit reads a sample of 100,000 of them drawn with
        ``random_state``, so that its cost stops growing with the data. Then
        the recurrent layers' output layer starts at zero, so training starts
        from the linear model and the recurrent layers learn what it leaves.
        After training, what the recurrent layers add is scaled by its
        share in explaining what the linear path leaves on the validation
        rows: the least-squares weight (clipped to between 0 and 1) times
        ``t2 / (t2 + 20)``, where ``t2`` is that weight's squared t-statistic
        on those rows. A share the rows measure clearly is kept nearly whole
        (t2 of 200 keeps 91% of it), one they can barely tell from zero is
        mostly dropped (t2 of 4 keeps 17%), so a series the network cannot
        improve on, or a validation part too short to show that it does,
        falls back towards the linear model. On a series a linear
        autoregression explains the model reduces to it, and on one it does
        not the network adds what it can; :meth:`predict_linear` and
        ``linear_loss_`` show the linear part's share. Padded sequences (see
        :func:`sklstm.pad_sequences`) get no linear path, and neither do
        windows of more than 4,096 values (time steps x features), whose
        least-squares fit would cost too much. False builds the network
        without it, exactly as before it existed.
    recency_halflife : float, "auto" or None, default="auto"
        How fast a series' older windows lose weight when ``fit`` is given
        ``groups`` (a panel of many series): each series' latest window
        weighs 1 in the loss, and a window ``a`` windows older weighs
        ``0.5 ** (a / recency_halflife)`` (times ``sample_weight``), so the
        model learns most from what each series did lately, as a per-series
        model such as exponential smoothing does, while every series' older
        windows still teach it their shapes. Ages count back through each
        series' validation tail (early stopping), whose latest row weighs 1,
        and then through its training rows, whose latest row is taken as at
        most one half-life old, so that a long tail never leaves the
        training rows without weight. ``"auto"`` takes a half-life of half
        the window's time steps (24 windows for windows of 48 months) where
        each window is divided by its own scale (``window_scale_``, as on a
        panel of series at different levels), and weighs every window alike
        where it is not: on a panel standardised by hand the weights raised
        the MAPE (Tourism quarterly, windows of 8 forecast step by step: 18.9
        to 22.9). On the Tourism competition (windows of twice the horizon,
        each window divided) it took the MAPE of one global model from 21.3
        to 20.6 (monthly) and from 16.7 to 15.1 (quarterly). None weighs
        every window alike. Without ``groups`` every window weighs alike
        whatever the setting.
    series_embedding : int or None, default=None
        With ``groups`` in ``fit`` (a panel of many series), the network
        learns a vector of this many values for every series, and reads its
        series' vector beside the values of every step, so that it can tell
        the series apart (as DeepAR's and darts' global models may); the
        identifier is never read as a number. ``predict`` then needs the
        series of each window (``predict(X, groups=...)``; :func:`forecast`
        and :func:`backtest` with ``series_id`` pass them), and a series it
        did not see in ``fit`` is an error naming it. Series labels must be
        strings or integers. None (the default) learns no vector: one model
        for every series alike, which measured better on the Tourism
        competition (see the user guide's page on panels). The linear path
        reads the values alone. Not for padded sequences or ``partial_fit``.
    series_attributes : dict or None, default=None
        Categorical facts about the series of a panel (a store's region, a
        product's type) as ``{attribute: {series label: category}}``, the
        dict ``table.groupby(series_id)[columns].first().to_dict()`` makes
        of a long table's static columns. With ``groups`` in ``fit``, the
        network learns a vector for every category of each attribute (of
        half as many values as the attribute has categories, rounded up, at
        most 16) and reads each window's categories' vectors beside the
        values of every step, so that series of one category share what is
        learnt about it; the categories are never read as numbers.
        ``predict`` then needs the series of each window (``groups``, which
        :func:`forecast` and :func:`backtest` with ``series_id`` pass), and
        a series the fit did not see is read through its categories, when
        ``series_attributes`` listed it at fit time and ``series_embedding``
        is None. A category the fit did not see is an error naming it.
        None (the default) reads no attribute. Not for padded sequences or
        ``partial_fit``.
    loss : {"auto", "squared_error", "relative_error"}, default="auto"
        What training minimises. ``"squared_error"``: the mean squared error
        of the standardised targets. ``"relative_error"``: the mean relative
        error ``|f - y| / (y + 0.1 s)`` of each forecast ``f`` of a target
        ``y`` whose window's scale is ``s`` (see ``window_scale``): a share
        of the actual value, as the MAPE measures it, which a value at zero
        cannot make infinite; a forecast below the actual value costs at most
        1, one above it its excess share (growing linearly beyond 20 times
        the actual value). It needs windows divided by their own scale
        (``window_scale_``), on whose log scale it is computed, and raises
        otherwise. ``"auto"`` takes the relative error where the windows are
        divided and the squared error where they are not. Early stopping and
        ``best_loss_``, ``linear_loss_`` and ``history_`` measure the same
        loss; the linear part is fitted by least squares either way. On the
        Tourism competition (one global model, windows of twice the horizon,
        median of seeds 0, 1 and 2) the relative error took the MAPE from
        20.64 to 20.47 (monthly) and from 15.06 to 14.80 (quarterly), with
        the sMAPE and MASE as good or better: a model trained on squared
        errors of logs forecasts each value's median, and the relative
        error weighs a forecast too high against a small actual value as
        the competition's metrics do.
    time_order : {"oldest_first", "newest_first"}, default="oldest_first"
        The order of the time steps in ``X``: along each row of a 2-D input
        (one univariate window per row) and along the second axis of a 3-D
        input. ``"oldest_first"`` reads the first column (step) as the oldest
        value and the last as the newest, as :class:`WindowTransformer` and
        :func:`sklstm.pad_sequences` lay them out. ``"newest_first"`` reads
        the first as the newest, as the lag matrices of forecasting
        frameworks do (skforecast's columns ``lag_1, lag_2, ...``): the
        windows are reversed in time (a view, no copy) before anything else,
        so a model fitted on newest-first input equals, bit for bit, one
        fitted on the same windows oldest first. Relative mode measures
        from the newest value in either order. Padding (NaN steps)
        may sit at either end. Fitting on a DataFrame whose column names are
        lags in the other order (``lag_1, lag_2, ...`` with
        ``"oldest_first"``) warns with the fix.

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
    input_ndim_ : int
        Dimensions of the ``X`` seen during :meth:`fit`: 2 for one univariate
        sequence per row, 3 for ``(n_samples, time_steps, n_features)``.
        Later inputs must have as many.
    n_outputs_ : int
        Number of targets.
    history_ : dict of lists
        Per evaluation: ``"step"``, ``"epoch"``, ``"train_loss"`` (mean over
        the steps since the previous evaluation) and ``"val_loss"`` (None
        without validation). Losses are the fit's ``loss_``: MSE in the
        targets' units (with ``window_scale_``, on the log scale of the
        divided targets, see ``window_scale``), or the mean relative error,
        a share of the actual values; the
        validation loss is over the ``n_validation_evaluated_`` rows each
        evaluation reads.
    best_loss_ : float
        Validation loss of the kept weights (over the
        ``n_validation_evaluated_`` rows), or the last evaluation's training
        loss when there is no validation.
    best_step_ : int
        Step at which the kept weights were reached.
    n_iter_ : int
        Gradient steps run since the network was initialised.
    relative_ : ndarray of bool of shape (`n_outputs_`,)
        Which targets are learnt in relative mode (see ``relative``).
    window_scale_ : bool
        Whether each window and its targets are divided by the window's own
        scale (see ``window_scale``).
    loss_ : {"squared_error", "relative_error"}
        What training minimised (see ``loss``).
    linear_loss_ : float or None
        The loss (``loss_``) of the linear part alone (:meth:`predict_linear`)
        on the rows ``best_loss_`` is measured on (the validation rows each
        evaluation read), or without validation on the training rows (the last
        100,000 of them at most), in the targets' units (a share of them for
        the relative error); None without a linear part. Compare it with
        ``best_loss_``, the whole model's.
    series_labels_ : ndarray or None
        The series the network learnt a vector for (``series_embedding``),
        in the order of their vectors; None without one.
    series_attributes_ : dict or None
        ``series_attributes`` as the fit read it: each attribute's category
        of every series it lists; None without attributes.
    attribute_categories_ : dict or None
        Each attribute's categories the network learnt a vector for, in the
        order of their vectors; None without attributes.
    n_validation_samples_ : int
        Rows held out for early stopping (the last rows of the data) by the
        latest fit that held any out, 0 if none did. Prediction intervals are
        calibrated on them by default (see :func:`sklstm.forecast`).
    n_validation_evaluated_ : int
        Rows of the validation part that each evaluation of that fit read:
        all ``n_validation_samples_`` of them, or a random sample of 4,096
        when there are more (see ``validation_fraction``).

    See Also
    --------
    WindowTransformer : Makes the windows from a series.

    Notes
    -----
    Training runs many gradient steps per compiled call, fed from the
    window view, so the first fit of a new network pays a compile of one or
    two seconds and then runs far faster than ``model.fit``. Small networks
    run as one XLA program; larger ones compute shards of each batch at once
    on the cores, or call cuDNN on a GPU (see :func:`sklstm.set_config`).

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

    _losses = ("mse", "relative")

    _parameter_constraints: dict = {
        **BaseRecurrentNetwork._parameter_constraints,
        "relative": ["boolean", StrOptions({"auto"})],
        "window_scale": ["boolean", StrOptions({"auto"})],
        "linear": ["boolean"],
        "recency_halflife": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
            None,
        ],
        "series_embedding": [Interval(Integral, 1, None, closed="left"), None],
        "series_attributes": [dict, None],
        "loss": [StrOptions({"auto", "squared_error", "relative_error"})],
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
        n_networks: int | str = 1,
        patch_length: int | str = 1,
        early_stopping_rounds: int | str | None = "auto",
        validation_fraction: float = 0.1,
        print_steps: int = 100,
        verbose: int = 0,
        logdir=None,
        random_state=None,
        warm_start: bool = False,
        standardize: bool = True,
        relative: bool | str = "auto",
        window_scale: bool | str = "auto",
        linear: bool = True,
        recency_halflife: float | str | None = "auto",
        series_embedding: int | None = None,
        series_attributes: dict | None = None,
        loss: str = "auto",
        time_order: str = "oldest_first",
    ) -> None:
        self.rnn_layers = rnn_layers
        self.dense_layers = dense_layers
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.steps = steps
        self.n_networks = n_networks
        self.patch_length = patch_length
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.print_steps = print_steps
        self.verbose = verbose
        self.logdir = logdir
        self.random_state = random_state
        self.warm_start = warm_start
        self.standardize = standardize
        self.relative = relative
        self.window_scale = window_scale
        self.linear = linear
        self.recency_halflife = recency_halflife
        self.series_embedding = series_embedding
        self.series_attributes = series_attributes
        self.loss = loss
        self.time_order = time_order

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, groups=None) -> LSTMRegressor:
        """Train the network on windows ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, time_steps, n_features) or (n_samples, time_steps)
            Windows in time order; a 2-D array holds one univariate window per
            row (for example ``WindowTransformer``'s output).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets, one row per window.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows in the loss. Where every row
            held out for early stopping weighs zero, they are weighed alike,
            with a warning.
        groups : array-like of shape (n_samples,), default=None
            The series of each row, for windows of many series (a panel):
            early stopping then holds out the last ``validation_fraction`` of
            each series' rows (at least one row of every series of two rows
            or more), so that every series is validated on its own latest
            rows, rather than the last rows of the table, which belong to the
            last series. Each series' rows must be in time order. Inside a
            pipeline, pass it as ``lstmregressor__groups``;
            :func:`sklstm.backtest` passes it itself. Each series' older
            windows then weigh less (``recency_halflife``), and with
            ``series_embedding`` the network learns a vector per series
            (with ``series_attributes``, per category).

        Returns
        -------
        self : LSTMRegressor
            The fitted estimator.
        """  # noqa: E501
        return self._fit_whole(X, y, sample_weight, groups)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, statistics=None) -> LSTMRegressor:
        """Train for one pass (epoch) over a new chunk of data.

        The first call on an unfitted estimator initialises the network and
        fixes the scaling statistics: those of its chunk, or ``statistics``
        gathered over the whole series first (see
        :class:`~sklstm.SeriesChunks`), which a series that drifts needs.
        Every later call (and a call on an estimator fitted by :meth:`fit`)
        continues from the fitted weights and keeps those statistics. There is
        no validation split or early stopping; ``history_`` gains an entry
        every ``print_steps`` steps and one at the end of the call.

        Parameters
        ----------
        X : array-like of shape (n_samples, time_steps, n_features) or (n_samples, time_steps)
            Windows in time order.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets, one row per window.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows in the loss.
        statistics : WindowStatistics, default=None
            Scaling statistics of the whole series, gathered chunk by chunk
            (:meth:`SeriesChunks.statistics`); used by the first call, and if
            given later, those it used.

        Returns
        -------
        self : LSTMRegressor
            The updated estimator.
        """  # noqa: E501
        return self._atomic(
            self._fit, X, y, sample_weight, incremental=True, statistics=statistics
        )

    # ------------------------------------------------------- the face's hooks
    def _validate_targets(self, y, windows, *, reset, incremental) -> np.ndarray:
        """Validated float64 targets, shaped (n_samples, n_outputs)."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y = check_array(
            numbers_of(y, "y"),
            ensure_2d=False,
            allow_nd=True,
            dtype=np.float64,
            input_name="y",
        )
        if y.ndim not in (1, 2):
            raise ValueError(
                "y must be 1-D (n_samples,) or 2-D (n_samples, n_outputs); "
                f"got {y.ndim}-D."
            )
        check_consistent_length(windows, y)
        if reset or not incremental:
            # A later chunk's shape does not change what predict returns.
            self._y_ndim = y.ndim
        y2d = y.reshape(len(y), -1)
        self.n_outputs_ = y2d.shape[1]
        return y2d

    def _target_scaling(
        self,
        windows,
        targets,
        padded: bool,
        statistics=None,
        rows=None,
        panel=False,
        below_zero=None,
    ) -> WindowScaling:
        relative = self.relative if self.relative == "auto" else bool(self.relative)
        window_scale = self.window_scale
        if window_scale != "auto":
            window_scale = bool(window_scale)
        if padded and relative is True:
            raise ValueError(
                "relative=True measures targets from the last step of each window, "
                "which padded sequences (NaN steps) do not all have. Use "
                "relative=False or 'auto' (which keeps levels for padded input)."
            )
        if padded and window_scale is True:
            raise ValueError(
                "window_scale=True divides each window by the mean of its steps, "
                "which padded sequences (NaN steps) do not all have. Use "
                "window_scale=False or 'auto' (which leaves padded input as it is)."
            )
        if padded and panel:
            # WindowTransformer pads a panel's series with their first rows,
            # so NaN here is more likely a gap in the data than padding.
            warnings.warn(
                "X has steps of NaN, read as padding, in windows of several "
                "series (groups): the network is fitted as one for padded "
                "sequences, without per-window scaling (window_scale) or a "
                "linear part. If the NaN are gaps in the series, fill them "
                "first (for example with pandas' interpolate).",
                UserWarning,
                stacklevel=4,
            )
        divisor = zero_scale = None
        if statistics is None:
            statistics = gathered_statistics(windows, targets, rows)
            if not padded:
                divisor = choose_divisor(
                    windows,
                    rows,
                    statistics,
                    window_scale,
                    panel=panel,
                    held_out_below_zero=below_zero,
                )
            if divisor is not None:
                zero_scale = zero_window_scales(windows, rows)
                statistics = gathered_statistics(
                    windows, targets, rows, divisor, zero_scale
                )
        elif statistics.n_outputs_ != targets.shape[1]:
            raise ValueError(
                f"statistics were gathered over {statistics.n_outputs_} targets "
                f"per window, but y has {targets.shape[1]}."
            )
        elif window_scale is True:
            raise ValueError(
                "window_scale=True divides each window by its own scale, which "
                "statistics gathered over chunks do not describe. Use "
                "window_scale=False or 'auto' (off with statistics)."
            )
        # Level statistics for a linear path to read (see _spec_for_scaling).
        scaling = statistics.scaling(
            standardize=self.standardize,
            relative=False if padded else relative,
            levels=divisor is None,
        )
        scaling = replace(scaling, divisor=divisor, zero_scale=zero_scale)
        self.relative_ = scaling.relative_targets
        self.window_scale_ = divisor is not None
        return scaling

    def _uses_linear_part(self, spec) -> bool:
        # Padded windows have no fixed positions for a linear path to weigh.
        return (
            bool(self.linear)
            and not spec.masked
            and spec.time_steps * spec.n_features <= MAX_LEAST_SQUARES_INPUTS
        )

    def _initialise_network(
        self, network, scaling, windows, targets, weights, rng, validation=None
    ):
        if network.spec.loss == "relative":
            network.model.get_layer("target_scale").set_weights(
                [scaling.y_scale.astype(np.float32)]
            )
        if network.spec.linear:
            if len(windows) > MAX_LEAST_SQUARES_ROWS:
                rows = spread_rows(len(windows), MAX_LEAST_SQUARES_ROWS, rng)
                windows, targets = _GatheredRows(windows, rows), targets[rows]
                weights = None if weights is None else weights[rows]
            if validation is not None and len(validation[0]) > MAX_LEAST_SQUARES_ROWS:
                # Evenly spaced, not drawn: the fit's other draws stay as they are.
                rows = np.linspace(
                    0, len(validation[0]) - 1, MAX_LEAST_SQUARES_ROWS
                ).astype(np.int64)
                val_windows, val_targets, val_weights = validation
                validation = (
                    _GatheredRows(val_windows, rows),
                    val_targets[rows],
                    None if val_weights is None else val_weights[rows],
                )
            coef, intercept = _least_squares(
                scaling, windows, targets, weights, validation
            )
            network.model.get_layer("linear").set_weights(
                [coef.astype(np.float32), intercept.astype(np.float32)]
            )

    def _describe_fit(self, windows, targets, weights, rows, validated) -> None:
        loss = self._network_spec.loss
        self.loss_ = _LOSS_NAMES[loss]
        self.linear_loss_ = None
        if not self._network_spec.linear:
            return
        windows, targets = windows[rows], targets[rows]
        weights = None if weights is None else weights[rows]
        if not validated and len(windows) > MAX_LEAST_SQUARES_ROWS:
            # The latest training rows: on millions of rows, measuring all
            # of them would cost a pass over the series and its outputs.
            tail = slice(-MAX_LEAST_SQUARES_ROWS, None)
            windows, targets = windows[tail], targets[tail]
            weights = None if weights is None else weights[tail]
        if weights is not None and not weights.sum() > 0:
            weights = None
        measured = self._scaling.loss_space(windows)
        targets = measured(targets)
        linear = measured(self._linear_outputs(windows))
        if validated:
            whole = self._shrink_recurrent_part(
                windows, targets, weights, linear, measured
            )
            self.best_loss_ = self._validation_loss(whole, targets, weights, loss)
        self.linear_loss_ = self._validation_loss(linear, targets, weights, loss)

    def _shrink_recurrent_part(self, windows, targets, weights, linear, measured):
        """Scale what the recurrent layers add by its share on held-out rows.

        The share (per target, between 0 and 1) is the least-squares weight of
        the recurrent part's outputs in explaining what the linear path leaves
        of the validation targets, shrunk towards zero as far as those rows
        leave it uncertain (:func:`_recurrent_share`): on a series the network
        cannot improve on, or where a short validation part cannot tell, the
        model falls back towards the linear path instead of adding noise.
        ``targets`` and ``linear`` come on the scale losses are measured on,
        where the two parts add up; ``measured`` puts outputs on it
        (``WindowScaling.loss_space``).
        """
        outputs = self._network.predict_windows(windows, self._scaling)
        recurrent = measured(outputs) - linear
        share = _recurrent_share(recurrent, targets - linear, weights)
        scale = share.astype(np.float32)
        # The recurrent part is the members' average: every member's output
        # layer takes the share.
        for member in range(self._network_spec.members):
            layer = self._network.model.get_layer(f"output{member_suffix(member)}")
            kernel, bias = layer.get_weights()
            layer.set_weights([kernel * scale, bias * scale])
        return measured(self._network.predict_windows(windows, self._scaling))

    def _linear_outputs(self, windows: np.ndarray) -> np.ndarray:
        """The linear path's outputs alone, float64, in the targets' units."""
        coef, intercept = self._network.model.get_layer("linear").get_weights()
        scaling = self._scaling
        outputs = np.empty((len(windows), len(intercept)))
        step = block_rows(windows)
        for start in range(0, len(windows), step):
            block = windows[start : start + step]
            inputs = scaling.transform_values(block).reshape(len(block), -1)
            outputs[start : start + step] = scaling.inverse_targets(
                block, inputs.astype(np.float64) @ coef + intercept
            )
        return outputs

    def _validation_rows(self, targets, rng, groups=None):
        """The chronological tail: the last ``validation_fraction`` of the rows,
        or of each group's rows."""
        if groups is not None:
            return self._group_tails(targets, groups)
        n_train = len(targets) - self._held_out_count(len(targets))
        return slice(0, n_train), slice(n_train, None)

    def _group_tails(self, targets, groups):
        sizes, from_end = rows_from_series_end(groups, len(targets))
        held = np.where(
            sizes > 1, np.maximum(1, np.round(sizes * self.validation_fraction)), 0
        )
        validation = from_end <= held
        if validation.all() or not validation.any():
            raise ValueError(
                "Early stopping holds out the last rows of each group for "
                "validation, so some group needs at least 2 rows. Set "
                "early_stopping_rounds=None to train on every row."
            )
        return np.flatnonzero(~validation), np.flatnonzero(validation)

    def _prepare(self, X, y, sample_weight, **kwargs):
        if isinstance(self.recency_halflife, (bool, np.bool_)):
            raise TypeError(
                "recency_halflife must be a positive number of windows, 'auto' or "
                f"None, not a bool; got {self.recency_halflife!r}."
            )
        if isinstance(self.series_embedding, (bool, np.bool_)):
            raise TypeError(
                "series_embedding must be a positive int (the size of each "
                f"series' vector) or None, not a bool; got {self.series_embedding!r}."
            )
        return super()._prepare(X, y, sample_weight, **kwargs)

    def _checked_groups(self, groups, n_rows: int):
        if groups is None:
            return None
        labels = _labels_per_row(groups, n_rows)
        if pd.isna(labels).any():
            raise ValueError("groups has missing labels: every row needs its series.")
        return labels

    def _with_series_numbers(self, windows, groups, *, continuing, padded, incremental):
        size, attributes = self.series_embedding, self.series_attributes
        if size is None and attributes is None:
            return windows, None, 0, None
        setting = (
            f"series_embedding={size}"
            if attributes is None
            else "series_attributes"
            if size is None
            else f"series_embedding={size} with series_attributes"
        )
        if incremental:
            raise ValueError(
                f"{setting} learns vectors for the series that fit's groups "
                "name; partial_fit takes no groups. Use fit, or leave both "
                "series_embedding and series_attributes None."
            )
        if groups is None:
            raise ValueError(
                f"{setting} learns vectors for the series: pass each row's "
                "series to fit as groups (backtest and forecast with series_id "
                "pass them), or leave both series_embedding and "
                "series_attributes None."
            )
        if padded:
            raise ValueError(
                f"{setting} is for windows of equal length; X has padded "
                "sequences (NaN steps). Leave both series_embedding and "
                "series_attributes None."
            )
        given = _series_labels(groups, len(windows))
        codes, labels, categories = [], None, None
        if size is not None:
            # A warm start keeps the fitted series' vectors (one fitted
            # without them gets new labels here, and then a spec that says so).
            labels = self.series_labels_ if continuing else None
            if labels is None:
                labels = pd.unique(given)
            codes.append(_series_numbers(labels, given)[:, None])
        if attributes is not None:
            table = check_series_attributes(attributes)
            categories = getattr(self, "attribute_categories_", None)
            if continuing and categories is not None:
                table = in_fitted_order(table, categories)
            else:
                categories = fitted_categories(table, given)
            codes.append(
                category_numbers(table, categories, given, "series_attributes")
            )
        return _with_numbers(windows, np.hstack(codes)), labels, size or 0, categories

    def _series_numbers_for(self, windows, groups):
        labels = getattr(self, "series_labels_", None)
        attributes = getattr(self, "series_attributes_", None)
        if labels is None and attributes is None:
            return windows
        if groups is None:
            raise ValueError(
                "This LSTMRegressor learnt vectors for the series (series_embedding"
                f"={self._network_spec.embedding or None}, series_attributes "
                f"{'' if attributes is None else 'not '}None): pass each "
                "window's series as predict(X, groups=...); forecast and "
                "backtest with series_id pass them."
            )
        given = _series_labels(groups, len(windows))
        codes = [] if labels is None else [_series_numbers(labels, given)[:, None]]
        if attributes is not None:
            codes.append(
                category_numbers(
                    attributes, self.attribute_categories_, given, "series_attributes_"
                )
            )
        return _with_numbers(windows, np.hstack(codes))

    def _store_fit(self, plan, network, scaling, result) -> None:
        super()._store_fit(plan, network, scaling, result)
        self.series_labels_ = plan.series_labels
        self.attribute_categories_ = plan.attribute_categories
        self.series_attributes_ = (
            None
            if plan.attribute_categories is None
            else in_fitted_order(
                check_series_attributes(self.series_attributes),
                plan.attribute_categories,
            )
        )

    def _weights_for_scaling(self, plan, scaling):
        halflife = self.recency_halflife
        if plan.groups is None or halflife is None:
            return plan.weights
        if halflife == "auto":
            # Measured to help only where each window is divided by its own
            # scale: on a panel standardised by hand it cost MAPE.
            if scaling.divisor is None:
                return plan.weights
            halflife = plan.windows.shape[1] / 2
        parts = (plan.train_rows, plan.val_rows) if plan.validating else None
        recency = recency_weights(plan.groups, len(plan.targets), halflife, parts)
        return _mean_one(recency if plan.weights is None else plan.weights * recency)

    def _validation_loss(self, outputs, targets, weights, loss: str) -> float:
        if loss == "relative":
            errors = relative_errors(outputs - targets, np)
        else:
            errors = (outputs - targets) ** 2
        return float(np.average(np.mean(errors, axis=1), weights=weights))

    def _loss_scale(self, scaling: WindowScaling, loss: str) -> np.ndarray:
        if loss == "relative":
            # Relative errors have no units.
            return np.ones_like(scaling.y_scale)
        # Squared target scales: the loss on standardised targets, in y's units.
        return scaling.y_scale**2

    def _network_loss(self, window_scaled: bool) -> str:
        """The network loss ``loss`` asks for, given whether the windows are
        divided by their own scale (relative errors need them divided)."""
        if self.loss == "squared_error":
            return "mse"
        if self.loss == "relative_error" and not window_scaled:
            raise ValueError(
                "loss='relative_error' measures errors as shares of the "
                "actual values on the log scale of windows divided by their "
                "own scale, but these windows are not divided (window_scale_ "
                "is False). Pass window_scale=True (values never negative), "
                "or loss='squared_error' or 'auto'."
            )
        return "relative" if window_scaled else "mse"

    def _spec_loss(self, continuing: bool) -> str:
        if continuing:
            return self._network_loss(self.window_scale_)
        # A new network's loss waits for the scaling (_spec_for_scaling).
        return super()._spec_loss(continuing)

    def _spec_for_scaling(self, spec, scaling):
        # In relative mode the linear path also reads the relative features'
        # levels: from changes alone it could not weigh the values as a
        # linear model of the windows does (nor revert to a mean).
        return replace(
            spec,
            loss=self._network_loss(scaling.divisor is not None),
            levels=scaling.level_features if spec.linear else (),
        )

    _fitted_fields = {
        "n_outputs_": 1,
        "y_ndim": 1,
        "linear_loss_": 3,
        "series_labels_": 8,
        "series_attributes_": 11,
    }
    # Files saved before the linear part existed hold networks without one.
    _params_older_files_lack = {
        **BaseRecurrentNetwork._params_older_files_lack,
        "linear": False,
        "window_scale": False,
        "recency_halflife": None,
        "series_embedding": None,
        "series_attributes": None,
        "loss": "squared_error",
    }

    def _save_fitted_fields(self, arrays: dict) -> dict:
        linear_loss = self.linear_loss_
        return {
            "n_outputs_": int(self.n_outputs_),
            "y_ndim": int(self._y_ndim),
            "linear_loss_": None if linear_loss is None else float(linear_loss),
            "series_labels_": None
            if self.series_labels_ is None
            else [
                label.item() if hasattr(label, "item") else label
                for label in self.series_labels_
            ],
            "series_attributes_": saved_attributes(
                self.series_attributes_, self.attribute_categories_
            ),
        }

    def _restore_fitted_fields(self, fields: dict, arrays: dict, spec, scaling):
        y_ndim = fields["y_ndim"]
        n_outputs = checked_int(fields["n_outputs_"], "n_outputs_", 1)
        if not (
            y_ndim in (1, 2)
            and n_outputs == spec.n_outputs
            and (y_ndim == 2 or n_outputs == 1)
        ):
            raise InvalidFile("its fitted shapes do not agree with each other.")
        linear_loss = fields.get("linear_loss_")
        if (linear_loss is None) == spec.linear:
            raise InvalidFile("its linear_loss_ does not agree with its network.")
        if linear_loss is not None:
            linear_loss = checked_float(linear_loss, "linear_loss_")
        labels = fields.get("series_labels_")
        if labels is not None and not _saved_labels_are_valid(labels):
            raise InvalidFile(
                "its series_labels_ must list distinct labels, all strings or "
                "all 64-bit integers."
            )
        # Checked against the fitted network, not the parameters: parameters
        # set after the fit take effect at the next one.
        if (0 if labels is None else len(labels)) != spec.series or (
            spec.embedding > 0
        ) != (labels is not None):
            raise InvalidFile("its series_labels_ do not agree with its network.")
        if spec.loss not in ("mse", "relative") or (
            spec.loss == "relative" and scaling.divisor is None
        ):
            raise InvalidFile(
                f"its network's loss {spec.loss!r} does not agree with its scaling."
            )
        if labels is not None:
            strings = isinstance(labels[0], str)
            labels = np.asarray(labels, dtype=object if strings else np.int64)
        try:
            attributes, categories = restored_attributes(
                fields.get("series_attributes_"), spec.attributes
            )
        except (ValueError, TypeError) as error:
            raise InvalidFile(str(error)) from error
        return {
            "series_labels_": labels,
            "series_attributes_": attributes,
            "attribute_categories_": categories,
            "n_outputs_": n_outputs,
            "_y_ndim": y_ndim,
            "relative_": scaling.relative_targets,
            "window_scale_": scaling.divisor is not None,
            "linear_loss_": linear_loss,
            "loss_": _LOSS_NAMES[spec.loss],
        }

    # -------------------------------------------------------------- predict
    def predict(self, X, groups=None) -> np.ndarray:
        """Predict the targets of windows ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, time_steps, n_features) or (n_samples, time_steps)
            Windows shaped as in :meth:`fit`.
        groups : array-like of shape (n_samples,), default=None
            The series of each window. Needed by a model fitted with
            ``series_embedding`` or ``series_attributes`` (each window is
            read with its series' and its categories' vectors), and ignored
            by any other.

        Returns
        -------
        y_pred : ndarray of float64, shape (n_samples,) or (n_samples, n_outputs)
            Shaped as the ``y`` given to :meth:`fit`.
        """  # noqa: E501
        predicted = self._outputs(X, groups)
        return predicted.ravel() if self._y_ndim == 1 else predicted

    def score(self, X, y, sample_weight=None, groups=None) -> float:
        """Coefficient of determination (R²) of :meth:`predict` on ``X``.

        As scikit-learn's regressors score, with ``groups`` passed on to
        :meth:`predict`, so that a model fitted with ``series_embedding`` can
        be scored (and searched over, with metadata routing: see the user
        guide's page on panels).

        Parameters
        ----------
        X : array-like
            Windows, as for :meth:`predict`.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows, not all zero.
        groups : array-like of shape (n_samples,), default=None
            The series of each window, as for :meth:`predict`.

        Returns
        -------
        score : float
            R² of the predictions.
        """
        from sklearn.metrics import r2_score

        weights = checked_weights(sample_weight, X)
        predicted = self.predict(X, groups=groups)
        y = check_array(
            numbers_of(y, "y"), ensure_2d=False, dtype=np.float64, input_name="y"
        )
        if len(y) != len(predicted):
            raise ValueError(
                f"y has {len(y)} rows, but X has {len(predicted)} windows."
            )
        if y.size != predicted.size:
            raise ValueError(
                f"y has shape {y.shape}, but the model predicts "
                f"{predicted.shape} for X: give one target column per output."
            )
        return float(
            r2_score(y.reshape(predicted.shape), predicted, sample_weight=weights)
        )

    def predict_linear(self, X) -> np.ndarray:
        """Predict with the network's linear path alone (see ``linear``).

        The full model's prediction (:meth:`predict`) is this plus what the
        recurrent layers add.

        Parameters
        ----------
        X : array-like
            Windows, as for :meth:`predict`.

        Returns
        -------
        y_pred : ndarray of float64
            The linear part's predictions, shaped as :meth:`predict`'s.

        Raises
        ------
        ValueError
            If the network has no linear path (see ``linear``).

        Examples
        --------
        >>> import numpy as np
        >>> from sklstm import LSTMRegressor, causal_windows
        >>> series = np.sin(np.linspace(0, 20, 300))
        >>> X, y = causal_windows(series[:-1, None], 5), series[1:]
        >>> model = LSTMRegressor([4], steps=50, random_state=0).fit(X, y)
        >>> bool(np.mean((model.predict_linear(X) - y) ** 2) < 1e-4)
        True
        """
        check_is_fitted(self)
        if not self._network_spec.linear:
            raise ValueError(
                "This LSTMRegressor's network has no linear path: it was fitted "
                "with linear=False, on padded sequences or on windows of more "
                f"than {MAX_LEAST_SQUARES_INPUTS} values."
            )
        windows, _ = self._validate_windows(X, reset=False)
        predicted = self._linear_outputs(windows)
        return predicted.ravel() if self._y_ndim == 1 else predicted

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


# The network losses by the names ``loss`` and ``loss_`` give them.
_LOSS_NAMES = {"mse": "squared_error", "relative": "relative_error"}
# Ridge penalties the linear path's least-squares fit chooses from, relative
# to the mean variance of its inputs: the smallest keeps the nearly collinear
# windows of a smooth series solvable without biasing the fit, the larger
# ones tame a fit of many inputs on few rows.
_RIDGE_PENALTIES = 10.0 ** np.arange(-6, 3)
# Most inputs (time steps x features) the least-squares fit solves for (its
# cost grows with their cube); wider windows get no linear path.
MAX_LEAST_SQUARES_INPUTS = 4096
# Most training rows the least-squares fit reads: a seeded random sample of
# them beyond, so that its cost stops growing with the data. Measured on
# windows of 48 x 3 on 2 shared cores: 13.7 s for 500,000 rows, about 3 s for
# 100,000, against a default fit of 45 to 50 s on 2,000,000 rows; 100,000
# rows estimate 145 coefficients to well within the noise of such series.
MAX_LEAST_SQUARES_ROWS = 100_000


# How strongly the recurrent part's share is shrunk towards the linear path
# (``_recurrent_share``): a share whose squared t-statistic on the validation
# rows equals this keeps half of itself. Short real series (bench_relative)
# validate on 8 to 60 rows, where the least-squares share alone chose the
# network on rows it then lost on.
SHARE_SHRINKAGE = 20.0


def _recurrent_share(
    recurrent: np.ndarray, left: np.ndarray, weights: np.ndarray | None
) -> np.ndarray:
    """What share of the recurrent part to keep, per target column.

    ``b`` is the (weighted) least-squares weight of ``recurrent`` in
    explaining ``left`` (what the linear path leaves of the validation
    targets), and ``t2`` its squared t-statistic on those rows. The share is
    ``b`` clipped to [0, 1] (the recurrent part at most as trained), times
    ``t2 / (t2 + SHARE_SHRINKAGE)``: a weight the rows measure clearly is kept
    nearly whole, one they barely tell from zero is mostly dropped.
    """
    row_weights = np.ones(len(left)) if weights is None else weights
    rows = np.count_nonzero(row_weights > 0)
    explained = (row_weights[:, None] * recurrent * left).sum(axis=0)
    power = (row_weights[:, None] * recurrent**2).sum(axis=0)
    weight = explained / np.where(power > 0, power, 1.0)
    residual = (row_weights[:, None] * (left - weight * recurrent) ** 2).sum(axis=0)
    evidence = (rows - 1) * weight**2 * power
    # Nothing left over on several rows: the weight is exact. One row always
    # fits exactly and shows nothing.
    exact = (residual <= 0) & (rows > 1)
    t2 = evidence / np.where(residual > 0, residual, 1.0)
    kept = np.where(exact, 1.0, t2 / (t2 + SHARE_SHRINKAGE))
    return np.clip(weight, 0.0, 1.0) * kept


def _least_squares(scaling, windows, targets, weights, validation=None):
    """Weighted ridge fit of the scaled targets on the flattened scaled windows.

    Fitted where the network sees the data: on the inputs and targets after
    standardisation and relative mode, so that the network's linear path
    starts as the best linear autoregression on the training rows. Each
    target's penalty is the one of ``_RIDGE_PENALTIES`` with the lowest
    (weighted) squared error on the held-out rows of ``validation`` (their
    windows, targets and weights), the rows closest in time to what the model
    will forecast; without held-out rows, the one with the lowest generalised
    cross-validation error (Golub, Heath and Wahba, 1979). Sums are gathered
    block by block, never holding all windows at once.
    """
    # The features of every step: series numbers are not the linear path's.
    n_inputs = windows.shape[1] * len(scaling.x_mean)
    n_outputs = targets.shape[1]
    gram = np.zeros((n_inputs + 1, n_inputs + 1))
    cross = np.zeros((n_inputs + 1, n_outputs))
    squares = np.zeros(n_outputs)
    for design, scaled, row_weights in _scaled_blocks(
        scaling, windows, targets, weights
    ):
        gram += design.T @ (design * row_weights)
        cross += design.T @ (scaled * row_weights)
        squares += (scaled**2 * row_weights).sum(axis=0)
    # Centre (the intercept is not penalised): weighted means from the sums.
    total = gram[-1, -1]
    x_mean, y_mean = gram[-1, :-1] / total, cross[-1] / total
    centred_gram = gram[:-1, :-1] - total * np.outer(x_mean, x_mean)
    centred_cross = cross[:-1] - total * np.outer(x_mean, y_mean)
    centred_squares = squares - total * y_mean**2
    eigenvalues, eigenvectors = np.linalg.eigh(centred_gram)
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    projected = eigenvectors.T @ centred_cross
    unit = max(eigenvalues.sum() / n_inputs, 1e-12)
    candidates, scores = [], []
    for penalty in _RIDGE_PENALTIES * unit:
        shrunk = projected / (eigenvalues + penalty)[:, None]
        candidates.append(eigenvectors @ shrunk)
        # Residual sum of squares from the sums alone: y'y - 2 b'X'y + b'X'Xb.
        residual = (
            centred_squares
            - 2 * np.sum(projected * shrunk, axis=0)
            + np.sum(eigenvalues[:, None] * shrunk**2, axis=0)
        )
        freedom = np.sum(eigenvalues / (eigenvalues + penalty)) + 1.0
        scores.append(
            np.clip(residual, 0.0, None) / max(1.0 - freedom / total, 1e-12) ** 2
        )
    if validation is not None:
        scores = _held_out_errors(scaling, validation, candidates, x_mean, y_mean)
    best = np.argmin(np.asarray(scores), axis=0)  # the first of equals: least penalty
    coef = np.stack(
        [candidates[choice][:, column] for column, choice in enumerate(best)], axis=1
    )
    return coef, y_mean - x_mean @ coef


def _scaled_blocks(scaling, windows, targets, weights):
    """Blocks of (design with a column of ones, scaled targets, row weights)."""
    step = block_rows(windows)
    for start in range(0, len(windows), step):
        block = windows[start : start + step]
        inputs = scaling.transform_values(block).reshape(len(block), -1)
        design = np.hstack([inputs.astype(np.float64), np.ones((len(block), 1))])
        scaled = scaling.transform_targets(block, targets[start : start + step])
        row_weights = (
            np.ones((len(block), 1))
            if weights is None
            else weights[start : start + step, None]
        )
        yield design, scaled.astype(np.float64), row_weights


def _held_out_errors(scaling, validation, candidates, x_mean, y_mean):
    """Each candidate's weighted squared error per target on the held-out rows."""
    errors = np.zeros((len(candidates), len(y_mean)))
    for design, scaled, row_weights in _scaled_blocks(scaling, *validation):
        inputs = design[:, :-1] - x_mean
        for index, coef in enumerate(candidates):
            left = scaled - y_mean - inputs @ coef
            errors[index] += (row_weights * left**2).sum(axis=0)
    return errors


def rows_from_series_end(groups, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's series size and place from its series' end (1: its last row).

    ``groups`` labels each of the ``n_rows`` rows with its series; a series'
    rows are in time order but need not be contiguous.
    """
    labels = _labels_per_row(groups, n_rows)
    if pd.isna(labels).any():
        raise ValueError("groups has missing labels: every row needs its series.")
    # factorize, not np.unique: labels of mixed types (101 and "A7") do not sort.
    codes, _ = pd.factorize(labels)
    order = np.argsort(codes, kind="stable")  # each group's rows, in order
    sizes = np.bincount(codes)
    from_end = np.empty(len(codes), dtype=np.int64)
    from_end[order] = np.repeat(sizes, sizes) - (
        np.arange(len(codes)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    )
    return sizes[codes], from_end


def recency_weights(groups, n_rows: int, halflife: float, parts=None) -> np.ndarray:
    """Each row's weight ``0.5 ** (age / halflife)`` by its age in its series.

    Without ``parts`` the age counts rows back from the series' last row.
    With ``parts = (training rows, validation rows)`` it counts back through
    each series' validation rows, then through its training rows, whose
    latest is taken as at most ``halflife`` old: a long validation tail would
    otherwise leave the training rows next to no weight.
    """
    labels = column_or_1d(groups, warn=False)
    if parts is None:
        return 0.5 ** ((rows_from_series_end(labels, n_rows)[1] - 1) / halflife)
    train, held = parts
    ages = np.empty(n_rows)
    ages[held] = rows_from_series_end(labels[held], len(held))[1] - 1
    held_rows = pd.Series(labels[held]).value_counts()
    before = held_rows.reindex(labels[train]).fillna(0).to_numpy()
    ages[train] = rows_from_series_end(labels[train], len(train))[1] - 1
    ages[train] += np.minimum(before, halflife)
    return 0.5 ** (ages / halflife)


def _saved_labels_are_valid(labels) -> bool:
    """Whether a file's series labels are what a fit stores: distinct, and
    all strings or all integers that fit in 64 bits."""
    if not isinstance(labels, list) or not labels or len(set(labels)) != len(labels):
        return False
    if all(isinstance(label, str) for label in labels):
        return True
    limits = np.iinfo(np.int64)
    return all(
        isinstance(label, int)
        and not isinstance(label, bool)
        and limits.min <= label <= limits.max
        for label in labels
    )


def _labels_per_row(groups, n_rows: int) -> np.ndarray:
    """``groups`` as a 1-D array of one label per row of ``X``."""
    dtype = getattr(groups, "dtype", None)
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and (
        pd.api.types.is_integer_dtype(dtype)
    ):
        # pandas' nullable integers (Int64) would come out as floats; a
        # missing one stays missing, to be refused as no label.
        groups = np.asarray(groups, dtype=object if pd.isna(groups).any() else np.int64)
    if np.ndim(groups) != 1 and np.shape(groups)[1:] != (1,):
        raise ValueError(
            f"groups must be 1-D, one label per row of X; got an array of "
            f"shape {np.shape(groups)}."
        )
    labels = column_or_1d(groups, warn=False)
    if len(labels) != n_rows:
        raise ValueError(
            f"groups must label each of the {n_rows} rows of X with its series; "
            f"got {len(labels)} labels."
        )
    return labels


def _series_labels(groups, n_rows: int) -> np.ndarray:
    """``groups`` as a 1-D array of one string or integer label per row."""
    labels = _labels_per_row(groups, n_rows)
    kind = pd.api.types.infer_dtype(labels, skipna=False)
    if kind not in ("string", "integer"):
        raise TypeError(
            "With series_embedding or series_attributes, groups must label the "
            "series with strings "
            f"or integers (labels a saved model can keep); got labels of type "
            f"{kind!r}."
        )
    return labels


def _series_numbers(labels: np.ndarray, given: np.ndarray) -> np.ndarray:
    """Each row's series number: the position of its label ``given`` (as
    ``_series_labels`` returns them) among ``labels``."""
    numbers = pd.Index(labels).get_indexer(given)
    unseen = numbers < 0
    if unseen.any():
        label = given[np.argmax(unseen)]
        label = label.item() if isinstance(label, np.generic) else label
        raise ValueError(
            f"groups names series {label!r}, which the model did not see in fit: "
            "series_embedding learnt a vector for the "
            f"{len(labels)} series it was fitted on only."
        )
    return numbers


def _with_numbers(windows: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """The windows with more columns: each window's series and category
    numbers (``numbers``, one row per window), on every step."""
    columns = np.broadcast_to(
        numbers.astype(windows.dtype)[:, None, :],
        (*windows.shape[:2], numbers.shape[1]),
    )
    return np.concatenate([windows, columns], axis=2)
