"""Hostile input for both estimators: handled correctly, or a clear error early.

Every rejected case must raise a ValueError or TypeError that says what is
wrong, from sklstm, scikit-learn or NumPy, never from deep inside TensorFlow
or Keras. Handled cases are checked against the plain float case.
"""

from pathlib import Path

import numpy as np
import pytest

from sklstm import LSTMRegressor, WindowTransformer

TINY = dict(rnn_layers=[2], steps=5, random_state=0)
RNG = np.random.RandomState(0)
X = RNG.rand(30, 4, 2)
Y = RNG.rand(30)
FRAMEWORKS = ("tensorflow", "keras")


def _assert_clear(excinfo, match):
    """The error says what is wrong and was not raised inside TF or Keras."""
    assert excinfo.match(match)
    for entry in excinfo.traceback:
        parts = Path(str(entry.path)).parts
        assert not any(name in parts for name in FRAMEWORKS), (
            f"raised from {entry.path}"
        )


def _fit(X, y, **params):
    return LSTMRegressor(**{**TINY, **params}).fit(X, y)


@pytest.fixture(scope="module")
def fitted():
    return _fit(X, Y)


@pytest.fixture(scope="module")
def reference(fitted):
    return fitted.predict(X)


# ------------------------------------------------- LSTMRegressor: rejected
BAD_DATA = {
    "empty 3-D": (np.empty((0, 4, 2)), np.empty(0), ValueError, "0 sample"),
    "empty 2-D": (np.empty((0, 4)), np.empty(0), ValueError, "0 sample"),
    "no time steps": (np.empty((30, 0, 2)), Y, ValueError, "0 time steps"),
    "no features": (np.empty((30, 4, 0)), Y, ValueError, "0 features"),
    "no columns": (np.empty((30, 0)), Y, ValueError, "0 feature"),
    "4-D": (X[..., None], Y, ValueError, "got a 4-D array"),
    "1-D": (X[:, 0, 0], Y, ValueError, "Expected 2D array"),
    "scalar": (np.float64(3.0), Y, ValueError, "Expected 2D array"),
    "None X": (None, Y, ValueError, "Expected 2D array"),
    "ragged": ([[1.0, 2.0], [3.0]], [1.0, 2.0], ValueError, "inhomogeneous"),
    "object None": (np.full((30, 4), None), Y, ValueError, "contains NaN"),
    "object str": (np.full((30, 4), "a", object), Y, ValueError, "convert string"),
    "str": (np.full((30, 4, 2), "x"), Y, ValueError, "convert string"),
    "complex X": (X.astype(complex), Y, ValueError, "X holds complex numbers"),
    "complex y": (X, Y.astype(complex), ValueError, "y holds complex numbers"),
    "str y": (X, np.full(30, "z"), ValueError, "convert string"),
    "None y": (X, None, ValueError, "requires y"),
    "3-D y": (X, Y[:, None, None], ValueError, "y must be 1-D"),
    "short y": (X, Y[:5], ValueError, "inconsistent numbers of samples"),
    "inf X": (np.where(X > 0.5, np.inf, X), Y, ValueError, "infinity"),
    "y spread 1e300": (X, Y * 1e300, ValueError, "y spreads too widely"),
    "one sample": (X[:1], Y[:1], ValueError, "got 1 sample"),
}


@pytest.mark.parametrize(
    ("X_", "y_", "error", "match"), BAD_DATA.values(), ids=BAD_DATA
)
def test_bad_training_data(X_, y_, error, match):
    with pytest.raises(error) as excinfo:
        _fit(X_, y_)
    _assert_clear(excinfo, match)


BAD_SCALE = {
    "X beyond float32, unstandardised": (
        dict(standardize=False),
        X * 1e300,
        Y,
        "X has values beyond the network's float32 range",
    ),
    "y beyond float32, unstandardised": (
        dict(standardize=False),
        X,
        Y * 1e300,
        "y has values beyond the network's float32 range",
    ),
    "relative differences overflow": (
        dict(relative=True, rnn_layers=[2]),
        np.where(X > 0.5, 1.7e308, -1.7e308)[:, :, :1],
        Y,
        "X has values too large to standardise",
    ),
}


