"""Searches on a dask.distributed cluster, and dask-ml's Incremental."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    TimeSeriesSplit,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline

from sklstm import LSTMRegressor, SeriesChunks, WindowStatistics, WindowTransformer

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

SERIES = np.sin(np.linspace(0, 30, 400))
X, Y = SERIES[:-1, None], SERIES[1:]
CV = TimeSeriesSplit(3)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


def _pipeline():
    return make_pipeline(
        WindowTransformer(5), LSTMRegressor([4], steps=40, random_state=0)
    )


def _on_cluster(function):
    with joblib.parallel_backend("dask"):
        return function(n_jobs=-1)


def _grid(n_jobs):
    grid = {"lstmregressor__batch_size": [16, 32], "windowtransformer__time_steps": [5]}
    return GridSearchCV(_pipeline(), grid, cv=CV, n_jobs=n_jobs).fit(X, Y)


def _randomized(n_jobs):
    space = {"lstmregressor__learning_rate": [0.01, 0.02, 0.05]}
    search = RandomizedSearchCV(
        _pipeline(), space, n_iter=2, cv=CV, n_jobs=n_jobs, random_state=0
    )
    return search.fit(X, Y)


def _scores(n_jobs):
    return cross_val_score(_pipeline(), X, Y, cv=CV, n_jobs=n_jobs)


def _assert_same_results(local, remote):
    assert local.cv_results_["params"] == remote.cv_results_["params"]
    assert_array_equal(
        local.cv_results_["rank_test_score"], remote.cv_results_["rank_test_score"]
    )
    for split in range(CV.n_splits):
        key = f"split{split}_test_score"
        assert_array_equal(local.cv_results_[key], remote.cv_results_[key])
    assert_array_equal(
        local.cv_results_["mean_test_score"], remote.cv_results_["mean_test_score"]
    )


def test_searches_on_a_cluster_equal_one_process(client):
    # One test, one cluster: xdist would start a cluster per worker otherwise.
    remote = _on_cluster(_grid)
    _assert_same_results(_grid(1), remote)
    # Each worker traced and compiled the architecture once, for all its tasks.
    cached = client.run(lambda: len(__import__("sklstm._programs")._programs._PROGRAMS))
    assert len(cached) == 2 and set(cached.values()) <= {1}
    threads = client.run(lambda: __import__("sklstm").get_config())
    assert {config["tensorflow_threads"] for config in threads.values()} == {1}

    _assert_same_results(_randomized(1), _on_cluster(_randomized))
    assert_array_equal(_scores(1), _on_cluster(_scores))


def test_dask_ml_incremental_trains_over_a_dask_array():
    wrappers = pytest.importorskip("dask_ml.wrappers")
    dask_array = pytest.importorskip("dask.array")
    series = np.sin(np.linspace(0, 60, 3_001))
    # dask-ml reads blocks of 2-D arrays: univariate windows (n, time_steps).
    windows = dask_array.lib.stride_tricks.sliding_window_view(
        dask_array.from_array(series[:-1], chunks=1_000), 10
    ).rechunk((1_000, 10))
    targets = dask_array.from_array(series[10:], chunks=1_000)
    statistics = WindowStatistics()
    for block in range(windows.numblocks[0]):
        statistics.update(
            windows.blocks[block].compute(), targets.blocks[block].compute()
        )
    model = wrappers.Incremental(
        LSTMRegressor([4], batch_size=100, random_state=0), shuffle_blocks=False
    )
    model.fit(windows, targets, statistics=statistics)
    assert model.estimator_.n_iter_ == 10 + 10 + 10
    # The same three chunks through partial_fit give the same network.
    reference = LSTMRegressor([4], batch_size=100, random_state=0)
    for block in range(windows.numblocks[0]):
        reference.partial_fit(
            windows.blocks[block].compute(),
            targets.blocks[block].compute(),
            statistics=statistics,
        )
    probe = windows[:500].compute()
    assert_array_equal(model.estimator_.predict(probe), reference.predict(probe))
    assert model.estimator_.score(windows.compute(), targets.compute()) > 0.9


def test_series_chunks_read_a_dask_array_block_by_block():
    dask_array = pytest.importorskip("dask.array")
    series = dask_array.from_array(np.sin(np.linspace(0, 60, 3_001)), chunks=700)
    chunks = SeriesChunks(series, 10, chunk_size=1_000)
    model = chunks.train(LSTMRegressor([4], batch_size=100, random_state=0))
    assert model.n_iter_ == 30
