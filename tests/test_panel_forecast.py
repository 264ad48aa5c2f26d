"""forecast(..., series_id=...): every series of a long table from its last row."""

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

from sklstm import (
    LSTMRegressor,
    WindowTransformer,
    backtest,
    forecast,
    horizon_targets,
)


def _panel(lengths=(40, 55, 30), seed=0):
    rng = np.random.RandomState(seed)
    parts = [
        (k + 1) * np.sin(np.arange(n) * 0.3 + k) + 0.1 * rng.randn(n)
        for k, n in enumerate(lengths)
    ]
    return pd.DataFrame(
        {
            "id": np.repeat(["x", "y", "z"][: len(lengths)], lengths),
            "v": np.concatenate(parts),
        }
    )


def _one_step_model(panel, regressor, time_steps=4, flatten=True):
    targets = horizon_targets(panel, 1, series_id="id")
    model = make_pipeline(
        WindowTransformer(time_steps, flatten=flatten, series_id="id"), regressor
    )
    return model.fit(panel.loc[targets.index], targets["v_step1"].to_numpy())


def _direct_model(panel, horizon, time_steps):
    targets = horizon_targets(panel, horizon, series_id="id")
    model = make_pipeline(
        WindowTransformer(time_steps, flatten=True, series_id="id"), LinearRegression()
    )
    return model.fit(panel.loc[targets.index], targets)


def _alone(panel, model, steps, flatten=True):
    """Each series forecast alone by a single-series pipeline of the same regressor."""
    transformer = model[0]
    results = {}
    for name, part in panel.groupby("id", sort=False):
        single = make_pipeline(
            WindowTransformer(transformer.time_steps, flatten=flatten).fit(part[["v"]]),
            model[-1],
        )
        results[name] = forecast(single, part[["v"]], steps)
    return results


def test_recursive_panel_forecast_is_each_series_forecast_alone():
    panel = _panel()
    model = _one_step_model(panel, LinearRegression())
    predicted = forecast(model, panel, 5, series_id="id")
    assert predicted.columns.tolist() == ["id", "step", "v"]
    assert predicted["id"].tolist() == ["x"] * 5 + ["y"] * 5 + ["z"] * 5
    assert predicted["step"].tolist() == [1, 2, 3, 4, 5] * 3
    for name, alone in _alone(panel, model, 5).items():
        np.testing.assert_allclose(
            predicted.loc[predicted["id"] == name, "v"], alone, rtol=1e-12
        )


def test_direct_panel_forecast_is_each_series_forecast_alone():
    panel = _panel()
    model = _direct_model(panel, 3, time_steps=6)
    predicted = forecast(model, panel, 3, series_id="id")
    for name, alone in _alone(panel, model, 3).items():
        np.testing.assert_allclose(
            predicted.loc[predicted["id"] == name, "v"], alone, rtol=1e-12
        )
    # Fewer steps than the model's horizon take its first ones.
    first_two = forecast(model, panel, 2, series_id="id")
    np.testing.assert_array_equal(
        first_two["v"], predicted.loc[predicted["step"] <= 2, "v"]
    )


def _lstm_model(panel, steps):
    network = LSTMRegressor([4], steps=steps, batch_size=32, random_state=0)
    return _one_step_model(panel, network, time_steps=5, flatten=False)


def test_lstm_panel_forecast_is_each_series_forecast_alone():
    panel = _panel()
    model = _lstm_model(panel, steps=30)
    predicted = forecast(model, panel, 3, series_id="id")
    for name, alone in _alone(panel, model, 3, flatten=False).items():
        np.testing.assert_allclose(
            predicted.loc[predicted["id"] == name, "v"], alone, rtol=1e-5
        )


def test_a_series_shorter_than_the_window_is_padded_as_in_training():
    panel = pd.DataFrame(
        {"id": ["long"] * 10 + ["short"] * 2, "v": np.r_[np.arange(10.0), 5.0, 7.0]}
    )
    model = _one_step_model(panel, LinearRegression(), time_steps=4)
    predicted = forecast(model, panel, 1, series_id="id")
    by_hand = model[-1].predict([[5.0, 5.0, 5.0, 7.0]])[0]  # edge padding
    assert predicted["v"].iloc[1] == pytest.approx(by_hand)


def test_array_history_with_the_identifier_by_position():
    panel = _panel()
    model = make_pipeline(
        WindowTransformer(4, flatten=True, series_id=0), LinearRegression()
    )
    targets = horizon_targets(panel, 1, series_id="id")
    rows = panel.loc[targets.index].to_numpy()
    model.fit(rows, targets["v_step1"])
    predicted = forecast(model, panel.to_numpy(), 2, series_id=0)
    assert predicted.columns.tolist() == ["series_id", "step", "x1"]
    by_frame = _one_step_model(panel, LinearRegression())
    np.testing.assert_allclose(
        predicted["x1"], forecast(by_frame, panel, 2, series_id="id")["v"]
    )


