"""Classifying whole sequences: LSTMClassifier against plain Keras and aeon.

Datasets (nothing downloaded):

- ``digits``: scikit-learn's 8x8 handwritten digits, each image read as a
  sequence of 8 rows of 8 pixels; a stratified 75/25 split (seed 0);
  ``digits-1`` to ``digits-6``, run only when named, split with seeds 1 to
  6;
- every classification dataset aeon ships in its wheel, with its own
  train/test split: ``BasicMotions`` (6 channels of 100 steps, 40 training
  sequences), ``PickupGestureWiimoteZ`` (1 channel of 29 to 361 steps, 50),
  ``JapaneseVowels`` (12 channels of 7 to 29 steps, 270), ``ArrowHead`` (1 x
  251, 36), ``GunPoint`` (1 x 150, 50), ``ItalyPowerDemand`` (1 x 24, 67),
  ``OSULeaf`` (1 x 427, 200), ``ACSF1`` (1 x 1,460, 100) and ``UnitTest``
  (1 x 24, 20 training and 22 test sequences: a part of the UCR archive's
  Chinatown that aeon ships for its own tests, too small to tell methods
  apart by more than a test sequence or two).

Sequences of different lengths are padded before their first step: with NaN
for sklstm (its masked steps), with zeros for Keras and aeon.

Methods, seeds 0, 1 and 2:

- ``sklstm``: ``LSTMClassifier(random_state=seed)``, all defaults (5
  networks averaged on these datasets, and sequences read in patches that
  leave at most 40 steps and give each step at least four values);
- ``sklstm-1``: the same with ``n_networks=1``;
- ``sklstm-shared``: the defaults with ``standardize="shared"`` (one scale
  for every feature, no shift);
- ``sklstm-smooth0``, ``sklstm-smooth0.02`` and ``sklstm-smooth0.1``: the
  defaults with ``label_smoothing`` 0 (one-hot classes), 0.02 and 0.1
  instead of 0.05;
- ``keras``: a plain Keras ``LSTM(64)`` and a softmax layer, Adam at 3e-3, 100
  epochs of batches of 32, ``model.fit``;
- ``keras-sklearn``: the same network through ``keras.wrappers.SKLearnClassifier``;
- ``aeon-fcn`` and ``aeon-resnet``: aeon's ``FCNClassifier`` and
  ``ResNetClassifier`` with their defaults but 200 epochs (their defaults,
  2,000 and 1,500 epochs, take hours on 2 cores for the long series);
- ``aeon-minirocket``: aeon's ``MiniRocketClassifier``, the accuracy
  reference.

It reports the test accuracy (median over the seeds) and the fit time (wall
clock, compilation included, TensorFlow's import excluded): the median over
the seeds, and the first seed's, which for sklstm includes compiling the
architecture (later fits of it in the same process reuse that), and writes
``classify.json`` and ``classify.md``.

Run ``pip install -e '.[bench]' && python benchmarks/bench_classify.py --out
bench-results`` (``--methods`` and ``--datasets`` choose parts; about 35
minutes on 2 cores for sklstm, Keras and MiniRocket, and as long again for
each of aeon's deep classifiers).
"""

from __future__ import annotations

import functools
import statistics
import sys
import time

import numpy as np
from _report import arguments, markdown_table, markdown_text, write_report

from sklstm import LSTMClassifier, pad_sequences

KERAS_EPOCHS = 100
# aeon's deep classifiers run this many epochs: their defaults (2,000 for FCN,
# 1,500 for ResNet) take hours on 2 cores for the longer series.
AEON_EPOCHS = 200
# n_networks of the second sklstm method: one network, the default before
# networks were averaged.
NETWORKS = 1


def _aeon(name):
    def load():
        from aeon.datasets import load_classification

        parts = []
        for split in ("train", "test"):
            X, y = load_classification(name, split=split)
            # aeon lays sequences out (channels, steps); sklstm reads (steps,
            # channels).
            parts.append(([np.asarray(x, float).T for x in X], np.asarray(y)))
        return parts

    return load


def _digits(split: int = 0):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = digits.images.astype(float)  # (n, 8 rows, 8 pixels)
    X_train, X_test, y_train, y_test = train_test_split(
        X, digits.target, test_size=0.25, stratify=digits.target, random_state=split
    )
    return [(list(X_train), y_train), (list(X_test), y_test)]


