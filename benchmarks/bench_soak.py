"""Soak test: many fit / predict / clone cycles in one process, watching memory.

Each cycle clones an ``LSTMRegressor`` (``WindowTransformer`` windows of a
sine series), fits it, predicts, saves and loads it, pickles it, then
collects garbage and records the process's resident memory (RSS, via psutil).
A library that leaks (Keras models, compiled functions, TensorFlow graphs or
XLA executables kept alive by a cache) grows a little every cycle; one that
does not levels off after the first cycles, which pay one-off costs (the
import, the first compilation).

The verdict is on the last ``--window`` cycles (30 by default): the
least-squares slope of RSS against the cycle number, projected over that
window, must stay under ``max(--tolerance-mib, 2% of RSS)``. It prints a table
(every cycle) and the summary, writes ``DIR/soak.json``, and exits with
status 1 on steady growth.

Run ``python benchmarks/bench_soak.py --out bench-results`` (about two minutes
on 2 cores). ``--architectures 3`` cycles through three network widths, which
also exercises the cache of compiled programs.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import pickle
import platform
import sys
import time
from pathlib import Path

from _report import count

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import psutil
from sklearn.base import clone

from sklstm import LSTMRegressor, WindowTransformer, load

MIB = 1 << 20


def make_data(n_rows: int, time_steps: int) -> tuple[np.ndarray, np.ndarray]:
    series = np.sin(np.linspace(0, 60, n_rows + 1))
    windows = WindowTransformer(time_steps).fit_transform(series[:-1])
    return windows[time_steps - 1 :], series[time_steps:]


def run_cycles(args) -> list[dict]:
    X, y = make_data(args.rows, args.time_steps)
    widths = [8 + 4 * k for k in range(args.architectures)]
    process = psutil.Process()
    records = []
    for cycle in range(1, args.cycles + 1):
        start = time.perf_counter()
        base = LSTMRegressor(
            [widths[(cycle - 1) % len(widths)]],
            steps=args.steps,
            print_steps=100,
            random_state=cycle,
        )
        model = clone(base).fit(X, y)
        predicted = model.predict(X)
        buffer = io.BytesIO()
        model.save(buffer)
        buffer.seek(0)
        restored = load(buffer)
        assert np.array_equal(restored.predict(X[:50]), predicted[:50])
        copy = pickle.loads(pickle.dumps(model))
        mse = float(np.mean((copy.predict(X) - y) ** 2))
        del base, model, restored, copy, buffer, predicted
        gc.collect()
        rss = process.memory_info().rss / MIB
        records.append(
            {
                "cycle": cycle,
                "rss_mib": round(rss, 2),
                "seconds": round(time.perf_counter() - start, 3),
                "mse": mse,
            }
        )
        previous = records[-2]["rss_mib"] if len(records) > 1 else rss
        print(
            f"{cycle:>5} {rss:>10.1f} {rss - previous:>+9.1f} "
            f"{records[-1]['seconds']:>8.2f} {mse:>10.2e}",
            flush=True,
        )
    return records


def summarize(records: list[dict], window: int, tolerance_mib: float) -> dict:
    tail = records[-window:]
    cycles = np.array([r["cycle"] for r in tail], dtype=float)
    rss = np.array([r["rss_mib"] for r in tail])
    slope = float(np.polyfit(cycles, rss, 1)[0]) if len(tail) > 1 else 0.0
    projected = slope * len(tail)
    allowed = max(tolerance_mib, 0.02 * float(rss.mean()))
    return {
        "first_rss_mib": records[0]["rss_mib"],
        "last_rss_mib": records[-1]["rss_mib"],
        "max_rss_mib": max(r["rss_mib"] for r in records),
        "window": len(tail),
        "window_start_rss_mib": tail[0]["rss_mib"],
        "window_growth_mib": round(float(rss[-1] - rss[0]), 2),
        "slope_mib_per_cycle": round(slope, 4),
        "projected_growth_mib": round(projected, 2),
        "allowed_growth_mib": round(allowed, 2),
        "steady_growth": bool(projected > allowed),
        "median_cycle_seconds": float(np.median([r["seconds"] for r in records])),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=count, default=50)
    parser.add_argument("--window", type=count, default=30)
    parser.add_argument("--steps", type=count, default=300)
    parser.add_argument("--rows", type=count, default=2000)
    parser.add_argument("--time-steps", type=count, default=10)
    parser.add_argument("--architectures", type=count, default=1)
    parser.add_argument("--tolerance-mib", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    args = parser.parse_args(argv)

    print(f"{'cycle':>5} {'RSS MiB':>10} {'change':>9} {'seconds':>8} {'MSE':>10}")
    records = run_cycles(args)
    summary = summarize(records, args.window, args.tolerance_mib)
    print()
    for key, value in summary.items():
        print(f"{key:>24}: {value}")
    verdict = "steady growth" if summary["steady_growth"] else "no steady growth"
    print(f"\nverdict over the last {summary['window']} cycles: {verdict}")

    import keras
    import tensorflow as tf

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "soak.json"
    path.write_text(
        json.dumps(
            {
                "config": {k: str(v) for k, v in vars(args).items()},
                "summary": summary,
                "cycles": records,
                "versions": {
                    "python": sys.version.split()[0],
                    "platform": platform.platform(),
                    "numpy": np.__version__,
                    "tensorflow": tf.__version__,
                    "keras": keras.__version__,
                },
            },
            indent=1,
        )
    )
    print(f"wrote {path}")
    return 1 if summary["steady_growth"] else 0


if __name__ == "__main__":
    sys.exit(main())
