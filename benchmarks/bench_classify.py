"""Classifying whole sequences: LSTMClassifier against plain Keras.

Datasets (nothing downloaded):

- ``digits``: scikit-learn's 8x8 handwritten digits, each image read as a
  sequence of 8 rows of 8 pixels; a stratified 75/25 split (seed 0);
- ``BasicMotions``: aeon's copy, 6 channels (accelerometer and gyroscope) of
  100 steps, 4 activities, its own train/test split;
- ``PickupGestureWiimoteZ``: aeon's copy, one channel of 29 to 361 steps,
  10 gestures, its own train/test split;
- ``JapaneseVowels``: aeon's copy, 12 channels of 7 to 29 steps, 9 speakers.

Sequences of different lengths are padded before their first step: with NaN
for sklstm (its masked steps), with zeros for Keras (as is usual there).

Methods, seeds 0, 1 and 2:

- ``sklstm``: ``LSTMClassifier(random_state=seed)``, all defaults;
- ``keras``: a plain Keras ``LSTM(64)`` and a softmax layer, Adam at 3e-3, 100
  epochs of batches of 32, ``model.fit``;
- ``keras-sklearn``: the same network through ``keras.wrappers.SKLearnClassifier``.

It reports the test accuracy (median over the seeds) and the fit time (wall
clock, compilation included, TensorFlow's import excluded): the median over
the seeds, and the first seed's, which for sklstm includes compiling the
architecture (later fits of it in the same process reuse that), and writes
``classify.json`` and ``classify.md``.

Run ``pip install -e '.[bench]' && python benchmarks/bench_classify.py --out
bench-results`` (about 17 minutes on 2 cores, most of it Keras).
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
from _report import arguments, markdown_table, markdown_text, write_report

from sklstm import LSTMClassifier, pad_sequences

KERAS_EPOCHS = 100


def _aeon(loader):
    def load():
        import aeon.datasets

        parts = []
        for split in ("train", "test"):
            X, y = getattr(aeon.datasets, loader)(split=split)
            # aeon lays sequences out (channels, steps); sklstm reads (steps,
            # channels).
            parts.append(([np.asarray(x, float).T for x in X], np.asarray(y)))
        return parts

    return load


def _digits():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = digits.images.astype(float)  # (n, 8 rows, 8 pixels)
    X_train, X_test, y_train, y_test = train_test_split(
        X, digits.target, test_size=0.25, stratify=digits.target, random_state=0
    )
    return [(list(X_train), y_train), (list(X_test), y_test)]


DATASETS = {
    "digits": _digits,
    "BasicMotions": _aeon("load_basic_motions"),
    "PickupGestureWiimoteZ": _aeon("load_pickup_gesture_wiimoteZ"),
    "JapaneseVowels": _aeon("load_japanese_vowels"),
}


def run_sklstm(train, test, length, seed):
    X_train = pad_sequences(train[0], length=length)
    X_test = pad_sequences(test[0], length=length)
    start = time.perf_counter()
    model = LSTMClassifier(random_state=seed).fit(X_train, train[1])
    seconds = time.perf_counter() - start
    return {
        "accuracy": float(model.score(X_test, test[1])),
        "fit_seconds": seconds,
        "steps": int(model.n_iter_),
    }


def _keras_network(length, n_features, n_classes, seed, flat=False):
    import keras

    keras.utils.set_random_seed(seed)
    # SKLearnClassifier accepts 2-D inputs only: it gets the sequences
    # flattened and the network restores their shape.
    inputs = (
        [
            keras.Input((length * n_features,)),
            keras.layers.Reshape((length, n_features)),
        ]
        if flat
        else [keras.Input((length, n_features))]
    )
    model = keras.Sequential(
        [
            *inputs,
            keras.layers.LSTM(64),
            keras.layers.Dense(n_classes, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(3e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def run_keras(train, test, length, seed):
    classes = np.unique(train[1])
    X_train = pad_sequences(train[0], length=length, value=0.0)
    X_test = pad_sequences(test[0], length=length, value=0.0)
    y_train = np.searchsorted(classes, train[1])
    y_test = np.searchsorted(classes, test[1])
    model = _keras_network(length, X_train.shape[2], len(classes), seed)
    start = time.perf_counter()
    model.fit(X_train, y_train, epochs=KERAS_EPOCHS, batch_size=32, verbose=0)
    seconds = time.perf_counter() - start
    predicted = model.predict(X_test, verbose=0).argmax(axis=1)
    return {
        "accuracy": float(np.mean(predicted == y_test)),
        "fit_seconds": seconds,
        "steps": KERAS_EPOCHS * int(np.ceil(len(X_train) / 32)),
    }


def run_keras_sklearn(train, test, length, seed):
    import keras

    classes = np.unique(train[1])
    X_train = pad_sequences(train[0], length=length, value=0.0)
    X_test = pad_sequences(test[0], length=length, value=0.0)
    n_features = X_train.shape[2]
    X_train = X_train.reshape(len(X_train), -1)
    X_test = X_test.reshape(len(X_test), -1)

    def network(X, y):
        # SKLearnClassifier one-hot encodes y for categorical cross-entropy.
        model = _keras_network(length, n_features, len(classes), seed, flat=True)
        model.compile(
            optimizer=keras.optimizers.Adam(3e-3),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model

    model = keras.wrappers.SKLearnClassifier(
        model=network,
        fit_kwargs={"epochs": KERAS_EPOCHS, "batch_size": 32, "verbose": 0},
    )
    start = time.perf_counter()
    model.fit(X_train, train[1])
    seconds = time.perf_counter() - start
    return {
        "accuracy": float(np.mean(model.predict(X_test) == test[1])),
        "fit_seconds": seconds,
        "steps": KERAS_EPOCHS * int(np.ceil(len(X_train) / 32)),
    }


METHODS = {"sklstm": run_sklstm, "keras": run_keras, "keras-sklearn": run_keras_sklearn}


def summarize(records):
    rows = []
    for name in dict.fromkeys(r["dataset"] for r in records):
        for method in METHODS:
            runs = [
                r for r in records if r["dataset"] == name and r["method"] == method
            ]
            if runs:
                rows.append(
                    {
                        "dataset": name,
                        "method": method,
                        "accuracy": statistics.median(r["accuracy"] for r in runs),
                        "accuracies": [r["accuracy"] for r in runs],
                        "fit_seconds": statistics.median(
                            r["fit_seconds"] for r in runs
                        ),
                        # The first fit of an architecture in a process pays
                        # sklstm's compilation; later seeds reuse it.
                        "first_fit_seconds": runs[0]["fit_seconds"],
                        "steps": statistics.median(r["steps"] for r in runs),
                    }
                )
    return rows


def markdown(rows) -> str:
    columns = ["dataset", "method", "accuracy (median)", "seeds 0, 1, 2"]
    columns += ["fit s (median)", "first fit s", "steps"]
    cells = [
        [
            r["dataset"],
            r["method"],
            f"{r['accuracy']:.3f}",
            ", ".join(f"{a:.3f}" for a in r["accuracies"]),
            f"{r['fit_seconds']:.1f}",
            f"{r['first_fit_seconds']:.1f}",
            f"{r['steps']:.0f}",
        ]
        for r in rows
    ]
    return markdown_text(markdown_table(columns, cells))


def main(argv=None) -> int:
    parser = arguments(__doc__, seeds=True)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    args = parser.parse_args(argv)
    # TensorFlow's import is paid before any timing: it is no fit's cost.
    import tensorflow  # noqa: F401

    records = []
    for name in args.datasets:
        train, test = DATASETS[name]()
        length = max(len(x) for x in train[0] + test[0])
        for method in args.methods:
            for seed in args.seeds:
                result = METHODS[method](train, test, length, seed)
                records.append(
                    {"dataset": name, "method": method, "seed": seed, **result}
                )
                print(
                    f"{name:22s} {method:14s} seed={seed} "
                    f"accuracy={result['accuracy']:.3f} "
                    f"fit={result['fit_seconds']:.1f}s steps={result['steps']}",
                    flush=True,
                )
    rows = summarize(records)
    text = markdown(rows)
    print()
    print(text)
    write_report(args.out, "classify", text, {"runs": records, "summary": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
