"""Memory of training chunk by chunk on a series on disk, at two lengths.

For each length (5,000,000 and 50,000,000 float64 points by default: 40 and
400 MB on disk) the benchmark writes a random walk with a daily-like cycle to
an ``.npy`` file, then, in a fresh process, opens it as a read-only
``numpy.memmap`` and trains ``LSTMRegressor([8], batch_size=2048)`` on it with
:class:`sklstm.SeriesChunks` (windows of 10, chunks of ``--chunk-size`` rows):
one streaming pass for the scaling statistics, then one epoch of
``partial_fit`` over every chunk.

Memory is the process's anonymous resident memory (``RssAnon`` in
``/proc/self/status``: what the process allocated, not the file's pages,
which the kernel maps in as the memmap is read and reclaims as it needs),
sampled every 2 ms by a thread. The baseline is taken after TensorFlow has
started and a throwaway model has trained on the first chunk (which compiles
the training program); the
figure is the peak above it over the whole pass and training, compared with
the bytes of one chunk (``chunk_size * 8``). ``RssFile`` (the memmap's pages)
is reported beside it.

Run ``python benchmarks/bench_chunks.py --out bench-results`` (about 5
minutes on 2 cores, most of it the 50,000,000-point epoch; ``--points`` to
choose the lengths). Needs 450 MB free under ``--data`` (default: a temporary
folder). Writes ``DIR/chunks.md`` and ``DIR/chunks.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from _report import count

MIB = 1 << 20
TIME_STEPS = 10
BATCH_SIZE = 2048


def write_series(path: Path, n_points: int, block: int = 5_000_000) -> None:
    """A random walk plus a cycle of 24 points, written block by block."""
    rng = np.random.RandomState(0)
    out = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float64, shape=(n_points, 1)
    )
    level = 0.0
    for start in range(0, n_points, block):
        stop = min(start + block, n_points)
        steps = rng.normal(scale=0.1, size=stop - start)
        walk = level + np.cumsum(steps)
        level = walk[-1]
        out[start:stop, 0] = walk + np.sin(2 * np.pi * np.arange(start, stop) / 24)
    out.flush()
    del out


def _memory() -> tuple[int, int]:
    """Anonymous and file-backed resident bytes of this process."""
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("RssAnon", "RssFile")):
                name, value, _ = line.split()
                fields[name.rstrip(":")] = int(value) * 1024
    return fields["RssAnon"], fields["RssFile"]


class PeakSampler(threading.Thread):
    """Samples memory every ``interval`` seconds; keeps the peaks."""

    def __init__(self, interval: float = 0.002) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_anon = self.peak_file = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            anon, file = _memory()
            self.peak_anon = max(self.peak_anon, anon)
            self.peak_file = max(self.peak_file, file)
            time.sleep(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def train_on(path: Path, chunk_size: int) -> dict:
    """Train on the file at ``path``; the memory and time record."""
    from sklstm import LSTMRegressor, SeriesChunks

    series = np.load(path, mmap_mode="r")
    chunks = SeriesChunks(series, TIME_STEPS, chunk_size=chunk_size)
    # Compile the training program first, with a throwaway model on the first
    # chunk: what is measured below is what training holds, not the compiler.
    warm_X, warm_y = next(iter(chunks))
    LSTMRegressor([8], batch_size=BATCH_SIZE, random_state=0).partial_fit(
        warm_X, warm_y
    )
    del warm_X, warm_y
    baseline_anon, baseline_file = _memory()
    sampler = PeakSampler()
    sampler.start()
    start = time.perf_counter()
    statistics = chunks.statistics()
    pass_seconds = time.perf_counter() - start
    model = LSTMRegressor([8], batch_size=BATCH_SIZE, random_state=0)
    for X, y in chunks:
        model.partial_fit(X, y, statistics=statistics)
    seconds = time.perf_counter() - start
    sampler.stop()
    X, y = next(iter(SeriesChunks(series[-200_001:], TIME_STEPS, chunk_size=200_000)))
    return {
        "points": len(series),
        "chunk_size": chunk_size,
        "chunks": len(chunks),
        "steps": int(model.n_iter_),
        "statistics_seconds": pass_seconds,
        "seconds": seconds,
        "growth_anon_mib": (sampler.peak_anon - baseline_anon) / MIB,
        "growth_file_mib": (sampler.peak_file - baseline_file) / MIB,
        "chunk_mib": chunk_size * 8 / MIB,
        "r2_last_200000": float(model.score(X, y)),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument(
        "--points", type=count, nargs="+", default=[5_000_000, 50_000_000]
    )
    parser.add_argument("--chunk-size", type=count, default=2_000_000)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--train", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.train:  # one length, in a fresh process started below
        print(json.dumps(train_on(args.train, args.chunk_size)))
        return 0

    from _report import run_fresh

    records = []
    with tempfile.TemporaryDirectory(dir=args.data) as folder:
        for n_points in args.points:
            path = Path(folder) / f"series_{n_points}.npy"
            write_series(path, n_points)
            command = [sys.executable, __file__, "--train", str(path)]
            records.append(run_fresh([*command, "--chunk-size", str(args.chunk_size)]))
            path.unlink()

    rows = [
        "| points | on disk (MB) | chunks | steps | statistics pass (s) | "
        "total (s) | peak growth, anonymous (MiB) | x one chunk | "
        "file pages mapped (MiB) | R2, last 200,000 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        rows.append(
            f"| {r['points']:,} | {r['points'] * 8 / 1e6:.0f} | {r['chunks']} | "
            f"{r['steps']:,} | {r['statistics_seconds']:.1f} | {r['seconds']:.0f} | "
            f"{r['growth_anon_mib']:.1f} | "
            f"{r['growth_anon_mib'] / r['chunk_mib']:.2f} | "
            f"{r['growth_file_mib']:.0f} | {r['r2_last_200000']:.4f} |"
        )
    table = (
        f"Chunks of {args.chunk_size:,} windows ({args.chunk_size * 8 / MIB:.1f} MiB), "
        f"windows of {TIME_STEPS}, LSTMRegressor([8], batch_size={BATCH_SIZE}), "
        f"{os.cpu_count()} cores.\n\n" + "\n".join(rows) + "\n"
    )
    print(table)
    from _report import write_report

    write_report(args.out, "chunks", table, {"records": records})
    return 0


if __name__ == "__main__":
    sys.exit(main())
