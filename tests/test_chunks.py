"""Training chunk by chunk: windows across boundaries, streaming statistics."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LinearRegression

from sklstm import LSTMRegressor, SeriesChunks, WindowStatistics, WindowTransformer
from sklstm._scaling import WindowScaling


def _series(n_rows=2_000, n_features=2, seed=0):
    rng = np.random.RandomState(seed)
    walk = np.cumsum(rng.normal(size=(n_rows, 1)), axis=0)
    noise = rng.normal(size=(n_rows, n_features - 1))
    return np.hstack([walk, noise])


@pytest.mark.parametrize(
    "time_steps, chunk_size", [(10, 10), (10, 333), (1, 100), (7, 1999), (7, 5000)]
)
def test_chunks_give_every_window_of_the_series_once(time_steps, chunk_size):
    series = _series()
    chunks = SeriesChunks(series, time_steps, chunk_size=chunk_size)
    pieces = list(chunks)
    n_windows = len(series) - time_steps
    assert len(pieces) == len(chunks) == -(-n_windows // chunk_size)
    assert sum(len(X) for X, _ in pieces) == chunks.n_windows == n_windows
    # The windows WindowTransformer builds, less those it pads at the start.
    windows = WindowTransformer(time_steps).fit_transform(series[:-1])
    assert_array_equal(
        np.concatenate([X for X, _ in pieces]), windows[time_steps - 1 :]
    )
    assert_array_equal(np.concatenate([y for _, y in pieces]), series[time_steps:])


def test_targets_pick_columns_and_shape_y():
    series = _series(n_features=3)
    _, y = next(iter(SeriesChunks(series, 5, chunk_size=50, targets=2)))
    assert_array_equal(y, series[5:55, 2])
    _, y = next(iter(SeriesChunks(series, 5, chunk_size=50, targets=[2, 0])))
    assert_array_equal(y, series[5:55][:, [2, 0]])
    _, y = next(iter(SeriesChunks(series[:, 0], 5, chunk_size=50)))
    assert y.shape == (50,)


def test_memmap_pandas_and_dask_sources_read_the_same(tmp_path):
    series = _series(500)
    path = tmp_path / "series.npy"
    np.save(path, series)
    expected = [(X.copy(), y) for X, y in SeriesChunks(series, 6, chunk_size=120)]
    sources = [
        np.load(path, mmap_mode="r"),
        pd.DataFrame(series, index=pd.date_range("2020", periods=500, freq="h")),
    ]
    dask_array = pytest.importorskip("dask.array")
    sources.append(dask_array.from_array(series, chunks=(70, 2)))
    for source in sources:
        got = list(SeriesChunks(source, 6, chunk_size=120))
        for (X, y), (want_X, want_y) in zip(got, expected, strict=True):
            assert_array_equal(X, want_X)
            assert_array_equal(y, want_y)
    selected = sources[-1][sources[-1][:, 0] > -10]  # a length dask cannot know
    with pytest.raises(ValueError, match=r"call series\.compute_chunk_sizes\(\)"):
        SeriesChunks(selected, 6)


@pytest.mark.parametrize("relative", ["auto", True, False])
@pytest.mark.parametrize("n_features", [1, 3])
def test_streaming_statistics_equal_those_of_the_whole_series(relative, n_features):
    series = _series(3_000, n_features)
    chunks = SeriesChunks(series, 8, chunk_size=700, targets=0)
    streamed = chunks.statistics().scaling(standardize=True, relative=relative)
    windows = WindowTransformer(8).fit_transform(series[:-1])[7:]
    whole = WindowScaling.fit(
        windows, series[8:, :1], standardize=True, relative=relative
    )
    assert_array_equal(streamed.reference, whole.reference)
    for name in ("x_mean", "x_scale", "y_mean", "y_scale"):
        assert_allclose(getattr(streamed, name), getattr(whole, name), rtol=1e-12)


def test_a_drifting_series_is_scaled_from_all_chunks_not_the_first():
    series = np.linspace(0, 1_000, 5_000)[:, None]  # the first chunk is a tenth
    chunks = SeriesChunks(series, 5, chunk_size=500)
    model = LSTMRegressor([4], batch_size=100, relative=False, random_state=0)
    X, y = next(iter(chunks))
    model.partial_fit(X, y, statistics=chunks.statistics())
    first_only = LSTMRegressor(
        [4], batch_size=100, relative=False, window_scale=False, random_state=0
    )
    first_only.partial_fit(X, y)
    assert 490 < model._scaling.x_mean[0] < 510  # the whole series' mean
    assert_allclose(first_only._scaling.x_mean, [X[:, :, 0].mean()])
    assert first_only._scaling.x_mean[0] < 60


def test_train_runs_an_epoch_per_chunk_and_continues():
    series = np.sin(np.linspace(0, 60, 3_001))
    chunks = SeriesChunks(series, 10, chunk_size=1_000)
    model = chunks.train(LSTMRegressor([4], batch_size=100, random_state=0), epochs=2)
    assert model.n_iter_ == 2 * 3 * 10
    assert len(model.history_["train_loss"]) == 2 * 3
    chunks.train(model)  # a fitted model keeps its statistics
    assert model.n_iter_ == 3 * 3 * 10
    assert model.score(*next(iter(chunks))) > 0.9


def test_a_failed_train_leaves_a_fitted_model_as_it_was():
    series = np.sin(np.linspace(0, 30, 600))
    model = SeriesChunks(series[:300], 10, chunk_size=100).train(
        LSTMRegressor([4], batch_size=50, random_state=0)
    )
    before = model.predict(next(iter(SeriesChunks(series, 10)))[0][:5])
    losses, steps = list(model.history_["train_loss"]), model.n_iter_
    holed = series.copy()
    holed[450] = np.nan  # two chunks train before the one that holds it
    with pytest.raises(ValueError, match="missing or infinite value in rows 400"):
        SeriesChunks(holed, 10, chunk_size=200).train(model)
    assert model.n_iter_ == steps
    assert model.history_["train_loss"] == losses
    assert_array_equal(
        model.predict(next(iter(SeriesChunks(series, 10)))[0][:5]), before
    )


def _gap(X, y):
    X[3, 2, 0] = np.nan


def _infinity(X, y):
    X[4, 1, 0] = np.inf


def _missing_target(X, y):
    y[6] = np.nan


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_gap, "sequence 3 of X has steps of NaN between real steps"),
        (_infinity, "X has an infinite value in window 4, at step 1"),
        (_missing_target, "y has a missing or infinite value in row 6"),
    ],
)
def test_statistics_refuse_what_partial_fit_would(spoil, message):
    X, y = np.random.RandomState(0).rand(10, 5, 1), np.zeros(10)
    spoil(X, y)
    statistics = WindowStatistics()
    with pytest.raises(ValueError, match=message):
        statistics.update(X, y)
    assert statistics.n_samples_seen_ == 0


def test_a_chunk_without_windows_is_an_error():
    with pytest.raises(ValueError, match="X holds no windows"):
        WindowStatistics().update(np.zeros((0, 3, 1)), np.zeros(0))


def test_later_calls_must_keep_the_first_statistics():
    series = _series(1_000, 1)
    chunks = SeriesChunks(series, 5, chunk_size=200)
    statistics = chunks.statistics()
    pieces = list(chunks)
    model = LSTMRegressor([2], batch_size=50, random_state=0)
    model.partial_fit(*pieces[0], statistics=statistics)
    model.partial_fit(*pieces[1], statistics=statistics)
    n_iter, weights = model.n_iter_, model.model_.get_weights()
    other = WindowStatistics().update(*pieces[0])
    with pytest.raises(ValueError, match="statistics differ from those"):
        model.partial_fit(*pieces[2], statistics=other)
    assert model.n_iter_ == n_iter
    for got, want in zip(model.model_.get_weights(), weights, strict=True):
        assert_array_equal(got, want)


def test_partial_fit_with_another_number_of_features_is_refused():
    model = LSTMRegressor([2], batch_size=50, random_state=0)
    X, y = next(iter(SeriesChunks(_series(300, 1), 5, chunk_size=100)))
    model.partial_fit(X, y)
    X2, y2 = next(iter(SeriesChunks(_series(300, 2), 5, chunk_size=100, targets=0)))
    with pytest.raises(ValueError, match="X has 2 features per time step, but "):
        model.partial_fit(X2, y2)


@pytest.mark.parametrize(
    "statistics, error, message",
    [
        ("mean", TypeError, "statistics must be a sklstm.WindowStatistics"),
        (WindowStatistics(), ValueError, "statistics have seen no windows"),
        (
            WindowStatistics().update(np.zeros((4, 3, 1)), np.zeros(4)),
            ValueError,
            "gathered over windows of 3 time steps x 1 features, but X has "
            "windows of 5 x 1",
        ),
        (
            WindowStatistics().update(np.zeros((4, 5, 1)), np.zeros((4, 2))),
            ValueError,
            "gathered over 2 targets per window, but y has 1",
        ),
    ],
)
def test_bad_statistics_are_refused(statistics, error, message):
    X, y = next(iter(SeriesChunks(_series(300, 1), 5, chunk_size=100)))
    model = LSTMRegressor([2], batch_size=50, random_state=0)
    with pytest.raises(error, match=message):
        model.partial_fit(X, y, statistics=statistics)
    assert not hasattr(model, "n_iter_")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"time_steps": 10, "chunk_size": 9}, r"chunk_size \(9\) must be at least "),
        ({"time_steps": 0}, "time_steps must be a positive int; got 0"),
        ({"chunk_size": True}, "chunk_size must be a positive int; got True"),
        ({"targets": 2}, r"targets must be None, a column index .* in \[0, 2\)"),
        ({"targets": []}, "targets must be None, a column index"),
    ],
)
def test_bad_chunk_parameters_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SeriesChunks(_series(100), **kwargs)


def test_bad_series_are_named():
    with pytest.raises(ValueError, match="more than time_steps=10 rows"):
        SeriesChunks(np.zeros((10, 2)))
    with pytest.raises(ValueError, match="series must be a 1-D series or a 2-D"):
        SeriesChunks(np.zeros((5, 2, 2)))
    shuffled = pd.Series(
        np.arange(50.0), index=np.random.RandomState(0).permutation(50)
    )
    with pytest.raises(ValueError, match="out of time order"):
        SeriesChunks(shuffled)
    holed = _series(100)
    holed[57, 1] = np.nan
    with pytest.raises(ValueError, match="missing or infinite value in rows 50 to 99"):
        list(SeriesChunks(holed, 5, chunk_size=50))
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        SeriesChunks(_series(100)).train(LSTMRegressor(), epochs=0)
    with pytest.raises(TypeError, match="estimator must be an LSTMRegressor"):
        SeriesChunks(_series(100)).train(LinearRegression())


def test_statistics_refuse_chunks_of_another_shape():
    statistics = WindowStatistics().update(np.zeros((4, 5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="earlier chunks had 5 x 2 and 1"):
        statistics.update(np.zeros((4, 5, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="X has 4 windows, y has shape"):
        statistics.update(np.zeros((4, 5, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="seen no windows yet"):
        WindowStatistics().scaling(standardize=True, relative="auto")


_DAYS = pd.date_range("2020-01-01", periods=30, freq="D")


@pytest.mark.parametrize(
    ("series", "match"),
    [
        (pd.Series(pd.to_datetime(np.arange(30), unit="D")), "holds dates or times"),
        (np.arange(30).astype("m8[D]"), "holds durations"),
        (np.arange(30.0) + 1j, "holds complex numbers"),
        (np.ma.masked_array(np.arange(30.0), mask=np.arange(30) % 7 == 0), "masked"),
        (np.zeros((30, 0)), "has no columns"),
        (pd.DataFrame({"a": np.arange(30.0), "b": ["x"] * 30}), "column 'b' holds"),
        (
            pd.Series(np.arange(30.0), index=_DAYS[:15].append(_DAYS[14:29])),
            "or a time repeats",
        ),
        (
            pd.DataFrame(
                {"a": np.arange(30.0)},
                index=pd.MultiIndex.from_product([["x", "y"], range(15)]),
            ),
            "has a MultiIndex",
        ),
    ],
)
def test_chunks_refuse_values_that_would_read_as_wrong_numbers(series, match):
    with pytest.raises(ValueError, match=match):
        SeriesChunks(series, 3, chunk_size=5)


def test_statistics_refuse_targets_that_are_no_real_numbers():
    windows = np.random.RandomState(0).normal(size=(20, 4, 2))
    for targets in (np.arange(20).astype("M8[D]"), windows[:, -1, 0] + 1j):
        with pytest.raises(ValueError, match="y must hold real numbers"):
            WindowStatistics().update(windows, targets)
    with pytest.raises(ValueError, match="0 time steps and 2 features"):
        WindowStatistics().update(np.zeros((20, 0, 2)), windows[:, -1, 0])
