"""scikit-learn's own estimator checks, with only the documented exceptions."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

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


@parametrize_with_checks(
    [
        LSTMRegressor(rnn_layers=[8], steps=300, batch_size=32, random_state=0),
        LSTMRegressor(random_state=0),
        # Several networks averaged, and one of the default size.
        LSTMClassifier(
            rnn_layers=[8], n_networks=2, steps=300, batch_size=32, random_state=0
        ),
        LSTMClassifier(n_networks=1, random_state=0),
        WindowTransformer(),
        WindowTransformer(3, flatten=True),
    ],
    expected_failed_checks=expected_failures,
)
def test_scikit_learn_checks(estimator, check, tensorflow_log):
    check(estimator)
    # Checks refit on many shapes of data; none may make TensorFlow retrace
    # (and warn about it).
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
