"""WindowTransformer and the windowing functions: values, views, names."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

from sklstm import WindowTransformer
from sklstm._window import causal_windows


def test_windows_are_causal_and_edge_padded():
    series = np.arange(6.0)
    windows = WindowTransformer(3).fit_transform(series)
    assert windows.shape == (6, 3, 1)
    expected = [[0, 0, 0], [0, 0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]
    np.testing.assert_array_equal(windows[..., 0], expected)
    # Row i ends with row i itself and never holds anything later.
    for i in range(6):
        assert windows[i, -1, 0] == series[i]
        assert windows[i].max() <= series[i]


def test_constant_padding_uses_fill_value():
    windows = WindowTransformer(3, padding="constant", fill_value=-1.0).fit_transform(
        np.arange(1.0, 4.0)
    )
    np.testing.assert_array_equal(windows[..., 0], [[-1, -1, 1], [-1, 1, 2], [1, 2, 3]])


def test_windows_are_a_view_not_a_copy():
    series = np.random.RandomState(0).rand(1000, 2)
    windows = WindowTransformer(50).fit_transform(series)
    assert windows.shape == (1000, 50, 2)
    assert not windows.flags.owndata
    assert not windows.flags.writeable
    # The memory behind the view is the padded series, not 50 copies of it.
    assert windows.base is not None
    assert np.shares_memory(windows, windows[0])
    base = windows
    while base.base is not None:
        base = base.base
    assert base.nbytes == (1000 + 49) * 2 * 8


def test_time_steps_one_is_the_series_itself():
    series = np.arange(4.0).reshape(-1, 1)
    windows = WindowTransformer(1).fit_transform(series)
    np.testing.assert_array_equal(windows[:, 0, :], series)


def test_multivariate_windows_keep_feature_order():
    series = np.c_[np.arange(5.0), 10 * np.arange(5.0)]
    windows = WindowTransformer(2).fit_transform(series)
    np.testing.assert_array_equal(windows[3], [[2, 20], [3, 30]])


def test_flatten_gives_2d_with_readable_names():
    frame = pd.DataFrame({"sin": np.arange(5.0), "cos": -np.arange(5.0)})
    transformer = WindowTransformer(3, flatten=True).fit(frame)
    flat = transformer.transform(frame)
    assert flat.shape == (5, 6)
    names = transformer.get_feature_names_out()
    assert names.tolist() == [
        "sin_lag2",
        "cos_lag2",
        "sin_lag1",
        "cos_lag1",
        "sin_lag0",
        "cos_lag0",
    ]
    np.testing.assert_array_equal(flat[4], [2, -2, 3, -3, 4, -4])
    np.testing.assert_array_equal(transformer.feature_names_in_, ["sin", "cos"])


def test_flatten_agrees_with_3d():
    series = np.random.RandomState(1).rand(20, 3)
    windows = WindowTransformer(4).fit_transform(series)
    flat = WindowTransformer(4, flatten=True).fit_transform(series)
    np.testing.assert_array_equal(flat, windows.reshape(20, -1))


@pytest.mark.parametrize("time_steps", [1, 3])
def test_flat_output_is_a_writeable_copy(time_steps):
    series = np.arange(6.0).reshape(-1, 1)
    flat = WindowTransformer(time_steps, flatten=True).fit_transform(series)
    assert flat.flags.writeable and not np.shares_memory(flat, series)
    flat[0] = -1.0
    assert series[0, 0] == 0.0


def test_feature_names_only_for_flat_output():
    transformer = WindowTransformer(3).fit(np.zeros((4, 2)))
    assert not hasattr(transformer, "get_feature_names_out")
    # 3-D windows stay arrays, so that a pipeline's set_output goes through.
    assert transformer.set_output(transform="pandas") is transformer
    assert isinstance(transformer.transform(np.zeros((4, 2))), np.ndarray)
    pipeline = make_pipeline(WindowTransformer(3), LinearRegression())
    assert pipeline.set_output(transform="pandas") is pipeline
    # The setting waits for flat windows, which have columns to name.
    transformer.set_params(flatten=True)
    assert list(transformer.fit_transform(pd.DataFrame({"v": [1.0, 2.0, 3.0]}))) == [
        "v_lag2",
        "v_lag1",
        "v_lag0",
    ]
    with pytest.raises(ValueError, match="transform must be 'default', 'pandas'"):
        WindowTransformer(3).set_output(transform="bogus")


def test_flat_output_as_pandas():
    frame = pd.DataFrame({"a": np.arange(4.0)})
    out = WindowTransformer(2, flatten=True).set_output(transform="pandas")
    result = out.fit_transform(frame)
    assert list(result.columns) == ["a_lag1", "a_lag0"]


def test_pandas_series_input_keeps_its_name():
    series = pd.Series(np.arange(5.0), name="level")
    transformer = WindowTransformer(2, flatten=True).fit(series)
    assert transformer.get_feature_names_out().tolist() == ["level_lag1", "level_lag0"]


def test_linear_model_behind_flat_windows_is_exact_on_sine():
    series = np.sin(np.linspace(0, 50, 2000))
    X, y = series[:-1, None], series[1:]
    windows = WindowTransformer(5, flatten=True).fit_transform(X)[4:]
    model = LinearRegression().fit(windows, y[4:])
    assert np.mean((model.predict(windows) - y[4:]) ** 2) < 1e-12
    # In a pipeline the padded first rows cost a little, and nothing more.
    pipe = make_pipeline(WindowTransformer(5, flatten=True), LinearRegression())
    assert pipe.fit(X, y).score(X, y) > 0.999


def test_dtype_is_preserved():
    series = np.arange(6, dtype=np.float32)
    assert WindowTransformer(2).fit_transform(series).dtype == np.float32


@pytest.mark.parametrize("time_steps", [0, -2, 1.5])
def test_bad_time_steps(time_steps):
    with pytest.raises((ValueError, TypeError), match="time_steps"):
        WindowTransformer(time_steps).fit(np.arange(5.0))


def test_3d_input_is_rejected():
    with pytest.raises(ValueError, match="got a 3-D array"):
        WindowTransformer(2).fit(np.zeros((3, 2, 2)))


def test_feature_count_mismatch_at_transform():
    transformer = WindowTransformer(2).fit(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="X has 3 features"):
        transformer.transform(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="Reshape your data"):
        transformer.transform(np.zeros(5))


def test_infinity_rejected_nan_passes_through():
    with pytest.raises(ValueError, match="infinity"):
        WindowTransformer(2).fit(np.array([1.0, np.inf]))
    with pytest.warns(UserWarning, match="reads a step whose every feature is NaN"):
        windows = WindowTransformer(2).fit_transform(np.array([1.0, np.nan, 3.0]))
    assert np.isnan(windows[1, 1, 0]) and windows[2, 1, 0] == 3.0
    # Flat windows are for models of their own, which may take NaN: no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        flat = WindowTransformer(2, flatten=True).fit_transform([1.0, np.nan, 3.0])
    assert np.isnan(flat[1, 1])


def test_non_numeric_rejected():
    with pytest.raises(ValueError, match="could not convert"):
        WindowTransformer(2).fit(np.array(["a", "b"]))


@pytest.mark.parametrize(
    "column",
    [
        pd.date_range("2000", periods=3),
        pd.to_timedelta(np.arange(3), "D"),
        pd.period_range("2000", periods=3, freq="M"),
    ],
)
def test_dates_and_durations_rejected(column):
    table = pd.DataFrame({"value": [1.0, 2.0, 3.0], "when": column})
    with pytest.raises(ValueError, match="X column 'when' holds dates or times"):
        WindowTransformer(2).fit(table)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((np.zeros((5, 1)), 0), {}, ValueError, "time_steps must be an int >= 1"),
        ((np.zeros((5, 1)), 2.0), {}, TypeError, "time_steps must be an int >= 1"),
        ((np.zeros(5), 2), {}, ValueError, r"2-D array .* got \(5,\)"),
        ((np.zeros((5, 1)), 2), {"padding": "Edge"}, ValueError, "padding must be"),
    ],
)
def test_causal_windows_checks_its_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        causal_windows(*args, **kwargs)


def test_causal_windows_function_matches_transformer():
    series = np.random.RandomState(2).rand(10, 2)
    np.testing.assert_array_equal(
        causal_windows(series, 4), WindowTransformer(4).fit_transform(series)
    )