@pytest.mark.parametrize(
    ("params", "X_", "y_", "match"), BAD_SCALE.values(), ids=BAD_SCALE
)
def test_values_out_of_range(params, X_, y_, match):
    with pytest.raises(ValueError) as excinfo:
        _fit(X_, y_, **params)
    _assert_clear(excinfo, match)


BAD_WEIGHTS = {
    "negative": (-np.ones(30), "Negative values"),
    "all zero": (np.zeros(30), "at least one non-zero"),
    "zero on training rows": (np.r_[np.zeros(27), np.ones(3)], "every training row"),
    "nan": (np.full(30, np.nan), "NaN"),
    "inf": (np.full(30, np.inf), "infinity"),
    "short": (np.ones(3), r"shape == \(3,\), expected \(30,\)"),
    "2-D": (np.ones((30, 2)), "1D array or scalar"),
    "strings": (np.full(30, "w"), "convert string"),
}


@pytest.mark.parametrize(("weights", "match"), BAD_WEIGHTS.values(), ids=BAD_WEIGHTS)
def test_bad_sample_weight(weights, match):
    with pytest.raises(ValueError) as excinfo:
        LSTMRegressor(**TINY).fit(X, Y, sample_weight=weights)
    _assert_clear(excinfo, match)


COUNTS = ["steps", "batch_size", "print_steps", "early_stopping_rounds"]
BAD_PARAMS = [
    *[({name: value}, ValueError, name) for name in COUNTS for value in (0, -1)],
    *[({name: value}, ValueError, name) for name in COUNTS for value in (2.5, "3")],
    *[
        ({name: True}, TypeError, f"{name} must be an int, not a bool")
        for name in COUNTS
    ],
    ({"validation_fraction": 0}, ValueError, "validation_fraction"),
    ({"validation_fraction": 1}, ValueError, "validation_fraction"),
    ({"validation_fraction": -0.5}, ValueError, "validation_fraction"),
    ({"learning_rate": 0}, ValueError, "learning_rate"),
    ({"learning_rate": -0.1}, ValueError, "learning_rate"),
    ({"learning_rate": np.nan}, ValueError, "learning_rate"),
    ({"learning_rate": np.inf}, ValueError, "learning_rate"),
    ({"rnn_layers": [0]}, ValueError, r"rnn_layers\[0\] must be a positive int"),
    ({"rnn_layers": [3, -1]}, ValueError, r"rnn_layers\[1\] must be a positive int"),
    ({"rnn_layers": [1.5]}, TypeError, r"rnn_layers\[0\] must be a positive int"),
    ({"rnn_layers": [True]}, TypeError, r"rnn_layers\[0\] must be a positive int"),
    ({"rnn_layers": [{"num_units": 0}]}, ValueError, "num_units"),
    ({"rnn_layers": [{"num_units": 2.5}]}, TypeError, "num_units"),
    ({"rnn_layers": [{"num_units": 2, "keep_prob": 0}]}, ValueError, "keep_prob"),
    ({"rnn_layers": [{"num_units": 2, "dropout": 1}]}, ValueError, "dropout"),
    ({"rnn_layers": []}, ValueError, "at least one layer"),
    ({"rnn_layers": 3}, ValueError, "rnn_layers"),
    ({"dense_layers": [0]}, ValueError, r"dense_layers\[0\] must be a positive int"),
    ({"dense_layers": [0.5]}, TypeError, r"dense_layers\[0\] must be a positive int"),
    ({"dense_layers": {"layers": [-2]}}, ValueError, "dense_layers"),
    ({"dense_layers": {"layers": 3}}, TypeError, "must be a list of ints"),
    ({"dense_layers": "relu"}, ValueError, "dense_layers"),
    ({"optimizer": ""}, ValueError, "optimizer must be one of"),
    ({"optimizer": None}, ValueError, "optimizer"),
    ({"verbose": -1}, ValueError, "verbose"),
    ({"random_state": -1}, ValueError, "random_state"),
    ({"random_state": 2.5}, ValueError, "random_state"),
]


