"""time_order: windows read newest first equal the same windows oldest first."""

import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklstm import LSTMClassifier, LSTMRegressor, load, pad_sequences

TINY = dict(rnn_layers=[4], n_networks=1, steps=40, print_steps=20, random_state=0)


def newest_first(windows: np.ndarray) -> np.ndarray:
    # A contiguous copy, as a framework's lag matrix would be.
    return np.ascontiguousarray(windows[:, ::-1])


def test_regressor_2d_newest_first_equals_oldest_first_bit_for_bit(sine_windows):
    windows, y = sine_windows
    X = windows[:, :, 0]
    # A drifting target, so that relative mode (from the newest value) is on.
    y = y + np.arange(len(y)) * 0.01
    X = X + np.arange(len(X))[:, None] * 0.01
    oldest = LSTMRegressor(**TINY).fit(X, y)
    newest = LSTMRegressor(**TINY, time_order="newest_first").fit(newest_first(X), y)
    assert oldest.relative_.all()
    np.testing.assert_array_equal(newest.relative_, oldest.relative_)
    assert newest.history_ == oldest.history_
    np.testing.assert_array_equal(newest.predict(newest_first(X)), oldest.predict(X))
    # The newest value sits first: reading the rows as given differs.
    assert not np.array_equal(oldest.predict(newest_first(X)), oldest.predict(X))


def test_regressor_3d_newest_first_equals_oldest_first(sin_cos_windows):
    X, y = sin_cos_windows
    oldest = LSTMRegressor(**TINY).fit(X, y)
    newest = LSTMRegressor(**TINY, time_order="newest_first").fit(newest_first(X), y)
    np.testing.assert_array_equal(newest.predict(newest_first(X)), oldest.predict(X))


def test_classifier_padded_sequences_in_either_order():
    rng = np.random.RandomState(0)
    lengths = rng.randint(3, 9, size=60)
    sequences = [rng.normal(size=(n, 2)) + (i % 2) for i, n in enumerate(lengths)]
    labels = np.arange(60) % 2
    # Padding before the oldest step reads, reversed, as padding after it.
    X = pad_sequences(sequences, padding="pre")
    reversed_X = newest_first(X)
    assert np.isnan(reversed_X[lengths < 8, -1]).all()
    oldest = LSTMClassifier(**TINY).fit(X, labels)
    newest = LSTMClassifier(**TINY, time_order="newest_first").fit(reversed_X, labels)
    np.testing.assert_array_equal(
        newest.predict_proba(reversed_X), oldest.predict_proba(X)
    )


def test_classifier_2d_newest_first_equals_oldest_first():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(50, 6)) + (np.arange(50) % 2)[:, None] * np.linspace(0, 1, 6)
    labels = np.arange(50) % 2
    oldest = LSTMClassifier(**TINY).fit(X, labels)
    newest = LSTMClassifier(**TINY, time_order="newest_first").fit(
        newest_first(X), labels
    )
    np.testing.assert_array_equal(
        newest.predict_proba(newest_first(X)), oldest.predict_proba(X)
    )


def _frame(columns: list[str], rows: int = 40) -> pd.DataFrame:
    values = np.sin(np.arange(rows)[:, None] * 0.3 + np.arange(len(columns)))
    return pd.DataFrame(values, columns=columns)


LAGS = [f"lag_{k}" for k in range(1, 5)]


@pytest.mark.parametrize("face", [LSTMRegressor, LSTMClassifier])
def test_lag_columns_newest_first_warn_with_the_fix(face):
    X = _frame(LAGS)
    y = np.arange(len(X)) % 2
    with pytest.warns(UserWarning, match='time_order="newest_first"') as caught:
        face(**TINY).fit(X, y)
    assert len([w for w in caught if "time_order" in str(w.message)]) == 1
    assert "'lag_1' ... 'lag_4'" in str(caught[0].message)


