"""The public functions refuse what they cannot read, naming the argument,
rather than reading dates as nanoseconds or casting a value without a word."""

import numpy as np
import pandas as pd
import pytest

import sklstm
from sklstm import (
    PanelSplit,
    WindowTransformer,
    causal_windows,
    datasets,
    fourier_terms,
    horizon_targets,
    mape,
    mase,
    pad_sequences,
    window_feature_names,
)

DATES = pd.Series(pd.date_range("2020-01-01", periods=30))


@pytest.mark.parametrize(
    "call",
    [
        lambda: horizon_targets(DATES, 1),
        lambda: horizon_targets(DATES.to_numpy(), 1),
        lambda: pad_sequences([DATES]),
        lambda: pad_sequences([DATES.to_frame()]),
        lambda: datasets.split_data(DATES),
        lambda: datasets.window_data(DATES, 3),
        lambda: datasets.prepare_data(DATES, 3),
        lambda: datasets.sin(pd.DatetimeIndex(DATES)),
    ],
)
def test_dates_are_refused_wherever_a_series_is_read(call):
    with pytest.raises(ValueError, match="dates or times"):
        call()


def test_a_series_of_words_names_its_column():
    with pytest.raises(ValueError, match="column 'y' holds values that are not"):
        horizon_targets(pd.Series(["a", "b", "c"]), 1)


def test_targets_must_come_in_an_order_and_name_one_column():
    series = np.arange(6.0).reshape(3, 2)
    with pytest.raises(TypeError, match="set, which has no order"):
        horizon_targets(series, 1, targets={0, 1})
    with pytest.raises(TypeError, match="dict, which has no order"):
        horizon_targets(series, 1, targets={0: "a"})
    twins = pd.DataFrame(series, columns=["a", "a"])
    with pytest.raises(ValueError, match="'a', which is the name of 2 columns"):
        horizon_targets(twins, 1, targets="a")
    assert horizon_targets(twins, 1, targets=[1]).to_numpy()[:, 0].tolist() == [
        3.0,
        5.0,
    ]


def test_constant_padding_keeps_its_value_or_refuses_it():
    integers = np.array([[1], [2]])
    windows = causal_windows(integers, 2, padding="constant", fill_value=0.5)
    assert windows[..., 0].tolist() == [[0.5, 1.0], [1.0, 2.0]]
    small = np.zeros((2, 1), np.int8)
    windows = causal_windows(small, 2, padding="constant", fill_value=1000)
    assert windows[0, 0, 0] == 1000
    assert causal_windows(small, 2, padding="constant", fill_value=3).dtype == np.int8
    for bad in (np.nan, np.inf):
        with pytest.raises(ValueError, match="fill_value must be a finite real"):
            causal_windows(integers, 2, padding="constant", fill_value=bad)
    for bad in (None, "a", True):
        with pytest.raises(TypeError, match="fill_value must be a finite real"):
            causal_windows(integers, 2, padding="constant", fill_value=bad)
    with pytest.raises(ValueError, match="float32 windows can hold; got 1e"):
        WindowTransformer(2, padding="constant", fill_value=1e300).fit_transform(
            np.ones(3, np.float32)
        )


def test_a_fill_value_set_after_fit_is_checked_when_windowing():
    fitted = WindowTransformer(2, padding="constant").fit(np.ones(3))
    fitted.set_params(fill_value=np.nan)
    with pytest.raises(ValueError, match="fill_value must be a finite real"):
        fitted.transform(np.ones(3))
    panel = pd.DataFrame({"id": ["a", "a", "b", "b"], "v": [1.0, 2.0, 3.0, 4.0]})
    fitted = WindowTransformer(2, padding="constant", series_id="id").fit(panel)
    with pytest.raises(ValueError, match="fill_value must be a finite real"):
        fitted.set_params(fill_value=np.inf).transform(panel)


def test_windows_of_no_rows_are_refused():
    with pytest.raises(ValueError, match="series has no rows"):
        causal_windows(np.zeros((0, 1)), 1)


def test_a_failed_fit_keeps_the_fitted_names():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [10.0, 20.0]})
    fitted = WindowTransformer(1, flatten=True).fit(frame)
    for bad in (np.array([[1.0, np.inf]]), np.zeros((0, 2))):
        with pytest.raises(ValueError):
            fitted.fit(bad)
        assert fitted.feature_names_in_.tolist() == ["a", "b"]


def test_a_panel_array_of_words_names_the_column():
    table = np.array([["a", "x"], ["a", "y"]], dtype=object)
    with pytest.raises(ValueError, match="column 1 holds values that are not"):
        WindowTransformer(2, series_id=0).fit(table)
    numbers = np.array([["a", "1"], ["a", "2"]], dtype=object)
    windows = WindowTransformer(2, series_id=0).fit_transform(numbers)
    assert windows[..., 0].tolist() == [[1.0, 1.0], [1.0, 2.0]]


@pytest.mark.parametrize(
    ("names", "time_steps", "error", "match"),
    [
        (["a"], 0, ValueError, "time_steps must be an int >= 1"),
        (["a"], True, TypeError, "time_steps must be an int >= 1"),
        (["a"], 2.0, TypeError, "time_steps must be an int >= 1"),
        ("sales", 1, ValueError, "feature_names must be a 1-D list"),
        (None, 2, ValueError, "feature_names must be a 1-D list"),
    ],
)
def test_window_feature_names_checks_its_arguments(names, time_steps, error, match):
    with pytest.raises(error, match=match):
        window_feature_names(names, time_steps)


