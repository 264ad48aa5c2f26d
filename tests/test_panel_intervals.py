"""Prediction intervals for a panel: each series' latest origins calibrate,
their errors pooled across series on each window's scale."""

import io

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
    load,
)
from sklstm._panel_intervals import calibration_origins, pooled_widths


def _noisy_panel(n_rows=200, levels=(1.0, 10.0, 100.0), seed=0):
    """AR(1) series around different levels, noise proportional to the level."""
    rng = np.random.RandomState(seed)
    frames = []
    for number, level in enumerate(levels):
        values = np.empty(n_rows)
        values[0] = 0.0
        for t in range(1, n_rows):
            values[t] = 0.7 * values[t - 1] + rng.normal()
        frames.append(pd.DataFrame({"id": f"s{number}", "v": level * (5 + values)}))
    return pd.concat(frames, ignore_index=True)


def _linear_model(panel, time_steps=4):
    targets = horizon_targets(panel, 1, series_id="id")
    model = make_pipeline(
        WindowTransformer(time_steps, flatten=True, series_id="id"), LinearRegression()
    )
    return model.fit(panel.loc[targets.index], targets)


def test_calibration_origins_are_each_series_latest_known_rows():
    starts, lengths = np.array([0, 10, 13]), np.array([10, 3, 20])
    origins = calibration_origins(starts, lengths, np.array([3, 5, 2]), horizon=2)
    # Series 0: rows 5, 6, 7 (row 7 + 2 = 9 is its last); series 1 (rows 10
    # to 12): row 10 only; series 2 (rows 13 to 32): rows 29, 30.
    np.testing.assert_array_equal(origins, [5, 6, 7, 10, 29, 30])
    assert len(calibration_origins(np.array([0]), np.array([2]), np.array([3]), 2)) == 0


def test_pooled_widths_take_the_conformal_rank_of_scaled_errors():
    errors = np.arange(1.0, 20.0)[:, None, None] * np.ones((1, 2, 1))
    scales = np.full((19, 1), 2.0)
    # ceil(20 * 0.9) = 18th smallest of 0.5, 1.0, ..., 9.5.
    np.testing.assert_array_equal(pooled_widths(errors, scales, 0.9), [[9.0], [9.0]])
    with pytest.raises(
        ValueError, match=r"coverage=0\.95 needs at least 19 calibration"
    ):
        pooled_widths(errors[:10], scales[:10], 0.95)


def test_forecast_intervals_follow_each_series_scale():
    panel = _noisy_panel()
    model = _linear_model(panel)
    point, lower, upper = forecast(
        model, panel, 3, series_id="id", coverage=0.8, calibration_size=40
    )
    expected = forecast(model, panel, 3, series_id="id")
    pd.testing.assert_frame_equal(point, expected)
    assert list(lower.columns) == list(upper.columns) == ["id", "step", "v"]
    widths = (upper["v"] - lower["v"]).to_numpy().reshape(3, 3)
    assert (widths > 0).all()
    # The same pooled quantile times each last window's scale: a series ten
    # times larger gets intervals about ten times wider.
    ratios = widths[1:] / widths[:-1]
    assert ((ratios > 4) & (ratios < 25)).all()
    np.testing.assert_allclose((upper["v"] + lower["v"]) / 2, point["v"])


def test_intervals_read_nullable_columns_as_floats():
    panel = _noisy_panel()
    model = _linear_model(panel)
    panel.loc[2, "v"] = np.nan  # long before any row the intervals read
    floats = forecast(
        model, panel, 3, series_id="id", coverage=0.8, calibration_size=40
    )
    nullable = panel.astype({"v": "Float64"})
    with_na = forecast(
        model, nullable, 3, series_id="id", coverage=0.8, calibration_size=40
    )
    for mine, theirs in zip(with_na, floats, strict=True):
        np.testing.assert_array_equal(mine["v"].to_numpy(float), theirs["v"])


def test_backtest_reports_coverage_near_its_nominal_level():
    panel = _noisy_panel(n_rows=300, levels=(1.0, 10.0, 100.0, 1000.0))
    model = _linear_model(panel)
    forecasts, errors = backtest(
        model,
        panel,
        2,
        test_size=60,
        series_id="id",
        coverage=0.8,
        calibration_size=60,
    )
    assert {"lower", "upper"} <= set(forecasts.columns)
    overall = errors.loc[("v", "all", "all")]
    assert 0.7 <= overall["coverage"] <= 0.9
    inside = (forecasts["lower"] <= forecasts["actual"]) & (
        forecasts["actual"] <= forecasts["upper"]
    )
    assert overall["coverage"] == pytest.approx(inside.mean())
    by_series = errors.xs("all", level="step").loc["v"]
    widths = by_series.drop(index="all")["width"].to_numpy()
    assert (np.diff(widths) > 0).all()  # larger series, wider intervals


def test_a_network_calibrates_on_its_validation_tails_by_default():
    panel = _noisy_panel(n_rows=100)
    targets = horizon_targets(panel, 1, series_id="id")
    rows = panel.loc[targets.index]
    model = make_pipeline(
        WindowTransformer(4, series_id="id"),
        LSTMRegressor([4], steps=30, print_steps=10, random_state=0),
    ).fit(rows, targets, lstmregressor__groups=rows["id"])
    point, lower, upper = forecast(model, panel, 2, series_id="id", coverage=0.8)
    assert (lower["v"] < point["v"]).all() and (point["v"] < upper["v"]).all()
    # The tails the fit held out calibrate, whatever the parameter says since.
    model[-1].set_params(validation_fraction=0.5)
    _, lower_now, upper_now = forecast(model, panel, 2, series_id="id", coverage=0.8)
    np.testing.assert_array_equal(
        upper_now["v"] - lower_now["v"], upper["v"] - lower["v"]
    )
    # So does a model saved and loaded since.
    buffer = io.BytesIO()
    model[-1].save(buffer)
    buffer.seek(0)
    model.steps[-1] = ("lstmregressor", load(buffer))
    _, lower_now, upper_now = forecast(model, panel, 2, series_id="id", coverage=0.8)
    np.testing.assert_allclose(upper_now["v"] - lower_now["v"], upper["v"] - lower["v"])
    with pytest.raises(TypeError, match="calibration_size must be an int"):
        forecast(model, panel, 2, series_id="id", coverage=0.8, calibration_size=2.5)


def test_calibration_needs_complete_rows_and_enough_origins():
    panel = _noisy_panel(n_rows=30)
    model = _linear_model(panel)
    # Series s0's latest 5 origins for 2 steps are rows 23 to 27; their
    # windows of 4 reach back to row 20.
    gap = panel.copy()
    gap.loc[20, "v"] = np.nan
    with pytest.raises(
        ValueError,
        match=r"missing value at row 20 \(series 's0', column 'v'\), which the "
        "intervals read",
    ):
        forecast(model, gap, 2, series_id="id", coverage=0.8, calibration_size=5)
    # Rows the calibration does not read may have gaps, as without coverage.
    gap = panel.copy()
    gap.loc[19, "v"] = np.nan
    forecast(model, gap, 2, series_id="id", coverage=0.8, calibration_size=5)
    with pytest.raises(ValueError, match=r"the panel gives 0\. Lower coverage"):
        forecast(model, panel, 30, series_id="id", coverage=0.8, calibration_size=5)
