"""horizon_targets over a long table of many series (series_id)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression

from sklstm import WindowTransformer, horizon_targets

PROPERTIES = settings(max_examples=60, deadline=None, derandomize=True, database=None)


def _panel(lengths, seed=0):
    rng = np.random.RandomState(seed)
    ids = np.repeat([f"s{k}" for k in range(len(lengths))], lengths)
    n_rows = len(ids)
    return pd.DataFrame(
        {"id": ids, "a": rng.randn(n_rows), "b": rng.randn(n_rows)},
        index=np.arange(100, 100 + n_rows),
    )


@PROPERTIES
@given(st.lists(st.integers(1, 12), min_size=1, max_size=5), st.integers(1, 5))
def test_targets_are_those_of_each_series_alone(lengths, horizon):
    frame = _panel(lengths)
    alone = [
        horizon_targets(part[["a", "b"]], horizon)
        for _, part in frame.groupby("id", sort=False)
        if len(part) > horizon
    ]
    if not alone:
        with pytest.raises(ValueError, match="no row with a complete horizon"):
            horizon_targets(frame, horizon, series_id="id")
        return
    targets = horizon_targets(frame, horizon, series_id="id")
    pd.testing.assert_frame_equal(targets, pd.concat(alone))
    # The same values from an array, the identifier at position 0.
    from_array = horizon_targets(frame.to_numpy(), horizon, series_id=0)
    np.testing.assert_array_equal(from_array, targets.to_numpy())


@PROPERTIES
@given(st.lists(st.integers(1, 12), min_size=2, max_size=6), st.integers(1, 5))
def test_targets_never_cross_series_and_pair_with_the_documented_rows(lengths, horizon):
    ids = np.repeat(np.arange(len(lengths)), lengths)
    table = np.c_[ids, 10.0 * ids]  # every value names its own series
    if all(length <= horizon for length in lengths):
        return
    targets = horizon_targets(table, horizon, series_id=0)
    paired = table[:-horizon][ids[horizon:] == ids[:-horizon]]
    assert targets.shape == (len(paired), horizon)
    np.testing.assert_array_equal(targets, np.repeat(paired[:, 1:], horizon, axis=1))


def test_hand_computed_panel_targets():
    table = pd.DataFrame(
        {
            "store": ["a", "a", "a", "a", "b", "b", "b", "c"],
            "sales": [1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0, 99.0],
        }
    )
    targets = horizon_targets(table, 2, series_id="store")
    assert targets.columns.tolist() == ["sales_step1", "sales_step2"]
    assert targets.index.tolist() == [0, 1, 4]
    np.testing.assert_array_equal(targets.to_numpy(), [[2, 3], [3, 4], [20, 30]])


def test_the_identifier_is_never_a_target():
    frame = _panel([5, 6])
    every = horizon_targets(frame, 1, series_id="id")
    assert every.columns.tolist() == ["a_step1", "b_step1"]
    by_name = horizon_targets(frame, 1, targets="b", series_id="id")
    assert by_name.columns.tolist() == ["b_step1"]
    # Positions count the identifier's column, as series_id does.
    by_position = horizon_targets(frame.to_numpy(), 1, targets=2, series_id=0)
    np.testing.assert_array_equal(by_position[:, 0], by_name["b_step1"])
    for columns in ("id", 0, ["a", "id"]):
        with pytest.raises(ValueError, match="identifier is never a target"):
            horizon_targets(frame, 1, targets=columns, series_id="id")


def test_pairs_with_the_rows_of_the_index():
    frame = _panel([4, 2, 5])
    targets = horizon_targets(frame, 2, series_id="id")
    kept = frame.loc[targets.index]
    assert kept.groupby("id").size().to_dict() == {"s0": 2, "s2": 3}
    np.testing.assert_array_equal(
        targets["a_step1"], frame["a"].to_numpy()[targets.index - 100 + 1]
    )


@pytest.mark.parametrize(
    ("table", "series_id", "error", "match"),
    [
        (_panel([3, 3]), "store", ValueError, "series_id='store' names no column"),
        (np.zeros((4, 2)), "id", ValueError, "is an array without column names"),
        (np.zeros((4, 2)), 3, ValueError, "series_id=3 is no column position"),
        (np.zeros((4, 2)), 1.5, TypeError, "series_id must be a column name"),
        (np.zeros(4), 0, ValueError, "series must be a 2-D table"),
        (np.zeros((4, 1)), 0, ValueError, "only the series_id column"),
        (
            pd.DataFrame({"id": ["a", "b", "a"], "v": [1.0, 2.0, 3.0]}),
            "id",
            ValueError,
            "Series 'a' \\(column 'id'\\) is split into separate blocks",
        ),
        (
            pd.DataFrame({"id": ["a", None, "a"], "v": [1.0, 2.0, 3.0]}),
            "id",
            ValueError,
            "has a missing value at row 1",
        ),
        (
            np.c_[[0, 0, 1], [1.0, 2.0, 3.0], [1.0, np.nan, 3.0]],
            0,
            ValueError,
            "missing or infinite value at row 1 \\(column 'x2'\\)",
        ),
        (
            pd.DataFrame({"id": ["a", "a", "b", "b"], "v": 1.0}, index=[0, 1, 0, 1]),
            "id",
            ValueError,
            "an index without duplicate labels",
        ),
        (
            pd.DataFrame({"id": ["a", "b"], "v": [1.0, 2.0]}),
            "id",
            ValueError,
            "No series of series has more than 1 rows",
        ),
        (
            pd.DataFrame({"id": ["a", "a"], "v": [1.0, 2.0], "s": ["x", "y"]}),
            "id",
            ValueError,
            "series column 's' holds values that are not numbers",
        ),
        (
            pd.DataFrame({"id": ["a", "a"], "v": [1.0, 2.0]}).assign(
                t=pd.date_range("2000", periods=2)
            ),
            "id",
            ValueError,
            r"series column 't' holds dates or times \(datetime64\[ns\]\)",
        ),
        (
            pd.DataFrame([["a", "a", 1.0]] * 3, columns=["id", "id", "v"]),
            "id",
            ValueError,
            "series has 2 columns named 'id'",
        ),
    ],
)
def test_bad_panels(table, series_id, error, match):
    with pytest.raises(error, match=match):
        horizon_targets(table, 1, series_id=series_id)


def test_direct_model_on_a_panel():
    # Every series is a line of its own slope: a linear model on windows that
    # stay within their series forecasts both steps exactly.
    lengths, slopes = [20, 30, 25], [1.0, -2.0, 3.0]
    ids = np.repeat(["x", "y", "z"], lengths)
    values = np.concatenate(
        [slope * np.arange(n) for slope, n in zip(slopes, lengths, strict=True)]
    )
    panel = pd.DataFrame({"id": ids, "v": values})
    targets = horizon_targets(panel, 2, series_id="id")
    rows = panel.loc[targets.index]
    windows = WindowTransformer(2, flatten=True, series_id="id").fit_transform(rows)
    complete = rows.groupby("id").cumcount().to_numpy() >= 1  # not padded
    model = LinearRegression().fit(windows[complete], targets[complete])
    np.testing.assert_allclose(
        model.predict(windows[complete]), targets[complete], atol=1e-9
    )
