"""Forecasting real series several steps ahead: sklstm against baselines and
skforecast's recurrent forecaster.

Series: statsmodels' yearly sunspots (309 points) and weekly Mauna Loa CO2
(2,284 points, gaps interpolated; a season of 52 weeks). Protocol: the last
20% of the points are the test part and nothing is fitted on them; every
model is fitted once on the rows before the test part and then forecasts from
every origin whose whole horizon lies in the test part (a backtest without
refitting); windows of ``--time-steps`` rows; MSE in the series' units,
averaged over the steps of the horizon, median over the seeds.

Methods, for each horizon:

- ``persistence``: every step equals the origin's value;
- ``seasonal naive`` (CO2 only): every step equals the value a season before;
- ``linear direct`` / ``linear recursive``: ``LinearRegression`` on
  ``WindowTransformer(flatten=True)``, fitted on the horizon's targets
  (:func:`sklstm.horizon_targets`) or on the next value and fed back;
- ``sklstm direct`` / ``sklstm recursive``: ``LSTMRegressor(random_state=s)``,
  all defaults, behind ``WindowTransformer``, the same two ways, with 90%
  intervals (their coverage of the test points is reported);
- ``ETS``: statsmodels' Holt-Winters exponential smoothing
  (``statsmodels.tsa.holtwinters.ExponentialSmoothing``), additive, with the
  series' season where it has one, without a trend or with an additive damped
  trend, whichever has the lower AICc on the rows before the test part. It is
  fitted once on those rows, like every other model here, and forecasts from
  every origin with its fitted parameters and the observations up to the
  origin (no refitting);
- ``skforecast ForecasterRnn``: as skforecast's documentation builds it
  (``create_and_compile_model`` with an LSTM of 100 units and a dense layer of
  64, MinMax scaling, ``fit_kwargs={"epochs": 100, "batch_size": 32}``: it
  trains for one epoch unless told otherwise), predicting the whole horizon
  at once; its backtest is ``backtesting_forecaster_multiseries`` over the
  same test part without refitting (folds of ``steps`` points, its default).

Timings: ``fit s`` is the wall time of the fit, ``backtest s`` that of
forecasting the whole test part with the fitted model (sklstm forecasts
every origin; skforecast its folds).

Run ``pip install -e '.[bench]' && python benchmarks/bench_forecast.py --out
bench-results`` (about 25 minutes on 2 cores, most of it skforecast's fits;
``--skip-skforecast`` leaves them out). It prints the table and writes
``forecast.json`` and ``forecast.md``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from _report import (
    arguments,
    count,
    markdown_table,
    markdown_text,
    write_report,
)
from _report import seed as seed_argument
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

from sklstm import LSTMRegressor, WindowTransformer, backtest, horizon_targets
from sklstm.datasets import load_co2, load_sunspots

SERIES = {"sunspots": (load_sunspots, None), "co2": (load_co2, 52)}
TEST_FRACTION = 0.2
COVERAGE = 0.9
WAYS = ("direct", "recursive")
_ETS_ERRORS: dict[tuple, list[float]] = {}


def naive_backtest(series: np.ndarray, steps: int, n_test: int, season: int | None):
    """MSE per step of persistence (season None) or the seasonal naive forecast."""
    n_rows = len(series)
    origins = np.arange(n_rows - n_test - 1, n_rows - steps)
    errors = []
    for k in range(1, steps + 1):
        if season is None:
            predicted = series[origins]
        else:
            # The value one season before the forecast row, known at the origin
            # as long as the step is within a season.
            predicted = series[origins + k - season * (1 + (k - 1) // season)]
        errors.append(np.mean((predicted - series[origins + k]) ** 2))
    return errors


def ets_backtest(series: np.ndarray, steps: int, n_test: int, season: int | None):
    """MSE per step of statsmodels' Holt-Winters ETS, fitted once (see above)."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    first = len(series) - n_test
    seasonal = {} if season is None else {"seasonal": "add", "seasonal_periods": season}
    with warnings.catch_warnings():
        # Convergence chatter of the optimiser on short series.
        warnings.simplefilter("ignore")
        candidates = [
            ExponentialSmoothing(series[:first], **seasonal, **trend).fit()
            for trend in ({}, {"trend": "add", "damped_trend": True})
        ]
        chosen = min(candidates, key=lambda fitted: fitted.aicc)
        model, params = chosen.model, chosen.params
        known = {
            "trend": model.trend,
            "damped_trend": model.damped_trend,
            **seasonal,
            "initialization_method": "known",
            "initial_level": params["initial_level"],
        }
        smoothing = {"smoothing_level": params["smoothing_level"]}
        if model.trend:
            known["initial_trend"] = params["initial_trend"]
            smoothing["smoothing_trend"] = params["smoothing_trend"]
            smoothing["damping_trend"] = params["damping_trend"]
        if season is not None:
            known["initial_seasonal"] = params["initial_seasons"]
            smoothing["smoothing_seasonal"] = params["smoothing_seasonal"]
        origins = np.arange(first - 1, len(series) - steps)
        predicted = np.array(
            [
                ExponentialSmoothing(series[: origin + 1], **known)
                .fit(optimized=False, **smoothing)
                .forecast(steps)
                for origin in origins
            ]
        )
    actual = series[origins[:, None] + np.arange(1, steps + 1)]
    return np.mean((predicted - actual) ** 2, axis=0).tolist()


