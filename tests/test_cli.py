"""The ``sklstm`` command: ``--version`` and ``reproduce --quick`` end to end."""

import json
import math
import re
import subprocess
import sys
from contextlib import redirect_stdout
from io import StringIO

import numpy as np
import pytest

import sklstm
from sklstm._reproduce import QUICK, load_task
from sklstm.cli import main

TASKS = {"sin", "sin_cos", "x_sin"}
METHODS = {"post_config", "sklstm_defaults", "persistence", "linear_regression", "mlp"}


def test_python_m_sklstm_version():
    out = subprocess.run(
        [sys.executable, "-m", "sklstm", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == f"sklstm {sklstm.__version__}"


def test_no_command_prints_help_and_lists_reproduce(capsys):
    assert main([]) == 0
    assert "reproduce" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--seeds", "3", "3"], "given more than once"),
        (["--seeds", "zero"], "invalid seed 'zero'"),
        (["--seeds", "-1"], "invalid seed -1"),
        (["--seeds"], "expected at least one argument"),
        (["--out", "{file}"], "is not a directory"),
        (["--out", "{file}/results"], "cannot be created: "),
        (["--steps", "5"], "unrecognized arguments: --steps"),
        (["--out", "{folder}"], "results.json' is a directory, where a result"),
    ],
)
def test_reproduce_rejects_bad_arguments(argv, message, tmp_path, capsys):
    a_file = tmp_path / "taken"
    a_file.write_text("")
    (tmp_path / "out" / "results.json").mkdir(parents=True)
    argv = [arg.format(file=a_file, folder=tmp_path / "out") for arg in argv]
    with pytest.raises(SystemExit) as exit_info:
        main(["reproduce", *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "results.json").exists()


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One ``sklstm reproduce --quick`` run, shared by the tests below."""
    out = tmp_path_factory.mktemp("reproduce") / "results"
    # capsys is per test; this fixture is per module, so capture by hand.
    printed = StringIO()
    with redirect_stdout(printed):
        status = main(["reproduce", "--quick", "--out", str(out), "--seeds", "7"])
    return status, out, printed.getvalue()


def test_quick_reproduce_exits_cleanly_and_writes_every_file(quick_run):
    status, out, _ = quick_run
    assert status == 0
    expected = {"results.json", "results.md", *(f"{task}.png" for task in TASKS)}
    assert {path.name for path in out.iterdir()} == expected
    for task in TASKS:
        png = (out / f"{task}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert len(png) > 10_000  # a drawn figure, not an empty canvas


def test_quick_reproduce_prints_a_line_per_fit_and_the_table(quick_run):
    _, out, printed = quick_run
    records = json.loads((out / "results.json").read_text())
    progress = [line for line in printed.splitlines() if line.startswith("[")]
    assert len(progress) == len(records) == 15
    assert all(re.search(r"/15\] .*test MSE .* in [\d.]+ s", p) for p in progress)
    assert "| Task | Method | Test MSE | Fit seconds |" in printed
    table = (out / "results.md").read_text()
    assert "Quick run" in table
    assert "sklstm reproduce --out" in table and "--seeds 7 --quick" in table
    assert table.count("\n| ") == 1 + 15  # header and one row per fit


def test_quick_reproduce_json_records(quick_run):
    _, out, _ = quick_run
    records = json.loads((out / "results.json").read_text())
    assert {(r["task"], r["method"]) for r in records} == {
        (task, method) for task in TASKS for method in METHODS
    }
    for record in records:
        assert {"task", "method", "seed", "test_mse", "fit_seconds"} <= set(record)
        assert math.isfinite(record["test_mse"]) and record["test_mse"] >= 0
        assert record["fit_seconds"] >= 0
        seeded = record["method"] in {"post_config", "sklstm_defaults", "mlp"}
        assert record["seed"] == (7 if seeded else None)
        trained = record["method"] in {"post_config", "sklstm_defaults"}
        assert (record["steps"] is not None) == trained
        if trained:
            assert 0 < record["steps"] <= 200


def test_quick_reproduce_scores_match_an_independent_computation(quick_run):
    _, out, _ = quick_run
    records = {
        (r["task"], r["method"]): r["test_mse"]
        for r in json.loads((out / "results.json").read_text())
    }
    for task in TASKS:
        data = load_task(task, QUICK.n_points)
        last = data.X["test"][:, -1, :].reshape(data.y["test"].shape)
        expected = np.mean((last - data.y["test"]) ** 2)
        assert records[(task, "persistence")] == pytest.approx(expected, rel=1e-12)
        # Noise-free sums of sines obey a linear recurrence: a linear
        # autoregression on the windows is exact to rounding.
        assert records[(task, "linear_regression")] < 1e-9 * max(1.0, expected)
