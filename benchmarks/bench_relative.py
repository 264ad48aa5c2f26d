"""Real series one and twelve steps ahead: the defaults against a linear
autoregression and ETS, and what ``relative="auto"`` chooses against both
fixed modes.

Series (shipped with statsmodels and aeon, nothing downloaded): yearly
sunspots, weekly Mauna Loa CO2 (gaps interpolated), the Nile's yearly flow,
monthly El Niño sea temperatures (1950 to 2010), four quarterly US series of
statsmodels' ``macrodata`` (real GDP, CPI, unemployment, inflation), and
aeon's monthly airline passengers (1949 to 1960).

Protocol, for windows of 12 and of 24: windows over the whole series, targets
the next value; the last 20% of the points are the test part, nothing is
fitted on them; ``make_pipeline(WindowTransformer(T), LSTMRegressor(...))``
with ``random_state`` 0, 1 and 2 and ``relative`` "auto" (the default),
False and True; ``LinearRegression`` on the same windows flattened, and
persistence, and statsmodels' Holt-Winters ETS (see
``bench_forecast.ets_backtest``: fitted once, on the rows before the test
part, with the season of CO2, 52 weeks, and of El Niño and the airline, 12
months). Test MSE in the series' units, median over the seeds; ``seeds
max/min`` is the largest over the smallest of the seeds' errors.

Twelve steps ahead (``--horizons``), with ``bench_forecast``'s protocol:
every model is fitted once on the rows before the test part and forecasts the
next 12 values from every origin whose 12 steps lie in the test part (MSE
averaged over the steps), ``LinearRegression`` and the defaults each both
directly (one output per step, :func:`sklstm.horizon_targets`) and
recursively (the next value, fed back).

With ``--season-terms``, the series with a season (CO2, El Niño and the
airline) are also run with the season's Fourier terms
(:func:`sklstm.fourier_terms`, every harmonic; ``SEASON_HARMONICS`` for
CO2's 52 weeks) as covariate columns
beside the values: ``LinearRegression`` and the defaults on those windows,
one step ahead and at each horizon (direct and recursive), backtested as
above with the future rows' terms known.

Run ``pip install -e '.[bench]' && python benchmarks/bench_relative.py --out
bench-results`` (about 30 minutes on 2 cores). It prints the tables and
writes ``relative.json`` and ``relative.md``.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import numpy as np
import pandas as pd
from _report import arguments, count, markdown_table, markdown_text
from bench_forecast import WAYS, ets_backtest, linear, lstm, run_window_model
from sklearn.linear_model import LinearRegression

from sklstm import LSTMRegressor, causal_windows, fourier_terms
from sklstm.datasets import load_co2, load_sunspots

TEST_FRACTION = 0.2
MODES = ("auto", False, True)
SEASONS = {"co2": 52, "elnino": 12, "airline": 12}
# Sine-cosine pairs of the season's terms: every harmonic of El Niño's 12
# months; three of CO2's 52 weeks, whose yearly shape is smooth.
SEASON_HARMONICS = {"co2": 3, "elnino": None, "airline": None}


def _statsmodels(name: str) -> np.ndarray:
    from statsmodels import datasets

    if name == "nile":
        return datasets.nile.load_pandas().data["volume"].to_numpy(float)
    if name == "elnino":
        data = datasets.elnino.load_pandas().data.drop(columns="YEAR")
        return data.to_numpy(float).ravel()
    return datasets.macrodata.load_pandas().data[name].to_numpy(float)


def _airline() -> np.ndarray:
    from aeon.datasets import load_airline

    return np.asarray(load_airline(), dtype=float)


SERIES = {
    "sunspots": lambda: load_sunspots().to_numpy(),
    "co2": lambda: load_co2().to_numpy(),
    "nile": lambda: _statsmodels("nile"),
    "elnino": lambda: _statsmodels("elnino"),
    "realgdp": lambda: _statsmodels("realgdp"),
    "cpi": lambda: _statsmodels("cpi"),
    "unemp": lambda: _statsmodels("unemp"),
    "infl": lambda: _statsmodels("infl"),
    "airline": lambda: _airline(),
}


def one_series(values: np.ndarray, time_steps: int, seeds, modes=MODES) -> dict:
    windows = causal_windows(values[:-1, None], time_steps)
    targets = values[1:]
    cut = len(values) - 1 - round(TEST_FRACTION * len(values))
    X_fit, y_fit, X_test, y_test = (
        windows[:cut],
        targets[:cut],
        windows[cut:],
        targets[cut:],
    )

    def mse(predicted):
        return float(np.mean((predicted - y_test) ** 2))

    row = {
        "persistence": mse(X_test[:, -1, 0]),
        "linear": mse(
            LinearRegression()
            .fit(X_fit.reshape(cut, -1), y_fit)
            .predict(X_test.reshape(len(X_test), -1))
        ),
    }
    for mode in modes:
        runs = []
        for seed in seeds:
            start = time.perf_counter()
            model = LSTMRegressor(relative=mode, random_state=seed).fit(X_fit, y_fit)
            runs.append(
                {
                    "seed": seed,
                    "mse": mse(model.predict(X_test)),
                    "steps": int(model.n_iter_),
                    "best_step": int(model.best_step_),
                    "fit_seconds": time.perf_counter() - start,
                    "relative_": bool(model.relative_[0]),
                }
            )
        row[f"relative={mode}"] = statistics.median(r["mse"] for r in runs)
        row[f"runs relative={mode}"] = runs
    row["auto chose"] = row["runs relative=auto"][0]["relative_"]
    return row


def several_steps(series: pd.Series, steps: int, time_steps: int, seeds) -> dict:
    """Backtest MSE (mean of the steps) of the linear and default forecasts."""
    n_test = round(len(series) * TEST_FRACTION)
    row = {}
    for way in WAYS:
        result = run_window_model(linear(time_steps), series, steps, n_test, way, None)
        row[f"linear {way}"] = float(np.mean(result["mse_by_step"]))
        runs = []
        for seed in seeds:
            result = run_window_model(
                lstm(seed, time_steps), series, steps, n_test, way, None
            )
            runs.append(
                {
                    "seed": seed,
                    "mse": float(np.mean(result["mse_by_step"])),
                    "fit_seconds": result["fit_seconds"],
                }
            )
        row[f"defaults {way}"] = statistics.median(r["mse"] for r in runs)
        row[f"runs defaults {way}"] = runs
    return row


def with_season_terms(
    name: str, values: np.ndarray, steps: int, time_steps: int, seeds
) -> dict:
    """Backtest MSE of the linear and default models that read the terms too."""
    terms = fourier_terms(len(values), SEASONS[name], harmonics=SEASON_HARMONICS[name])
    frame = pd.DataFrame(terms, columns=[f"term{j}" for j in range(terms.shape[1])])
    frame.insert(0, "value", values)
    n_test = round(len(values) * TEST_FRACTION)

    def run(model, way):
        result = run_window_model(model, frame, steps, n_test, way, None, "value")
        return float(np.mean(result["mse_by_step"]))

    row = {"series": name, "time_steps": time_steps, "horizon": steps}
    for way in WAYS if steps > 1 else WAYS[:1]:
        row[f"linear {way}"] = run(linear(time_steps), way)
        runs = [
            {"seed": seed, "mse": run(lstm(seed, time_steps), way)} for seed in seeds
        ]
        row[f"defaults {way}"] = statistics.median(r["mse"] for r in runs)
        row[f"runs defaults {way}"] = runs
    return row


def markdown_season_terms(rows: list[dict]) -> str:
    columns = ["series", "T", "h", "way", "linear with terms", "defaults with terms"]
    columns += ["seeds max/min"]
    cells = [
        [
            str(r["series"]),
            str(r["time_steps"]),
            str(r["horizon"]),
            way,
            f"{r[f'linear {way}']:.4g}",
            f"{r[f'defaults {way}']:.4g}",
            f"{_spread(r[f'runs defaults {way}']):.2f}",
        ]
        for r in rows
        for way in WAYS
        if f"linear {way}" in r
    ]
    return markdown_text(markdown_table(columns, cells))


def _spread(runs: list[dict]) -> float:
    errors = [r["mse"] for r in runs]
    return max(errors) / min(errors)


def markdown(rows: list[dict]) -> str:
    lines = [
        "| series | T | persistence | ETS | LinearRegression | defaults (auto) "
        "| relative=False | relative=True | auto chose | defaults / linear "
        "| seeds max/min |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['series']} | {r['time_steps']} | {r['persistence']:.4g} "
            f"| {r['ETS']:.4g} | {r['linear']:.4g} | {r['relative=auto']:.4g} "
            f"| {r.get('relative=False', np.nan):.4g} "
            f"| {r.get('relative=True', np.nan):.4g} "
            f"| {'relative' if r['auto chose'] else 'levels'} "
            f"| {r['relative=auto'] / r['linear']:.3f} "
            f"| {_spread(r['runs relative=auto']):.2f} |"
        )
    return markdown_text(lines)


def markdown_several(rows: list[dict]) -> str:
    columns = ["series", "T", "h", "ETS", "linear direct", "linear recursive"]
    columns += ["defaults direct", "defaults recursive", "best defaults / best linear"]
    columns += ["seeds max/min (direct, recursive)"]
    cells = []
    for r in rows:
        best_linear = min(r[f"linear {way}"] for way in WAYS)
        best_defaults = min(r[f"defaults {way}"] for way in WAYS)
        cells.append(
            [str(r["series"]), str(r["time_steps"]), str(r["horizon"])]
            + [f"{r[name]:.4g}" for name in columns[3:8]]
            + [f"{best_defaults / best_linear:.3f}"]
            + [", ".join(f"{_spread(r[f'runs defaults {way}']):.2f}" for way in WAYS)]
        )
    return markdown_text(markdown_table(columns, cells))


def main(argv=None) -> int:
    parser = arguments(__doc__, seeds=True)
    parser.add_argument("--series", nargs="+", default=list(SERIES), choices=SERIES)
    parser.add_argument("--time-steps", nargs="+", type=count, default=[12, 24])
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=["auto", "False", "True"],
        default=["auto", "False", "True"],
        help="relative modes compared one step ahead: auto False True (default all)",
    )
    parser.add_argument(
        "--horizons",
        nargs="*",
        type=count,
        default=[12],
        help="horizons beyond one step (default: 12; none for one step only)",
    )
    parser.add_argument(
        "--season-terms",
        action="store_true",
        help="also run the seasonal series with their Fourier terms as covariates",
    )
    args = parser.parse_args(argv)
    modes = [{"auto": "auto", "False": False, "True": True}[m] for m in args.modes]
    rows, several, seasonal = [], [], []
    started = time.perf_counter()
    for name in args.series:
        values = SERIES[name]()
        n_test = round(TEST_FRACTION * len(values))
        season = SEASONS.get(name)
        ets = {
            steps: float(np.mean(ets_backtest(values, steps, n_test, season)))
            for steps in (1, *args.horizons)
        }
        for time_steps in args.time_steps:
            row = {"series": name, "time_steps": time_steps, "ETS": ets[1]}
            row.update(one_series(values, time_steps, args.seeds, modes))
            rows.append(row)
            print(markdown([row]).splitlines()[-1], flush=True)
            for steps in args.horizons:
                row = {"series": name, "time_steps": time_steps, "horizon": steps}
                row["ETS"] = ets[steps]
                row.update(
                    several_steps(pd.Series(values), steps, time_steps, args.seeds)
                )
                several.append(row)
                print(markdown_several([row]).splitlines()[-1], flush=True)
            if args.season_terms and name in SEASONS:
                for steps in (1, *args.horizons):
                    seasonal.append(
                        with_season_terms(name, values, steps, time_steps, args.seeds)
                    )
                    print(markdown_season_terms(seasonal[-1:]), flush=True)
    text = "One step ahead\n\n" + markdown(rows)
    if several:
        text += "\nSeveral steps ahead\n\n" + markdown_several(several)
    if seasonal:
        text += "\nWith the season's Fourier terms\n\n" + markdown_season_terms(
            seasonal
        )
    text += f"\nRun time: {time.perf_counter() - started:.0f} s\n"
    print()
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "relative.md").write_text(text)
    (args.out / "relative.json").write_text(
        json.dumps(
            {"one_step": rows, "several_steps": several, "season_terms": seasonal},
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
