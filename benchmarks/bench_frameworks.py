"""LSTMRegressor inside skforecast against sklstm's own backtest, same origins.

Series: statsmodels' yearly sunspots (309 years). The last 20% (62 years) is
the test part; forecasts of 12 steps from the origins skforecast's
``backtesting_forecaster`` uses with ``TimeSeriesFold(steps=12,
refit=False)`` (one fit on the rows before the test part, then a forecast
from the start of every fold), scored on the 5 complete folds (60 years).

Rows of the table:

- skforecast 0.26 ``ForecasterRecursive(estimator, lags=12)`` with
  ``LinearRegression``, with ``LSTMRegressor(random_state=seed)`` (seeds 0,
  1 and 2) as it reads a row by default (oldest first, while skforecast's
  lag columns are newest first), and with ``time_order="newest_first"``;
- sklstm's ``backtest(make_pipeline(WindowTransformer(12),
  LSTMRegressor(random_state=seed)), horizon=12)``, which fits on every row
  before the test part (the first 11 windows completed by repeating the first
  year), and the same pipeline fitted on the complete windows only, the 235
  rows skforecast trains on.

Run ``pip install -e '.[bench]' && python benchmarks/bench_frameworks.py
--out bench-results`` (about 30 seconds on 2 cores). It prints the table and
writes ``frameworks.md`` and ``frameworks.json``.

``--part conformal`` (about 15 seconds) measures instead the empirical
coverage of 90% one-step intervals on the same test part: the first 185
years train ``LSTMRegressor(random_state=seed)`` on their complete windows of
12 years, the next 62 calibrate, the last 62 are the test part. MAPIE 1.x's
``SplitConformalRegressor(prefit=True)`` calibrates once on those 62 years;
sklstm's ``backtest(..., horizon=1, coverage=0.9)`` of the same network
calibrates each origin on the forecast errors of the ``calibration_size``
years up to it (62, then the default: the network's validation tail). It
writes ``conformal.md`` and ``conformal.json``.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
from _report import arguments, write_report
from skforecast.model_selection import TimeSeriesFold, backtesting_forecaster
from skforecast.recursive import ForecasterRecursive
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline, make_pipeline

from sklstm import LSTMRegressor, WindowTransformer, backtest
from sklstm.datasets import load_sunspots

LAGS = 12
HORIZON = 12
TEST_FRACTION = 0.2
SEEDS = (0, 1, 2)
COVERAGE = 0.9


def skforecast_predictions(estimator, series: pd.Series, n_train: int) -> pd.Series:
    """skforecast's backtest forecasts, indexed by the years forecast."""
    forecaster = ForecasterRecursive(estimator=estimator, lags=LAGS)
    cv = TimeSeriesFold(
        steps=HORIZON, initial_train_size=n_train, refit=False, verbose=False
    )
    with warnings.catch_warnings():
        # The default order warns that skforecast's lags are newest first:
        # measuring what that costs is the point of that row.
        warnings.filterwarnings("ignore", message=".*time_order.*")
        _, predictions = backtesting_forecaster(
            forecaster=forecaster,
            y=series,
            cv=cv,
            metric="mean_squared_error",
            n_jobs=1,
            show_progress=False,
        )
    return predictions["pred"]


def sklstm_predictions(model, series: pd.Series, n_test: int, origins) -> pd.Series:
    """sklstm's backtest forecasts from ``origins``, indexed by the years."""
    forecasts, _ = backtest(model, series, HORIZON, test_size=n_test)
    chosen = forecasts[forecasts["origin"].isin(origins)]
    return chosen.set_index("time")["forecast"]


def fitted_on_complete_windows(series: pd.Series, n_train: int, seed: int):
    """The pipeline fitted on the windows skforecast trains on, nothing padded."""
    history = series.to_numpy()[:n_train, None]
    windows = WindowTransformer(LAGS).fit(history[:-1])
    network = LSTMRegressor(random_state=seed).fit(
        windows.transform(history[:-1])[LAGS - 1 :], history[LAGS:, 0]
    )
    pipeline = make_pipeline(WindowTransformer(LAGS), LSTMRegressor())
    pipeline.steps = [("windowtransformer", windows), ("lstmregressor", network)]
    return pipeline


def runs(series: pd.Series, n_train: int, n_test: int, origins) -> dict:
    """Each row of the table: a function of the seed giving its forecasts."""
    n = n_train
    return {
        "skforecast, `LinearRegression()`": lambda seed: skforecast_predictions(
            LinearRegression(), series, n
        ),
        "skforecast, `LSTMRegressor(random_state=seed)`": (
            lambda seed: skforecast_predictions(
                LSTMRegressor(random_state=seed), series, n
            )
        ),
        'skforecast, `LSTMRegressor(random_state=seed, time_order="newest_first")`': (
            lambda seed: skforecast_predictions(
                LSTMRegressor(random_state=seed, time_order="newest_first"), series, n
            )
        ),
        "sklstm `backtest`, `WindowTransformer(12)` -> "
        "`LSTMRegressor(random_state=seed)`": (
            lambda seed: sklstm_predictions(
                make_pipeline(
                    WindowTransformer(LAGS), LSTMRegressor(random_state=seed)
                ),
                series,
                n_test,
                origins,
            )
        ),
        "sklstm `backtest`, the same fitted on complete windows only": (
            lambda seed: sklstm_predictions(
                fitted_on_complete_windows(series, n, seed), series, n_test, origins
            )
        ),
    }


