"""Speed and memory of LSTMRegressor against plain Keras, on the post's network.

Each side runs in its own process (a fresh interpreter, so no side profits from
another's warm caches), in one run of this script:

- ``sklstm``: ``LSTMRegressor(rnn_layers=[5], dense_layers=None,
  optimizer="Adagrad", learning_rate=0.03, batch_size=100, steps=10000,
  early_stopping_rounds=None, random_state=0)``;
- ``sklstm-validated``: the same with the default validation every
  ``print_steps`` (early stopping patience as long as the budget, so both
  train the same number of steps);
- ``keras``: the same network (LSTM(5) then Dense(1)) compiled with Adagrad at
  0.03 and trained with plain ``model.fit`` for the same number of steps;
- ``keras-sklearn``: ``keras.wrappers.SKLearnRegressor`` of that network;
- ``sklstm-warm``: the ``sklstm`` side again, in a fresh process whose
  compile cache the ``sklstm`` run before it has filled (that run starts with
  an empty cache of its own, so ``sklstm`` is the cold-cache figure);
- ``memory``: peak memory added by fitting and predicting through
  ``WindowTransformer(time_steps=50)`` on a 2,000,000-point series, beyond a
  small fit of the same pipeline;
- ``sklstm-large`` and ``keras-large``: a compute-bound network,
  ``rnn_layers=[64, 64]`` (an LSTM of 64 units returning sequences, then one
  of 64) and a dense output, Adam at 0.001, batches of 256, on 60,000 windows
  of 50 steps x 4 features (four noisy sines of different periods; the target
  is the next value of the first). ``sklstm-large`` fits 300 steps with an
  empty compile cache and then refits in the same process (steady state);
  ``keras-large`` fits one epoch of 235 steps (compilation included), then
  another (steady state). Both predict 20,000 windows (Keras with
  ``model.predict``'s default batch size) and report the test MSE on 5,000
  held-out windows.

With ``--gpu`` it measures on a GPU instead, against plain Keras on the same
GPU: the post's network (``sklstm`` cold and warm, ``keras``) and two LSTM
layers of 256 units over windows of 100 steps x 4 features with batches of
1,024 (``sklstm-gpu-large``, ``keras-gpu-large``), writing
``speed-gpu.json`` and ``speed-gpu.md``. The sklstm sides record the engines
their programs ran on (see ``sklstm.set_config``).

Fit times include compilation and exclude importing TensorFlow; for the
sklstm sides, "refit" is a second fit of the same estimator in the same
process, which reuses the compiled programs (and must predict identically),
and "first call" is the time from calling ``fit`` to the return of its first
compiled call, which runs the first 100 steps (about 25 ms of them): it
holds validation, scaling, building the network, tracing, and compiling or
loading from the cache.
Predict times are the median of repeated calls after a first (warm-up) call.
On a shared machine one run of a side is at the mercy of the moment's load
(plain Keras's fit of the post's network took from 25 to 37 s within an hour
on the same machine), so every side that a target compares runs
``--repeats`` times (3 by default), alternating, each in a fresh process,
and the table gives the median of each measure (the JSON keeps every run);
``keras-sklearn`` and ``memory`` run once.

Run ``python benchmarks/bench_speed.py --out bench-results`` (about fifteen
minutes on 2 cores, most of it plain Keras).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from _report import count

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

STEPS = 10_000
BATCH = 100
TIME_STEPS = 10
PREDICT_REPEATS = 50
POST_NETWORK = dict(
    rnn_layers=[5],
    dense_layers=None,
    optimizer="Adagrad",
    learning_rate=0.03,
    batch_size=BATCH,
    steps=STEPS,
    early_stopping_rounds=None,
    random_state=0,
)

TARGETS = {
    "fit speed-up over Keras fit": 10.0,
    "test MSE ratio to Keras fit (at most)": 2.0,
    "fit speed-up over SKLearnRegressor": 3.0,
    "predict(1000) speed-up over model.predict": 10.0,
    "single-window predict ms (at most)": 2.0,
    "2M-point fit+predict extra MB (at most)": 60.0,
    "validated fit time ratio (at most)": 1.3,
    "warm-cache fit speed-up over Keras fit": 10.0,
    "warm-cache first call s (at most, 100 steps)": 0.225,
    "[64, 64] steady step speed-up over Keras fit": 1.5,
    "[64, 64] first fit speed-up over Keras fit": 1.2,
    "[64, 64] predict(20000) speed-up over model.predict": 2.0,
    "[64, 64] test MSE ratio to Keras fit (at most)": 1.1,
}


def post_sin_windows():
    """The post's sin data: chronological split, windows built inside each part."""
    from sklstm.datasets import generate_data, post_x, sin

    X, y = generate_data(sin, post_x(), TIME_STEPS)
    return X["train"], y["train"], X["val"], y["val"], X["test"], y["test"]


