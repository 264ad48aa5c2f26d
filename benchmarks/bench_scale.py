"""One grid search, three ways: one process, joblib's loky workers, a Dask cluster.

The grid: ``WindowTransformer -> LSTMRegressor`` on the yearly sunspots
(statsmodels' copy), 8 candidates (``time_steps`` 12 or 24, ``rnn_layers``
[16] or [32], ``learning_rate`` 0.01 or 0.02) x 3 ``TimeSeriesSplit`` folds x
3,000 steps each, early stopping off so every fit does the same work,
``refit=False`` so only the search is timed. Each way runs in a fresh process
(``--mode``), so none inherits another's compiled programs:

- ``sequential``: ``n_jobs=1``, TensorFlow's default threads (every core);
- ``sequential-1-thread``: the same with ``set_config(n_threads=1)``, since
  the small networks of the grid gain little from a second thread;
- ``loky``: ``n_jobs=2``; joblib gives each worker ``OMP_NUM_THREADS =
  cores // 2``, which sklstm reads (``--oversubscribe`` gives the workers
  every core instead, to measure what that costs);
- ``dask``: a ``LocalCluster`` of 2 worker processes of 1 thread, started and
  warmed (sklstm and TensorFlow imported on each worker) before the clock
  starts, through ``joblib.parallel_backend("dask")``.

Each way runs twice: first with an empty compile cache of its own (``cold``:
every process compiles what it needs, though the workers of one search
already share what each other compiled), then again with the cache its first
run filled (``warm``: what the next search on the same machine pays). Every
way must give the same ``cv_results_`` scores; the table reports each wall
time, its speed-up over ``sequential`` with the same cache, and the threads
TensorFlow ran with. Run ``pip install -e ".[bench,dask]"`` then
``python benchmarks/bench_scale.py --out bench-results`` (about 9 minutes on
2 cores). It writes ``DIR/scale.md`` and ``DIR/scale.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

GRID = {
    "windowtransformer__time_steps": [12, 24],
    "lstmregressor__rnn_layers": [[16], [32]],
    "lstmregressor__learning_rate": [0.01, 0.02],
}
FOLDS = 3
STEPS = 3_000
MODES = ("sequential", "sequential-1-thread", "loky", "loky-oversubscribed", "dask")


def search(n_jobs: int):
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    from sklearn.pipeline import make_pipeline

    from sklstm import LSTMRegressor, WindowTransformer
    from sklstm.datasets import load_sunspots

    series = load_sunspots().to_numpy()
    X, y = series[:-1, None], series[1:]
    pipeline = make_pipeline(
        WindowTransformer(12),
        LSTMRegressor(steps=STEPS, early_stopping_rounds=None, random_state=0),
    )
    return GridSearchCV(
        pipeline,
        GRID,
        cv=TimeSeriesSplit(FOLDS),
        scoring="neg_mean_squared_error",
        n_jobs=n_jobs,
        refit=False,
    ).fit(X, y)


def _worker_threads() -> int:
    import sklstm

    sklstm._config.load_tensorflow()
    return sklstm.get_config()["tensorflow_threads"]


def run_mode(mode: str) -> dict:
    """Time one search in this process; the record of the run."""
    import joblib

    record: dict = {"mode": mode}
    if mode == "sequential-1-thread":
        import sklstm

        sklstm.set_config(n_threads=1)
    if mode.startswith("sequential"):
        start = time.perf_counter()
        result = search(1)
        record["seconds"] = time.perf_counter() - start
        record["threads"] = [_worker_threads()]
    elif mode.startswith("loky"):
        inner = os.cpu_count() if mode == "loky-oversubscribed" else None
        with joblib.parallel_config(
            backend="loky", n_jobs=2, inner_max_num_threads=inner
        ):
            start = time.perf_counter()
            result = search(2)
            record["seconds"] = time.perf_counter() - start
            threads = joblib.Parallel()(
                joblib.delayed(_worker_threads)() for _ in range(4)
            )
        record["threads"] = sorted(set(threads))
    else:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
            ) as cluster,
            Client(cluster) as client,
        ):
            # Warm: every worker has imported sklstm and started TensorFlow.
            warm = client.run(_worker_threads)
            with joblib.parallel_backend("dask"):
                start = time.perf_counter()
                result = search(-1)
                record["seconds"] = time.perf_counter() - start
        record["threads"] = sorted(set(warm.values()))
    record["scores"] = result.cv_results_["mean_test_score"].tolist()
    return record


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.mode:  # one way, in a fresh process started below
        print(json.dumps(run_mode(args.mode)))
        return 0

    records = []
    with tempfile.TemporaryDirectory() as caches:
        for cache in ("cold", "warm"):
            for mode in MODES:
                env = {**os.environ, "SKLSTM_CACHE_DIR": f"{caches}/{mode}"}
                output = subprocess.run(
                    [sys.executable, __file__, "--mode", mode],
                    capture_output=True,
                    text=True,
                    check=True,
                    env=env,
                ).stdout
                records.append(
                    {**json.loads(output.strip().split("\n")[-1]), "cache": cache}
                )
                print(f"{mode}, {cache}: {records[-1]['seconds']:.1f} s", flush=True)

    rows = [
        "| way | compile cache | wall time (s) | speed-up | TensorFlow threads "
        "per process |",
        "|---|---|---|---|---|",
    ]
    for record in records:
        base = next(
            r
            for r in records
            if r["mode"] == "sequential" and r["cache"] == record["cache"]
        )
        same = record["scores"] == records[0]["scores"]
        threads = ", ".join(str(t) if t else "every core" for t in record["threads"])
        rows.append(
            f"| {record['mode']} | {record['cache']} | {record['seconds']:.1f} | "
            f"{base['seconds'] / record['seconds']:.2f}x"
            f"{'' if same else ' (scores differ!)'} | {threads} |"
        )
    n_fits = FOLDS * int(np.prod([len(v) for v in GRID.values()]))
    table = (
        f"Grid search: {n_fits // FOLDS} candidates x {FOLDS} folds x {STEPS} "
        f"steps on the sunspots, {os.cpu_count()} cores.\n\n" + "\n".join(rows) + "\n"
    )
    print(table)
    from _report import write_report

    write_report(args.out, "scale", table, {"records": records, "grid": GRID})
    return 0


if __name__ == "__main__":
    sys.exit(main())
