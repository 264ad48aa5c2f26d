"""TensorFlow's C++ start-up log stays quiet when sklstm imports it; Python
warnings still reach the user."""

import os
import subprocess
import sys
import textwrap

import pytest

START_UP_LINES = (
    "absl::InitializeLog",
    "oneDNN",
    "cuInit",
    "cuda",
    "cpu_feature_guard",
    "Compiled cluster using XLA",
    "I0000",
    "E0000",
    "W0000",
)

# A first fit, then one that diverges: TensorFlow's start-up prints nothing,
# while sklstm's own warning (a Python warning) reaches stderr.
FIRST_FIT_THEN_A_DIVERGING_ONE = textwrap.dedent(
    """
    import os, sys
    import numpy as np
    from sklstm import LSTMRegressor

    X = np.random.RandomState(0).rand(60, 5, 1)
    model = LSTMRegressor([2], steps=20, random_state=0).fit(X, X[:, -1, 0])
    model.predict(X)
    print("level", os.environ.get("TF_CPP_MIN_LOG_LEVEL"))
    print("stderr still works", file=sys.stderr)

    rng = np.random.RandomState(0)
    X = rng.randn(200, 5, 1)
    LSTMRegressor(
        [3], optimizer="SGD", learning_rate=2.0, standardize=False,
        steps=500, print_steps=10, early_stopping_rounds=None, random_state=0,
    ).fit(X, 100 * X[:, -1, 0])
    """
)


def _run(code: str, **env_changes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env.update(env_changes)
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_fits_print_nothing_of_tensorflows_start_up_but_python_warnings():
    result = _run(FIRST_FIT_THEN_A_DIVERGING_ONE)
    assert "level 3" in result.stdout, result.stderr
    assert "stderr still works" in result.stderr
    assert "RuntimeWarning" in result.stderr or "ValueError" in result.stderr
    assert "diverged" in result.stderr
    for line in START_UP_LINES:
        assert line not in result.stderr, result.stderr


def test_a_log_level_the_user_set_is_left_alone():
    result = _run(
        "import os, numpy as np\n"
        "from sklstm import LSTMRegressor\n"
        "X = np.random.RandomState(0).rand(30, 4, 1)\n"
        "LSTMRegressor([2], steps=5).fit(X, X[:, -1, 0])\n"
        "print('level', os.environ['TF_CPP_MIN_LOG_LEVEL'])\n",
        TF_CPP_MIN_LOG_LEVEL="1",
    )
    assert result.returncode == 0, result.stderr
    assert "level 1" in result.stdout


@pytest.mark.parametrize("first", ["tensorflow", "keras"])
def test_tensorflow_imported_by_the_user_first_is_left_alone(first):
    result = _run(
        f"import os, {first}\n"
        "from sklstm._config import load_keras\n"
        "load_keras()\n"
        "print('level', os.environ.get('TF_CPP_MIN_LOG_LEVEL'))\n"
    )
    assert result.returncode == 0, result.stderr
    assert "level None" in result.stdout
