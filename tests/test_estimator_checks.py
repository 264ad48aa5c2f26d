"""scikit-learn's own estimator checks, with only the documented exceptions."""

import functools

import pytest
from sklearn.utils.estimator_checks import estimator_checks_generator

from sklstm import LSTMClassifier, LSTMRegressor, WindowTransformer

SAMPLE_WEIGHT_REASON = (
    "mini-batch SGD draws different batches when rows are repeated instead of "
    "weighted, so the fits differ (scikit-learn marks the same checks as "
    "expected failures for SGDRegressor)"
)
ONE_D_REASON = (
    "a 1-D array is a univariate series by design (the documented input of "
    "a series), so fitting on it succeeds instead of raising"
)
ORDER_REASON = (
    "windows are built from the rows before each row, so reordering or "
    "subsetting the rows changes every window by design"
)


def expected_failures(estimator):
    if isinstance(estimator, (LSTMRegressor, LSTMClassifier)):
        return {"check_sample_weight_equivalence_on_dense_data": SAMPLE_WEIGHT_REASON}
    return {
        "check_methods_sample_order_invariance": ORDER_REASON,
        "check_methods_subset_invariance": ORDER_REASON,
        "check_fit1d": ONE_D_REASON,
    }


# The checks whose outcome depends on what a fit learns: its scores, its
# predictions' consistency, its determinism and what survives a pickle. They
# run on networks of the default size (test_scikit_learn_checks_at_the_default_size);
# the other checks probe parameters and input validation, which do not depend
# on the network's size, and run on small networks.
FITTED_MODEL_CHECKS = {
    "check_regressors_train",
    "check_regressors_int",
    "check_regressor_multioutput",
    "check_classifiers_train",
    "check_classifiers_classes",
    "check_classifiers_one_label",
    "check_class_weight_classifiers",
    "check_decision_proba_consistency",
    "check_supervised_y_2d",
    "check_fit_idempotent",
    "check_estimators_pickle",
    "check_pipeline_consistency",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
}


def _check_name(check) -> str:
    return (check.func if isinstance(check, functools.partial) else check).__name__


def _check_id(check) -> str:
    keywords = getattr(check, "keywords", {})
    options = ",".join(f"{key}={value}" for key, value in keywords.items())
    return f"{_check_name(check)}({options})" if options else _check_name(check)


def _every_check(estimators):
    """scikit-learn's checks of each estimator, as parametrize_with_checks
    gives them, except that a network's fitted-model checks are left to the
    networks of the default size, and that a check known to fail
    (``expected_failures``) is marked without being run: its fits cost half a
    minute and a non-strict xfail could not fail anyway."""
    for estimator in estimators:
        failures = expected_failures(estimator)
        network = isinstance(estimator, (LSTMRegressor, LSTMClassifier))
        # The estimator's repr without spaces, as parametrize_with_checks
        # names it.
        label = "".join(repr(estimator).split())
        for _, check in estimator_checks_generator(estimator, mark=None):
            name = _check_name(check)
            if network and name in FITTED_MODEL_CHECKS:
                continue
            marks = (
                [pytest.mark.xfail(reason=failures[name], run=False)]
                if name in failures
                else []
            )
            yield pytest.param(
                estimator, check, marks=marks, id=f"{label}-{_check_id(check)}"
            )


@pytest.mark.parametrize(
    ("estimator", "check"),
    list(
        _every_check(
            [
                LSTMRegressor(rnn_layers=[8], steps=300, batch_size=32, random_state=0),
                # One network here; the fitted-model checks average two.
                LSTMClassifier(
                    rnn_layers=[8],
                    n_networks=1,
                    steps=300,
                    batch_size=32,
                    random_state=0,
                ),
                WindowTransformer(),
                WindowTransformer(3, flatten=True),
            ]
        )
    ),
)
def test_scikit_learn_checks(estimator, check, tensorflow_log):
    check(estimator)
    # Checks refit on many shapes of data; none may make TensorFlow retrace
    # (and warn about it).
    assert not [m for m in tensorflow_log if "retracing" in m]


DEFAULT_SIZE_CHECKS = [
    pytest.param(estimator, check, id=f"{type(estimator).__name__}-{_check_id(check)}")
    for estimator in (
        LSTMRegressor(random_state=0),
        # Several networks averaged: what survives a pickle, a refit or a
        # reordering is their average.
        LSTMClassifier(n_networks=2, random_state=0),
    )
    for _, check in estimator_checks_generator(estimator)
    if _check_name(check) in FITTED_MODEL_CHECKS
]


def test_default_size_checks_cover_every_fitted_model_check():
    names = {_check_name(param.values[1]) for param in DEFAULT_SIZE_CHECKS}
    assert names == FITTED_MODEL_CHECKS


@pytest.mark.parametrize(("estimator", "check"), DEFAULT_SIZE_CHECKS)
def test_scikit_learn_checks_at_the_default_size(estimator, check, tensorflow_log):
    check(estimator)
    assert not [m for m in tensorflow_log if "retracing" in m]


def test_tags_are_truthful():
    tags = LSTMRegressor().__sklearn_tags__()
    assert not tags.non_deterministic
    assert not tags.regressor_tags.poor_score
    assert tags.input_tags.three_d_array
    assert tags.target_tags.multi_output
    # NaN is padding of 3-D sequences only, never a missing value.
    assert not tags.input_tags.allow_nan
    classifier_tags = LSTMClassifier().__sklearn_tags__()
    assert classifier_tags.estimator_type == "classifier"
    assert not classifier_tags.classifier_tags.poor_score
    assert not classifier_tags.classifier_tags.multi_label
    assert not classifier_tags.non_deterministic
    window_tags = WindowTransformer().__sklearn_tags__()
    assert not window_tags.non_deterministic


@pytest.mark.parametrize("estimator", [LSTMRegressor(), WindowTransformer()])
def test_time_steps_is_first_positional(estimator):
    # make_pipeline(WindowTransformer(10), LSTMRegressor(...)) must read as written.
    assert WindowTransformer(7).time_steps == 7
    assert LSTMRegressor([4]).rnn_layers == [4]
