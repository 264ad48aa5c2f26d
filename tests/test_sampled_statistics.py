"""Scaling statistics of long training parts: read from a spread, seeded
sample of the windows, and whole below the bound."""

import numpy as np
import pytest

from sklstm import LSTMClassifier, LSTMRegressor, WindowStatistics, _scaling
from sklstm._scaling import gathered_statistics, spread_rows, statistics_rows

TINY = {"rnn_layers": [4], "n_networks": 1, "steps": 5, "early_stopping_rounds": None}


def _series(n_rows=3000):
    rng = np.random.RandomState(0)
    hours = np.arange(n_rows + 10)
    # A daily cycle: a draw of every 24th row would see one phase of it only.
    values = 5 + np.sin(2 * np.pi * hours / 24) + 0.1 * rng.normal(size=len(hours))
    X = np.lib.stride_tricks.sliding_window_view(values[:-1], 10)[:, :, None]
    return X, values[10:]


def test_spread_rows_draws_one_row_per_stretch_in_order():
    rows = spread_rows(1000, 100, np.random.RandomState(0))
    assert rows.dtype == np.int64
    np.testing.assert_array_equal(rows // 10, np.arange(100))
    assert len(np.unique(rows % 10)) > 5
    np.testing.assert_array_equal(
        rows, spread_rows(1000, 100, np.random.RandomState(0))
    )
    assert not np.array_equal(rows, spread_rows(1000, 100, np.random.RandomState(1)))


def test_spread_rows_covers_every_row_when_all_are_chosen():
    np.testing.assert_array_equal(
        spread_rows(7, 7, np.random.RandomState(0)), np.arange(7)
    )


def test_no_sample_below_the_bound():
    assert statistics_rows(1000, np.random.RandomState(0)) is None


def test_sample_is_close_to_every_row_and_sees_every_phase(monkeypatch):
    monkeypatch.setattr(_scaling, "MAX_STATISTICS_ROWS", 240)
    X, y = _series(2400)  # a draw of every 10th row would alias the cycle
    rows = statistics_rows(len(X), np.random.RandomState(0))
    np.testing.assert_array_equal(
        rows, spread_rows(len(X), 240, np.random.RandomState(0))
    )
    sample = gathered_statistics(X, y, rows)
    whole = WindowStatistics().update(X, y)
    assert sample.n_samples_seen_ == 240
    assert len(np.unique(spread_rows(len(X), 240, np.random.RandomState(0)) % 24)) == 24
    for relative in (False, "auto"):
        got = sample.scaling(standardize=True, relative=relative)
        expected = whole.scaling(standardize=True, relative=relative)
        np.testing.assert_allclose(got.y_mean, expected.y_mean, rtol=0.02)
        np.testing.assert_allclose(got.y_scale, expected.y_scale, rtol=0.05)
        np.testing.assert_allclose(got.x_mean, expected.x_mean, rtol=0.02)
        np.testing.assert_array_equal(got.reference, expected.reference)


@pytest.mark.parametrize("face", [LSTMRegressor, LSTMClassifier])
def test_fit_reads_a_seeded_sample_of_a_long_training_part(monkeypatch, face):
    X, y = _series(600)
    if face is LSTMClassifier:
        y = (y > 5).astype(int)
    small = face(**TINY, random_state=0).fit(X, y)
    monkeypatch.setattr(_scaling, "MAX_STATISTICS_ROWS", 200)
    first = face(**TINY, random_state=0).fit(X, y)
    again = face(**TINY, random_state=0).fit(X, y)
    other = face(**TINY, random_state=1).fit(X, y)
    np.testing.assert_array_equal(first._scaling.x_mean, again._scaling.x_mean)
    np.testing.assert_array_equal(first.predict(X[:5]), again.predict(X[:5]))
    assert not np.array_equal(first._scaling.x_scale, other._scaling.x_scale)
    # A sample, not every row: the statistics differ a little from the whole's.
    assert not np.array_equal(first._scaling.x_scale, small._scaling.x_scale)
    np.testing.assert_allclose(first._scaling.x_scale, small._scaling.x_scale, rtol=0.1)


def test_short_training_parts_keep_every_row(monkeypatch):
    X, y = _series(600)
    whole = WindowStatistics().update(X, y).scaling(standardize=True, relative="auto")
    model = LSTMRegressor(**TINY, random_state=0).fit(X, y)
    np.testing.assert_array_equal(model._scaling.x_mean, whole.x_mean)
    np.testing.assert_array_equal(model._scaling.y_scale, whole.y_scale)
