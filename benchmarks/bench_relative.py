"""One step ahead on real series: the defaults against a linear autoregression,
and what ``relative="auto"`` chooses against both fixed modes.

Series (all shipped with statsmodels, nothing downloaded): yearly sunspots,
weekly Mauna Loa CO2 (gaps interpolated), the Nile's yearly flow, monthly
El Niño sea temperatures (1950 to 2010), and four quarterly US series of
statsmodels' ``macrodata`` (real GDP, CPI, unemployment, inflation).

Protocol, for windows of 12 and of 24: windows over the whole series, targets
the next value; the last 20% of the points are the test part, nothing is
fitted on them; ``make_pipeline(WindowTransformer(T), LSTMRegressor(...))``
with ``random_state`` 0, 1 and 2 and ``relative`` "auto" (the default),
False and True; ``LinearRegression`` on the same windows flattened, and
persistence. Test MSE in the series' units, median over the seeds.

Run ``pip install -e '.[bench]' && python benchmarks/bench_relative.py --out
bench-results`` (about 10 minutes on 2 cores). It prints the table and writes
``relative.json`` and ``relative.md``.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import numpy as np
from _report import arguments
from sklearn.linear_model import LinearRegression

from sklstm import LSTMRegressor, causal_windows
from sklstm.datasets import load_co2, load_sunspots

TEST_FRACTION = 0.2
MODES = ("auto", False, True)


def _statsmodels(name: str) -> np.ndarray:
    from statsmodels import datasets

    if name == "nile":
        return datasets.nile.load_pandas().data["volume"].to_numpy(float)
    if name == "elnino":
        data = datasets.elnino.load_pandas().data.drop(columns="YEAR")
        return data.to_numpy(float).ravel()
    return datasets.macrodata.load_pandas().data[name].to_numpy(float)


SERIES = {
    "sunspots": lambda: load_sunspots().to_numpy(),
    "co2": lambda: load_co2().to_numpy(),
    "nile": lambda: _statsmodels("nile"),
    "elnino": lambda: _statsmodels("elnino"),
    "realgdp": lambda: _statsmodels("realgdp"),
    "cpi": lambda: _statsmodels("cpi"),
    "unemp": lambda: _statsmodels("unemp"),
    "infl": lambda: _statsmodels("infl"),
}


def one_series(values: np.ndarray, time_steps: int, seeds) -> dict:
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
    for mode in MODES:
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


def markdown(rows: list[dict]) -> str:
    lines = [
        "| series | T | persistence | LinearRegression | defaults (auto) "
        "| relative=False | relative=True | auto chose | defaults / linear |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['series']} | {r['time_steps']} | {r['persistence']:.4g} "
            f"| {r['linear']:.4g} | {r['relative=auto']:.4g} "
            f"| {r['relative=False']:.4g} | {r['relative=True']:.4g} "
            f"| {'relative' if r['auto chose'] else 'levels'} "
            f"| {r['relative=auto'] / r['linear']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = arguments(__doc__)
    parser.add_argument("--series", nargs="+", default=list(SERIES), choices=SERIES)
    parser.add_argument("--time-steps", nargs="+", type=int, default=[12, 24])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    args = parser.parse_args(argv)
    rows = []
    for name in args.series:
        values = SERIES[name]()
        for time_steps in args.time_steps:
            row = {"series": name, "time_steps": time_steps}
            row.update(one_series(values, time_steps, args.seeds))
            rows.append(row)
            print(markdown([row]).splitlines()[-1], flush=True)
    text = markdown(rows)
    print()
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "relative.md").write_text(text)
    (args.out / "relative.json").write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