def run_window_model(model, series, steps, n_test, strategy, coverage, targets=None):
    """Fit on the rows before the test part, then backtest; MSE per step, times.

    ``targets`` names the forecast column of a table whose other columns are
    covariates; None forecasts every column.
    """
    start = time.perf_counter()
    first = len(series) - n_test - 1
    if strategy == "direct":
        model.fit(
            series.iloc[: first + 1 - steps],
            horizon_targets(series.iloc[: first + 1], steps, targets=targets),
        )
    else:
        following = series if targets is None else series[targets]
        model.fit(series.iloc[:first], following.to_numpy()[1 : first + 1])
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    _, errors = backtest(
        model,
        series,
        steps,
        test_size=n_test,
        strategy=strategy,
        coverage=coverage,
        targets=targets,
    )
    backtest_seconds = time.perf_counter() - start
    return {
        "mse_by_step": errors["mse"].tolist(),
        "coverage": None if coverage is None else float(errors["coverage"].mean()),
        "fit_seconds": fit_seconds,
        "backtest_seconds": backtest_seconds,
    }


def run_skforecast(series, steps, n_test, time_steps, seed):
    """skforecast's ForecasterRnn as its documentation configures it."""
    import keras
    from skforecast.deep_learning import ForecasterRnn, create_and_compile_model
    from skforecast.model_selection import (
        TimeSeriesFold,
        backtesting_forecaster_multiseries,
    )

    keras.utils.set_random_seed(seed)
    frame = series.to_frame(name="y")
    first = len(series) - n_test
    train = frame.iloc[:first]
    network = create_and_compile_model(
        series=train,
        lags=time_steps,
        steps=steps,
        recurrent_layer="LSTM",
        recurrent_units=100,
        dense_units=64,
    )
    forecaster = ForecasterRnn(
        estimator=network,
        levels="y",
        lags=time_steps,
        fit_kwargs={"epochs": 100, "batch_size": 32, "verbose": 0},
    )
    start = time.perf_counter()
    forecaster.fit(train, suppress_warnings=True)
    fit_seconds = time.perf_counter() - start
    # The fitted forecaster, no refitting: skforecast then forecasts every fold
    # after the first window of the series it is given, so it is given the
    # test part and the window before it.
    cv = TimeSeriesFold(steps=steps, initial_train_size=None, refit=False)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, predictions = backtesting_forecaster_multiseries(
            forecaster=forecaster,
            series=frame.iloc[first - time_steps :],
            cv=cv,
            metric="mean_squared_error",
            show_progress=False,
            suppress_warnings=True,
        )
    backtest_seconds = time.perf_counter() - start
    if predictions.index[0] != frame.index[first]:
        raise RuntimeError("skforecast's backtest did not start at the test part.")
    # Error per step: the k-th row of every fold is step k.
    predicted = predictions["pred"].to_numpy()
    actual = frame["y"].reindex(predictions.index).to_numpy()
    steps_of_rows = np.arange(len(predicted)) % steps
    mse_by_step = [
        float(np.mean((predicted - actual)[steps_of_rows == k] ** 2))
        for k in range(steps)
    ]
    return {
        "mse_by_step": mse_by_step,
        "coverage": None,
        "fit_seconds": fit_seconds,
        "backtest_seconds": backtest_seconds,
    }


