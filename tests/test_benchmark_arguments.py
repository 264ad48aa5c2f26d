"""The benchmarks' command-line argument types refuse what they cannot run."""

import argparse
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from _report import count, out_dir, seed


def test_count_takes_positive_ints():
    assert count("3") == 3


@pytest.mark.parametrize(
    "text, message", [("0", "0 is not at least 1"), ("-5", "-5 is not"), ("2.5", "int")]
)
def test_count_refuses_what_is_not_a_positive_int(text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        count(text)


@pytest.mark.parametrize("text", ["-1", str(2**32), "x"])
def test_seed_refuses_what_keras_and_sklearn_cannot_take(text):
    with pytest.raises(argparse.ArgumentTypeError):
        seed(text)


def test_out_dir_refuses_a_file(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(argparse.ArgumentTypeError, match="not a directory"):
        out_dir(str(tmp_path / "file"))
    assert out_dir(str(tmp_path / "new")) == tmp_path / "new"
