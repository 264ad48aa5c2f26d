"""LSTMRegressor in Pipeline, cross_val_score and GridSearchCV with TimeSeriesSplit."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline

from sklstm import LSTMRegressor, WindowTransformer


@pytest.fixture
def series():
    values = np.sin(np.linspace(0, 40, 500))
    return values[:-1, None], values[1:]


def small_pipeline(time_steps=5):
    return make_pipeline(
        WindowTransformer(time_steps),
        LSTMRegressor([4], steps=60, batch_size=32, random_state=0),
    )


def test_cross_val_score_with_time_series_split(series):
    X, y = series
    scores = cross_val_score(
        small_pipeline(),
        X,
        y,
        cv=TimeSeriesSplit(3),
        scoring="neg_mean_squared_error",
    )
    assert scores.shape == (3,)
    assert np.all(scores <= 0) and np.all(scores > -0.5)


def test_grid_search_over_windows_and_layers(series):
    # Parallel searches are covered by the next test, which compares them with
    # this one's single process.
    X, y = series
    search = GridSearchCV(
        small_pipeline(),
        {
            "windowtransformer__time_steps": [3, 6],
            "lstmregressor__rnn_layers": [[4], [6, 3]],
        },
        cv=TimeSeriesSplit(2),
        scoring="neg_mean_squared_error",
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    best = search.best_estimator_
    assert best.named_steps["windowtransformer"].time_steps in (3, 6)
    assert best.predict(X[-10:]).shape == (10,)
    assert (
        best.named_steps["lstmregressor"].time_steps_in_
        == best.named_steps["windowtransformer"].time_steps
    )


def test_grid_search_results_do_not_depend_on_n_jobs(series):
    X, y = series
    grid = {"windowtransformer__time_steps": [3, 6]}
    scores = [
        GridSearchCV(small_pipeline(), grid, cv=TimeSeriesSplit(2), n_jobs=n_jobs)
        .fit(X, y)
        .cv_results_["mean_test_score"]
        for n_jobs in (1, 2)
    ]
    np.testing.assert_allclose(scores[0], scores[1], rtol=1e-6)
