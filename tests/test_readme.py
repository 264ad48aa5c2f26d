"""Every Python block of the README, the getting-started page and the
scaling-out page runs on its own, within a bounded time."""

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# A generous bound: it catches a block that has grown far beyond what the page
# promises (and, in a process of its own, one that hangs), not a slow machine.
TIMEOUT_SECONDS = 300
# A block that sets the process's threads must come before its first fit, so
# it runs in a process of its own; the others run in the test's process, with
# a namespace of their own: importing TensorFlow again for each would cost
# about ten seconds a block.
FRESH_PROCESS = re.compile(r"set_config\(n_threads")


def _markdown_blocks(path: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", path.read_text(), re.M | re.S)


def _rst_blocks(path: Path) -> list[str]:
    blocks = []
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        if line.strip() == ".. code-block:: python":
            body = []
            for following in lines[i + 1 :]:
                if following and not following.startswith("   "):
                    break
                body.append(following[3:])
            blocks.append("\n".join(body).strip() + "\n")
    return blocks


BLOCKS = [
    (f"README.md[{i}]", code)
    for i, code in enumerate(_markdown_blocks(ROOT / "README.md"))
] + [
    (f"{page.name}[{i}]", code)
    for page in (
        ROOT / "docs" / "getting_started.rst",
        ROOT / "docs" / "user_guide" / "scaling_out.rst",
    )
    for i, code in enumerate(_rst_blocks(page))
]


def test_the_pages_have_python_blocks():
    names = [name for name, _ in BLOCKS]
    assert any(name.startswith("README") for name in names)
    assert any(name.startswith("getting_started") for name in names)


def test_only_a_block_that_sets_threads_needs_a_process_of_its_own():
    fresh = [name for name, code in BLOCKS if FRESH_PROCESS.search(code)]
    assert fresh == ["scaling_out.rst[0]"]


@pytest.mark.parametrize(("name", "code"), BLOCKS, ids=[name for name, _ in BLOCKS])
def test_block_runs(name, code, tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    if FRESH_PROCESS.search(code):
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
        assert result.returncode == 0, f"{name} failed:\n{result.stderr[-4000:]}"
        return
    start = time.perf_counter()
    # A script's namespace: only what the block imports and defines.
    exec(compile(code, name, "exec"), {"__name__": "__main__"})
    assert time.perf_counter() - start < TIMEOUT_SECONDS