def _since(start: float) -> float:
    return time.perf_counter() - start


def lstm(seed: int, time_steps: int):
    return make_pipeline(
        WindowTransformer(time_steps), LSTMRegressor(random_state=seed)
    )


def linear(time_steps: int):
    return make_pipeline(
        WindowTransformer(time_steps, flatten=True), LinearRegression()
    )


def run_cell(series, season, steps, time_steps, args):
    """(method, seed, result) of every method on one series, horizon and window."""
    n_test = round(len(series) * TEST_FRACTION)
    values = series.to_numpy()
    nothing = {"fit_seconds": 0.0, "backtest_seconds": 0.0, "coverage": None}
    yield (
        "persistence",
        None,
        {"mse_by_step": naive_backtest(values, steps, n_test, None), **nothing},
    )
    if season is not None:
        yield (
            "seasonal naive",
            None,
            {"mse_by_step": naive_backtest(values, steps, n_test, season), **nothing},
        )
    start = time.perf_counter()
    # The same for every window length: fitted once per series and horizon.
    key = (values.tobytes(), steps, n_test, season)
    if key not in _ETS_ERRORS:
        _ETS_ERRORS[key] = ets_backtest(values, steps, n_test, season)
    errors = _ETS_ERRORS[key]
    yield (
        "ETS",
        None,
        {**nothing, "mse_by_step": errors, "backtest_seconds": _since(start)},
    )
    for strategy in WAYS:
        result = run_window_model(
            linear(time_steps), series, steps, n_test, strategy, None
        )
        yield f"linear {strategy}", None, result
        for seed in args.seeds:
            result = run_window_model(
                lstm(seed, time_steps), series, steps, n_test, strategy, COVERAGE
            )
            yield f"sklstm {strategy}", seed, result
    if not args.skip_skforecast:
        for seed in args.skforecast_seeds:
            result = run_skforecast(series, steps, n_test, time_steps, seed)
            yield "skforecast ForecasterRnn", seed, result


def run(args) -> list[dict]:
    records = []
    for name in args.series:
        load, season = SERIES[name]
        series = load()
        for steps in args.horizons:
            for time_steps in args.time_steps:
                for method, seed, result in run_cell(
                    series, season, steps, time_steps, args
                ):
                    entry = {
                        "series": name,
                        "horizon": steps,
                        "time_steps": time_steps,
                        "method": method,
                        "seed": seed,
                        "mse": float(np.mean(result["mse_by_step"])),
                        **result,
                    }
                    records.append(entry)
                    print(
                        f"{name:8s} h={steps:2d} T={time_steps:2d} {method:24s} "
                        f"seed={seed} mse={entry['mse']:.4g} "
                        f"fit={entry['fit_seconds']:.2f}s "
                        f"backtest={entry['backtest_seconds']:.3f}s",
                        flush=True,
                    )
    return records