DATASETS = {
    "digits": _digits,
    **{
        name: _aeon(name)
        for name in (
            "BasicMotions",
            "PickupGestureWiimoteZ",
            "JapaneseVowels",
            "ArrowHead",
            "GunPoint",
            "ItalyPowerDemand",
            "OSULeaf",
            "ACSF1",
            "UnitTest",
        )
    },
}


# Six more stratified splits of the digits (--datasets digits-1 ... digits-6,
# not run by default): a difference of a few test images on one split is
# within what the split itself decides.
DIGIT_SPLITS = {f"digits-{k}": functools.partial(_digits, k) for k in range(1, 7)}


def run_sklstm(train, test, length, seed, **params):
    X_train = pad_sequences(train[0], length=length)
    X_test = pad_sequences(test[0], length=length)
    start = time.perf_counter()
    model = LSTMClassifier(random_state=seed, **params).fit(X_train, train[1])
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


def run_sklstm_networks(train, test, length, seed):
    return run_sklstm(train, test, length, seed, n_networks=NETWORKS)


def run_sklstm_shared(train, test, length, seed):
    return run_sklstm(train, test, length, seed, standardize="shared")


def _aeon_arrays(sequences, length):
    # aeon's classifiers take (n_cases, n_channels, n_timepoints): sequences
    # of different lengths are zero-padded before their first step, as for
    # Keras.
    return np.ascontiguousarray(
        pad_sequences(sequences, length=length, value=0.0).transpose(0, 2, 1)
    )


def _run_aeon(model, train, test, length, steps_per_epoch=None):
    X_train = _aeon_arrays(train[0], length)
    X_test = _aeon_arrays(test[0], length)
    start = time.perf_counter()
    model.fit(X_train, np.asarray(train[1]))
    seconds = time.perf_counter() - start
    epochs = getattr(model, "n_epochs", None)
    return {
        "accuracy": float(np.mean(model.predict(X_test) == np.asarray(test[1]))),
        "fit_seconds": seconds,
        "steps": 0 if epochs is None else epochs * steps_per_epoch(len(X_train)),
    }


def run_fcn(train, test, length, seed):
    from aeon.classification.deep_learning import FCNClassifier

    # aeon's defaults (batches of 16) but AEON_EPOCHS epochs, not 2,000.
    model = FCNClassifier(n_epochs=AEON_EPOCHS, random_state=seed, file_path=_tmp())
    return _run_aeon(model, train, test, length, lambda n: -(-n // min(16, n)))


def run_resnet(train, test, length, seed):
    from aeon.classification.deep_learning import ResNetClassifier

    # aeon's defaults (batches of 64) but AEON_EPOCHS epochs, not 1,500.
    model = ResNetClassifier(n_epochs=AEON_EPOCHS, random_state=seed, file_path=_tmp())
    return _run_aeon(model, train, test, length, lambda n: -(-n // min(64, n)))


def run_minirocket(train, test, length, seed):
    from aeon.classification.convolution_based import MiniRocketClassifier

    # MiniRocket's kernels span 9 steps: the digits' 8 rows get one more of
    # zeros in front.
    model = MiniRocketClassifier(random_state=seed)
    return _run_aeon(model, train, test, max(length, 9))


def _tmp() -> str:
    import tempfile

    # aeon's deep classifiers may write checkpoints under file_path.
    return tempfile.mkdtemp(prefix="bench-classify-") + "/"


LABEL_SMOOTHINGS = (0.0, 0.02, 0.1)

METHODS = {
    "sklstm": run_sklstm,
    f"sklstm-{NETWORKS}": run_sklstm_networks,
    "sklstm-shared": run_sklstm_shared,
    # The defaults with other label smoothing: 0 trains on one-hot classes.
    **{
        f"sklstm-smooth{value:g}": functools.partial(run_sklstm, label_smoothing=value)
        for value in LABEL_SMOOTHINGS
    },
    "keras": run_keras,
    "keras-sklearn": run_keras_sklearn,
    "aeon-fcn": run_fcn,
    "aeon-resnet": run_resnet,
    "aeon-minirocket": run_minirocket,
}


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
    parser.add_argument(
        "--datasets",
        nargs="+",
        default=list(DATASETS),
        choices=[*DATASETS, *DIGIT_SPLITS],
    )
    parser.add_argument(
        "--methods", nargs="+", default=list(METHODS), choices=list(METHODS)
    )
    args = parser.parse_args(argv)
    # TensorFlow's import is paid before any timing: it is no fit's cost.
    import tensorflow  # noqa: F401

    records = []
    for name in args.datasets:
        train, test = {**DATASETS, **DIGIT_SPLITS}[name]()
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
