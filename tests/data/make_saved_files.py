"""Writes the saved-file fixtures that tests/test_saved_files.py loads.

Run once, from the repository root, when the file format changes on purpose:

    PYTHONPATH=$PWD python tests/data/make_saved_files.py

It fits a tiny regressor and a tiny classifier, saves each with ``save`` and
stores, beside them, the inputs and the predictions the fitted estimators
made, which every later sklstm must reproduce exactly from the files.
"""

from __future__ import annotations

import os
from pathlib import Path

# TensorFlow's start-up log, before it loads.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def regressor_case():
    """2-D DataFrame windows (feature names, 2-D fit) and two targets."""
    from sklstm import LSTMRegressor

    series = np.sin(np.linspace(0, 12, 64)) + np.linspace(0, 2, 64)
    windows = np.lib.stride_tricks.sliding_window_view(series, 4)[:-2]
    X = pd.DataFrame(windows, columns=[f"lag{k}" for k in range(4)])
    y = np.c_[series[4:-1], series[5:]]
    model = LSTMRegressor([3], steps=30, print_steps=10, random_state=0).fit(X, y)
    return model, X


def classifier_case():
    """3-D padded sequences (masked network) with string labels."""
    from sklstm import LSTMClassifier, pad_sequences

    rng = np.random.RandomState(0)
    sequences = [rng.normal(size=(rng.randint(3, 7), 2)) for _ in range(40)]
    labels = np.array(["down", "up"])[[int(s[:, 0].sum() > 0) for s in sequences]]
    X = pad_sequences(sequences)
    model = LSTMClassifier(
        [{"num_units": 3, "cell": "gru"}], steps=30, print_steps=10, random_state=0
    ).fit(X, labels)
    return model, X


def main() -> None:
    for name, case in (("regressor", regressor_case), ("classifier", classifier_case)):
        model, X = case()
        model.save(HERE / f"{name}.sklstm")
        expected = {"X": np.asarray(X), "predict": model.predict(X)}
        if isinstance(X, pd.DataFrame):
            expected["columns"] = np.asarray(X.columns, dtype=str)
        if hasattr(model, "predict_proba"):
            expected["predict_proba"] = model.predict_proba(X)
        np.savez(HERE / f"{name}_expected.npz", **expected)


if __name__ == "__main__":
    main()
