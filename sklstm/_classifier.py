"""LSTMClassifier: the classification face of the shared recurrent core."""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, column_or_1d

from ._core import BaseRecurrentNetwork, checked_weights
from ._persistence import InvalidFile, register
from ._scaling import WindowScaling, gathered_statistics

__all__ = ["LSTMClassifier"]


@register
class LSTMClassifier(ClassifierMixin, BaseRecurrentNetwork):
    """Recurrent classification of whole sequences, the scikit-learn way.

    Each row of ``X`` is one sequence (or one window of a series) and gets
    one label. The network is the regressor's: stacked recurrent layers
    (``rnn_layers``), optional dense layers (``dense_layers``), then a linear
    layer of one logit per class; it is trained on the cross-entropy of the
    softmax of the logits for a budget of ``steps`` mini-batch gradient
    steps, with early stopping on a validation part held out from the
    training rows. Inputs are standardised from the training rows.

    Sequences of different lengths go in as one 3-D array padded with NaN
    (see :func:`sklstm.pad_sequences`): padded steps are masked, so a
    sequence's prediction does not depend on its padding.

    Parameters
    ----------
    rnn_layers : list of int or dict, default=(32,)
        One entry per stacked recurrent layer: its number of units, or a dict
        with ``num_units`` and optionally ``cell`` (``"lstm"``, ``"gru"`` or
        ``"rnn"``), ``bidirectional``, ``keep_prob`` (the post's spelling of
        ``1 - dropout``), ``dropout`` and ``recurrent_dropout``.
    dense_layers : None, list of int or dict, default=None
        Dense layers after the last recurrent one: None, a list of units
        (ReLU), or the post's ``{"layers": [...], "activation": ...,
        "dropout": ...}`` (``activation`` is the name of a Keras activation,
        ``dropout`` the rate after each dense layer).
    optimizer : str, default="Adam"
        Name of a Keras optimizer, in any case.
    learning_rate : float, default=0.01
        The optimizer's learning rate.
    batch_size : int, default=32
        Sequences per gradient step (capped at the number of training rows).
    steps : int, default=10000
        Budget of gradient steps.
    n_networks : int or "auto", default="auto"
        Networks of this architecture trained side by side and averaged.
        Each starts from weights of its own and is trained on its own loss,
        over the same batches; :meth:`predict_proba` averages their
        probabilities, and early stopping keeps the step at which that
        average's validation loss was best. ``"auto"`` trains 5 networks
        when :meth:`fit` gets fewer than 10,000 sequences, and one network
        on more sequences and in :meth:`partial_fit`. On small datasets the
        average of 5 classifies markedly better than one network (see the
        classification guide's measurements), at 3 to 6 times the time per
        step on a CPU.
    patch_length : int or "auto", default="auto"
        Consecutive time steps the recurrent layers read as one step (a
        patch of ``patch_length`` times the features), so that a sequence
        of ``T`` steps takes ``ceil(T / patch_length)`` recurrent steps:
        faster, and easier to learn from on long sequences. A sequence
        whose length is not a multiple is completed with zeros before its
        first step; padded steps are still masked. ``"auto"`` takes the
        shortest patches that leave at most 40 steps and give each step at
        least four values: sequences of four features or more, up to 40
        steps, are read step by step, longer ones in patches (4 for 150
        steps, 37 for 1,460); sequences of one feature are read at least
        four steps at a time (two or three features, two). On the
        benchmark's sets of 100 to 1,460 steps patches raised accuracy by
        up to 20 points and cut the fit time 1.3 to 33 times, and on
        ItalyPowerDemand's 24 steps of one feature patches of 4 raised it
        from 0.953 to 0.967 at a sixth of the fit time (see the
        classification guide). 1 reads every step.
    early_stopping_rounds : int, "auto" or None, default="auto"
        Stop when the validation loss (cross-entropy) has not improved for
        this many steps and keep the weights of the best evaluation;
        ``"auto"`` stops after ``max(200, k)`` steps without improvement
        when the best came after ``k`` steps. A fall of the loss smaller than
        0.01 is not an improvement: once the network classifies the
        validation sequences right, their loss keeps creeping down as its
        probabilities sharpen, which says nothing about new sequences. For
        the same reason ``"auto"`` also stops once the training loss is
        below 0.01 (the networks give every training sequence its class
        with the confidence ``label_smoothing`` leaves): on six of the nine
        sets of the classification guide this halved the steps or better,
        at the same accuracy. None trains on all rows for the full budget,
        with no validation part.
    validation_fraction : float, default=0.1
        Fraction of the training rows held out for early stopping. Each
        evaluation reads every held-out row when there are at most 4,096 of
        them; beyond that it reads 4,096 of them, drawn at random once per
        fit (seeded by ``random_state``) in proportion to each class, and the
        same at every evaluation, so that evaluations keep a small share of
        the fit's time however many rows there are (see
        ``n_validation_evaluated_``).
    validation_split : {"stratified", "shuffle", "tail"}, default="stratified"
        Which rows are held out. ``"stratified"`` draws them at random,
        seeded by ``random_state``, keeping each class's share: right for
        independent sequences (recordings, gestures, images read row by row),
        which datasets often list class by class, so that a tail would hold
        one class only; it becomes ``"shuffle"`` (a plain random draw) when a
        class has too few rows to be split. ``"tail"`` holds out the last
        rows, in order: right for windows of one series, whose later windows
        overlap the earlier ones and must not validate them.
    print_steps : int, default=100
        Steps between evaluations and progress lines. It also sets how often
        early stopping evaluates when an epoch is short: if an epoch takes
        fewer than a quarter of ``print_steps`` steps, evaluations follow the
        epochs, every ``d`` steps with ``d`` the largest divisor of
        ``print_steps`` not above an epoch's steps (at least 10), while
        progress lines stay every ``print_steps`` steps.
    verbose : int, default=0
        0 is silent; 1 prints a progress line every ``print_steps`` steps.
    logdir : str, path or None, default=None
        Directory for TensorBoard summaries of the losses.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, dropout, the validation split and the
        order of the batches. Two fits with the same integer give identical
        predictions where TensorFlow runs the same number of threads. With
        another number (a search's workers under ``n_jobs``,
        ``OMP_NUM_THREADS``), a network of at least a million multiply-adds
        per batch may train on the other engine, whose results agree to
        rounding (see the user guide's page on speed).
    warm_start : bool, default=False
        If True, :meth:`fit` on a fitted estimator continues training from its
        weights, scaling and classes. Changing the network's parameters, or
        ``standardize`` or ``time_order``, raises a ``ValueError`` then (and
        for :meth:`partial_fit`).
    standardize : bool or "shared", default=True
        True standardises each input feature with the mean and standard
        deviation of the training rows (of a million of them, spread over
        the training part, when there are more); False feeds the features
        as they are. ``"shared"`` divides every feature by one scale, the
        root mean square of all their values, and shifts none: for features
        that measure one quantity with a meaningful zero, such as the pixels
        of an image's rows, where standardising each would move the zero
        (no ink) and magnify the columns that are nearly always 0 (the
        border). On scikit-learn's digits read row by row it raised the
        accuracy over six train/test splits from 0.979 to 0.988.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss: ``{label: weight}``, or
        ``"balanced"`` for weights inversely proportional to the classes'
        frequencies in ``y``. They multiply ``sample_weight``.
    label_smoothing : float in [0, 1), default=0.05
        Training targets are the classes' one-hot vectors mixed with the
        uniform distribution: each true class gets ``1 - label_smoothing +
        label_smoothing / n_classes`` and every other class
        ``label_smoothing / n_classes``, as with Keras's
        ``CategoricalCrossentropy(label_smoothing=...)``. The networks then
        learn to stop short of certainty rather than sharpen their
        probabilities on sequences they already classify. The training loss
        is the cross-entropy beyond that of the smoothed targets themselves
        (their Kullback-Leibler divergence from the predictions, 0 when the
        two agree); the validation loss stays the plain cross-entropy of the
        true classes. On the classification guide's nine datasets 0.05
        raised the median accuracy on four (the digits from 0.980 to 0.987,
        OSULeaf from 0.550 to 0.570), kept it on two and lowered it by 0.3
        to 1 point on three; 0.02 and 0.1 measured worse. 0 trains on the
        one-hot classes.
    time_order : {"oldest_first", "newest_first"}, default="oldest_first"
        The order of the time steps in ``X``: along each row of a 2-D input
        (one univariate sequence per row) and along the second axis of a 3-D
        input. ``"oldest_first"`` reads the first column (step) as the oldest
        value and the last as the newest, as :class:`WindowTransformer` and
        :func:`sklstm.pad_sequences` lay them out. ``"newest_first"`` reads
        the first as the newest, as the lag matrices of forecasting
        frameworks do (skforecast's columns ``lag_1, lag_2, ...``): the
        sequences are reversed in time (a view, no copy) before anything else,
        so a model fitted on newest-first input equals, bit for bit, one
        fitted on the same sequences oldest first. Padding (NaN steps)
        may sit at either end. Fitting on a DataFrame whose column names are
        lags in the other order (``lag_1, lag_2, ...`` with
        ``"oldest_first"``) warns with the fix.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    model_ : keras.Model
        The trained network; its outputs are the logits of the classes.
    n_features_in_ : int
        Features seen during :meth:`fit`: the columns of a 2-D input, or the
        last dimension of a 3-D input.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of a 2-D DataFrame input with string column names.
    time_steps_in_ : int
        Length of the sequences (padded) seen during :meth:`fit`.
    input_ndim_ : int
        Dimensions of the ``X`` seen during :meth:`fit`: 2 for one univariate
        sequence per row, 3 for ``(n_samples, time_steps, n_features)``.
        Later inputs must have as many.
    history_ : dict of lists
        Per evaluation: ``"step"``, ``"epoch"``, ``"train_loss"`` (the
        cross-entropy beyond that of the smoothed targets, see
        ``label_smoothing``) and ``"val_loss"`` (the cross-entropy of the
        true classes, None without validation); the
        validation loss is over the ``n_validation_evaluated_`` rows each
        evaluation reads.
    best_loss_ : float
        Validation loss of the kept weights (over the
        ``n_validation_evaluated_`` rows), or the last training loss when
        there is no validation.
    best_step_ : int
        Step at which the kept weights were reached.
    n_iter_ : int
        Gradient steps run since the network was initialised.
    n_validation_samples_ : int
        Rows held out for early stopping by the latest fit that held any out.
    n_validation_evaluated_ : int
        Rows of the validation part that each evaluation of that fit read:
        all ``n_validation_samples_`` of them, or a random sample of 4,096
        (in proportion to each class) when there are more (see
        ``validation_fraction``).

    See Also
    --------
    LSTMRegressor : The regression face of the same estimator.
    sklstm.pad_sequences : Pads sequences of different lengths.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import LSTMClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 8, 1))
    >>> y = np.where(X[:, :, 0].sum(axis=1) > 0, "up", "down")
    >>> model = LSTMClassifier([8], steps=300, random_state=0).fit(X, y)
    >>> model.classes_.tolist()
    ['down', 'up']
    >>> model.predict_proba(X[:2]).shape
    (2, 2)
    >>> model.score(X, y) > 0.9
    True
    """

    _losses = ("crossentropy",)
    _outputs_name = "classes"
    _min_delta = 0.01
    _auto_min_rounds = 200

    _parameter_constraints: dict = {
        **BaseRecurrentNetwork._parameter_constraints,
        "validation_split": [StrOptions({"stratified", "shuffle", "tail"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "standardize": ["boolean", StrOptions({"shared"})],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }
    _params_older_files_lack = {
        **BaseRecurrentNetwork._params_older_files_lack,
        "label_smoothing": 0.0,
    }

    def __init__(
        self,
        rnn_layers=(32,),
        dense_layers=None,
        *,
        optimizer: str = "Adam",
        learning_rate: float = 0.01,
        batch_size: int = 32,
        steps: int = 10000,
        n_networks: int | str = "auto",
        patch_length: int | str = "auto",
        early_stopping_rounds: int | str | None = "auto",
        validation_fraction: float = 0.1,
        validation_split: str = "stratified",
        print_steps: int = 100,
        verbose: int = 0,
        logdir=None,
        random_state=None,
        warm_start: bool = False,
        standardize: bool | str = True,
        class_weight=None,
        label_smoothing: float = 0.05,
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
        self.validation_split = validation_split
        self.print_steps = print_steps
        self.verbose = verbose
        self.logdir = logdir
        self.random_state = random_state
        self.warm_start = warm_start
        self.standardize = standardize
        self.class_weight = class_weight
        self.label_smoothing = label_smoothing
        self.time_order = time_order

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None) -> LSTMClassifier:
        """Train the network on sequences ``X`` and their labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, time_steps, n_features) or (n_samples, time_steps)
            Sequences, padded with NaN to one length where they differ; a 2-D
            array holds one univariate sequence per row.
        y : array-like of shape (n_samples,)
            Labels: ints, strings, or anything ``numpy.unique`` sorts.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows in the loss. Where every row
            held out for early stopping weighs zero, they are weighed alike,
            with a warning.

        Returns
        -------
        self : LSTMClassifier
            The fitted estimator.
        """  # noqa: E501
        return self._fit_whole(X, y, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self, X, y, classes=None, sample_weight=None, statistics=None
    ) -> LSTMClassifier:
        """Train for one pass (epoch) over a new chunk of sequences.

        The first call on an unfitted estimator needs ``classes``, every label
        the estimator will ever see, and fixes the input scaling from its
        chunk, or from ``statistics`` gathered over all the chunks; later
        calls continue from the fitted weights. There is no validation part
        or early stopping.

        Parameters
        ----------
        X : array-like of shape (n_samples, time_steps, n_features) or (n_samples, time_steps)
            Sequences, shaped as in :meth:`fit`.
        y : array-like of shape (n_samples,)
            Labels, all among ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class label; required at the first call, and if given later,
            the fitted ``classes_``.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows in the loss.
        statistics : WindowStatistics, default=None
            Scaling statistics of all the sequences, gathered chunk by chunk
            (see :class:`~sklstm.WindowStatistics`); used by the first call,
            and if given later, those it used.

        Returns
        -------
        self : LSTMClassifier
            The updated estimator.
        """  # noqa: E501
        if classes is None and not self.__sklearn_is_fitted__():
            raise ValueError(
                "classes must be given at the first call to partial_fit: every "
                "label the estimator will see, so that the network's outputs are "
                "fixed."
            )
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: a "
                "chunk's class frequencies are not the data's. Compute the weights "
                "once, with sklearn.utils.class_weight.compute_class_weight("
                "'balanced', classes=..., y=...), and pass them as a dict."
            )
        return self._atomic(self._partial_fit, X, y, classes, sample_weight, statistics)

    def _partial_fit(self, X, y, classes, sample_weight, statistics):
        # As scikit-learn's partial_fit: the first call fixes classes_ from
        # `classes`, later calls check them; the fit then reads classes_.
        if not self.__sklearn_is_fitted__():
            self._set_classes(_sorted_labels(classes, "classes"))
        elif classes is not None and not np.array_equal(
            _sorted_labels(classes, "classes"), self.classes_
        ):
            raise ValueError(
                f"classes={list(classes)!r} differs from the fitted classes_ "
                f"{self.classes_.tolist()}."
            )
        return self._fit(X, y, sample_weight, incremental=True, statistics=statistics)

    # ------------------------------------------------------- the face's hooks
    def _validate_targets(self, y, windows, *, reset, incremental) -> np.ndarray:
        """One-hot float64 targets of shape (n_samples, n_classes)."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y = column_or_1d(y, warn=True)
        labels = _sorted_labels(y, "y")
        check_classification_targets(y)
        check_consistent_length(windows, y)
        if reset and not incremental:
            self._set_classes(labels)
        indices = np.searchsorted(self.classes_, y)
        indices = np.minimum(indices, len(self.classes_) - 1)
        unknown = self.classes_[indices] != y
        if unknown.any():
            raise ValueError(
                f"y has labels not in classes_ {self.classes_.tolist()}: "
                f"{np.unique(y[unknown]).tolist()[:5]}."
            )
        return np.eye(len(self.classes_))[indices]

    def _training_targets(self, targets: np.ndarray) -> np.ndarray:
        smoothing = self.label_smoothing
        return targets * (1 - smoothing) + smoothing / targets.shape[1]

    def _set_classes(self, classes: np.ndarray) -> None:
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; "
                f"got 1 class: {classes.tolist()}."
            )
        self.classes_ = classes

    def _weights_name(self, sample_weight) -> str:
        if self.class_weight is None:
            return "sample_weight"
        if sample_weight is None:
            return "class_weight"
        return "sample_weight times class_weight"

    def _row_weights(self, targets: np.ndarray) -> np.ndarray | None:
        if self.class_weight is None:
            return None
        indices = targets.argmax(axis=1)
        if self.class_weight == "balanced":
            present = np.unique(indices)
            weights = np.ones(len(self.classes_))
            weights[present] = compute_class_weight(
                "balanced", classes=present, y=indices
            )
            return weights[indices]
        unknown = [k for k in self.class_weight if k not in set(self.classes_.tolist())]
        if unknown:
            raise ValueError(
                f"class_weight has labels that are not classes: {unknown[:5]}; the "
                f"classes are {self.classes_.tolist()}."
            )
        for label, weight in self.class_weight.items():
            if isinstance(weight, (bool, np.bool_)) or not isinstance(weight, Real):
                raise TypeError(
                    f"class_weight must map classes to numbers; got {weight!r} for "
                    f"class {label!r}."
                )
        weights = np.array(
            [float(self.class_weight.get(label, 1.0)) for label in self.classes_]
        )
        if (weights < 0).any() or not np.isfinite(weights).all():
            raise ValueError("class_weight must hold finite, non-negative weights.")
        return weights[indices]

    def _evaluation_strata(self, targets: np.ndarray) -> np.ndarray:
        # A sample of the validation rows keeps each class's share, whichever
        # the split: stratified, it estimates the whole part's loss better.
        return targets.argmax(axis=1)

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
        if statistics is None:
            statistics = gathered_statistics(windows, np.zeros((len(windows), 0)), rows)
        return statistics.input_scaling(targets.shape[1], standardize=self.standardize)

    def _validation_rows(self, targets, rng, groups=None):
        n_rows = len(targets)
        n_val = self._held_out_count(n_rows)
        if self.validation_split == "tail":
            return slice(0, n_rows - n_val), slice(n_rows - n_val, None)
        indices = targets.argmax(axis=1)
        counts = np.bincount(indices)
        seed = rng.randint(np.iinfo(np.int32).max)
        stratify = (
            self.validation_split == "stratified"
            and counts[counts > 0].min() >= 2
            and n_val >= np.count_nonzero(counts)
            and n_rows - n_val >= np.count_nonzero(counts)
        )
        splitter = (StratifiedShuffleSplit if stratify else ShuffleSplit)(
            n_splits=1, test_size=n_val, random_state=seed
        )
        train, val = next(splitter.split(np.zeros(n_rows), indices))
        return np.sort(train), np.sort(val)

    def _validation_loss(self, outputs, targets, weights, loss: str) -> float:
        losses = -np.sum(targets * _log_softmax(outputs), axis=1)
        return float(np.average(losses, weights=weights))

    def _loss_scale(self, scaling: WindowScaling, loss: str) -> np.ndarray:
        return np.ones(1)

    _fitted_fields = {"classes_": 1}

    def _save_fitted_fields(self, arrays: dict) -> dict:
        return {"classes_": _encode_classes(self.classes_)}

    def _restore_fitted_fields(self, fields: dict, arrays: dict, spec, scaling):
        classes = _decode_classes(fields["classes_"])
        if not len(classes) == spec.n_outputs >= 2:
            raise InvalidFile("its fitted shapes do not agree with each other.")
        if scaling.relative_targets.any():
            raise InvalidFile(
                "its classifier's scaling measures outputs from features."
            )
        return {"classes_": classes}

    # -------------------------------------------------------------- predict
    def predict_proba(self, X) -> np.ndarray:
        """Probability of each class for each sequence of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, time_steps, n_features) or (n_samples, time_steps)
            Sequences, shaped as in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to 1; columns follow ``classes_``.
        """  # noqa: E501
        return np.exp(self.predict_log_proba(X))

    def predict_log_proba(self, X) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`, computed without underflow.

        Parameters
        ----------
        X : array-like of shape (n_samples, time_steps, n_features) or (n_samples, time_steps)
            Sequences as :meth:`fit` takes them; their padded steps are masked.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log-softmax of the network's logits: finite even where a
            probability rounds to 0.
        """  # noqa: E501
        return _log_softmax(self._outputs(X))

    def predict(self, X) -> np.ndarray:
        """The most probable class of each sequence of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, time_steps, n_features) or (n_samples, time_steps)
            Sequences, shaped as in :meth:`fit`. A classifier fitted on padded
            sequences also reads sequences padded to another length.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """  # noqa: E501
        outputs = self._outputs(X)
        return self.classes_[np.argmax(outputs, axis=1)]

    def score(self, X, y, sample_weight=None) -> float:
        """Mean accuracy of :meth:`predict` on ``X``, as scikit-learn's
        classifiers score, with ``sample_weight`` checked as in :meth:`fit`.

        Parameters
        ----------
        X : array-like
            Sequences, as for :meth:`predict`.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows, not all zero.

        Returns
        -------
        score : float
            The (weighted) share of the rows predicted right.
        """
        weights = checked_weights(sample_weight, X)
        return super().score(X, y, sample_weight=weights)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


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
    encoded = {"kind": kind, "object": classes.dtype.kind == "O", "values": values}
    if kind in "biuf" and classes.dtype.kind == kind:
        # uint8 labels predict as uint8 after loading, not as int64.
        encoded["dtype"] = classes.dtype.str
    return encoded


def _saved_label_dtype(encoded: dict, kind: str) -> np.dtype | None:
    """The numeric dtype the labels were saved with, checked (None: numpy's
    default for the values; files before it was saved hold none)."""
    text = encoded.get("dtype")
    if text is None:
        return None
    try:
        dtype = np.dtype(text) if isinstance(text, str) and len(text) < 8 else None
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind != kind or kind not in "biuf":
        raise InvalidFile(f"its classes_ have no dtype of kind {kind!r}.")
    return dtype


def _decode_classes(encoded: Any) -> np.ndarray:
    """Class labels written by ``_encode_classes``, checked."""
    if (
        not isinstance(encoded, dict)
        or set(encoded) - {"dtype"} != {"kind", "object", "values"}
        or encoded["kind"] not in ("b", "i", "u", "f", "U")
        or not isinstance(encoded["object"], bool)
        or not isinstance(encoded["values"], list)
    ):
        raise InvalidFile("its classes_ are not a list of labels of one kind.")
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
        raise InvalidFile(f"its classes_ are not all of kind {kind!r}.")
    dtype = object if encoded["object"] else _saved_label_dtype(encoded, kind)
    classes = np.asarray(values, dtype=dtype)
    if classes.tolist() != values:
        raise InvalidFile(f"its classes_ do not fit their dtype {classes.dtype}.")
    if len(classes) and not np.array_equal(np.unique(classes), classes):
        raise InvalidFile("its classes_ are not sorted and unique.")
    return classes


def _sorted_labels(labels, name: str) -> np.ndarray:
    """The distinct labels, sorted; labels that cannot be ordered (strings
    mixed with numbers or None) are an error naming ``name``."""
    if np.ndim(labels) != 1:
        raise ValueError(
            f"{name} must be 1-D, a list of labels; got an array of shape "
            f"{np.shape(labels)}."
        )
    if pd.isna(np.asarray(labels, dtype=object)).any():
        raise ValueError(f"{name} has a missing label (NaN or None).")
    try:
        return np.unique(labels)
    except TypeError:
        kinds = sorted({type(label).__name__ for label in np.ravel(labels)})
        raise ValueError(
            f"{name} mixes labels of types {kinds}: labels must be all strings "
            "or all numbers."
        ) from None
