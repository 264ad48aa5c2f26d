"""The pieces of ``sklstm reproduce`` that need no network: data, baselines, files."""

import json

import pytest
from numpy.testing import assert_array_equal

from sklstm._reproduce import (
    METHODS,
    QUICK,
    load_task,
    method_label,
    post_config,
    run_experiments,
    sklstm_defaults,
)
from sklstm._results import markdown_table, write_results
from sklstm.datasets import TASKS


@pytest.mark.parametrize("task", sorted(TASKS))
def test_flat_baseline_features_are_the_lstm_windows(task):
    data = load_task(task, n_points=1_000)
    for part in ("train", "val", "test"):
        windows = data.X[part]
        assert_array_equal(data.flat[part], windows.reshape(len(windows), -1))
    # x_test is where each test target lies.
    assert_array_equal(TASKS[task](data.x_test), data.y["test"])


def test_validation_fraction_isolates_the_validation_part():
    # The LSTMs train on train + val windows and hold out the last
    # round(n * fraction) rows; that must be the val part, whatever the sizes.
    for n_train in range(1, 3_000, 7):
        for n_val in (1, 2, 89, 890, 1_234):
            n = n_train + n_val
            assert max(1, round(n * (n_val / n))) == n_val


def test_post_config_and_defaults_are_the_documented_models():
    post = post_config(3).get_params()
    assert post["rnn_layers"] == [
        {"num_units": 40},
        {"num_units": 30, "keep_prob": 0.5},
    ]
    assert post["dense_layers"] == {"layers": [2], "activation": "relu"}
    assert (post["optimizer"], post["learning_rate"], post["batch_size"]) == (
        "Adagrad",
        0.03,
        100,
    )
    assert (post["steps"], post["early_stopping_rounds"]) == (10_000, 1_000)
    assert post["standardize"] is False and post["random_state"] == 3
    assert post["relative"] is False
    # The package's defaults, untouched but for the seed.
    from sklstm import LSTMRegressor

    defaults = LSTMRegressor().get_params()
    params = sklstm_defaults(5).get_params()
    changed = {k for k in params if params[k] != defaults[k]}
    assert changed == {"random_state"}


def test_run_experiments_rejects_unknown_names():
    with pytest.raises(ValueError, match=r"Unknown task or method \['cos'\]"):
        run_experiments(tasks=["cos"], log=None)
    with pytest.raises(ValueError, match="Unknown task or method"):
        run_experiments(methods=["arima"], log=None)
    with pytest.raises(ValueError, match="at least one seed"):
        run_experiments(seeds=[], log=None)


@pytest.fixture(scope="module")
def baseline_results():
    """Real fits of the methods that need no TensorFlow, on the quick data."""
    return run_experiments(
        methods=["persistence", "linear_regression"],
        seeds=[0],
        budget=QUICK,
        log=None,
    )


def test_table_has_a_row_per_task_and_method(baseline_results):
    labels = {name: method.label for name, method in METHODS.items()}
    table = markdown_table(
        baseline_results, {"sin": 1.0, "sin_cos": 1.0, "x_sin": 1.0}, labels
    )
    rows = table.splitlines()[2:]
    assert len(rows) == 6
    assert rows[0].startswith("| sin | persistence (last value) | ")
    assert "| none needed |" in rows[0]
    assert method_label("sklstm_defaults") == "LSTMRegressor defaults"
    # Without labels, a method shows its name.
    assert (
        markdown_table(baseline_results)
        .splitlines()[2]
        .startswith("| sin | persistence | ")
    )


def test_results_are_written_with_plots(baseline_results, tmp_path):
    data = {task: load_task(task, QUICK.n_points) for task in TASKS}
    written, _ = write_results(
        baseline_results,
        tmp_path,
        tasks_data=data,
        command="sklstm reproduce --quick",
        seeds=[0],
        quick=True,
    )
    assert sorted(p.name for p in written) == [
        "results.json",
        "results.md",
        "sin.png",
        "sin_cos.png",
        "x_sin.png",
    ]
    records = json.loads((tmp_path / "results.json").read_text())
    assert [r["method"] for r in records[:2]] == ["persistence", "linear_regression"]
    assert all(r["seed"] is None for r in records)