def test_panel_forecast_errors():
    panel = _panel()
    model = _one_step_model(panel, LinearRegression())
    for argument in ({"origins": [3]}, {"future_covariates": np.zeros((2, 1))}):
        with pytest.raises(ValueError, match="cannot be used with it"):
            forecast(model, panel, 2, series_id="id", **argument)
    with pytest.raises(ValueError, match="coverage needs calibration rows"):
        forecast(model, panel, 2, series_id="id", coverage=0.9)
    with pytest.raises(ValueError, match="reads the series from series_id='id'"):
        forecast(model, panel.rename(columns={"id": "store"}), 2, series_id="store")
    with pytest.raises(TypeError, match="must be a fitted Pipeline that starts"):
        forecast(model[-1], panel, 2, series_id="id")
    with pytest.raises(ValueError, match="identifier is never a target"):
        forecast(model, panel, 2, series_id="id", targets="id")
    with pytest.raises(ValueError, match="horizon must be an int >= 1"):
        forecast(model, panel, 0, series_id="id")
    gap = panel.copy()
    gap.loc[54, "v"] = np.nan  # in the last window of series "y" (rows 40-94)
    gap.loc[91, "v"] = np.nan
    with pytest.raises(ValueError, match="Series 'y' has missing values in its last"):
        forecast(model, gap, 2, series_id="id")
    unsorted = pd.concat([panel.iloc[:5], panel.iloc[50:], panel.iloc[5:50]])
    with pytest.raises(ValueError, match="split into separate blocks"):
        forecast(model, unsorted, 2, series_id="id")
    with pytest.raises(ValueError, match="history has no rows"):
        forecast(model, panel.iloc[:0], 2, series_id="id")
    infinite = panel.copy()
    infinite.loc[7, "v"] = np.inf
    with pytest.raises(ValueError, match=r"infinite value at row 7 \(column 'v'\)"):
        forecast(model, infinite, 2, series_id="id")


def test_single_series_backtest_refuses_a_panel_model():
    panel = _panel()
    model = _one_step_model(panel, LinearRegression())
    with pytest.raises(
        ValueError, match=r"backtest it with backtest\(\.\.\., series_id='id'\)"
    ):
        backtest(model, panel, 2, test_size=2)


@pytest.mark.parametrize(
    "renamed, series_id, match",
    [
        ({"v": "step"}, "id", "target column 'step' takes one of the"),
        ({"id": "step"}, "step", "series_id 'step' takes the name of a"),
    ],
)
def test_columns_named_like_the_tables_own_columns_are_refused(
    renamed, series_id, match
):
    panel = _panel().rename(columns=renamed)
    targets = horizon_targets(panel, 1, series_id=series_id)
    model = make_pipeline(
        WindowTransformer(4, flatten=True, series_id=series_id), LinearRegression()
    ).fit(panel.loc[targets.index], targets.to_numpy()[:, 0])
    with pytest.raises(ValueError, match=match):
        forecast(model, panel, 2, series_id=series_id)


def test_direct_and_recursive_limits():
    panel = _panel()
    direct = _direct_model(panel, 2, time_steps=4)
    with pytest.raises(ValueError, match="forecasts 2 steps directly; horizon=3"):
        forecast(direct, panel, 3, series_id="id")
    two = panel.assign(w=np.arange(len(panel), dtype=float))
    one_target = horizon_targets(two, 1, targets="v", series_id="id")
    recursive = make_pipeline(
        WindowTransformer(4, flatten=True, series_id="id"), LinearRegression()
    ).fit(two.loc[one_target.index], one_target)
    with pytest.raises(ValueError, match="must forecast all 2 value column"):
        forecast(recursive, two, 3, series_id="id", targets="v")
    # One step needs no feedback.
    assert len(forecast(recursive, two, 1, series_id="id", targets="v")) == 3
    both = horizon_targets(two, 1, series_id="id")
    next_rows = make_pipeline(
        WindowTransformer(4, flatten=True, series_id="id"), LinearRegression()
    ).fit(two.loc[both.index], both)
    # Two outputs: the next row of both columns, or two steps of v.
    with pytest.warns(UserWarning, match=r"read as 2 steps of \['v'\]"):
        forecast(next_rows, two, 2, series_id="id", targets="v")
    with pytest.raises(ValueError, match="strategy='recursive', but the model"):
        forecast(next_rows, two, 2, series_id="id", targets="v", strategy="recursive")


def test_single_series_forecast_still_refuses_a_panel_model():
    panel = _panel()
    model = _one_step_model(panel, LinearRegression())
    with pytest.raises(
        ValueError, match=r"forecast it with forecast\(\.\.\., series_id='id'\)"
    ):
        forecast(model, panel, 2)


def test_a_pickled_panel_model_forecasts_identically(tmp_path):
    panel = _panel()
    model = _lstm_model(panel, steps=20)
    joblib.dump(model, tmp_path / "panel.joblib")
    loaded = joblib.load(tmp_path / "panel.joblib")
    pd.testing.assert_frame_equal(
        forecast(loaded, panel, 3, series_id="id"),
        forecast(model, panel, 3, series_id="id"),
    )
