"""LSTMClassifier on aeon's collections of series, in cross-validation."""

import pickle

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklstm import LSTMClassifier

pytest.importorskip("aeon")
from aeon.datasets import load_basic_motions

TINY = dict(
    rnn_layers=[4], n_networks=1, steps=20, early_stopping_rounds=None, random_state=0
)


def time_last_to_time_second(X: np.ndarray) -> np.ndarray:
    """aeon's ``(n_cases, n_channels, n_timepoints)`` as sklstm's
    ``(n_cases, n_timepoints, n_channels)``."""
    return X.transpose(0, 2, 1)


def test_classifier_cross_validates_on_aeon_layout():
    X, y = load_basic_motions(split="train")
    X = X[:, :, ::4]  # 25 of the 100 time points keep the test fast
    assert X.shape == (40, 6, 25)
    pipeline = make_pipeline(
        FunctionTransformer(time_last_to_time_second), LSTMClassifier(**TINY)
    )
    folds = StratifiedKFold(n_splits=2, shuffle=True, random_state=0)
    scores = cross_val_score(pipeline, X, y, cv=folds)
    assert scores.shape == (2,)
    assert ((scores >= 0) & (scores <= 1)).all()

    pipeline.fit(X, y)
    # The six channels are the features of every time step.
    assert pipeline[-1].n_features_in_ == 6
    restored = pickle.loads(pickle.dumps(pipeline))
    np.testing.assert_array_equal(restored.predict(X), pipeline.predict(X))
    assert set(pipeline.predict(X)) <= set(y)
