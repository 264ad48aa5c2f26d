"""WindowTransformer over a long table of many series (series_id)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sklstm import WindowTransformer, causal_windows

PROPERTIES = settings(max_examples=60, deadline=None, derandomize=True, database=None)


def _panel(lengths, n_features=1, seed=0):
    """A long table: identifier column "id" ("s0", "s1", ...) then values."""
    rng = np.random.RandomState(seed)
    ids = np.repeat([f"s{k}" for k in range(len(lengths))], lengths)
    values = rng.randn(len(ids), n_features)
    frame = pd.DataFrame(values, columns=[f"v{j}" for j in range(n_features)])
    frame.insert(0, "id", ids)
    return frame


@st.composite
def panels(draw):
    lengths = draw(st.lists(st.integers(1, 12), min_size=1, max_size=5))
    n_features = draw(st.integers(1, 3))
    frame = _panel(lengths, n_features, seed=draw(st.integers(0, 100)))
    transformer = WindowTransformer(
        draw(st.integers(1, 8)),
        padding=draw(st.sampled_from(["edge", "constant"])),
        fill_value=draw(st.floats(-5, 5, allow_nan=False)),
        series_id="id",
    )
    return frame, transformer


@PROPERTIES
@given(panels())
def test_each_series_is_windowed_as_if_alone(case):
    frame, transformer = case
    windows = transformer.fit_transform(frame)
    n_features = frame.shape[1] - 1
    assert windows.shape == (len(frame), transformer.time_steps, n_features)
    expected = np.concatenate(
        [
            causal_windows(
                part.drop(columns="id").to_numpy(),
                transformer.time_steps,
                padding=transformer.padding,
                fill_value=transformer.fill_value,
            )
            for _, part in frame.groupby("id", sort=False)
        ]
    )
    np.testing.assert_array_equal(windows, expected)


@PROPERTIES
@given(st.lists(st.integers(1, 12), min_size=2, max_size=6), st.integers(1, 8))
def test_windows_never_cross_series(lengths, time_steps):
    # Each series' values are its own number, so a window that reached into
    # another series would hold a foreign number.
    series_of_row = np.repeat(np.arange(len(lengths)), lengths)
    table = np.c_[series_of_row, 100.0 * series_of_row + 1.0]
    windows = WindowTransformer(time_steps, series_id=0).fit_transform(table)
    assert windows.shape == (len(table), time_steps, 1)
    np.testing.assert_array_equal(
        windows[..., 0], np.broadcast_to(table[:, 1:], (len(table), time_steps))
    )


def test_first_windows_of_every_series_are_padded_from_that_series():
    table = np.c_[[7, 7, 7, 3, 3], [1.0, 2.0, 3.0, 10.0, 20.0]]
    edge = WindowTransformer(3, series_id=0).fit_transform(table)[..., 0]
    np.testing.assert_array_equal(
        edge, [[1, 1, 1], [1, 1, 2], [1, 2, 3], [10, 10, 10], [10, 10, 20]]
    )
    constant = WindowTransformer(
        3, padding="constant", fill_value=-1.0, series_id=0
    ).fit_transform(table)[..., 0]
    np.testing.assert_array_equal(
        constant, [[-1, -1, 1], [-1, 1, 2], [1, 2, 3], [-1, -1, 10], [-1, 10, 20]]
    )


def test_array_and_dataframe_agree_wherever_the_identifier_sits():
    frame = _panel([4, 6, 3], n_features=2)
    expected = WindowTransformer(3, series_id="id").fit_transform(frame)
    moved = frame[["v0", "id", "v1"]]
    np.testing.assert_array_equal(
        WindowTransformer(3, series_id="id").fit_transform(moved), expected
    )
    as_array = moved.to_numpy()  # an object array: strings and floats
    for position in (1, -2):
        np.testing.assert_array_equal(
            WindowTransformer(3, series_id=position).fit_transform(as_array),
            expected,
        )


def test_flatten_names_leave_out_the_identifier():
    frame = _panel([3, 2], n_features=2)
    transformer = WindowTransformer(2, flatten=True, series_id="id").fit(frame)
    assert transformer.n_features_in_ == 3
    assert transformer.feature_names_in_.tolist() == ["id", "v0", "v1"]
    assert transformer.get_feature_names_out().tolist() == [
        "v0_lag1",
        "v1_lag1",
        "v0_lag0",
        "v1_lag0",
    ]
    flat = transformer.transform(frame)
    deep = WindowTransformer(2, series_id="id").fit_transform(frame)
    np.testing.assert_array_equal(flat, deep.reshape(5, -1))
    out = clone(transformer).set_output(transform="pandas").fit_transform(frame)
    assert list(out.columns) == transformer.get_feature_names_out().tolist()


def test_one_series_is_still_a_view_many_are_a_read_only_copy():
    one = WindowTransformer(4, series_id="id").fit_transform(_panel([50]))
    assert not one.flags.owndata and not one.flags.writeable
    many = WindowTransformer(4, series_id="id").fit_transform(_panel([30, 20]))
    assert many.base is None or many.base.nbytes == many.nbytes
    assert many.nbytes == 50 * 4 * 8
    assert not many.flags.writeable


def test_transform_reads_the_identifiers_of_new_rows():
    # At predict time the table may hold other series, or fewer rows of each.
    transformer = WindowTransformer(2, series_id="id").fit(_panel([5, 5]))
    later = pd.DataFrame({"id": ["x", "x", "y"], "v0": [1.0, 2.0, 3.0]})
    np.testing.assert_array_equal(
        transformer.transform(later)[..., 0], [[1, 1], [1, 2], [3, 3]]
    )


def test_integer_and_float_identifiers():
    values = np.arange(5.0)
    for ids in (np.array([3, 3, 1, 1, 1]), np.array([0.5, 0.5, 2.0, 2.0, 2.0])):
        frame = pd.DataFrame({"id": ids, "v": values})
        windows = WindowTransformer(2, series_id="id").fit_transform(frame)
        np.testing.assert_array_equal(windows[2, :, 0], [2, 2])


def test_a_series_split_in_two_blocks_is_named():
    frame = pd.DataFrame({"id": ["a", "a", "b", "a"], "v": np.arange(4.0)})
    with pytest.raises(
        ValueError, match=r"Series 'a' \(column 'id'\) is split into separate blocks"
    ) as excinfo:
        WindowTransformer(2, series_id="id").fit(frame)
    assert "rows 0 to 1, then rows from 3" in str(excinfo.value)
    assert "sort_values" in str(excinfo.value)


@pytest.mark.parametrize("missing", [None, np.nan])
def test_a_missing_identifier_is_named(missing):
    frame = pd.DataFrame({"id": ["a", "a", missing, "b"], "v": np.arange(4.0)})
    with pytest.raises(
        ValueError,
        match=r"column 'id'\) has a missing value at row 2, just after a row "
        "of series 'a'",
    ):
        WindowTransformer(2, series_id="id").fit(frame)


def test_a_missing_identifier_at_transform_time():
    transformer = WindowTransformer(2, series_id=0).fit(np.c_[[1, 1], [0.0, 1.0]])
    with pytest.raises(ValueError, match="missing value at row 0:"):
        transformer.transform(np.c_[[np.nan, 1], [0.0, 1.0]])


@pytest.mark.parametrize(
    ("series_id", "X", "error", "match"),
    [
        ("store", _panel([2, 2]), ValueError, r"series_id='store' names no column"),
        ("id", _panel([2, 2]).to_numpy(), ValueError, "X is an array without"),
        (2, np.zeros((4, 2)), ValueError, "series_id=2 is no column position"),
        (True, np.zeros((4, 2)), TypeError, "series_id must be an int, not a bool"),
        (1.5, np.zeros((4, 2)), ValueError, "'series_id' parameter"),
        (0, np.zeros(4), ValueError, "With series_id, X must be a 2-D table"),
        (0, np.zeros((4, 1)), ValueError, "only the series_id column 0: there are no"),
        (
            "id",
            _panel([2, 2]).assign(note="x"),
            ValueError,
            "X column 'note' holds values that are not numbers",
        ),
        (
            "id",
            _panel([2, 2]).assign(when=pd.date_range("2000", periods=4)),
            ValueError,
            r"X column 'when' holds dates or times \(datetime64\[ns\]\)",
        ),
        (
            "id",
            pd.concat([_panel([2, 2]), _panel([2, 2])[["id"]]], axis=1),
            ValueError,
            "X has 2 columns named 'id': the series_id column must be unique",
        ),
    ],
)
def test_bad_series_id(series_id, X, error, match):
    with pytest.raises(error, match=match):
        WindowTransformer(2, series_id=series_id).fit(X)


def test_a_failed_fit_leaves_the_fitted_transformer_unchanged():
    transformer = WindowTransformer(2, series_id="id").fit(_panel([3, 3], 2))
    before = dict(vars(transformer))
    bad = pd.DataFrame({"id": ["a", "b", "a"], "w": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="split into separate blocks"):
        transformer.fit(bad)
    assert vars(transformer).keys() == before.keys()
    assert transformer.feature_names_in_.tolist() == ["id", "v0", "v1"]


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_transform_checks_the_columns_seen_in_fit():
    transformer = WindowTransformer(2, series_id="id").fit(_panel([3, 3], 2))
    with pytest.raises(ValueError, match="X has 2 features"):
        transformer.transform(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="feature names"):
        transformer.transform(_panel([3, 3], 2)[["v0", "id", "v1"]])


def test_series_id_is_a_plain_parameter_for_pipelines_and_searches():
    transformer = WindowTransformer(3, series_id="id")
    assert transformer.get_params()["series_id"] == "id"
    assert clone(transformer).series_id == "id"
    frame = _panel([30, 40, 35])
    y = np.random.RandomState(1).randn(len(frame))
    pipe = make_pipeline(
        WindowTransformer(series_id="id", flatten=True), LinearRegression()
    )
    search = GridSearchCV(pipe, {"windowtransformer__time_steps": [2, 4]}, cv=2)
    search.fit(frame, y)
    assert search.best_estimator_[0].series_id == "id"
    assert search.best_estimator_.predict(frame).shape == (len(frame),)


def test_columns_of_several_levels_are_refused_by_name():
    from sklstm import PanelSplit, horizon_targets

    table = pd.DataFrame({("id", ""): ["a"] * 5 + ["b"] * 5, ("v", "x"): range(10)})
    calls = [
        lambda: WindowTransformer(2, series_id="id").fit(table),
        lambda: horizon_targets(table, 1, series_id="id"),
        lambda: next(PanelSplit(series_id="id").split(table)),
    ]
    for call in calls:
        with pytest.raises(
            ValueError, match="has columns of 2 levels, where series_id"
        ):
            call()


def test_an_int_label_fitted_on_a_table_is_no_position_in_an_array():
    table = pd.DataFrame({1: np.arange(20.0), 0: np.repeat([7, 9], 10)})
    transformer = WindowTransformer(2, flatten=True, series_id=0).fit(table)
    assert transformer.transform(table).shape == (20, 2)
    with pytest.raises(ValueError, match="named the column at position 1 of the"):
        transformer.transform(table.to_numpy())
    # Where the label is the position, an array reads the same column.
    swapped = table[[0, 1]]
    transformer = WindowTransformer(2, flatten=True, series_id=0).fit(swapped)
    np.testing.assert_array_equal(
        transformer.transform(swapped.to_numpy()), transformer.transform(swapped)
    )
