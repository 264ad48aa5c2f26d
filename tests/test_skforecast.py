"""LSTMRegressor inside skforecast's forecasters and backtesting."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline

from sklstm import LSTMRegressor, WindowTransformer, forecast

skforecast = pytest.importorskip("skforecast")
from skforecast.direct import ForecasterDirect  # noqa: E402
from skforecast.model_selection import (  # noqa: E402
    TimeSeriesFold,
    backtesting_forecaster,
)
from skforecast.recursive import ForecasterRecursive  # noqa: E402

TINY = dict(
    rnn_layers=[4],
    steps=30,
    early_stopping_rounds=None,
    random_state=0,
    time_order="newest_first",
)
LAGS = 6
STEPS = 3
QUIET = {"n_jobs": 1, "show_progress": False}


@pytest.fixture
def series(trending_sine) -> pd.Series:
    return trending_sine(pd.date_range("2000-01-01", periods=80, freq="D"))


def _backtest(forecaster, series: pd.Series) -> pd.DataFrame:
    cv = TimeSeriesFold(steps=STEPS, initial_train_size=60, refit=False, verbose=False)
    metric, predictions = backtesting_forecaster(
        forecaster, series, cv, "mean_squared_error", **QUIET
    )
    assert np.isfinite(metric["mean_squared_error"]).all()
    return predictions


def test_recursive_forecaster_backtests_without_an_order_warning(series):
    forecaster = ForecasterRecursive(estimator=LSTMRegressor(**TINY), lags=LAGS)
    with warnings.catch_warnings():
        # skforecast's lag columns are newest first, as time_order says.
        warnings.filterwarnings("error", message=".*time_order.*")
        predictions = _backtest(forecaster, series)
    assert len(predictions) == 20
    assert np.isfinite(predictions["pred"]).all()
    assert (predictions.index == series.index[60:]).all()


def test_skforecast_lag_matrix_warns_on_the_default_order(series):
    # ForecasterRecursive.fit hands the estimator a bare array (no column
    # names to read), but its training matrix, as users inspect and fit it,
    # names the lags newest first.
    forecaster = ForecasterRecursive(estimator=LSTMRegressor(**TINY), lags=LAGS)
    X, y = forecaster.create_train_X_y(y=series)
    assert list(X.columns) == [f"lag_{k}" for k in range(1, LAGS + 1)]
    default_order = {**TINY, "time_order": "oldest_first"}
    with pytest.warns(UserWarning, match='time_order="newest_first"'):
        LSTMRegressor(**default_order).fit(X, y)


def test_direct_forecaster_backtests(series):
    forecaster = ForecasterDirect(
        estimator=LSTMRegressor(**TINY), steps=STEPS, lags=LAGS, n_jobs=1
    )
    predictions = _backtest(forecaster, series)
    assert len(predictions) == 20
    assert np.isfinite(predictions["pred"]).all()


# ForecasterRecursiveMultiSeries: one network for every series of a panel.
PANEL_ROWS = 40
PANEL_TRAIN = 30


@pytest.fixture
def panel(trending_sine) -> pd.DataFrame:
    """Three series of different levels, one column each (skforecast's wide
    layout)."""
    index = pd.date_range("2000-01-01", periods=PANEL_ROWS, freq="D")
    base = trending_sine(index)
    return pd.DataFrame({"a": base, "b": 2 * base + 3, "c": base[::-1].to_numpy()})


def _by_name(panel: pd.DataFrame) -> dict[str, pd.Series]:
    """The series as skforecast prefers them: a dict of named Series."""
    return dict(panel.items())


def _multiseries(estimator, **options):
    from skforecast.recursive import ForecasterRecursiveMultiSeries

    return ForecasterRecursiveMultiSeries(
        estimator=estimator, lags=LAGS, **{"encoding": None, **options}
    )


def test_multiseries_forecaster_backtests_every_series(panel):
    from skforecast.model_selection import backtesting_forecaster_multiseries

    forecaster = _multiseries(LSTMRegressor(**TINY))
    cv = TimeSeriesFold(
        steps=STEPS, initial_train_size=PANEL_TRAIN, refit=False, verbose=False
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*time_order.*")
        metric, predictions = backtesting_forecaster_multiseries(
            forecaster, _by_name(panel), cv, "mean_squared_error", **QUIET
        )
    # 10 test days of each of the three series, per day in the series' order.
    n_test = PANEL_ROWS - PANEL_TRAIN
    assert len(predictions) == 3 * n_test
    assert list(predictions["level"]) == ["a", "b", "c"] * n_test
    assert (predictions.index == panel.index[PANEL_TRAIN:].repeat(3)).all()
    assert np.isfinite(predictions["pred"]).all()
    assert set(metric["levels"]) >= {"a", "b", "c"}
    assert np.isfinite(metric["mean_squared_error"]).all()


def test_multiseries_training_matrix_is_lags_newest_first_per_series(panel):
    # With encoding=None the rows are the lags alone; skforecast's default
    # encoding adds the series' number as a last column, which a network
    # reading the row as one sequence would take for a time step.
    X, y = _multiseries(LSTMRegressor(**TINY)).create_train_X_y(_by_name(panel))
    assert list(X.columns) == [f"lag_{k}" for k in range(1, LAGS + 1)]
    assert len(X) == 3 * (PANEL_ROWS - LAGS)
    first_b = PANEL_ROWS - LAGS
    np.testing.assert_array_equal(X.iloc[first_b], panel["b"].iloc[LAGS - 1 :: -1])
    assert y.iloc[first_b] == panel["b"].iloc[LAGS]
    encoded = _multiseries(LSTMRegressor(**TINY), encoding="ordinal")
    X_encoded, _ = encoded.create_train_X_y(_by_name(panel))
    assert list(X_encoded.columns)[-1] == "_level_skforecast"
    assert set(X_encoded["_level_skforecast"]) == {0, 1, 2}


def test_multiseries_forecaster_warns_on_the_default_order(panel):
    # fit hands the estimator a DataFrame whose columns name the lags.
    default_order = {**TINY, "time_order": "oldest_first"}
    with pytest.warns(UserWarning, match='time_order="newest_first"'):
        _multiseries(LSTMRegressor(**default_order)).fit(_by_name(panel))


def test_multiseries_forecasts_equal_the_panel_pipeline_on_the_same_rows(panel):
    # The network skforecast fits on its newest-first lags of every series
    # equals one fitted oldest first on the same complete windows of the long
    # table, and forecasts every series as sklstm's own panel forecast does.
    forecaster = _multiseries(LSTMRegressor(**TINY))
    forecaster.fit(_by_name(panel))
    long = panel.melt(var_name="series", value_name="value", ignore_index=False)
    windows = WindowTransformer(LAGS, flatten=True, series_id="series").fit(long)
    place = long.groupby("series").cumcount().to_numpy()
    rows = (place >= LAGS - 1) & (place < PANEL_ROWS - 1)
    oldest_first = {**TINY, "time_order": "oldest_first"}
    network = LSTMRegressor(**oldest_first).fit(
        windows.transform(long)[rows], long["value"].to_numpy()[np.roll(rows, 1)]
    )
    ours = forecast(make_pipeline(windows, network), long, STEPS, series_id="series")
    theirs = forecaster.predict(steps=STEPS)
    assert list(theirs["level"]) == ["a", "b", "c"] * STEPS
    np.testing.assert_array_equal(
        theirs["pred"].to_numpy().reshape(STEPS, 3).T.ravel(),
        ours["value"].to_numpy(),
    )


def without_series_number(X):
    """skforecast's rows less their last column, the series' number."""
    return np.asarray(X)[:, :-1]


@pytest.mark.filterwarnings("ignore:`levels` {'d'} were not included in training")
def test_series_scaled_one_by_one_reach_the_network_as_lags_only(panel):
    # Per-series scaling needs an encoding; the series' number is then the
    # rows' last column, and dropping it in front of the network leaves the
    # lags. A series unseen in training has no number (NaN), which the
    # network refuses when it reads the number as a step.
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    scaled = {"encoding": "ordinal", "transformer_series": StandardScaler()}
    lags_only = make_pipeline(
        FunctionTransformer(without_series_number), LSTMRegressor(**TINY)
    )
    forecaster = _multiseries(lags_only, **scaled)
    X, _ = forecaster.create_train_X_y(_by_name(panel))
    assert list(X.columns)[-1] == "_level_skforecast"
    assert without_series_number(X).shape == (len(X), LAGS)
    forecaster.fit(_by_name(panel))
    unseen = pd.DataFrame({"d": 3 * panel["a"].iloc[-LAGS:]})
    predictions = forecaster.predict(steps=STEPS, levels=["d"], last_window=unseen)
    assert list(predictions["level"]) == ["d"] * STEPS
    assert np.isfinite(predictions["pred"]).all()

    number_read = _multiseries(LSTMRegressor(**TINY), **scaled)
    number_read.fit(_by_name(panel))
    with pytest.raises(ValueError, match="NaN"):
        number_read.predict(steps=STEPS, levels=["d"], last_window=unseen)