BAD_PREDICT = {
    "empty": (np.empty((0, 4, 2)), "0 sample"),
    "4-D": (X[..., None], "got a 4-D array"),
    "2-D": (X[:, :, 0], "fitted on 3-D input"),
    "features": (np.zeros((3, 4, 3)), "3 features per time step"),
    "time steps": (np.zeros((3, 5, 2)), "windows of 5 time steps"),
    "complex": (X.astype(complex), "X holds complex numbers"),
    "strings": (np.full((3, 4, 2), "a"), "convert string"),
    "nan": (np.full((3, 4, 2), np.nan), "NaN"),
    "1e300": (X * 1e300, "X has values beyond the network's float32 range"),
}


@pytest.mark.parametrize(("X_", "match"), BAD_PREDICT.values(), ids=BAD_PREDICT)
def test_bad_prediction_input(fitted, reference, X_, match):
    with pytest.raises(ValueError) as excinfo:
        fitted.predict(X_)
    _assert_clear(excinfo, match)
    # A failed call changes nothing.
    np.testing.assert_array_equal(fitted.predict(X), reference)


# -------------------------------------------------- LSTMRegressor: handled
def test_inputs_numpy_converts_exactly(fitted, reference):
    # Object arrays of numbers, numeric strings and narrower dtypes are the
    # same numbers: the same fit, the same predictions.
    for X_ in (X.astype(object), X.astype(str)):
        np.testing.assert_array_equal(_fit(X_, Y.astype(object)).predict(X_), reference)
        np.testing.assert_array_equal(fitted.predict(X_), reference)


def test_bool_targets_and_inputs():
    Xb, yb = X > 0.5, Y > 0.5
    model = _fit(Xb, yb)
    np.testing.assert_array_equal(
        model.predict(Xb), _fit(Xb.astype(float), yb.astype(float)).predict(Xb)
    )
    assert model.predict(Xb).dtype == np.float64


def test_one_sample_without_validation():
    model = _fit(X[:1], Y[:1], early_stopping_rounds=None)
    assert model.predict(X[:1]).shape == (1,)
    assert np.isfinite(model.predict(X)).all()


@pytest.mark.parametrize("exponent", [990, -990])
def test_huge_and_tiny_values_standardise_exactly(reference, exponent):
    # Scaling by a power of two is exact in floating point, so after
    # standardisation the network sees the very same numbers: 1e298 and
    # 1e-298 train and predict exactly as values near 1 do.
    scale = 2.0**exponent
    model = _fit(X * scale, Y)
    np.testing.assert_array_equal(model.predict(X * scale), reference)


def test_huge_targets_come_back_in_their_units(reference):
    scale = 2.0**400  # about 2.6e120
    model = _fit(X, Y * scale)
    np.testing.assert_array_equal(model.predict(X), reference * scale)
    assert np.isfinite(model.history_["train_loss"]).all()


def test_constant_features_do_not_amplify_rounding():
    # The mean of 2,000 copies of 0.1 is only known to rounding (about 1e-15
    # off): a column of them is constant and left unscaled, not divided by
    # that rounding error, which would turn a change of 1e-9 into 1e6.
    rng = np.random.RandomState(1)
    X_ = np.concatenate([rng.rand(500, 4, 2), np.full((500, 4, 1), 0.1)], axis=2)
    model = _fit(X_, rng.rand(500))
    assert model._scaling.x_scale[2] == 1.0 and model._scaling.x_mean[2] == 0.1
    moved = X_.copy()
    moved[:, :, 2] += 1e-9
    np.testing.assert_allclose(model.predict(moved), model.predict(X_), atol=1e-6)


def test_huge_sample_weights():
    weighted = LSTMRegressor(**TINY).fit(X, Y, sample_weight=np.full(30, 1e308))
    plain = LSTMRegressor(**TINY).fit(X, Y)
    np.testing.assert_array_equal(weighted.predict(X), plain.predict(X))


