"""sklstm's networks inside MAPIE's split-conformal regressor."""

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from sklstm import LSTMRegressor, WindowTransformer

pytest.importorskip("mapie")
from mapie.regression import SplitConformalRegressor

TINY = dict(rnn_layers=[4], steps=20, early_stopping_rounds=None, random_state=0)
WINDOW = 12


@pytest.fixture
def rows_and_next() -> tuple[np.ndarray, np.ndarray]:
    values = np.sin(np.arange(81) * 0.4) + np.arange(81) * 0.02
    return values[:-1, None], values[1:]


def _check_intervals(predictions, intervals, n_rows: int) -> None:
    assert predictions.shape == (n_rows,)
    assert intervals.shape == (n_rows, 2, 1)
    assert np.isfinite(intervals).all()
    assert (intervals[:, 0, 0] <= intervals[:, 1, 0]).all()
    assert (intervals[:, 0, 0] < predictions).all()
    assert (predictions < intervals[:, 1, 0]).all()


def test_split_conformal_fits_and_calibrates_a_window_pipeline(rows_and_next):
    X, y = rows_and_next
    # MAPIE probes the last step of a fitted pipeline with a 2-D row of
    # its n_features_in_ columns: the network must read flat windows.
    pipeline = make_pipeline(
        WindowTransformer(WINDOW, flatten=True), LSTMRegressor(**TINY)
    )
    conformal = SplitConformalRegressor(
        estimator=pipeline, confidence_level=0.9, prefit=False
    )
    # Chronological parts: fit, then calibrate, then predict later rows.
    # The pipeline windows each part on its own (its first rows padded).
    conformal.fit(X[:40], y[:40]).conformalize(X[40:60], y[40:60])
    predictions, intervals = conformal.predict_interval(X[60:])
    _check_intervals(predictions, intervals, 20)


def test_split_conformal_wraps_a_prefit_network_on_complete_windows(
    rows_and_next,
):
    # Windows made once over the whole series (causal, oldest first) carry
    # their own history into every part, none of them padded.
    X, y = rows_and_next
    windows = WindowTransformer(WINDOW, flatten=True).fit_transform(X)
    network = LSTMRegressor(**TINY).fit(windows[WINDOW - 1 : 40], y[WINDOW - 1 : 40])
    conformal = SplitConformalRegressor(
        estimator=network, confidence_level=0.9, prefit=True
    )
    conformal.conformalize(windows[40:60], y[40:60])
    predictions, intervals = conformal.predict_interval(windows[60:])
    _check_intervals(predictions, intervals, 20)
    np.testing.assert_array_equal(predictions, network.predict(windows[60:]))