def test_pad_sequences_refuses_what_is_no_list_of_sequences():
    with pytest.raises(ValueError, match="sequence 0 has no features"):
        pad_sequences([np.zeros((2, 0))])
    with pytest.raises(TypeError, match=r"got a 1-D array\. Put a single sequence"):
        pad_sequences(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="value must be finite"):
        pad_sequences([[1.0]], value=10**400)
    assert pad_sequences(np.array([[1.0, 2.0], [3.0, 4.0]])).shape == (2, 2, 1)


def test_fourier_terms_refuses_durations_and_huge_positions():
    with pytest.raises(ValueError, match="rows holds durations"):
        fourier_terms(pd.timedelta_range("0D", periods=3, freq="D"), 7, harmonics=1)
    with pytest.raises(ValueError, match="too large for a row position"):
        fourier_terms(np.array([1e30]), 4)
    with pytest.raises(ValueError, match="too large for a row position"):
        fourier_terms(np.array([2**63 + 5], dtype=np.uint64), 4)


def test_mase_never_returns_an_infinity_and_reads_frames_by_row():
    with pytest.raises(ValueError, match="finite float"):
        mase([1.0, 2.0], [1.5, 2.5], [0.0, 1e-320])
    with pytest.raises(ValueError, match="finite float"):
        mase([1e308], [-1e308], [0.0, 1.0])
    with pytest.raises(ValueError, match="changes by amounts too small"):
        mase([1.0, 2.0], [1.0, 3.0], [0.0, 5e-324, 0.0])
    with pytest.raises(ValueError, match="y_true holds complex numbers"):
        mape([1 + 1j], [1.0])
    # Differences of values near the float limit overflow unless halved.
    assert mase([1e300, 1e300], [1e300, -1e300], [1e308, -1e308, 1e308]) == 5e-9
    truth, forecasts = [[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 5.0]]
    train = [[1.0, 2.0, 3.0], [3.0, 5.0, 9.0]]
    expected = mase(truth, forecasts, np.array(train))
    assert expected == pytest.approx(1 / 12)
    assert mase(truth, forecasts, pd.DataFrame(train)) == expected
    with pytest.raises(ValueError, match=r"sequence of training parts.*got dict"):
        mase(truth, forecasts, {0: train[0], 1: train[1]})


def test_ragged_metric_input_names_the_argument():
    with pytest.raises(ValueError, match="y_true must hold numbers"):
        mape([[1.0, 2.0], [3.0]], [[1.0, 2.0], [3.0]])


def test_panel_split_names_groups_of_the_wrong_length():
    with pytest.raises(ValueError, match="groups has 5 labels but X has 9 rows"):
        next(PanelSplit(1).split(np.zeros((9, 1)), groups=["a"] * 5))


def test_set_config_wants_the_engine_as_a_string():
    with pytest.raises(ValueError, match="engine must be one of"):
        sklstm.set_config(engine=np.array(["xla"]))
    assert sklstm.get_config()["engine"] == "auto"


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: datasets.post_x(True), TypeError, "n_points must be an int"),
        (lambda: datasets.post_x(2.5), TypeError, "n_points must be an int"),
        (lambda: datasets.post_x(-1), ValueError, "n_points must be an int"),
        (lambda: datasets.post_x(3, stop=np.nan), ValueError, "stop must be finite"),
        (lambda: datasets.post_x(3, stop="1"), TypeError, "stop must be a real"),
        (lambda: datasets.sin(None), ValueError, "x must be a 1-D array"),
        (lambda: datasets.sin_cos(np.zeros((2, 2))), ValueError, "x must be a 1-D"),
        (lambda: datasets.x_sin([0.0, np.inf]), ValueError, "x has a missing"),
        (
            lambda: datasets.generate_data(np.sin, np.zeros((5, 2))),
            ValueError,
            "x must be a 1-D",
        ),
        (
            lambda: datasets.prepare_data(np.arange(100.0), time_steps=0),
            ValueError,
            "^time_steps must be a positive int",
        ),
    ],
)
def test_the_post_s_helpers_check_their_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_numpy_dates_are_refused_by_the_transformer_and_the_regressor():
    with pytest.raises(ValueError, match="X holds dates or times"):
        WindowTransformer(3).fit(np.arange(10).astype("M8[D]"))
    windows = np.zeros((20, 4, 1))
    with pytest.raises(ValueError, match="y holds dates or times"):
        sklstm.LSTMRegressor([4], steps=5).fit(windows, np.arange(20).astype("M8[D]"))


COMPLEX = np.sin(np.arange(40.0)) + 1j


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: horizon_targets(COMPLEX, 1), "series holds complex numbers"),
        (
            lambda: horizon_targets(pd.DataFrame({"y": COMPLEX}), 1),
            "series column 'y' holds complex numbers",
        ),
        (lambda: pad_sequences([COMPLEX[:5]]), "sequence 0 holds complex numbers"),
        (
            lambda: WindowTransformer(3).fit(pd.DataFrame({"y": COMPLEX})),
            "X column 'y' holds complex numbers",
        ),
        (lambda: WindowTransformer(3).fit(COMPLEX), "X holds complex numbers"),
    ],
)
def test_complex_numbers_are_refused_not_cast_to_their_real_part(call, match):
    with pytest.raises(ValueError, match=match):
        call()