def conformal_intervals(seed: int, values: np.ndarray, n_fit: int, n_cal: int):
    """Coverage and mean width of MAPIE's and sklstm's 90% intervals."""
    from mapie.regression import SplitConformalRegressor

    windowing = WindowTransformer(LAGS, flatten=True).fit(values[:, None])
    windows = windowing.transform(values[:, None])
    # Windows are made once over the whole series (causal): every part's
    # windows carry their own history, none padded.
    network = LSTMRegressor(random_state=seed).fit(
        windows[LAGS - 1 : n_fit - 1], values[LAGS:n_fit]
    )
    start = n_fit + n_cal
    conformal = SplitConformalRegressor(
        estimator=network, confidence_level=COVERAGE, prefit=True
    )
    conformal.conformalize(windows[n_fit - 1 : start - 1], values[n_fit:start])
    _, intervals = conformal.predict_interval(windows[start - 1 : -1])
    lower, upper = intervals[:, 0, 0], intervals[:, 1, 0]
    actual = values[start:]
    inside = (lower <= actual) & (actual <= upper)
    results = {
        "MAPIE `SplitConformalRegressor(prefit=True)`, 62 calibration years": (
            float(inside.mean()),
            float(np.mean(upper - lower)),
        )
    }
    pipeline = Pipeline([("windowtransformer", windowing), ("lstmregressor", network)])
    sizes = {"62": n_cal, "default (validation tail)": None}
    for label, size in sizes.items():
        _, errors = backtest(
            pipeline,
            values,
            1,
            test_size=len(actual),
            coverage=COVERAGE,
            calibration_size=size,
        )
        name = f"sklstm `backtest(..., coverage=0.9)`, calibration_size {label}"
        results[name] = (float(errors["coverage"][0]), float(errors["width"][0]))
    return results


def conformal_main(out) -> None:
    values = load_sunspots().to_numpy()
    n_test = round(len(values) * TEST_FRACTION)
    n_fit = len(values) - 2 * n_test
    start = time.perf_counter()
    by_seed = [conformal_intervals(seed, values, n_fit, n_test) for seed in SEEDS]
    seconds = time.perf_counter() - start
    record = {"seconds": seconds}
    rows = []
    for name in by_seed[0]:
        coverages = [run[name][0] for run in by_seed]
        widths = [run[name][1] for run in by_seed]
        record[name] = {"coverage_by_seed": coverages, "width_by_seed": widths}
        cells = " | ".join(
            f"{c:.2f} ({w:.0f})" for c, w in zip(coverages, widths, strict=True)
        )
        rows.append(f"| {name} | {cells} |")
    seeds = " | ".join(f"seed {s}" for s in SEEDS)
    table = "\n".join(
        [
            f"Sunspots, 90% one-step intervals on the last {n_test} years: "
            "empirical coverage (mean width)",
            "",
            f"| intervals | {seeds} |",
            "|---|" + "---|" * len(SEEDS),
            *rows,
            "",
            f"{seconds:.0f} seconds",
        ]
    )
    print(table)
    write_report(out, "conformal", table + "\n", record)


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--part", choices=["skforecast", "conformal"])
    args = parser.parse_args()
    if args.part == "conformal":
        conformal_main(args.out)
        return
    series = load_sunspots()
    n_test = round(len(series) * TEST_FRACTION)
    n_train = len(series) - n_test
    n_folds = n_test // HORIZON
    scored = series.index[n_train : n_train + n_folds * HORIZON]
    origins = series.index[n_train - 1 + HORIZON * np.arange(n_folds)]
    actual = series.loc[scored].to_numpy()

    rows, record, forecasts = [], {}, {}
    for name, run in runs(series, n_train, n_test, origins).items():
        start = time.perf_counter()
        mses = []
        for seed in SEEDS:
            predicted = run(seed).loc[scored].to_numpy()
            forecasts[name, seed] = predicted
            mses.append(float(np.mean((predicted - actual) ** 2)))
        seconds = time.perf_counter() - start
        record[name] = {"mse_by_seed": mses, "seconds": seconds}
        cells = " | ".join(f"{m:.0f}" for m in mses)
        rows.append(f"| {name} | {cells} | {np.median(mses):.0f} | {seconds:.0f} |")
        print(rows[-1], flush=True)

    names = list(record)
    difference = max(
        float(np.max(np.abs(forecasts[names[2], s] - forecasts[names[4], s])))
        for s in SEEDS
    )
    record["max_abs_difference_newest_first_vs_complete_windows"] = difference
    seeds = " | ".join(f"MSE, seed {s}" for s in SEEDS)
    table = "\n".join(
        [
            f"Sunspots, last {n_test} years as the test part, {n_folds} folds of "
            f"{HORIZON} years from the same origins, no refit",
            "",
            f"| model | {seeds} | median | seconds |",
            "|---|" + "---|" * (len(SEEDS) + 2),
            *rows,
            "",
            "Largest difference between the forecasts of the newest-first "
            "skforecast run and the pipeline fitted on complete windows: "
            f"{difference:.3g}",
        ]
    )
    print()
    print(table)
    write_report(args.out, "frameworks", table + "\n", record)


if __name__ == "__main__":
    main()
