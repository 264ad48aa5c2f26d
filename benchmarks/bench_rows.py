"""What a default fit costs as the rows grow: 20,000 to 20,000,000 rows.

The task is what a new user writes first:
``make_pipeline(WindowTransformer(48), LSTMRegressor(random_state=0))`` on an
hourly-like series of 3 features (a daily and a weekly cycle, each feature
with its own AR(1) noise; the target is the next value of the first feature),
fitted on the first ``rows`` rows. The test part is the same length for
every size: the 20,000 rows after the training rows, predicted from windows
that reach back into the training rows.

Each size runs in a fresh process (so one run's memory never counts in
another's) in two ways:

- ``default``: the defaults, early stopping on the last 10% of the rows;
- ``no-eval``: the same with ``early_stopping_rounds=None``: every row
  trains, nothing is evaluated, all 10,000 steps run.

``--ways all-rows`` (with or instead of those) runs a third way: the
defaults, but every evaluation reads the whole validation part, as sklstm
did before evaluations read a bounded sample of it (``--max-evaluated N``
sets that bound instead, to measure what another one would give).

Reported per run: the fit's wall time (tracing and loading the compiled
programs from the cache included, importing TensorFlow not), the steps run
and the step of the kept weights, time per step, the time per step of the
training loop alone (the fit less what comes before its first step:
validating the data, the scaling statistics, the least-squares start of the
linear part, and building the network), the share of the fit spent in evaluations (the
network's inference calls during the fit, which only evaluations make), the
peak of the process's anonymous resident memory during the fit above what it
held before (``RssAnon``, sampled every 2 ms; the series itself is made
before, TensorFlow imported), and the MSE on the test part.

Run ``python benchmarks/bench_rows.py --out bench-results`` (on 2 idle
cores about 3 minutes, most of it making the series and importing; ``--sizes`` to
choose the sizes). The largest series (20,000,000 x 3 float64, 480 MB) is
held in memory; the windows are views over it. Writes ``DIR/rows.md`` and
``DIR/rows.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from _report import count

MIB = 1 << 20
TIME_STEPS = 48
TEST_ROWS = 20_000
SIZES = (20_000, 200_000, 2_000_000, 20_000_000)


def make_series(n_rows: int, block: int = 1_000_000) -> np.ndarray:
    """Hourly-like series of 3 features: daily and weekly cycles, AR(1) noise."""
    from scipy.signal import lfilter

    rng = np.random.RandomState(0)
    series = np.empty((n_rows, 3))
    state = np.zeros(3)
    for start in range(0, n_rows, block):
        stop = min(start + block, n_rows)
        hours = np.arange(start, stop)
        daily = np.sin(2 * np.pi * hours / 24)
        weekly = np.sin(2 * np.pi * hours / 168)
        for column, (day, week, phi) in enumerate(
            [(1.0, 0.5, 0.9), (0.5, 1.0, 0.7), (-0.8, 0.3, 0.5)]
        ):
            shocks = rng.normal(scale=0.2, size=stop - start)
            noise, _ = lfilter([1.0], [1.0, -phi], shocks, zi=[phi * state[column]])
            state[column] = noise[-1]
            series[start:stop, column] = day * daily + week * weekly + noise
    return series


def _anonymous_memory() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no RssAnon in /proc/self/status")


class PeakSampler(threading.Thread):
    """Samples the anonymous resident memory every ``interval`` s; keeps the peak."""

    def __init__(self, interval: float = 0.002) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, _anonymous_memory())
            time.sleep(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def fit_once(n_rows: int, way: str, max_evaluated: int | None) -> dict:
    """One fit of ``way`` on ``n_rows`` rows, in this process; its record."""
    from sklearn.pipeline import make_pipeline

    from sklstm import LSTMRegressor, WindowTransformer, _core, _training
    from sklstm._config import load_keras

    load_keras()  # imported before the clock starts: every process pays it

    if way == "all-rows":
        max_evaluated = np.iinfo(np.int64).max
    if max_evaluated is not None and hasattr(_core, "MAX_EVALUATED_ROWS"):
        _core.MAX_EVALUATED_ROWS = max_evaluated
    evaluating, looping = [0.0], [0.0]
    predict_windows = _training.CompiledNetwork.predict_windows
    train = _training.train

    def timed_train(*args, **kwargs):
        start = time.perf_counter()
        try:
            return train(*args, **kwargs)
        finally:
            looping[0] += time.perf_counter() - start

    def timed_predict_windows(self, windows, scaling):
        start = time.perf_counter()
        try:
            return predict_windows(self, windows, scaling)
        finally:
            evaluating[0] += time.perf_counter() - start

    series = make_series(n_rows + TEST_ROWS + 1)
    X = series[:-1]
    y = np.ascontiguousarray(series[1:, 0])
    model = make_pipeline(
        WindowTransformer(TIME_STEPS),
        LSTMRegressor(
            random_state=0,
            **({"early_stopping_rounds": None} if way == "no-eval" else {}),
        ),
    )
    baseline = _anonymous_memory()
    sampler = PeakSampler()
    sampler.start()
    _training.CompiledNetwork.predict_windows = timed_predict_windows
    _training.train = timed_train
    start = time.perf_counter()
    model.fit(X[:n_rows], y[:n_rows])
    seconds = time.perf_counter() - start
    _training.CompiledNetwork.predict_windows = predict_windows
    _training.train = train
    sampler.stop()
    regressor = model[-1]
    test_from = n_rows - TIME_STEPS + 1
    predicted = model.predict(X[test_from : n_rows + TEST_ROWS])[TIME_STEPS - 1 :]
    return {
        "rows": n_rows,
        "way": way,
        "max_evaluated": None if way == "no-eval" else max_evaluated,
        "seconds": seconds,
        "steps": int(regressor.n_iter_),
        "best_step": int(regressor.best_step_),
        "ms_per_step": 1000 * seconds / regressor.n_iter_,
        "evaluating_seconds": evaluating[0],
        "loop_seconds": looping[0],
        "loop_ms_per_step": 1000 * looping[0] / regressor.n_iter_,
        "validation_rows": int(regressor.n_validation_samples_),
        "evaluated_rows": getattr(regressor, "n_validation_evaluated_", None),
        "peak_growth_mib": (sampler.peak - baseline) / MIB,
        "series_mib": series.nbytes / MIB,
        "test_mse": float(np.mean((predicted - y[n_rows : n_rows + TEST_ROWS]) ** 2)),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--sizes", type=count, nargs="+", default=list(SIZES))
    parser.add_argument(
        "--ways",
        nargs="+",
        default=["default", "no-eval"],
        choices=["default", "no-eval", "all-rows"],
    )
    parser.add_argument("--max-evaluated", type=count, default=None)
    parser.add_argument("--fit", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.fit:  # one run, in a fresh process started below
        n_rows, way = int(args.fit[0]), args.fit[1]
        print(json.dumps(fit_once(n_rows, way, args.max_evaluated)))
        return 0

    from _report import run_fresh

    ways = list(args.ways)
    records = []
    for n_rows in args.sizes:
        for way in ways:
            command = [sys.executable, __file__, "--fit", str(n_rows), way]
            if args.max_evaluated is not None:
                command += ["--max-evaluated", str(args.max_evaluated)]
            records.append(run_fresh(command))

    rows = [
        "| rows | fit | seconds | x no-eval | steps (best) | ms per step | "
        "loop ms per step | evaluating | validation rows (evaluated) | "
        "peak growth (MiB) | test MSE |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        off = next(
            (
                o["seconds"]
                for o in records
                if o["rows"] == r["rows"] and o["way"] == "no-eval"
            ),
            None,
        )
        ratio = "-" if off is None else f"{r['seconds'] / off:.2f}"
        evaluated = r["evaluated_rows"] or r["validation_rows"]
        validation = (
            "-"
            if r["way"] == "no-eval"
            else f"{r['validation_rows']:,} ({evaluated:,})"
        )
        rows.append(
            f"| {r['rows']:,} | {r['way']} | {r['seconds']:.1f} | {ratio} | "
            f"{r['steps']:,} ({r['best_step']:,}) | {r['ms_per_step']:.2f} | "
            f"{r['loop_ms_per_step']:.2f} | "
            f"{100 * r['evaluating_seconds'] / r['seconds']:.0f}% | {validation} | "
            f"{r['peak_growth_mib']:.0f} | {r['test_mse']:.5f} |"
        )
    table = (
        f"make_pipeline(WindowTransformer({TIME_STEPS}), "
        "LSTMRegressor(random_state=0)) on an hourly-like series of 3 features, "
        f"test MSE on the next {TEST_ROWS:,} rows, {os.cpu_count()} cores.\n\n"
        + "\n".join(rows)
        + "\n"
    )
    print(table)
    from _report import write_report

    write_report(args.out, "rows", table, {"records": records})
    return 0


if __name__ == "__main__":
    sys.exit(main())
