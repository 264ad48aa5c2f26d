"""The post's series, its chronological split and per-part windows."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from sklstm.datasets import (
    TASKS,
    generate_data,
    post_x,
    prepare_data,
    sin_cos,
    split_data,
    split_points,
    window_data,
    x_sin,
)


def test_series_are_the_posts():
    x = post_x()
    assert x.shape == (10_000,)
    assert (x[0], x[-1]) == (0.0, 100.0)
    assert_array_equal(TASKS["sin"](x), np.sin(x))
    assert_array_equal(sin_cos(x), np.c_[np.sin(x), np.cos(x)])
    assert_array_equal(x_sin(x), x * np.sin(x))


def test_split_points_on_the_posts_series():
    # test = last 10% (1,000 rows), validation = last 10% of the rest (900).
    assert split_points(10_000) == (8100, 9000)


def test_split_points_round_halves_up_as_python_2_did():
    # 14 * 0.75 = 10.5: Python 3's round() gives 10, the post's Python 2 gave 11.
    assert split_points(14, val_size=0.1, test_size=0.25) == (10, 11)
    assert split_points(14, val_size=0.0, test_size=0.0) == (14, 14)


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (-0.1, ValueError),
        (1.0, ValueError),
        (1.5, ValueError),
        (True, TypeError),
        ("0.1", TypeError),
        (None, TypeError),
    ],
)
def test_split_rejects_bad_fractions(bad, error):
    with pytest.raises(error, match="val_size must be a float in"):
        split_points(100, val_size=bad)
    with pytest.raises(error, match="test_size must be a float in"):
        split_points(100, test_size=bad)


@pytest.mark.parametrize(
    ("bad", "error"), [(-10, ValueError), (True, TypeError), (10.7, TypeError)]
)
def test_split_rejects_bad_lengths(bad, error):
    with pytest.raises(error, match="n_rows must be an int >= 0"):
        split_points(bad)


def test_split_data_parts_are_consecutive_and_complete():
    series = np.arange(10_000.0)
    train, val, test = split_data(series)
    assert_array_equal(train, np.arange(8100.0))
    assert_array_equal(val, np.arange(8100.0, 9000.0))
    assert_array_equal(test, np.arange(9000.0, 10_000.0))


def test_split_data_reads_dataframes_like_arrays():
    values = np.c_[np.arange(50.0), -np.arange(50.0)]
    frame = pd.DataFrame(values, columns=["a", "b"])
    for from_frame, from_array in zip(
        split_data(frame), split_data(values), strict=True
    ):
        assert_array_equal(from_frame, from_array)


def test_window_data_pairs_each_window_with_the_next_row():
    part = np.arange(30.0) ** 2
    X, y = window_data(part, time_steps=4)
    assert X.shape == (26, 4, 1)
    assert y.shape == (26,)
    for i in range(len(X)):
        assert_array_equal(X[i, :, 0], part[i : i + 4])
        assert y[i] == part[i + 4]


def test_window_data_keeps_the_features_of_a_2d_series():
    part = np.c_[np.arange(12.0), 100 + np.arange(12.0)]
    X, y = window_data(part, time_steps=3)
    assert X.shape == (9, 3, 2)
    assert y.shape == (9, 2)
    assert_array_equal(X[-1], part[8:11])
    assert_array_equal(y[-1], part[11])


def test_window_data_refuses_a_part_without_a_complete_window():
    with pytest.raises(ValueError, match="at least 11 rows"):
        window_data(np.arange(10.0), time_steps=10)
    with pytest.raises(ValueError, match="positive int"):
        window_data(np.arange(10.0), time_steps=0)
    with pytest.raises(TypeError, match="positive int"):
        window_data(np.arange(10.0), time_steps=2.0)
    with pytest.raises(ValueError, match=r"1-D .* or 2-D"):
        window_data(np.zeros((5, 2, 2)), time_steps=2)


def test_prepare_data_names_the_part_that_is_too_short():
    with pytest.raises(ValueError, match="The val part is too short"):
        prepare_data(np.arange(60.0), time_steps=10)


def test_generate_data_needs_a_function():
    with pytest.raises(TypeError, match="fct must be a function of x"):
        generate_data("sin", post_x())


@pytest.mark.parametrize(
    ("task", "n_features"), [("sin", 1), ("sin_cos", 2), ("x_sin", 1)]
)
def test_generate_data_shapes_on_the_posts_tasks(task, n_features):
    X, y = generate_data(TASKS[task], post_x(), time_steps=10)
    # Each part loses its last time_steps rows to incomplete windows.
    expected_rows = {"train": 8090, "val": 890, "test": 990}
    for part, rows in expected_rows.items():
        assert X[part].shape == (rows, 10, n_features)
        expected_y = (rows,) if n_features == 1 else (rows, n_features)
        assert y[part].shape == expected_y


@pytest.mark.parametrize("time_steps", [1, 3, 10])
def test_no_window_or_target_crosses_a_split_boundary(time_steps):
    # Every value is its own row number, so a value tells where it came from.
    n_rows = 1_000
    X, y = prepare_data(np.arange(float(n_rows)), time_steps=time_steps)
    nval, ntest = split_points(n_rows)
    bounds = {"train": (0, nval), "val": (nval, ntest), "test": (ntest, n_rows)}
    for part, (start, stop) in bounds.items():
        seen = np.concatenate([X[part].ravel(), y[part]])
        assert seen.min() >= start, part
        assert seen.max() < stop, part
        # ... and all of each part's targets are there, in order.
        assert_array_equal(y[part], np.arange(start + time_steps, stop))
    assert not np.isin(X["test"], np.arange(nval, ntest)).any()
    assert not np.isin(X["val"], np.arange(ntest, n_rows)).any()
