"""recency_halflife: a panel's older windows weigh less in the loss."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklstm import LSTMRegressor, load
from sklstm._regressor import recency_weights, rows_from_series_end

TINY = {"rnn_layers": [3], "steps": 30, "print_steps": 10, "batch_size": 16}


def _panel(n_series=3, n_rows=40, time_steps=6, seed=0):
    """Windows and next values of noisy seasonal series, series after series."""
    rng = np.random.RandomState(seed)
    windows, targets, groups = [], [], []
    for number in range(n_series):
        t = np.arange(n_rows + time_steps)
        series = (number + 2) * (2 + np.sin(t / 2) + 0.1 * rng.normal(size=len(t)))
        windows.append(
            np.lib.stride_tricks.sliding_window_view(series[:-1], time_steps)
        )
        targets.append(series[time_steps:])
        groups.append(np.full(n_rows, number))
    return np.concatenate(windows), np.concatenate(targets), np.concatenate(groups)


def test_rows_are_counted_from_their_own_series_end():
    sizes, from_end = rows_from_series_end(["a", "b", "a", "a", "b"], 5)
    assert_array_equal(sizes, [3, 2, 3, 3, 2])
    assert_array_equal(from_end, [3, 2, 2, 1, 1])


def test_labels_of_mixed_types_count_their_own_rows():
    sizes, from_end = rows_from_series_end([101, "A7", 101, "A7", "A7"], 5)
    assert_array_equal(sizes, [2, 3, 2, 3, 3])
    assert_array_equal(from_end, [2, 3, 1, 2, 1])


def test_weights_halve_every_half_life_back_from_each_series_end():
    weights = recency_weights(["a", "b", "a", "a", "b"], 5, 1.0)
    assert_allclose(weights, [0.25, 0.5, 0.5, 1.0, 1.0])


def test_auto_takes_half_the_window_where_windows_are_divided():
    X, y, groups = _panel()
    fits = {
        setting: LSTMRegressor(
            **TINY, window_scale=True, recency_halflife=setting, random_state=0
        ).fit(X, y, groups=groups)
        for setting in ("auto", 3.0, None)
    }
    assert_array_equal(fits["auto"].predict(X), fits[3.0].predict(X))
    assert not np.allclose(fits["auto"].predict(X), fits[None].predict(X))
    # Windows left undivided: "auto" weighs every window alike.
    undivided = {
        setting: LSTMRegressor(
            **TINY, window_scale=False, recency_halflife=setting, random_state=0
        ).fit(X, y, groups=groups)
        for setting in ("auto", None)
    }
    assert_array_equal(undivided["auto"].predict(X), undivided[None].predict(X))


def test_the_weights_are_those_sample_weight_would_give():
    X, y, groups = _panel()
    given = np.random.RandomState(1).uniform(0.5, 2.0, size=len(y))
    by_recency = LSTMRegressor(**TINY, recency_halflife=4.0, random_state=0)
    # Ages count back from each series' end through its validation tail,
    # then through its training rows, which start at most one half-life back.
    train, held = by_recency._validation_rows(y[:, None], None, groups)
    assert len(held) == 12  # 4 rows of each series
    ages = np.empty(len(y))
    ages[held] = np.tile([3, 2, 1, 0], 3)
    ages[train] = np.tile(np.arange(35, -1, -1), 3) + 4.0
    decayed = given * 0.5 ** (ages / 4.0)
    by_recency.fit(X, y, sample_weight=given, groups=groups)
    by_hand = LSTMRegressor(**TINY, recency_halflife=None, random_state=0)
    by_hand.fit(X, y, sample_weight=decayed, groups=groups)
    assert_allclose(by_recency.predict(X), by_hand.predict(X), rtol=1e-5)
    assert by_recency.best_loss_ == pytest.approx(by_hand.best_loss_, rel=1e-5)
    alike = LSTMRegressor(**TINY, recency_halflife=None, random_state=0)
    alike.fit(X, y, sample_weight=given, groups=groups)
    assert not np.allclose(alike.predict(X), by_recency.predict(X))


def test_long_series_keep_weight_on_their_training_rows():
    # 2,000 windows a series: its validation tail is 200 rows, and counted
    # from the series' end its training rows would weigh 0.5 ** 100 at most.
    X, y, groups = _panel(n_series=2, n_rows=2000)
    model = LSTMRegressor(**TINY, recency_halflife=2, random_state=0)
    train, held = model._validation_rows(y[:, None], None, groups)
    weights = recency_weights(groups, len(y), 2.0, (train, held))
    assert_allclose(weights[[1799, 3799]], 0.5)  # one half-life back
    assert_allclose(weights[[1999, 3999]], 1.0)
    assert_allclose(weights[[1798, 1800]], [0.5**1.5, 0.5**99.5])
    model.fit(X, y, groups=groups)
    assert model.n_iter_ > 0 and np.isfinite(model.best_loss_)


def test_without_groups_the_setting_changes_nothing():
    X, y, _ = _panel()
    weighted = LSTMRegressor(**TINY, recency_halflife=2, random_state=0).fit(X, y)
    alike = LSTMRegressor(**TINY, recency_halflife=None, random_state=0).fit(X, y)
    assert_array_equal(weighted.predict(X), alike.predict(X))


@pytest.mark.parametrize("value", [0, -1.5, "fast", True])
def test_bad_half_lives_are_named(value):
    X, y, groups = _panel()
    model = LSTMRegressor(**TINY, random_state=0).fit(X, y, groups=groups)
    before = model.predict(X)
    model.set_params(recency_halflife=value)
    with pytest.raises((ValueError, TypeError), match="recency_halflife"):
        model.fit(X, y, groups=groups)
    assert_array_equal(model.predict(X), before)


def test_saved_and_loaded_model_keeps_its_half_life(tmp_path):
    X, y, groups = _panel()
    model = LSTMRegressor(**TINY, recency_halflife=3.5, random_state=0)
    model.fit(X, y, groups=groups)
    model.save(tmp_path / "panel.sklstm")
    restored = load(tmp_path / "panel.sklstm")
    assert restored.recency_halflife == 3.5
    assert_array_equal(restored.predict(X), model.predict(X))


def test_files_from_before_recency_weigh_windows_alike(tmp_path):
    from test_persistence_safe import _drop_version_7_fields, _saved_as_older_version

    X, y, groups = _panel()
    # Trained on the squared error, as every file before version 9 was.
    model = LSTMRegressor(**TINY, window_scale=False, random_state=0)
    model.fit(X, y, groups=groups)
    path = tmp_path / "model.sklstm"
    _saved_as_older_version(model, path, 6, _drop_version_7_fields)
    restored = load(path)
    assert restored.recency_halflife is None
    assert_array_equal(restored.predict(X), model.predict(X))
