"""PanelSplit: folds cut every series at the same point of its own time."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline

from sklstm import PanelSplit, WindowTransformer, horizon_targets


def _panel(lengths, seed=0):
    rng = np.random.RandomState(seed)
    ids = np.repeat([f"s{k}" for k in range(len(lengths))], lengths)
    # Each series a noisy AR(1) of its own level.
    values = np.concatenate(
        [10.0 * k + np.cumsum(rng.randn(n)) * 0.5 for k, n in enumerate(lengths)]
    )
    return pd.DataFrame({"id": ids, "value": values})


def test_exact_folds():
    panel = _panel([6, 5, 7])  # rows 0-5, 6-10, 11-17
    splitter = PanelSplit(n_splits=2, test_size=2, series_id="id")
    folds = [(train.tolist(), test.tolist()) for train, test in splitter.split(panel)]
    assert folds == [
        ([0, 1, 6, 11, 12, 13], [2, 3, 7, 8, 14, 15]),
        ([0, 1, 2, 3, 6, 7, 8, 11, 12, 13, 14, 15], [4, 5, 9, 10, 16, 17]),
    ]
    assert splitter.get_n_splits() == 2


def test_gap_leaves_rows_out_before_each_test_block():
    panel = _panel([6, 5])
    splitter = PanelSplit(n_splits=1, test_size=2, series_id="id", gap=1)
    ((train, test),) = splitter.split(panel)
    assert train.tolist() == [0, 1, 2, 6, 7]
    assert test.tolist() == [4, 5, 9, 10]


def test_one_series_gives_time_series_splits_folds():
    series = np.c_[np.zeros(20), np.arange(20.0)]
    ours = PanelSplit(n_splits=3, test_size=4, series_id=0, gap=1).split(series)
    theirs = TimeSeriesSplit(n_splits=3, test_size=4, gap=1).split(series)
    for (train, test), (their_train, their_test) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(train, their_train)
        np.testing.assert_array_equal(test, their_test)


@pytest.mark.parametrize("n_splits", [1, 2, 3])
@pytest.mark.parametrize("test_size", [1, 3])
def test_every_fold_cuts_each_series_at_its_own_time(n_splits, test_size):
    lengths = [12, 20, 15, 10]
    panel = _panel(lengths)
    position = panel.groupby("id").cumcount().to_numpy()
    length = panel.groupby("id")["id"].transform("size").to_numpy()
    from_end = length - position
    for fold, (train, test) in enumerate(
        PanelSplit(n_splits, test_size=test_size, series_id="id").split(panel)
    ):
        cut = (n_splits - fold) * test_size  # rows from the end of each series
        assert set(from_end[test]) == set(range(cut - test_size + 1, cut + 1))
        assert (from_end[train] > cut).all()
        assert len(test) == test_size * len(lengths)
        # Every series trains on all of its rows before its test block.
        assert len(train) == sum(n - cut for n in lengths)


def test_groups_instead_of_a_column():
    panel = _panel([6, 5, 7])
    by_column = list(PanelSplit(2, test_size=2, series_id="id").split(panel))
    by_groups = list(
        PanelSplit(2, test_size=2).split(panel[["value"]], groups=panel["id"])
    )
    for (train, test), (other_train, other_test) in zip(
        by_column, by_groups, strict=True
    ):
        np.testing.assert_array_equal(train, other_train)
        np.testing.assert_array_equal(test, other_test)


def test_array_with_the_identifier_by_position():
    panel = _panel([6, 5, 7])
    by_name = list(PanelSplit(2, test_size=2, series_id="id").split(panel))
    by_position = list(PanelSplit(2, test_size=2, series_id=0).split(panel.to_numpy()))
    for (train, test), (other_train, other_test) in zip(
        by_name, by_position, strict=True
    ):
        np.testing.assert_array_equal(train, other_train)
        np.testing.assert_array_equal(test, other_test)


def _model_and_data():
    panel = _panel([30, 40, 35, 25])
    targets = horizon_targets(panel, 1, series_id="id")
    X = panel.loc[targets.index].reset_index(drop=True)
    y = targets["value_step1"].to_numpy()
    model = make_pipeline(
        WindowTransformer(3, flatten=True, series_id="id"), LinearRegression()
    )
    return model, X, y


def test_cross_val_score_of_a_panel_pipeline_scores_each_fold_by_hand():
    model, X, y = _model_and_data()
    splitter = PanelSplit(n_splits=3, test_size=4, series_id="id")
    scores = cross_val_score(
        model, X, y, cv=splitter, scoring="neg_mean_absolute_error"
    )
    assert scores.shape == (3,)
    scorer = get_scorer("neg_mean_absolute_error")
    for score, (train, test) in zip(scores, splitter.split(X), strict=True):
        fitted = clone(model).fit(X.iloc[train], y[train])
        assert score == pytest.approx(scorer(fitted, X.iloc[test], y[test]))
    # One step of each walk moves by 0.4 on average: windows of their own
    # series forecast to about that, where the mean of all series errs by 10.
    assert scores.mean() > -1.0


def test_grid_search_over_a_panel_pipeline():
    model, X, y = _model_and_data()
    search = GridSearchCV(
        model,
        {"windowtransformer__time_steps": [1, 4]},
        cv=PanelSplit(n_splits=2, test_size=3, series_id="id"),
        scoring="neg_mean_squared_error",
    ).fit(X, y)
    assert search.n_splits_ == 2
    for params, mean_score in zip(
        search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
    ):
        scores = cross_val_score(
            clone(model).set_params(**params),
            X,
            y,
            cv=PanelSplit(n_splits=2, test_size=3, series_id="id"),
            scoring="neg_mean_squared_error",
        )
        assert mean_score == pytest.approx(scores.mean())


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"n_splits": 0}, "n_splits must be an int >= 1; got 0"),
        ({"n_splits": 2.0}, "n_splits must be an int >= 1"),
        ({"test_size": 0}, "test_size must be an int >= 1"),
        ({"test_size": True}, "test_size must be an int >= 1"),
        ({"gap": -1}, "gap must be an int >= 0"),
        ({"series_id": 1.5}, "series_id must be a column name"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        PanelSplit(**params)
    # Set after construction, they are refused by split.
    splitter = PanelSplit(2, series_id="id")
    for name, value in params.items():
        setattr(splitter, name, value)
    with pytest.raises(ValueError, match=match):
        next(splitter.split(_panel([6, 6])))


def test_bad_panels_name_the_series():
    panel = _panel([6, 3, 8])
    with pytest.raises(ValueError, match=r"Series 's1' has 3 rows; n_splits=2 .*"):
        next(PanelSplit(2, test_size=1, series_id="id", gap=1).split(panel))
    split_series = pd.DataFrame({"id": ["a", "b", "a"], "v": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match=r"Series 'a' .* split into separate blocks"):
        next(PanelSplit(1, series_id="id").split(split_series))
    with pytest.raises(ValueError, match=r"set series_id .* or pass groups"):
        next(PanelSplit(1).split(panel))
    other = panel["id"].replace({"s0": "s9"})
    with pytest.raises(ValueError, match="groups names other series for some rows"):
        next(PanelSplit(1, series_id="id").split(panel, groups=other))
    dated = pd.DataFrame(
        {"id": pd.to_datetime(["2020-01-01"] * 6 + ["2020-02-01"] * 6), "v": 0.0}
    )
    for labels in (dated["id"], list(dated["id"]), dated["id"].to_numpy()):
        next(PanelSplit(1, series_id="id").split(dated, groups=labels))
    # The same labels, as metadata routing passes them, change nothing.
    np.testing.assert_array_equal(
        next(PanelSplit(1, series_id="id").split(panel, groups=panel["id"]))[1],
        next(PanelSplit(1, series_id="id").split(panel))[1],
    )
    with pytest.raises(ValueError, match="series_id='store' names no column of X"):
        next(PanelSplit(1, series_id="store").split(panel))
    with pytest.raises(ValueError, match="missing value at row 1"):
        next(PanelSplit(1).split(np.zeros(3), groups=["a", None, "b"]))
    with pytest.raises(ValueError, match=r"groups must be 1-D.* shape \(6, 2\)"):
        next(PanelSplit(1).split(np.zeros(6), groups=np.zeros((6, 2))))
    with pytest.raises(ValueError, match="The table has no rows"):
        next(PanelSplit(1, series_id="id").split(panel.iloc[:0]))
    # A column of labels is taken as the labels.
    column = np.asarray(panel["id"])[:, None]
    assert len(list(PanelSplit(1).split(panel, groups=column))) == 1


def test_routed_groups_reach_the_splitter_and_the_fit_together():
    import sklearn

    from sklstm import LSTMRegressor

    panel = _panel([30, 30])
    targets = horizon_targets(panel, 1, series_id="id")
    rows = panel.loc[targets.index]
    regressor = LSTMRegressor([4], steps=20, random_state=0)
    with sklearn.config_context(enable_metadata_routing=True):
        model = make_pipeline(
            WindowTransformer(4, series_id="id"),
            regressor.set_fit_request(groups=True).set_score_request(groups=True),
        )
        scores = cross_val_score(
            model,
            rows,
            targets.to_numpy().ravel(),
            cv=PanelSplit(2, test_size=3, series_id="id"),
            params={"groups": rows["id"]},
            error_score="raise",
        )
    assert scores.shape == (2,) and np.isfinite(scores).all()