@pytest.mark.parametrize(
    "columns, time_order",
    [
        (LAGS, "newest_first"),
        (["a", "b", "c", "d"], "oldest_first"),
        # WindowTransformer's names: oldest lag first, as read by default.
        (["x0_lag3", "x0_lag2", "x0_lag1", "x0_lag0"], "oldest_first"),
        (["lag_1", "lag_2", "price", "lag_3"], "oldest_first"),
        (["flag1", "flag2", "flag3", "flag4"], "oldest_first"),
    ],
)
def test_no_warning_when_the_order_agrees_or_columns_are_not_lags(columns, time_order):
    X = _frame(columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LSTMRegressor(**TINY, time_order=time_order).fit(X, X.iloc[:, 0])


def test_oldest_lag_columns_read_newest_first_warn():
    X = _frame(["lag_4", "lag_3", "lag_2", "lag_1"])
    with pytest.warns(UserWarning, match='time_order="oldest_first"'):
        LSTMRegressor(**TINY, time_order="newest_first").fit(X, X.iloc[:, 0])


def test_predict_does_not_warn_again():
    X = _frame(LAGS)
    with pytest.warns(UserWarning, match="time_order"):
        model = LSTMRegressor(**TINY).fit(X, X.iloc[:, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(X)


def test_time_order_is_saved_and_loaded(sine_windows):
    windows, y = sine_windows
    X = newest_first(windows[:, :, 0])
    model = LSTMRegressor(**TINY, time_order="newest_first").fit(X, y)
    buffer = io.BytesIO()
    model.save(buffer)
    buffer.seek(0)
    restored = load(buffer)
    assert restored.time_order == "newest_first"
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))


@pytest.mark.parametrize("face", [LSTMRegressor, LSTMClassifier])
def test_unknown_time_order_is_rejected(face):
    with pytest.raises(ValueError, match="'time_order' parameter"):
        face(**TINY, time_order="backwards").fit(np.zeros((4, 3)), [0, 1, 0, 1])


@pytest.mark.parametrize("name", ["regressor", "classifier"])
def test_files_saved_before_time_order_load_oldest_first(name):
    # The fixtures predate the parameter; test_saved_files checks that they
    # still predict exactly.
    data = Path(__file__).resolve().parent / "data"
    assert load(data / f"{name}.sklstm").time_order == "oldest_first"


def test_statistics_gathered_newest_first_equal_those_of_oldest_first():
    from sklstm import WindowStatistics

    rng = np.random.RandomState(0)
    series = np.cumsum(rng.randn(300)) + np.linspace(0, 100, 300)
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], 6)[:, :, None]
    y = series[6:]
    oldest = LSTMRegressor(**TINY).partial_fit(
        X, y, statistics=WindowStatistics().update(X, y)
    )
    reversed_statistics = WindowStatistics("newest_first").update(newest_first(X), y)
    newest = LSTMRegressor(**TINY, time_order="newest_first").partial_fit(
        newest_first(X), y, statistics=reversed_statistics
    )
    np.testing.assert_array_equal(newest.predict(newest_first(X)), oldest.predict(X))
    with pytest.raises(ValueError, match=r"listed oldest_first.*time_order='newest"):
        LSTMRegressor(**TINY, time_order="newest_first").partial_fit(
            newest_first(X), y, statistics=WindowStatistics().update(X, y)
        )
    with pytest.raises(ValueError, match="time_order must be one of"):
        WindowStatistics("latest").update(X, y)


def test_chunks_train_an_estimator_that_reads_newest_first_as_it_reads():
    from sklstm import SeriesChunks

    series = np.cumsum(np.random.RandomState(0).randn(300))
    chunks = SeriesChunks(series, time_steps=6, chunk_size=100)
    oldest = chunks.train(LSTMRegressor(**TINY))
    newest = chunks.train(LSTMRegressor(**TINY, time_order="newest_first"))
    X = next(iter(chunks))[0]
    np.testing.assert_array_equal(newest.predict(newest_first(X)), oldest.predict(X))