def median_seconds(call, repeats=PREDICT_REPEATS):
    call()  # warm-up: tracing and first-call costs are not steady-state
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _watch_first_call() -> dict:
    """Record when the first compiled training call returns."""
    from sklstm import _training as training

    seen: dict = {}
    original = training.CompiledNetwork.train_steps

    def train_steps(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        seen.setdefault("returned", time.perf_counter())
        return result

    training.CompiledNetwork.train_steps = train_steps
    return seen


def engines_used() -> list[str]:
    """The engines sklstm's programs ran on in this process (see sklstm._programs)."""
    from sklstm import _programs as programs

    return sorted({str(engine) for _, engine in programs._PROGRAMS})


def run_sklstm(validated: bool) -> dict:
    import keras  # noqa: F401  (imported before the clock starts, as for Keras)

    from sklstm import LSTMRegressor

    first = _watch_first_call()
    X_train, y_train, X_val, y_val, X_test, y_test = post_sin_windows()
    params = dict(POST_NETWORK)
    if validated:
        # Train on train + validation rows with the validation part as the
        # chronological tail, evaluated every print_steps; patience as long as
        # the budget so the step count matches the unvalidated fit.
        X_train = np.concatenate([X_train, X_val])
        y_train = np.concatenate([y_train, y_val])
        params.update(
            early_stopping_rounds=STEPS,
            validation_fraction=len(X_val) / len(X_train),
        )
    model = LSTMRegressor(**params)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    first_call_seconds = first["returned"] - start
    mse = float(np.mean((model.predict(X_test) - y_test) ** 2))
    # A second fit of the same architecture in the process (a refit, a CV
    # fold, a grid-search clone) reuses the compiled programs.
    start = time.perf_counter()
    refit = LSTMRegressor(**params).fit(X_train, y_train)
    refit_seconds = time.perf_counter() - start
    assert np.array_equal(refit.predict(X_test), model.predict(X_test))
    return {
        "fit_seconds": fit_seconds,
        "first_call_seconds": first_call_seconds,
        "refit_seconds": refit_seconds,
        "steps": model.n_iter_,
        "test_mse": mse,
        "predict_1000_ms": 1e3 * median_seconds(lambda: model.predict(X_test[:1000])),
        "predict_1_ms": 1e3 * median_seconds(lambda: model.predict(X_test[:1])),
        "engines": engines_used(),
    }


def keras_network():
    import keras

    model = keras.Sequential(
        [
            keras.Input((TIME_STEPS, 1)),
            keras.layers.LSTM(5),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adagrad(learning_rate=0.03), loss="mse")
    return model


def epochs_for_steps(n_rows: int) -> tuple[int, int]:
    per_epoch = math.ceil(n_rows / BATCH)
    epochs = math.ceil(STEPS / per_epoch)
    return epochs, epochs * per_epoch


def run_keras() -> dict:
    import keras

    keras.utils.set_random_seed(0)
    X_train, y_train, _, _, X_test, y_test = post_sin_windows()
    model = keras_network()
    epochs, steps = epochs_for_steps(len(X_train))
    start = time.perf_counter()
    model.fit(X_train, y_train, batch_size=BATCH, epochs=epochs, verbose=0)
    fit_seconds = time.perf_counter() - start
    predicted = model.predict(X_test, verbose=0)[:, 0]
    return {
        "fit_seconds": fit_seconds,
        "steps": steps,
        "test_mse": float(np.mean((predicted - y_test) ** 2)),
        "predict_1000_ms": 1e3
        * median_seconds(lambda: model.predict(X_test[:1000], verbose=0), 20),
        "predict_1_ms": 1e3
        * median_seconds(lambda: model.predict(X_test[:1], verbose=0), 20),
    }


def run_keras_sklearn() -> dict:
    import keras
    from keras.wrappers import SKLearnRegressor

    keras.utils.set_random_seed(0)
    X_train, y_train, _, _, X_test, y_test = post_sin_windows()
    epochs, steps = epochs_for_steps(len(X_train))

    def build(X, y):
        # The wrapper validates X as 2-D, so the network reshapes the flat
        # windows back to (time_steps, 1) first.
        import keras

        model = keras.Sequential(
            [
                keras.Input((TIME_STEPS,)),
                keras.layers.Reshape((TIME_STEPS, 1)),
                keras.layers.LSTM(5),
                keras.layers.Dense(1),
            ]
        )
        model.compile(
            optimizer=keras.optimizers.Adagrad(learning_rate=0.03), loss="mse"
        )
        return model

    wrapper = SKLearnRegressor(
        model=build, fit_kwargs={"epochs": epochs, "batch_size": BATCH, "verbose": 0}
    )
    start = time.perf_counter()
    wrapper.fit(X_train[:, :, 0], y_train)
    fit_seconds = time.perf_counter() - start
    predicted = np.ravel(wrapper.predict(X_test[:, :, 0]))
    return {
        "fit_seconds": fit_seconds,
        "steps": steps,
        "test_mse": float(np.mean((predicted - y_test) ** 2)),
    }


LARGE_WINDOWS, LARGE_TEST, LARGE_STEPS = 60_000, 5_000, 300
LARGE_FEATURES = 4


@dataclass(frozen=True)
class LargeCase:
    """A compute-bound network: stacked LSTMs of ``units`` over ``time_steps``."""

    units: int
    time_steps: int
    batch: int


# The CPU case, and the GPU case of ``--gpu``.
LARGE = LargeCase(units=64, time_steps=50, batch=256)
GPU_LARGE = LargeCase(units=256, time_steps=100, batch=1024)


def large_windows(case: LargeCase = LARGE):
    """Windows of four noisy sines; the target is the next value of the first."""
    rng = np.random.RandomState(0)
    n_rows = LARGE_WINDOWS + LARGE_TEST + case.time_steps
    t = np.arange(n_rows)[:, None]
    periods = np.array([37.0, 53.0, 91.0, 150.0])
    series = np.sin(2 * np.pi * t / periods) + 0.1 * rng.normal(
        size=(n_rows, LARGE_FEATURES)
    )
    windows = np.lib.stride_tricks.sliding_window_view(
        series[:-1], case.time_steps, axis=0
    ).transpose(0, 2, 1)
    targets = series[case.time_steps :, 0]
    X = np.ascontiguousarray(windows, dtype=np.float32)
    return (
        X[:LARGE_WINDOWS],
        targets[:LARGE_WINDOWS],
        X[LARGE_WINDOWS:],
        targets[LARGE_WINDOWS:],
    )


def run_sklstm_large(case: LargeCase = LARGE) -> dict:
    import keras  # noqa: F401  (imported before the clock starts, as for Keras)

    from sklstm import LSTMRegressor

    X, y, X_test, y_test = large_windows(case)
    params = dict(
        rnn_layers=[case.units, case.units],
        learning_rate=0.001,
        batch_size=case.batch,
        steps=LARGE_STEPS,
        early_stopping_rounds=None,
        random_state=0,
    )
    start = time.perf_counter()
    model = LSTMRegressor(**params).fit(X, y)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    LSTMRegressor(**params).fit(X, y)
    refit_seconds = time.perf_counter() - start
    return {
        "fit_seconds": fit_seconds,
        "step_ms": 1e3 * refit_seconds / LARGE_STEPS,
        "steps": LARGE_STEPS,
        "test_mse": float(np.mean((model.predict(X_test) - y_test) ** 2)),
        "predict_20000_s": median_seconds(lambda: model.predict(X[:20_000]), 3),
        "engines": engines_used(),
    }


def run_keras_large(case: LargeCase = LARGE) -> dict:
    import keras

    keras.utils.set_random_seed(0)
    X, y, X_test, y_test = large_windows(case)
    model = keras.Sequential(
        [
            keras.Input((case.time_steps, LARGE_FEATURES)),
            keras.layers.LSTM(case.units, return_sequences=True),
            keras.layers.LSTM(case.units),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
    epoch_steps = math.ceil(LARGE_WINDOWS / case.batch)
    # Steady state over at least LARGE_STEPS steps: whole epochs after the first.
    steady_epochs = max(1, math.ceil(LARGE_STEPS / epoch_steps) - 1)
    start = time.perf_counter()
    model.fit(X, y, batch_size=case.batch, epochs=1, verbose=0)
    first_epoch = time.perf_counter() - start
    start = time.perf_counter()
    model.fit(X, y, batch_size=case.batch, epochs=steady_epochs, verbose=0)
    step_seconds = (time.perf_counter() - start) / (steady_epochs * epoch_steps)
    predicted = model.predict(X_test, verbose=0)[:, 0]
    return {
        # The first epoch (with compilation), plus steady steps up to 300.
        "fit_seconds": first_epoch + (LARGE_STEPS - epoch_steps) * step_seconds,
        "step_ms": 1e3 * step_seconds,
        "steps": (1 + steady_epochs) * epoch_steps,
        "test_mse": float(np.mean((predicted - y_test) ** 2)),
        "predict_20000_s": median_seconds(
            lambda: model.predict(X[:20_000], verbose=0), 3
        ),
    }


def peak_rss_reset() -> None:
    # Linux resets the high-water mark of resident memory when 5 is written
    # to clear_refs, so the peak of one phase can be read on its own.
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def status_mb(field: str) -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} missing from /proc/self/status")


def run_memory() -> dict:
    from sklearn.pipeline import make_pipeline

    from sklstm import LSTMRegressor, WindowTransformer

    params = dict(POST_NETWORK, steps=200, early_stopping_rounds=100)

    def pipeline():
        return make_pipeline(WindowTransformer(50), LSTMRegressor(**params))

    small = np.sin(np.linspace(0, 100, 5_000))
    pipeline().fit(small[:-1, None], small[1:]).predict(small[:-1, None])

    series = np.sin(np.linspace(0, 20_000, 2_000_000))
    X, y = series[:-1, None], series[1:]
    before = status_mb("VmRSS")
    peak_rss_reset()
    model = pipeline().fit(X, y)
    fit_peak = status_mb("VmHWM")
    peak_rss_reset()
    predicted = model.predict(X)
    predict_peak = status_mb("VmHWM")
    return {
        "series_points": len(series),
        "window_view_mb_if_copied": X.shape[0] * 50 * 8 / 2**20,
        "rss_before_mb": before,
        "fit_extra_mb": fit_peak - before,
        "predict_extra_mb": predict_peak - before,
        "extra_mb": max(fit_peak, predict_peak) - before,
        "predictions": len(predicted),
    }


SIDES = {
    "sklstm": lambda: run_sklstm(validated=False),
    "sklstm-warm": lambda: run_sklstm(validated=False),
    "sklstm-validated": lambda: run_sklstm(validated=True),
    "keras": run_keras,
    "keras-sklearn": run_keras_sklearn,
    "memory": run_memory,
    "sklstm-large": run_sklstm_large,
    "keras-large": run_keras_large,
    "sklstm-gpu-large": lambda: run_sklstm_large(GPU_LARGE),
    "keras-gpu-large": lambda: run_keras_large(GPU_LARGE),
}
# Sides of --gpu: the post's network and the GPU case, against Keras.
GPU_SIDES = ("sklstm", "sklstm-warm", "keras", "sklstm-gpu-large", "keras-gpu-large")


# Sides the targets compare: run --repeats times each, alternating.
REPEATED_SIDES = (
    "sklstm",
    "sklstm-warm",
    "sklstm-validated",
    "keras",
    "sklstm-large",
    "keras-large",
)
# Sides that share a compile cache within a repeat (the cold run fills it
# and the warm run loads from it); every other side has a cache of its own.
SHARED_CACHES = {"sklstm": "post", "sklstm-warm": "post"}


def run_side_in_subprocess(side: str, cache: str) -> dict:
    """Run ``side`` in a fresh process whose compile cache is ``cache``."""
    completed = subprocess.run(
        [sys.executable, __file__, "--side", side],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SKLSTM_CACHE_DIR": cache},
    )
    if completed.returncode != 0:
        raise RuntimeError(f"side {side!r} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def median_of_runs(runs: list[dict]) -> dict:
    """Median of every measure over repeated runs of one side, and the runs."""
    summary = {
        key: statistics.median(run[key] for run in runs)
        for key in runs[0]
        if isinstance(runs[0][key], float)
    }
    summary["steps"] = runs[0]["steps"]
    summary["engines"] = runs[0].get("engines")
    summary["runs"] = runs
    return summary


def run_sides(repeated, once, repeats: int) -> dict:
    """Each side's results, each run in a fresh process with its own cache.

    Sides in ``repeated`` run ``repeats`` times, alternating, and give the
    medians (see :func:`median_of_runs`); sides in ``once`` run once.
    """
    runs: dict[str, list[dict]] = {side: [] for side in repeated}
    with tempfile.TemporaryDirectory() as caches:
        for repeat in range(repeats):
            for side in repeated:
                # Every repeat starts from empty caches, one per side except
                # the cold run and the warm run that loads what it compiled.
                cache = f"{caches}/{repeat}-{SHARED_CACHES.get(side, side)}"
                print(f"running {side} ({repeat + 1}/{repeats}) ...", flush=True)
                runs[side].append(run_side_in_subprocess(side, cache))
        results = {side: median_of_runs(side_runs) for side, side_runs in runs.items()}
        for side in once:
            print(f"running {side} ...", flush=True)
            results[side] = run_side_in_subprocess(side, f"{caches}/{side}")
    return results


def summarise(results: dict) -> dict:
    ours, keras_fit = results["sklstm"], results["keras"]
    keras_10k = keras_fit["fit_seconds"] * STEPS / keras_fit["steps"]
    wrapper = results["keras-sklearn"]
    wrapper_10k = wrapper["fit_seconds"] * STEPS / wrapper["steps"]
    large, large_keras = results["sklstm-large"], results["keras-large"]
    return {
        "fit speed-up over Keras fit": keras_10k / ours["fit_seconds"],
        "test MSE ratio to Keras fit (at most)": ours["test_mse"]
        / keras_fit["test_mse"],
        "fit speed-up over SKLearnRegressor": wrapper_10k / ours["fit_seconds"],
        "predict(1000) speed-up over model.predict": keras_fit["predict_1000_ms"]
        / ours["predict_1000_ms"],
        "single-window predict ms (at most)": ours["predict_1_ms"],
        "2M-point fit+predict extra MB (at most)": results["memory"]["extra_mb"],
        "validated fit time ratio (at most)": results["sklstm-validated"]["fit_seconds"]
        / ours["fit_seconds"],
        "warm-cache fit speed-up over Keras fit": keras_10k
        / results["sklstm-warm"]["fit_seconds"],
        "warm-cache first call s (at most, 100 steps)": results["sklstm-warm"][
            "first_call_seconds"
        ],
        "[64, 64] steady step speed-up over Keras fit": large_keras["step_ms"]
        / large["step_ms"],
        "[64, 64] first fit speed-up over Keras fit": large_keras["fit_seconds"]
        / large["fit_seconds"],
        "[64, 64] predict(20000) speed-up over model.predict": large_keras[
            "predict_20000_s"
        ]
        / large["predict_20000_s"],
        "[64, 64] test MSE ratio to Keras fit (at most)": large["test_mse"]
        / large_keras["test_mse"],
    }


def large_table(case: LargeCase, sides: tuple, results: dict) -> list[str]:
    """Markdown rows of a compute-bound case, with the engines sklstm ran on."""
    lines = [
        "",
        f"| [{case.units}, {case.units}] x {case.time_steps} steps, batch "
        f"{case.batch} | first fit of {LARGE_STEPS} steps s | steady ms/step | "
        "test MSE | predict 20000 s | engines |",
        "|---|---|---|---|---|---|",
    ]
    for side in sides:
        row = results[side]
        lines.append(
            f"| {side} | {row['fit_seconds']:.1f} | {row['step_ms']:.1f} | "
            f"{row['test_mse']:.3g} | {row['predict_20000_s']:.2f} | "
            f"{', '.join(row.get('engines') or ['-'])} |"
        )
    return lines


GPU_TARGETS = {
    "GPU post network fit speed-up over Keras fit": 1.0,
    "GPU [256, 256] steady step speed-up over Keras fit (no slower)": 1.0,
}


def summarise_gpu(results: dict) -> dict:
    keras_fit = results["keras"]
    keras_10k = keras_fit["fit_seconds"] * STEPS / keras_fit["steps"]
    return {
        "GPU post network fit speed-up over Keras fit": keras_10k
        / results["sklstm"]["fit_seconds"],
        "GPU [256, 256] steady step speed-up over Keras fit (no slower)": results[
            "keras-gpu-large"
        ]["step_ms"]
        / results["sklstm-gpu-large"]["step_ms"],
    }


def markdown_gpu(results: dict, ratios: dict, device: str) -> str:
    nan = float("nan")
    lines = [
        f"Device: {device}",
        "",
        "| side | fit s | first call s | steps | test MSE | predict 1000 ms "
        "| engines |",
        "|---|---|---|---|---|---|---|",
    ]
    for side in ("sklstm", "sklstm-warm", "keras"):
        row = results[side]
        lines.append(
            f"| {side} | {row['fit_seconds']:.2f} | "
            f"{row.get('first_call_seconds', nan):.2f} | {row['steps']} | "
            f"{row['test_mse']:.3g} | {row.get('predict_1000_ms', nan):.2f} | "
            f"{', '.join(row.get('engines') or ['-'])} |"
        )
    lines += large_table(GPU_LARGE, ("sklstm-gpu-large", "keras-gpu-large"), results)
    lines += ["", "| target | measured | required | met |", "|---|---|---|---|"]
    for name, value in ratios.items():
        bound = GPU_TARGETS[name]
        lines.append(
            f"| {name} | {value:.3g} | >= {bound:g}x | "
            f"{'yes' if value >= bound else 'NO'} |"
        )
    return "\n".join(lines)


def gpu_name() -> str | None:
    """The first GPU TensorFlow sees, in a fresh process, or None."""
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import tensorflow as tf; gpus = tf.config.list_physical_devices('GPU');"
            "print(tf.config.experimental.get_device_details(gpus[0]).get("
            "'device_name', gpus[0].name) if gpus else '')",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    name = completed.stdout.strip().splitlines()[-1:] if completed.stdout else []
    return name[0] if name and name[0] else None


def main_gpu(args) -> int:
    device = gpu_name()
    if device is None:
        raise SystemExit(
            "--gpu measures sklstm and Keras on a GPU, and TensorFlow sees none "
            "on this machine."
        )
    results = run_sides(GPU_SIDES, [], args.repeats)
    ratios = summarise_gpu(results)
    table = markdown_gpu(results, ratios, device)
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "speed-gpu.json").write_text(
        json.dumps({"device": device, "results": results, "ratios": ratios}, indent=2)
    )
    (args.out / "speed-gpu.md").write_text(table + "\n")
    return 0


def markdown(results: dict, ratios: dict) -> str:
    nan = float("nan")
    lines = [
        "| side | fit s | first call s | refit s | steps | test MSE "
        "| predict 1000 ms | predict 1 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for side in ("sklstm", "sklstm-warm", "sklstm-validated", "keras", "keras-sklearn"):
        row = results[side]
        lines.append(
            f"| {side} | {row['fit_seconds']:.2f} | "
            f"{row.get('first_call_seconds', nan):.2f} | "
            f"{row.get('refit_seconds', nan):.2f} | {row['steps']} | "
            f"{row['test_mse']:.3g} | {row.get('predict_1000_ms', nan):.2f} | "
            f"{row.get('predict_1_ms', nan):.2f} |"
        )
    lines += large_table(LARGE, ("sklstm-large", "keras-large"), results)
    memory = results["memory"]
    lines += [
        "",
        f"Median of {len(results['sklstm']['runs'])} fresh-process runs of each "
        "side, alternating (keras-sklearn and memory: one run).",
        "",
        f"2,000,000-point series, WindowTransformer(50): fit adds "
        f"{memory['fit_extra_mb']:.1f} MB, predict adds "
        f"{memory['predict_extra_mb']:.1f} MB of peak memory (a copied window "
        f"array would be {memory['window_view_mb_if_copied']:.0f} MB).",
        "",
        "| target | measured | required | met |",
        "|---|---|---|---|",
    ]
    for name, value in ratios.items():
        bound = TARGETS[name]
        at_most = "at most" in name
        met = value <= bound if at_most else value >= bound
        required = f"<= {bound:g}" if at_most else f">= {bound:g}x"
        lines.append(
            f"| {name} | {value:.3g} | {required} | {'yes' if met else 'NO'} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=sorted(SIDES), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument(
        "--repeats",
        type=count,
        default=3,
        help="fresh-process runs of each side a target compares; the table "
        "gives medians",
    )
    parser.add_argument(
        "--gpu",
        action="store_true",
        help="measure on the GPU instead: the post's network and "
        f"[{GPU_LARGE.units}, {GPU_LARGE.units}] over {GPU_LARGE.time_steps} steps "
        f"with batches of {GPU_LARGE.batch}, against Keras on the same GPU",
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1; got {args.repeats}.")
    if args.side:
        print(json.dumps(SIDES[args.side]()))
        return 0
    if args.gpu:
        return main_gpu(args)
    once = [s for s in SIDES if s not in REPEATED_SIDES and "gpu" not in s]
    results = run_sides(REPEATED_SIDES, once, args.repeats)
    ratios = summarise(results)
    table = markdown(results, ratios)
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "speed.json").write_text(
        json.dumps({"results": results, "ratios": ratios}, indent=2)
    )
    (args.out / "speed.md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