# ---------------------------------------------------- WindowTransformer
SERIES = np.arange(12.0).reshape(6, 2)
BAD_SERIES = {
    "empty": (np.empty(0), ValueError, "0 sample"),
    "empty 2-D": (np.empty((0, 2)), ValueError, "0 sample"),
    "no columns": (np.empty((5, 0)), ValueError, "0 feature"),
    "3-D": (np.zeros((3, 2, 2)), ValueError, "got a 3-D array"),
    "4-D": (np.zeros((3, 2, 2, 1)), ValueError, "got a 4-D array"),
    "scalar": (np.float64(3.0), ValueError, "got a 0-D array"),
    "None": (None, ValueError, "got a 0-D array"),
    "object str": (np.array(["a", "b"], dtype=object), ValueError, "convert string"),
    "complex": (SERIES.astype(complex), ValueError, "X holds complex numbers"),
    "inf": (np.where(SERIES > 3, np.inf, SERIES), ValueError, "infinity"),
}


@pytest.mark.parametrize(("X_", "error", "match"), BAD_SERIES.values(), ids=BAD_SERIES)
def test_window_transformer_bad_series(X_, error, match):
    with pytest.raises(error) as excinfo:
        WindowTransformer(3).fit_transform(X_)
    _assert_clear(excinfo, match)


BAD_WINDOW_PARAMS = [
    ({"time_steps": 0}, ValueError, "time_steps"),
    ({"time_steps": -2}, ValueError, "time_steps"),
    ({"time_steps": 2.5}, ValueError, "time_steps"),
    ({"time_steps": 2.0}, ValueError, "time_steps"),
    ({"time_steps": "3"}, ValueError, "time_steps"),
    ({"time_steps": None}, ValueError, "time_steps"),
    ({"time_steps": True}, TypeError, "time_steps must be an int, not a bool"),
    ({"flatten": 1}, ValueError, "flatten"),
    ({"padding": "zero"}, ValueError, "padding"),
    ({"fill_value": np.nan}, ValueError, "fill_value"),
    ({"fill_value": np.inf}, ValueError, "fill_value"),
    ({"fill_value": "0"}, ValueError, "fill_value"),
]


def _fit_regressor(**params):
    _fit(X, Y, **params)


def _fit_window_transformer(**params):
    WindowTransformer(**params).fit(SERIES)


# Each estimator's bad parameters, with the error and the words it must say.
BAD_PARAMETER_CASES = [
    *((_fit_regressor, *case) for case in BAD_PARAMS),
    *((_fit_window_transformer, *case) for case in BAD_WINDOW_PARAMS),
]


@pytest.mark.parametrize(
    ("fit", "params", "error", "match"),
    BAD_PARAMETER_CASES,
    ids=[f"{fit.__name__}-{params!r}" for fit, params, _, _ in BAD_PARAMETER_CASES],
)
def test_bad_parameters(fit, params, error, match):
    with pytest.raises(error) as excinfo:
        fit(**params)
    _assert_clear(excinfo, match)


def test_window_transformer_mismatched_features():
    transformer = WindowTransformer(3).fit(SERIES)
    for other, match in (
        (np.zeros((4, 3)), "X has 3 features, but WindowTransformer is expecting 2"),
        (np.zeros(4), "X is 1-D, which reads as a series of one feature"),
    ):
        with pytest.raises(ValueError) as excinfo:
            transformer.transform(other)
        _assert_clear(excinfo, match)


@pytest.mark.parametrize(
    "series",
    [
        SERIES[:1],
        SERIES.astype(object),
        SERIES.astype(str),
        SERIES > 5,
        SERIES * 1e300,
        SERIES * 1e-300,
        SERIES.astype(np.float16),
        SERIES.astype(np.uint8),
    ],
    ids=["one row", "object", "str", "bool", "1e300", "1e-300", "float16", "uint8"],
)
def test_window_transformer_handles(series):
    windows = WindowTransformer(4).fit_transform(series)
    as_float = np.asarray(series, dtype=np.float64)
    assert windows.shape == (len(series), 4, 2)
    np.testing.assert_array_equal(windows[:, -1], as_float)
    np.testing.assert_array_equal(windows[0], np.repeat(as_float[:1], 4, axis=0))
