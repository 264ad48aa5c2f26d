"""What every benchmark writes: its table and a JSON record of the machine."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path


def machine() -> dict:
    """Versions and cores of the machine a benchmark ran on."""
    import keras
    import pandas as pd
    import sklearn
    import tensorflow as tf

    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "scikit-learn": sklearn.__version__,
        "pandas": pd.__version__,
    }


def out_dir(text: str) -> Path:
    """``--out``: a folder to write the report into, refused up front if it
    is a file (the report is written after the whole benchmark)."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} exists and is not a directory")
    return path


def seed(text: str) -> int:
    """A random state scikit-learn and Keras accept: an int in [0, 2**32)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an int") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"{value} is not in [0, 2**32)")
    return value


def count(text: str) -> int:
    """A number of things (points, steps, cycles, repeats): an int of at
    least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an int") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def arguments(doc: str, *, seeds: bool = False) -> argparse.ArgumentParser:
    """A benchmark's command line: its docstring's first line and ``--out``.

    ``seeds=True`` adds ``--seeds``, the random states every configuration
    runs with (0, 1 and 2 unless given).
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", type=out_dir, default=Path("bench-results"))
    if seeds:
        parser.add_argument("--seeds", nargs="+", type=seed, default=[0, 1, 2])
    return parser


def write_report(out: Path, name: str, table: str, record: dict) -> None:
    """Write ``<name>.md`` (the table) and ``<name>.json`` (the machine and
    ``record``) under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.md").write_text(table)
    (out / f"{name}.json").write_text(
        json.dumps({"machine": machine(), **record}, indent=1)
    )


def run_fresh(command: list[str]) -> dict:
    """Run a benchmark's own command in a fresh process; its last line's JSON.

    A fresh process per measurement keeps one run's compiled programs,
    caches and memory out of the next one's figures. The record is printed
    as it arrives, so a long run shows its progress.
    """
    output = subprocess.run(command, capture_output=True, text=True)
    if output.returncode:
        # The child's own error, not only its exit status.
        sys.stderr.write(output.stderr)
        output.check_returncode()
    record = json.loads(output.stdout.strip().split("\n")[-1])
    print(json.dumps(record), flush=True)
    return record


def markdown_text(lines: list[str]) -> str:
    """A table's lines as one Markdown text, ending with a newline."""
    return "\n".join(lines) + "\n"


def markdown_table(columns: list[str], rows: list[list[str]]) -> list[str]:
    """The lines of a Markdown table: its header, then one line per row of cells."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]
