"""Files saved by an earlier sklstm load and predict exactly as they did.

The files under tests/data/ were written by tests/data/make_saved_files.py
with the format this sklstm writes; a change that breaks reading them, or
changes a single bit the network predicts, breaks the promise that saved models keep
working.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklstm import LSTMClassifier, LSTMRegressor, load

DATA = Path(__file__).resolve().parent / "data"


@pytest.mark.parametrize(
    ("name", "face"), [("regressor", LSTMRegressor), ("classifier", LSTMClassifier)]
)
def test_saved_file_loads_and_predicts_exactly(name, face):
    model = load(DATA / f"{name}.sklstm")
    assert type(model) is face
    with np.load(DATA / f"{name}_expected.npz") as npz:
        expected = {key: npz[key] for key in npz.files}
    X = expected["X"]
    if "columns" in expected:
        X = pd.DataFrame(X, columns=expected["columns"])
    np.testing.assert_array_equal(model.predict(X), expected["predict"])
    if "predict_proba" in expected:
        # The network's outputs are bit-exact (the labels above follow from
        # them); numpy's float64 exp and log may differ by an ulp between
        # numpy releases, and nothing saved is involved in that last step.
        np.testing.assert_array_max_ulp(
            model.predict_proba(X), expected["predict_proba"], maxulp=2
        )


def test_saved_regressor_keeps_its_fitted_attributes():
    model = load(DATA / "regressor.sklstm")
    assert model.feature_names_in_.tolist() == ["lag0", "lag1", "lag2", "lag3"]
    assert (model.n_features_in_, model.time_steps_in_, model.n_outputs_) == (4, 4, 2)
    assert model.n_iter_ == 30 and len(model.history_["step"]) == 3


def test_saved_classifier_keeps_its_classes_and_mask():
    model = load(DATA / "classifier.sklstm")
    assert model.classes_.tolist() == ["down", "up"]
    assert model.n_features_in_ == 2 and model.n_iter_ == 30
    # The fixture covers padded sequences, which the saved network masks.
    with np.load(DATA / "classifier_expected.npz") as npz:
        assert np.isnan(npz["X"]).any()
