"""The compile cache: programs compiled in one process load in the next.

TensorFlow reads its XLA flags once per process, so each case runs in fresh
processes, with a cache folder of its own.
"""

import json
import os
import subprocess
import sys
import textwrap

FIT = """
import json, os
import numpy as np
import sklstm
X = np.sin(np.linspace(0, 30, 600)).reshape(-1, 6, 1)
model = sklstm.LSTMRegressor([3], steps=50, random_state=0).fit(X, X[:, -1, 0])
print(json.dumps({
    "prediction": model.predict(X[:4]).tolist(),
    "cache": sklstm.get_config()["compile_cache"],
    "flags": os.environ.get("TF_XLA_FLAGS"),
}))
"""
# Where nothing is compiled: sklstm starts TensorFlow, as a fit would first.
START = """
import json, os
import sklstm
sklstm._config.load_tensorflow()
print(json.dumps({
    "cache": sklstm.get_config()["compile_cache"],
    "flags": os.environ.get("TF_XLA_FLAGS"),
}))
"""


def _start(code=FIT, **environ) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "TF_XLA_FLAGS"}
    env.update(environ)
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _result(process: subprocess.Popen) -> dict:
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    return {**json.loads(stdout.strip().split("\n")[-1]), "stderr": stderr}


def _entries(folder) -> list[str]:
    return sorted(path.name for path in folder.rglob("*") if path.is_file())


def test_processes_fill_one_cache_at_once_and_the_next_loads_it(tmp_path):
    first, second = (_start(SKLSTM_CACHE_DIR=str(tmp_path)) for _ in range(2))
    results = [_result(first), _result(second)]
    (folder,) = (tmp_path / "xla").iterdir()
    assert folder.name.startswith("tensorflow-")
    assert {r["cache"] for r in results} == {str(folder)}
    entries = _entries(tmp_path)
    # A training and an inference program, written whole (no temporary left).
    assert len(entries) == 2 and all(e.endswith("XLA_CPU_JIT.pb") for e in entries)
    warm = _result(_start(SKLSTM_CACHE_DIR=str(tmp_path)))
    assert _entries(tmp_path) == entries
    assert warm["prediction"] == results[0]["prediction"] == results[1]["prediction"]


def test_off_means_no_folder_and_no_flag(tmp_path):
    cache_home = tmp_path / "cache"
    result = _result(
        _start(START, SKLSTM_CACHE_DIR="off", XDG_CACHE_HOME=str(cache_home))
    )
    assert result["cache"] is None and result["flags"] is None
    assert not (cache_home / "sklstm").exists()


def test_a_cache_flag_of_the_users_own_is_kept(tmp_path):
    flags = f"--tf_xla_persistent_cache_directory={tmp_path / 'mine'}"
    ours = tmp_path / "ours"
    result = _result(_start(SKLSTM_CACHE_DIR=str(ours), TF_XLA_FLAGS=flags))
    assert result["flags"] == flags and result["cache"] == str(tmp_path / "mine")
    assert not ours.exists()
    assert len(_entries(tmp_path / "mine")) == 2


def test_a_folder_that_cannot_be_made_warns_and_trains_anyway(tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    result = _result(_start(SKLSTM_CACHE_DIR=str(blocker / "cache")))
    assert result["cache"] is None and len(result["prediction"]) == 4
    assert "could not create its compile cache" in result["stderr"]