def summarize(records: list[dict]) -> list[dict]:
    """Median over seeds per series, horizon, window and method."""
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        key = (r["series"], r["horizon"], r["time_steps"], r["method"])
        groups.setdefault(key, []).append(r)
    rows = []
    for (name, steps, time_steps, method), runs in groups.items():
        coverages = [r["coverage"] for r in runs if r["coverage"] is not None]
        rows.append(
            {
                "series": name,
                "horizon": steps,
                "time_steps": time_steps,
                "method": method,
                "seeds": [r["seed"] for r in runs],
                "mse": statistics.median(r["mse"] for r in runs),
                # How much the seeds' errors differ: worst over best.
                "seed_spread": max(r["mse"] for r in runs)
                / min(r["mse"] for r in runs),
                "mse_last_step": statistics.median(r["mse_by_step"][-1] for r in runs),
                "coverage": statistics.median(coverages) if coverages else None,
                "fit_seconds": statistics.median(r["fit_seconds"] for r in runs),
                "backtest_seconds": statistics.median(
                    r["backtest_seconds"] for r in runs
                ),
            }
        )
    return rows


def checks(rows: list[dict]) -> list[dict]:
    """The goals: sklstm at or below the better of the two LinearRegression
    forecasts (direct or recursive), backtests 20x faster than skforecast's."""
    found = []
    by_key = {
        (r["series"], r["horizon"], r["time_steps"], r["method"]): r for r in rows
    }
    for (name, steps, time_steps, method), row in by_key.items():
        if not method.startswith("sklstm"):
            continue
        strategy = method.split()[1]
        lin = min(
            (by_key[(name, steps, time_steps, f"linear {way}")] for way in WAYS),
            key=lambda r: r["mse"],
        )
        found.append(
            {
                "check": f"{name} h={steps} T={time_steps}: {method} MSE <= "
                f"best linear ({lin['method'].split()[1]})",
                "measured": f"{row['mse']:.4g} vs {lin['mse']:.4g} "
                f"({row['mse'] / lin['mse']:.3f}x)",
                "met": row["mse"] <= lin["mse"],
            }
        )
        peer = by_key.get((name, steps, time_steps, "skforecast ForecasterRnn"))
        if peer is not None and strategy == "direct":
            ratio = peer["backtest_seconds"] / row["backtest_seconds"]
            found.append(
                {
                    "check": f"{name} h={steps} T={time_steps}: backtest speed-up "
                    "over skforecast",
                    "measured": f"{ratio:.0f}x",
                    "met": ratio >= 20,
                }
            )
    return found


def markdown(rows: list[dict], found: list[dict]) -> str:
    columns = ["series", "h", "T", "method", "MSE (mean of steps)", "MSE at step h"]
    columns += ["seeds max/min", "90% coverage", "fit s", "backtest s"]
    cells = [
        [str(r[key]) for key in ("series", "horizon", "time_steps", "method")]
        + [f"{r['mse']:.4g}", f"{r['mse_last_step']:.4g}", f"{r['seed_spread']:.2f}"]
        + ["" if r["coverage"] is None else f"{r['coverage']:.3f}"]
        + [f"{r['fit_seconds']:.2f}", f"{r['backtest_seconds']:.3f}"]
        for r in rows
    ]
    verdicts = [[c["check"], c["measured"], "yes" if c["met"] else "NO"] for c in found]
    lines = [*markdown_table(columns, cells), ""]
    return markdown_text(lines + markdown_table(["check", "measured", "met"], verdicts))


def main(argv=None) -> int:
    parser = arguments(__doc__, seeds=True)
    parser.add_argument("--series", nargs="+", default=list(SERIES), choices=SERIES)
    parser.add_argument("--horizons", nargs="+", type=count, default=[1, 12])
    parser.add_argument("--time-steps", nargs="+", type=count, default=[12])
    parser.add_argument(
        "--skforecast-seeds", nargs="+", type=seed_argument, default=[0, 1, 2]
    )
    parser.add_argument("--skip-skforecast", action="store_true")
    args = parser.parse_args(argv)
    records = run(args)
    rows = summarize(records)
    found = checks(rows)
    text = markdown(rows, found)
    print()
    print(text)
    write_report(
        args.out, "forecast", text, {"runs": records, "summary": rows, "checks": found}
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
