"""Bad input gets a clear error naming the problem; failures change nothing."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from sklstm import LSTMClassifier, LSTMRegressor

FAST = dict(rnn_layers=[4], steps=20, random_state=0)


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    return rng.rand(40, 5, 2), rng.rand(40)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_X(data, bad):
    X, y = data
    X = X.copy()
    X[3, 2, 1] = bad
    # A NaN in one feature of a step is a missing value, not padding.
    match = (
        r"missing value \(NaN\) inside sequence 3, at step 2"
        if np.isnan(bad)
        else "inf"
    )
    with pytest.raises(ValueError, match=match):
        LSTMRegressor(**FAST).fit(X, y)
    with pytest.raises(ValueError, match=r"Input X contains (NaN|infinity)"):
        LSTMRegressor(**FAST).fit(X[:, :, 1], y)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_y(data, bad):
    X, y = data
    y = y.copy()
    y[0] = bad
    with pytest.raises(ValueError, match=r"Input y contains (NaN|infinity)"):
        LSTMRegressor(**FAST).fit(X, y)


def test_wrong_number_of_dimensions(data):
    X, y = data
    with pytest.raises(ValueError, match="got a 4-D array"):
        LSTMRegressor(**FAST).fit(X[..., None], y)
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        LSTMRegressor(**FAST).fit(X[:, 0, 0], y)
    with pytest.raises(ValueError, match="y must be 1-D"):
        LSTMRegressor(**FAST).fit(X, np.zeros((40, 1, 1)))


def test_y_length_mismatch(data):
    X, y = data
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LSTMRegressor(**FAST).fit(X, y[:-1])


@pytest.mark.parametrize(
    ("rnn_layers", "error", "message"),
    [
        ([], ValueError, "at least one layer"),
        ([0], ValueError, r"rnn_layers\[0\] must be a positive int"),
        ([8, -1], ValueError, r"rnn_layers\[1\] must be a positive int"),
        ([{"units": 3}], ValueError, "unknown keys"),
        ([{"num_units": 3, "keep_prob": 0}], ValueError, "keep_prob"),
        ([{"num_units": 3, "keep_prob": 0.5, "dropout": 0.5}], ValueError, "both"),
        ([2.5], TypeError, r"rnn_layers\[0\] must be a positive int"),
        ("32", Exception, "rnn_layers"),
        # 1 - 1e-20 rounds to 1: no unit would be kept.
        ([{"num_units": 3, "keep_prob": 1e-20}], ValueError, "keeps no unit"),
        ([{"num_units": 3, "cell": ["gru"]}], ValueError, r"\['cell'\] must be one"),
    ],
)
def test_bad_rnn_layers(data, rnn_layers, error, message):
    X, y = data
    with pytest.raises(error, match=message):
        LSTMRegressor(rnn_layers, steps=5).fit(X, y)


@pytest.mark.parametrize(
    ("dense_layers", "message"),
    [
        ([0], r"dense_layers\[0\] must be a positive int"),
        ({"units": [3]}, "unknown keys"),
        ({"activation": "relu"}, "must give 'layers'"),
        ({"layers": [3], "activation": "nope"}, "not a Keras activation"),
        ({"layers": [3], "dropout": 1.5}, r"dropout'\] must be a float in \[0, 1\)"),
    ],
)
def test_bad_dense_layers(data, dense_layers, message):
    X, y = data
    with pytest.raises(ValueError, match=message):
        LSTMRegressor([4], dense_layers, steps=5).fit(X, y)


@pytest.mark.parametrize(
    ("dense_layers", "message"),
    [
        ({"layers": [3], "activation": 0}, r"\['activation'\] must be the name"),
        ({"layers": [3], "activation": ""}, r"\['activation'\] must be the name"),
        ({"layers": [3], "dropout": False}, r"\['dropout'\] must be a float"),
        ({"layers": {3: "x"}}, r"\['layers'\] must be a list of ints"),
    ],
)
def test_falsy_or_mistyped_dense_settings_are_not_defaults(data, dense_layers, message):
    X, y = data
    with pytest.raises(TypeError, match=message):
        LSTMRegressor([4], dense_layers, steps=5).fit(X, y)


def test_a_bool_is_no_learning_rate(data):
    X, y = data
    with pytest.raises(TypeError, match="learning_rate must be a float, not a bool"):
        LSTMRegressor(**{**FAST, "learning_rate": True}).fit(X, y)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"steps": -1}, "steps"),
        ({"steps": 0}, "steps"),
        ({"batch_size": 0}, "batch_size"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"early_stopping_rounds": 0}, "early_stopping_rounds"),
        ({"print_steps": 0}, "print_steps"),
    ],
)
def test_bad_numeric_parameters(data, params, name):
    X, y = data
    with pytest.raises(ValueError, match=f"The '{name}' parameter of LSTMRegressor"):
        LSTMRegressor(**{**FAST, **params}).fit(X, y)


def test_unknown_optimizer(data):
    X, y = data
    with pytest.raises(ValueError, match="optimizer must be one of"):
        LSTMRegressor(**FAST, optimizer="Momentum").fit(X, y)


def test_non_numeric_data(data):
    X, y = data
    with pytest.raises(ValueError, match="could not convert string to float"):
        LSTMRegressor(**FAST).fit(np.full((4, 3), "a"), np.zeros(4))
    with pytest.raises(ValueError, match="could not convert string to float"):
        LSTMRegressor(**FAST).fit(X, np.array(["x"] * 40))
    with pytest.raises(ValueError, match="X holds complex numbers"):
        LSTMRegressor(**FAST).fit(X.astype(complex), y)


def test_dates_are_no_window_values():
    # numpy would read the dates as nanoseconds since 1970.
    flat = pd.DataFrame(
        {"lag1": np.arange(4.0), "when": pd.date_range("2000", periods=4)}
    )
    with pytest.raises(ValueError, match="X column 'when' holds dates or times"):
        LSTMRegressor(**FAST).fit(flat, np.zeros(4))


def test_predict_before_fit(data):
    with pytest.raises(NotFittedError):
        LSTMRegressor().predict(data[0])


def test_feature_count_mismatch_at_predict(data):
    X, y = data
    model = LSTMRegressor(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features per time step, but"):
        model.predict(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match="windows of 4 time steps"):
        model.predict(np.zeros((2, 4, 2)))
    flat = LSTMRegressor(**FAST).fit(X[:, :, 0], y)
    with pytest.raises(ValueError, match="X has 4 features, but LSTMRegressor"):
        flat.predict(np.zeros((2, 4)))


def test_single_sample_needs_no_validation_split(data):
    X, y = data
    with pytest.raises(ValueError, match="got 1 sample"):
        LSTMRegressor(**FAST).fit(X[:1], y[:1])
    model = LSTMRegressor(**FAST, early_stopping_rounds=None).fit(X[:1], y[:1])
    assert model.predict(X[:1]).shape == (1,)


@pytest.mark.parametrize("estimator", [LSTMRegressor, LSTMClassifier])
def test_a_validation_fraction_that_holds_out_every_row_is_named(data, estimator):
    X, y = data
    labels = (y > 0.5).astype(int)
    target = y if estimator is LSTMRegressor else labels
    with pytest.raises(
        ValueError, match=r"validation_fraction=0\.99 holds out 40 of the 40 samples"
    ):
        estimator(**FAST, validation_fraction=0.99).fit(X, target)


def test_negative_or_zero_sample_weight(data):
    X, y = data
    with pytest.raises(ValueError, match="Negative values in data"):
        LSTMRegressor(**FAST).fit(X, y, sample_weight=-np.ones(40))
    with pytest.raises(ValueError, match="at least one non-zero"):
        LSTMRegressor(**FAST).fit(X, y, sample_weight=np.zeros(40))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"relative": "yes"}, r"'relative' parameter .* among {'auto'}"),
        ({"early_stopping_rounds": "soon"}, r"'early_stopping_rounds' parameter"),
        ({"early_stopping_rounds": 0}, r"'early_stopping_rounds' parameter"),
    ],
)
def test_relative_and_patience_values_are_checked(data, params, match):
    X, y = data
    model = LSTMRegressor(**FAST, **params)
    with pytest.raises(ValueError, match=match):
        model.fit(X, y)
    assert not hasattr(model, "model_")


def test_failed_refit_leaves_the_fitted_model_intact(data):
    X, y = data
    model = LSTMRegressor(**FAST).fit(X, y)
    before = model.predict(X)
    state = {k: v for k, v in vars(model).items() if k.endswith("_")}
    for bad_call in (
        lambda: model.fit(X[:, :, :1], np.full(40, np.nan)),
        lambda: model.set_params(rnn_layers=[0]).fit(X, y),
        lambda: model.set_params(rnn_layers=[4], steps=-5).fit(X, y),
    ):
        with pytest.raises(ValueError):
            bad_call()
    model.set_params(steps=20)
    np.testing.assert_array_equal(model.predict(X), before)
    assert model.n_features_in_ == state["n_features_in_"]
    assert model.history_ is state["history_"]


def test_failed_warm_start_restores_the_weights(data):
    X, y = data
    model = LSTMRegressor(**FAST, warm_start=True).fit(X, y)
    before = model.predict(X)
    with pytest.raises(
        ValueError,
        match=r"warm_start=True continues the fitted network, but rnn_layers "
        r"changed since it was built.*to change it",
    ):
        model.set_params(rnn_layers=[5]).fit(X, y)
    model.set_params(rnn_layers=[4])
    np.testing.assert_array_equal(model.predict(X), before)


def test_flattened_windows_of_several_features_are_refused():
    # WindowTransformer(flatten=True) of two columns, as pandas names them.
    names = ["a_lag2", "b_lag2", "a_lag1", "b_lag1", "a_lag0", "b_lag0"]
    flat = pd.DataFrame(np.random.RandomState(0).rand(20, 6), columns=names)
    with pytest.raises(ValueError, match=r"lags of 2 features \('a', 'b'\)"):
        LSTMRegressor(**FAST).fit(flat, np.zeros(20))
    # One feature's lags are its time steps.
    LSTMRegressor(**FAST).fit(flat[["a_lag2", "a_lag1", "a_lag0"]], np.zeros(20))


def _wave():
    series = np.sin(np.linspace(0, 20, 100)) + 2
    return np.stack([series[i : i + 5] for i in range(90)]), series[5:95]


def test_groups_are_checked_even_where_no_rows_are_held_out():
    X, y = _wave()
    plain = LSTMRegressor(**FAST, early_stopping_rounds=None, recency_halflife=None)
    with pytest.raises(ValueError, match="label each of the 90 rows of X"):
        plain.fit(X, y, groups=["a", "b"])
    with pytest.raises(ValueError, match="groups has missing labels"):
        plain.fit(X, y, groups=np.r_[np.nan, np.ones(89)])
    with pytest.raises(ValueError, match="groups must be 1-D"):
        plain.fit(X, y, groups={"a": 1})
    embedded = LSTMRegressor(**FAST, series_embedding=2)
    with pytest.raises(ValueError, match="groups has missing labels"):
        embedded.fit(X, y, groups=pd.array([None] + ["a"] * 89, dtype="string"))


def test_classes_and_labels_may_not_be_missing_or_nested():
    X, y = _wave()
    labels = (np.diff(np.r_[y[0], y]) > 0).astype(int)
    with pytest.raises(ValueError, match="classes has a missing label"):
        LSTMClassifier(**FAST).partial_fit(X, labels, classes=[0, 1, np.nan])
    with pytest.raises(ValueError, match=r"classes must be 1-D.*shape \(1, 2\)"):
        LSTMClassifier(**FAST).partial_fit(X, labels, classes=[[0, 1]])
    with pytest.raises(ValueError, match="y has a missing label"):
        LSTMClassifier(**FAST).fit(X, np.r_[None, labels[1:]].astype(object))


def test_series_attributes_keep_bools_and_integers_apart():
    X, y = _wave()
    kinds = {"kind": {"a": True, "b": 1, "c": 0}}
    with pytest.raises(TypeError, match="mixes bools and integers"):
        LSTMRegressor(**FAST, series_attributes=kinds).fit(
            X, y, groups=np.repeat(["a", "b", "c"], 30)
        )


@pytest.mark.parametrize("estimator", ["regressor", "classifier"])
def test_score_checks_its_weights_as_fit_does(estimator):
    X, y = _wave()
    if estimator == "classifier":
        y = (np.diff(np.r_[y[0], y]) > 0).astype(int)
        model = LSTMClassifier(**FAST).fit(X, y)
    else:
        model = LSTMRegressor(**FAST).fit(X, y)
    negative = np.r_[-np.ones(10), np.ones(80)]
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        model.score(X, y, sample_weight=negative)
    with pytest.raises(ValueError, match="at least one non-zero"):
        model.score(X, y, sample_weight=np.zeros(90))
    assert model.score(X, y, sample_weight=np.ones(90)) == model.score(X, y)


def test_held_out_rows_that_weigh_nothing_are_weighed_alike_with_a_warning():
    X, y = _wave()
    weights = np.r_[np.ones(81), np.zeros(9)]
    with pytest.warns(UserWarning, match="zero on every one of the 9 rows held"):
        weighted = LSTMRegressor(**FAST).fit(X, y, sample_weight=weights)
    alike = LSTMRegressor(**FAST).fit(
        X, y, sample_weight=np.r_[np.ones(81), np.ones(9)]
    )
    assert weighted.best_loss_ == pytest.approx(alike.best_loss_)
    fitted = LSTMRegressor(**FAST, early_stopping_rounds=None)
    assert fitted.fit(X, y, sample_weight=weights).n_iter_ == 20


def test_a_chunk_shaped_otherwise_keeps_the_shape_of_predictions():
    X, y = _wave()
    model = LSTMRegressor(**FAST).fit(X, y[:, None])
    model.partial_fit(X, y)
    assert model.predict(X[:2]).shape == (2, 1)


def test_a_logdir_that_is_a_file_is_named(tmp_path):
    X, y = _wave()
    afile = tmp_path / "afile"
    afile.write_text("")
    with pytest.raises(ValueError, match="logdir must be a folder"):
        LSTMRegressor(**FAST, logdir=afile).fit(X, y)


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        (dict(y=np.array(["a"] * 90)), ValueError, "y must be an array of numbers"),
        (dict(sample_weight=["a"] * 90), ValueError, "sample_weight must be an array"),
        (dict(sample_weight=iter([1.0] * 90)), TypeError, "sample_weight must be an"),
        (dict(X=[[1, 2], [1, 2, 3]], y=[1, 2]), ValueError, "X must be an array of"),
    ],
)
def test_values_that_are_no_numbers_name_their_argument(arguments, error, match):
    X, y = _wave()
    call = dict(X=X, y=y) | arguments
    with pytest.raises(error, match=match):
        LSTMRegressor(**FAST).fit(**call)


def test_assume_finite_does_not_let_a_missing_value_pass_for_padding():
    import sklearn

    X, y = _wave()
    windows = X.copy()
    windows[50, 0] = np.nan
    with sklearn.config_context(assume_finite=True):
        with pytest.raises(ValueError, match="X has a missing or infinite value"):
            LSTMRegressor(**FAST).fit(windows, y)
        weights = np.ones(90)
        weights[3] = np.nan
        with pytest.raises(ValueError, match="sample_weight has a missing"):
            LSTMRegressor(**FAST).fit(X, y, sample_weight=weights)


def test_a_failed_continued_fit_names_what_changed(data):
    X, y = data
    model = LSTMRegressor(**FAST, warm_start=True).fit(X, y)
    model.set_params(n_networks=2, optimizer="sgd")
    with pytest.raises(ValueError, match="but optimizer and n_networks changed"):
        model.fit(X, y)
    with pytest.raises(ValueError, match="but the number of targets"):
        LSTMRegressor(**FAST).fit(X, y).partial_fit(X, np.c_[y, y])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"batch_size": -3}, "batch_size"),
        ({"print_steps": 0}, "print_steps"),
        ({"verbose": "yes"}, "verbose"),
    ],
)
def test_partial_fit_checks_parameters_set_after_fitting(data, params, match):
    from sklearn.utils._param_validation import InvalidParameterError

    X, y = data
    model = LSTMRegressor(**FAST).fit(X, y)
    before, history = model.predict(X), model.history_
    with pytest.raises(InvalidParameterError, match=match):
        model.set_params(**params).partial_fit(X, y)
    np.testing.assert_array_equal(model.predict(X), before)
    assert model.history_ == history


def test_partial_fit_of_a_classifier_checks_label_smoothing(data):
    from sklearn.utils._param_validation import InvalidParameterError

    X, _ = data
    labels = (X[:, -1, 0] > 0.5).astype(int)
    model = LSTMClassifier(**FAST).fit(X, labels)
    with pytest.raises(InvalidParameterError, match="label_smoothing"):
        model.set_params(label_smoothing=1.5).partial_fit(X, labels)


@pytest.mark.parametrize("activation", ["threshold", "glu"])
def test_dense_activations_a_layer_cannot_end_in(data, activation):
    X, y = data
    dense = {"layers": [4], "activation": activation}
    with pytest.raises(ValueError, match=f"{activation!r} is not an activation a"):
        LSTMRegressor(**FAST, dense_layers=dense).fit(X, y)


@pytest.mark.filterwarnings("ignore:.*held out for early stopping")
@pytest.mark.parametrize(
    "sample_weight, name",
    [(None, "class_weight is zero"), (1.0, "sample_weight times class_weight")],
)
def test_zero_class_weights_are_named(data, sample_weight, name):
    X, _ = data
    labels = (X[:, -1, 0] > 0.5).astype(int)
    weights = None if sample_weight is None else np.full(len(X), sample_weight)
    model = LSTMClassifier(**FAST, class_weight={0: 0, 1: 0})
    with pytest.raises(ValueError, match=name):
        model.fit(X, labels, sample_weight=weights)


def test_a_continued_fit_names_held_out_targets_too_large_for_the_network():
    series = np.abs(np.cumsum(np.random.RandomState(0).normal(size=120))) + 5
    X, y = np.lib.stride_tricks.sliding_window_view(series[:-1], 5), series[5:]
    model = LSTMRegressor(**FAST, warm_start=True).fit(X, y)
    before = model.predict(X)
    wild = y.copy()
    wild[-1] = 1e200  # in the rows held out for early stopping
    with pytest.raises(ValueError, match="y has values beyond the network's float32"):
        model.fit(X, wild)
    np.testing.assert_array_equal(model.predict(X), before)


@pytest.mark.parametrize(
    "spoil, match",
    [
        (lambda y: np.r_[np.nan, y[1:]], "Input y contains NaN"),
        (lambda y: np.array(["a"] * len(y)), "y must be an array of numbers"),
        (lambda y: np.c_[y, y], r"y has shape \(\d+, 2\), but the model predicts"),
        (lambda y: y[:10], r"y has 10 rows, but X has \d+ windows"),
    ],
)
def test_score_names_targets_it_cannot_compare(data, spoil, match):
    X, y = data
    model = LSTMRegressor(**FAST, n_networks=1).fit(X, y)
    with pytest.raises(ValueError, match=match):
        model.score(X, spoil(y))
    assert model.score(X, y[:, None]) == model.score(X, y)
