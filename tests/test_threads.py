"""TensorFlow's thread pools: set_config, OMP_NUM_THREADS, parallel workers.

TensorFlow fixes its pools once per process, so each case runs in a fresh one.
"""

import os
import subprocess
import sys
import textwrap

import joblib
import pytest

import sklstm

# sklstm starts TensorFlow as a fit would, then TensorFlow runs an operation,
# which fixes its pools.
FIT = """
import sklstm
tf = sklstm._config.load_tensorflow()
tf.constant(1.0) + 1
threading = tf.config.threading
print(
    threading.get_intra_op_parallelism_threads(),
    threading.get_inter_op_parallelism_threads(),
    sklstm.get_config()["tensorflow_threads"],
)
"""


def _run(code: str, **environ) -> str:
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    env.update(environ)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_omp_num_threads_is_the_default():
    assert _run(FIT, OMP_NUM_THREADS="1") == "1 1 1"


def test_without_a_setting_tensorflow_keeps_every_core():
    assert _run(FIT) == "0 0 0"


def test_set_config_wins_and_later_is_an_error_that_changes_nothing():
    code = (
        "import sklstm; sklstm.set_config(n_threads=2)"
        + FIT
        + """
sklstm.set_config(n_threads=2)  # the same number is fine
try:
    sklstm.set_config(n_threads=1)
except RuntimeError as error:
    config = sklstm.get_config()
    print(str(error).split(":")[0], config["n_threads"], config["tensorflow_threads"])
"""
    )
    assert _run(code, OMP_NUM_THREADS="1").split("\n") == [
        "2 2 2",
        "set_config(n_threads=1) comes too late 2 2",
    ]


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "2"])
def test_bad_n_threads_is_named(value):
    with pytest.raises(ValueError, match="n_threads must be a positive int or None"):
        sklstm.set_config(n_threads=value)
    assert sklstm.get_config()["n_threads"] is None


def test_a_numpy_int_is_an_int():
    code = "import numpy, sklstm; sklstm.set_config(n_threads=numpy.int64(2))" + FIT
    assert _run(code).split("\n")[-1] == "2 2 2"


def _worker_threads() -> tuple[int, int]:
    import numpy as np

    X = np.random.RandomState(0).normal(size=(40, 5, 1))
    sklstm.LSTMRegressor([2], steps=3, random_state=0).fit(X, X[:, -1, 0])
    return os.getpid(), sklstm.get_config()["tensorflow_threads"]


def test_joblib_process_workers_share_the_cores():
    # loky's workers get OMP_NUM_THREADS = cores // n_jobs, which sklstm reads.
    with joblib.parallel_config(backend="loky", n_jobs=2):
        results = joblib.Parallel()(joblib.delayed(_worker_threads)() for _ in range(4))
    expected = max(joblib.cpu_count() // 2, 1)
    assert {threads for _, threads in results} == {expected}
    assert os.getpid() not in {pid for pid, _ in results}
