"""The headline figures: LSTMRegressor's defaults on the post's three tasks.

For each task of the 2016 post (``sin``, ``sin_cos``, ``x_sin`` on
``x = linspace(0, 100, 10000)``, its chronological split, windows of 10 time
steps built inside each part), fits ``LSTMRegressor(random_state=s)`` for
every seed (nothing else set), trained on the training part
with early stopping on the validation part, exactly as ``sklstm reproduce``
does, and scores the test part. The headline holds when the median test MSE
over the seeds is at most

- 1e-6 on ``sin`` and on ``sin_cos``, and 1e-3 on ``x_sin``,
- and at least 50 times below persistence (predicting the window's last
  value) on every task.

It prints a table (each seed, the median, the ratios to the post's published
MSE and to persistence) and writes ``DIR/reproduce.json``; the exit status
is 1 when a headline fails.

Run ``python benchmarks/bench_reproduce.py --out bench-results`` (about a
minute on 2 cores for seeds 0, 1 and 2).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from pathlib import Path

from _report import seed

from sklstm._reproduce import FULL, run_experiments
from sklstm._results import POST_PUBLISHED_MSE

TARGET_MSE = {"sin": 1e-6, "sin_cos": 1e-6, "x_sin": 1e-3}
MIN_GAIN_OVER_PERSISTENCE = 50.0


def summarize(records: list[dict], seeds: list[int]) -> list[dict]:
    """One summary per task: median MSE, ratios, and whether the headline holds."""
    summary = []
    for task, target in TARGET_MSE.items():
        mine = {
            r["seed"]: r["test_mse"]
            for r in records
            if r["task"] == task and r["method"] == "sklstm_defaults"
        }
        if not mine:
            continue
        persistence = next(
            r["test_mse"]
            for r in records
            if r["task"] == task and r["method"] == "persistence"
        )
        median = statistics.median(mine.values())
        gain = persistence / median
        summary.append(
            {
                "task": task,
                "test_mse_by_seed": {str(s): mine[s] for s in seeds},
                "median_test_mse": median,
                "target_test_mse": target,
                "persistence_test_mse": persistence,
                "times_better_than_persistence": gain,
                "post_published_test_mse": POST_PUBLISHED_MSE[task],
                "times_better_than_post": POST_PUBLISHED_MSE[task] / median,
                "passed": median <= target and gain >= MIN_GAIN_OVER_PERSISTENCE,
            }
        )
    return summary


def table(summary: list[dict], seeds: list[int]) -> str:
    """The summary as a Markdown table."""
    header = [
        "Task",
        *(f"seed {s}" for s in seeds),
        "median",
        "target",
        "vs post",
        "vs persistence",
        "headline",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in summary:
        cells = [
            row["task"],
            *(f"{row['test_mse_by_seed'][str(s)]:.3g}" for s in seeds),
            f"{row['median_test_mse']:.3g}",
            f"<= {row['target_test_mse']:g}",
            f"{row['times_better_than_post']:,.0f}x",
            f"{row['times_better_than_persistence']:,.0f}x",
            "met" if row["passed"] else "MISSED",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--seeds", type=seed, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--tasks", nargs="+", choices=sorted(TARGET_MSE), default=list(TARGET_MSE)
    )
    args = parser.parse_args(argv)
    if len(set(args.seeds)) != len(args.seeds):
        parser.error("--seeds: each seed at most once")

    results = run_experiments(
        tasks=args.tasks,
        methods=["sklstm_defaults", "persistence"],
        seeds=args.seeds,
        budget=FULL,
    )
    records = [r.to_json() for r in results]
    summary = summarize(records, args.seeds)
    print()
    print(table(summary, args.seeds))

    import keras
    import sklearn
    import tensorflow

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "reproduce.json"
    environment = {
        "python": platform.python_version(),
        "tensorflow": tensorflow.__version__,
        "keras": keras.__version__,
        "scikit-learn": sklearn.__version__,
        "cpus": os.cpu_count(),
    }
    path.write_text(
        json.dumps(
            {
                "seeds": args.seeds,
                "summary": summary,
                "records": records,
                "environment": environment,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nWrote {path}")
    return 0 if all(row["passed"] for row in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
