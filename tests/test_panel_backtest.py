"""backtest(..., series_id=...): each series' last rows forecast by one model."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

from sklstm import (
    LSTMRegressor,
    WindowTransformer,
    backtest,
    forecast,
    horizon_targets,
    mape,
    mase,
    smape,
)


def _panel(lengths=(40, 55, 30), seed=0):
    rng = np.random.RandomState(seed)
    parts = [
        (k + 1) * np.sin(np.arange(n) * 0.3 + k) + 5 * (k + 1) + 0.1 * rng.randn(n)
        for k, n in enumerate(lengths)
    ]
    return pd.DataFrame(
        {
            "id": np.repeat(["x", "y", "z"][: len(lengths)], lengths),
            "v": np.concatenate(parts),
        }
    )


def _pipeline(time_steps=4, regressor=None, flatten=True):
    return make_pipeline(
        WindowTransformer(time_steps, flatten=flatten, series_id="id"),
        LinearRegression() if regressor is None else regressor,
    )


def _fit(model, panel, horizon=1):
    targets = horizon_targets(panel, horizon, series_id="id")
    y = targets.to_numpy()
    return model.fit(panel.loc[targets.index], y[:, 0] if horizon == 1 else y)


def _training_part(panel, test_size):
    return panel[panel.groupby("id").cumcount(ascending=False) >= test_size]


@pytest.mark.parametrize("direct", [False, True])
def test_each_series_is_backtested_as_alone_with_the_same_model(direct):
    panel, horizon, test_size = _panel(), 3, 6
    model = _fit(_pipeline(), panel, horizon if direct else 1)
    coefficients = model[-1].coef_.copy()
    forecasts, errors = backtest(
        model, panel, horizon, test_size=test_size, series_id="id"
    )
    np.testing.assert_array_equal(model[-1].coef_, coefficients)
    for name, part in panel.groupby("id", sort=False):
        single = make_pipeline(
            WindowTransformer(4, flatten=True).fit(part[["v"]]), model[-1]
        )
        alone, alone_errors = backtest(
            single, part[["v"]], horizon, test_size=test_size
        )
        mine = forecasts[forecasts["id"] == name].reset_index(drop=True)
        np.testing.assert_allclose(mine["forecast"], alone["forecast"], rtol=1e-10)
        np.testing.assert_array_equal(mine["actual"], alone["actual"])
        np.testing.assert_array_equal(mine["origin"], alone["origin"])
        np.testing.assert_array_equal(mine["step"], alone["step"])
        row = errors.loc[("v", name, "all")]
        assert row["n"] == (test_size - horizon + 1) * horizon
        np.testing.assert_allclose(row["mae"], alone_errors["mae"].mean())
        np.testing.assert_allclose(row["mse"], alone_errors["mse"].mean())


def test_an_index_repeated_in_every_series_refits_as_a_range_index_does():
    panel = _panel()
    dated = panel.set_index(
        pd.date_range("2000-01-01", periods=len(panel), freq="D")[
            panel.groupby("id").cumcount()
        ]
    )
    assert not dated.index.is_unique
    found = [
        backtest(_pipeline(), table, 3, test_size=3, series_id="id", refit=1)[0]
        for table in (panel, dated)
    ]
    np.testing.assert_allclose(found[1]["forecast"], found[0]["forecast"])
    assert found[1]["time"].iloc[0] == dated.index[37]


def test_errors_table_against_hand_computation():
    panel, horizon, test_size = _panel(), 4, 4
    model = _fit(_pipeline(), panel, horizon)
    forecasts, errors = backtest(
        model, panel, horizon, test_size=test_size, series_id="id", seasonality=3
    )
    columns = ["id", "origin", "time", "step", "target", "actual", "forecast"]
    assert forecasts.columns.tolist() == columns
    assert errors.index.names == ["target", "id", "step"]
    assert errors.columns.tolist() == ["n", "mse", "mae", "mape", "smape", "mase"]
    assert errors.index.tolist() == (
        [("v", "all", k) for k in range(1, horizon + 1)]
        + [("v", "all", "all")]
        + [("v", name, "all") for name in "xyz"]
    )
    # One forecast per series: a (series, step) grid, as the competitions grade.
    actual = forecasts["actual"].to_numpy().reshape(3, horizon)
    predicted = forecasts["forecast"].to_numpy().reshape(3, horizon)
    training = [
        part.to_numpy()
        for _, part in _training_part(panel, test_size).groupby("id")["v"]
    ]
    np.testing.assert_array_equal(actual[:, -1], panel.groupby("id")["v"].last())
    overall = errors.loc[("v", "all", "all")]
    assert overall["n"] == 3 * horizon
    np.testing.assert_allclose(overall["mape"], mape(actual, predicted))
    np.testing.assert_allclose(overall["smape"], smape(actual, predicted))
    np.testing.assert_allclose(
        overall["mase"], mase(actual, predicted, training, seasonality=3)
    )
    np.testing.assert_allclose(overall["mse"], np.mean((actual - predicted) ** 2))
    for row, name in enumerate("xyz"):
        series = errors.loc[("v", name, "all")]
        scale = np.mean(np.abs(training[row][3:] - training[row][:-3]))
        gap = np.abs(actual[row] - predicted[row])
        np.testing.assert_allclose(series["mase"], gap.mean() / scale)
        np.testing.assert_allclose(series["mape"], 100 * np.mean(gap / actual[row]))
        np.testing.assert_allclose(
            series["smape"],
            100 * np.mean(2 * gap / (np.abs(actual[row]) + np.abs(predicted[row]))),
        )
    for step in range(1, horizon + 1):
        column = errors.loc[("v", "all", step)]
        gap = np.abs(actual[:, step - 1] - predicted[:, step - 1])
        np.testing.assert_allclose(column["mae"], gap.mean())
        np.testing.assert_allclose(
            column["mape"], 100 * np.mean(gap / actual[:, step - 1])
        )


def test_an_unfitted_model_is_fitted_on_each_series_training_part():
    panel, horizon = _panel(), 3
    forecasts, _ = backtest(
        _pipeline(), panel, horizon, test_size=horizon, series_id="id"
    )
    training = _training_part(panel, horizon)
    by_hand = forecast(_fit(_pipeline(), training), training, horizon, series_id="id")
    np.testing.assert_allclose(forecasts["forecast"], by_hand["v"], rtol=1e-10)
    direct, _ = backtest(
        _pipeline(),
        panel,
        horizon,
        test_size=horizon,
        series_id="id",
        strategy="direct",
    )
    fitted = _fit(_pipeline(), training, horizon)
    by_hand = forecast(fitted, training, horizon, series_id="id")
    np.testing.assert_allclose(direct["forecast"], by_hand["v"], rtol=1e-10)


def test_refit_fits_anew_on_the_rows_before_each_origin():
    panel, horizon, test_size = _panel(), 2, 4
    forecasts, errors = backtest(
        _pipeline(), panel, horizon, test_size=test_size, series_id="id", refit=2
    )
    assert errors.loc[("v", "all", "all"), "n"] == 3 * 3 * horizon
    # The third origin (two rows into the test part) has its own fit.
    visible = panel[panel.groupby("id").cumcount(ascending=False) >= test_size - 2]
    by_hand = forecast(_fit(_pipeline(), visible), visible, horizon, series_id="id")
    third = forecasts.groupby("id").nth(list(range(4, 6)))
    np.testing.assert_allclose(third["forecast"], by_hand["v"], rtol=1e-10)


def test_array_panel_and_several_targets():
    panel = _panel()
    panel["w"] = 2 * panel["v"] + 1
    array = panel.to_numpy(dtype=object)
    array[:, 1:] = array[:, 1:].astype(float)
    model = make_pipeline(
        WindowTransformer(3, flatten=True, series_id=0), LinearRegression()
    )
    forecasts, errors = backtest(model, array, 2, test_size=2, series_id=0)
    assert forecasts.columns[0] == "series_id"
    assert sorted(set(forecasts["target"])) == ["x1", "x2"]
    assert errors.shape == (2 * (2 + 1 + 3), 6)
    assert errors.index.names == ["target", "series_id", "step"]
    only_w, _ = backtest(
        _pipeline(3),
        panel,
        2,
        test_size=2,
        series_id="id",
        strategy="direct",
        targets="w",
    )
    assert set(only_w["target"]) == {"w"}
    assert len(only_w) == 3 * 2


def test_an_identifier_counted_from_the_end_is_the_same_column():
    panel = _panel()
    array = panel[["v", "id"]].to_numpy(dtype=object)
    array[:, 0] = array[:, 0].astype(float)
    results = []
    for key in (-1, 1):
        model = make_pipeline(
            WindowTransformer(3, flatten=True, series_id=key), LinearRegression()
        )
        results.append(backtest(model, array, 2, test_size=2, series_id=key)[0])
    pd.testing.assert_frame_equal(*results)


def test_column_labels_that_are_not_strings():
    # A CSV read without a header has the columns 0 and 1.
    panel = _panel().set_axis([0, 1], axis=1)
    named = _panel()
    targets = horizon_targets(panel, 2, series_id=0)
    np.testing.assert_array_equal(
        targets.to_numpy(), horizon_targets(named, 2, series_id="id").to_numpy()
    )
    model = make_pipeline(
        WindowTransformer(3, flatten=True, series_id=0), LinearRegression()
    )
    forecasts, _ = backtest(model, panel, 2, test_size=2, series_id=0)
    expected, _ = backtest(_pipeline(3), named, 2, test_size=2, series_id="id")
    np.testing.assert_array_equal(forecasts["forecast"], expected["forecast"])


def test_metadata_routing_changes_nothing():
    from sklearn import config_context

    panel = _panel()
    model = _pipeline(3, LSTMRegressor([3], steps=20, random_state=0))
    expected, _ = backtest(model, panel, 2, test_size=2, series_id="id")
    fitted = _fit(clone(model), panel)
    ahead = forecast(fitted, panel, 2, series_id="id")
    with config_context(enable_metadata_routing=True):
        found, _ = backtest(model, panel, 2, test_size=2, series_id="id")
        routed_ahead = forecast(fitted, panel, 2, series_id="id")
    pd.testing.assert_frame_equal(found, expected)
    pd.testing.assert_frame_equal(routed_ahead, ahead)


def test_a_zero_actual_leaves_mape_undefined_where_it_counts():
    panel = _panel()
    model = _fit(_pipeline(), panel)
    last_of_x = panel.index[panel["id"] == "x"][-1]
    panel.loc[last_of_x, "v"] = 0.0
    _, errors = backtest(model, panel, 1, test_size=1, series_id="id")
    assert np.isnan(errors.loc[("v", "x", "all"), "mape"])
    assert np.isnan(errors.loc[("v", "all", "all"), "mape"])
    assert np.isfinite(errors.loc[("v", "y", "all"), "mape"])
    assert np.isfinite(errors.loc[("v", "x", "all"), "smape"])


def test_a_series_shorter_than_the_window_is_padded():
    panel = _panel(lengths=(40, 6, 30))
    model = _fit(_pipeline(time_steps=8), panel)
    forecasts, _ = backtest(model, panel, 2, test_size=2, series_id="id")
    training = _training_part(panel, 2)
    by_hand = forecast(model, training, 2, series_id="id")
    np.testing.assert_allclose(forecasts["forecast"], by_hand["v"], rtol=1e-12)


def test_hostile_panels_get_clear_errors_and_leave_the_model_unchanged():
    panel = _panel()
    model = _fit(_pipeline(), panel)
    coefficients = model[-1].coef_.copy()
    split = pd.concat([panel.iloc[:20], panel.iloc[60:], panel.iloc[20:60]])
    with pytest.raises(ValueError, match=r"'x'.*split into separate blocks"):
        backtest(model, split, 2, test_size=2, series_id="id")
    missing = panel.copy()
    missing.loc[3, "v"] = np.nan
    with pytest.raises(ValueError, match="missing"):
        backtest(model, missing, 2, test_size=2, series_id="id")
    with pytest.raises(ValueError, match="Series 'z' has 30 rows, not more than"):
        backtest(model, panel, 2, test_size=30, series_id="id")
    with pytest.raises(ValueError, match="test_size=1 rows per series is less"):
        backtest(model, panel, 2, test_size=1, series_id="id")
    with pytest.raises(TypeError, match="test_size must be an int"):
        backtest(model, panel, 2, test_size=0.1, series_id="id")
    with pytest.raises(ValueError, match="coverage needs calibration rows"):
        backtest(model, panel, 2, test_size=2, series_id="id", coverage=0.9)
    with pytest.raises(ValueError, match="seasonality must be an int >= 1"):
        backtest(model, panel, 2, test_size=2, series_id="id", seasonality=0)
    with pytest.raises(ValueError, match="strategy='direct', but the model"):
        backtest(model, panel, 2, test_size=2, series_id="id", strategy="direct")
    with pytest.raises(ValueError, match="identifier is never a target"):
        backtest(model, panel, 2, test_size=2, series_id="id", targets="id")
    np.testing.assert_array_equal(model[-1].coef_, coefficients)


@pytest.mark.parametrize("name", ["origin", "time", "step", "actual", "forecast"])
def test_an_identifier_named_like_a_predictions_column_is_refused(name):
    panel = _panel().rename(columns={"id": name})
    model = make_pipeline(
        WindowTransformer(4, flatten=True, series_id=name), LinearRegression()
    )
    with pytest.raises(ValueError, match=f"series_id '{name}' takes the name of"):
        backtest(model, panel, 2, test_size=2, series_id=name)


def test_a_series_named_like_the_pooled_rows_is_refused():
    panel = _panel()
    panel["id"] = panel["id"].replace({"y": "all"})
    with pytest.raises(ValueError, match="Series 'all' takes the errors table's"):
        backtest(_pipeline(), panel, 2, test_size=2, series_id="id")


def test_lstm_panel_backtest_is_the_forecast_of_each_training_part():
    panel = _panel()
    model = _fit(
        _pipeline(
            5, LSTMRegressor([4], steps=20, batch_size=32, random_state=0), False
        ),
        panel,
    )
    forecasts, errors = backtest(model, panel, 3, test_size=3, series_id="id")
    training = _training_part(panel, 3)
    by_hand = forecast(model, training, 3, series_id="id")
    np.testing.assert_allclose(forecasts["forecast"], by_hand["v"], rtol=1e-5)
    assert errors.shape == (3 + 1 + 3, 6)
    assert np.isfinite(errors.to_numpy(dtype=float)).all()


def test_a_clone_is_never_the_model_given():
    panel = _panel()
    model = _pipeline()
    backtest(model, panel, 2, test_size=2, series_id="id")
    with pytest.raises(Exception, match="not fitted"):
        model.predict(panel)
    assert clone(model).get_params()["windowtransformer__series_id"] == "id"


def test_single_series_errors_table_has_the_competition_metrics():
    series = _panel(lengths=(80,))["v"].to_numpy()
    model = make_pipeline(WindowTransformer(4, flatten=True), LinearRegression())
    forecasts, errors = backtest(model, series, 2, test_size=10, seasonality=4)
    assert errors.columns.tolist() == [
        "target",
        "step",
        "n",
        "mse",
        "mae",
        "mape",
        "smape",
        "mase",
    ]
    training = series[:70]
    scale = np.mean(np.abs(training[4:] - training[:-4]))
    for step in (1, 2):
        rows = forecasts[forecasts["step"] == step]
        actual, predicted = rows["actual"], rows["forecast"]
        row = errors[errors["step"] == step].iloc[0]
        np.testing.assert_allclose(row["mape"], mape(actual, predicted))
        np.testing.assert_allclose(row["smape"], smape(actual, predicted))
        np.testing.assert_allclose(
            row["mase"], np.mean(np.abs(actual - predicted)) / scale
        )
    with pytest.raises(ValueError, match="seasonality must be an int >= 1"):
        backtest(model, series, 2, test_size=10, seasonality=0)


def test_a_series_too_short_to_train_on_is_still_forecast():
    # Series y's training part has 2 rows: no 2-step direct target of its own.
    panel = _panel(lengths=(40, 4, 30))
    forecasts, _ = backtest(
        _pipeline(), panel, 2, test_size=2, series_id="id", strategy="direct"
    )
    training = _training_part(panel, 2)
    fitted = _fit(_pipeline(), training, 2)
    by_hand = forecast(fitted, training, 2, series_id="id")
    assert (forecasts["id"] == "y").sum() == 2
    np.testing.assert_allclose(forecasts["forecast"], by_hand["v"], rtol=1e-10)


def _two_stores():
    dates = pd.date_range("2020-01-01", periods=8, freq="D")
    return pd.DataFrame(
        {"id": ["a"] * 8 + ["b"] * 8, "y": np.r_[np.arange(8.0), 10 + np.arange(8.0)]},
        index=dates.append(dates),
    )


def _fitted_ridge(panel, **output):
    from sklearn.linear_model import Ridge

    model = make_pipeline(WindowTransformer(3, flatten=True, series_id="id"), Ridge())
    if output:
        model.set_output(**output)
    plain = panel.reset_index(drop=True)
    targets = horizon_targets(plain, 1, series_id="id")
    return model.fit(plain.loc[targets.index], targets)


def test_dates_that_go_back_within_a_series_are_refused():
    panel = _two_stores()
    model = _fitted_ridge(panel)
    backwards = panel.copy()
    dates = panel.index[:8]
    backwards.index = dates[::-1].append(dates)
    match = "dates are not increasing within series 'a'"
    with pytest.raises(ValueError, match=match):
        forecast(model, backwards, 1, series_id="id")
    with pytest.raises(ValueError, match=match):
        backtest(model, backwards, 1, test_size=2, series_id="id")
    with pytest.raises(ValueError, match=match):
        horizon_targets(backwards, 1, series_id="id")


def test_a_pipeline_with_pandas_output_forecasts_a_panel():
    panel = _two_stores()
    plain = _fitted_ridge(panel)
    framed = _fitted_ridge(panel, transform="pandas")
    pd.testing.assert_frame_equal(
        forecast(framed, panel, 2, series_id="id"),
        forecast(plain, panel, 2, series_id="id"),
    )


def test_an_identifier_named_like_an_error_column_is_refused_first():
    panel = _two_stores().rename(columns={"id": "mse"})
    model = make_pipeline(WindowTransformer(3, flatten=True, series_id="mse"))
    with pytest.raises(ValueError, match="series_id 'mse' takes the name of"):
        backtest(model, panel, 2, test_size=2, series_id="mse")


def test_a_model_that_cannot_read_a_panel_is_refused_before_any_fit():
    from sklearn.linear_model import Ridge

    panel = _two_stores()
    with pytest.raises(TypeError, match="must be a Pipeline that starts with"):
        backtest(Ridge(), panel, 2, test_size=2, series_id="id")
    single = make_pipeline(WindowTransformer(3, flatten=True), Ridge())
    with pytest.raises(ValueError, match="the model's WindowTransformer reads"):
        backtest(single, panel, 2, test_size=2, series_id="id")
