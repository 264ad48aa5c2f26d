"""A vector learnt per series: LSTMRegressor(series_embedding=...)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from sklstm import (
    LSTMRegressor,
    WindowTransformer,
    backtest,
    causal_windows,
    forecast,
    load,
    pad_sequences,
)

TINY = dict(rnn_layers=[4], steps=150, batch_size=32, print_steps=50)


def _twins():
    """Two series with the same windows and targets one apart: only a model
    that knows which series a window is from can fit both."""
    rng = np.random.RandomState(0)
    series = np.sin(np.arange(120) / 4.0) + 0.05 * rng.normal(size=120)
    windows = causal_windows(series[:-1, None], 6)
    X = np.concatenate([windows, windows])
    y = np.r_[series[1:], series[1:] + 1.0]
    groups = np.repeat(["low", "high"], len(windows))
    return X, y, groups


@pytest.fixture(scope="module")
def embedded():
    X, y, groups = _twins()
    model = LSTMRegressor(**TINY, series_embedding=2, random_state=0)
    return model.fit(X, y, groups=groups)


def test_the_vector_tells_series_with_the_same_windows_apart(embedded):
    X, y, groups = _twins()
    blind = LSTMRegressor(**TINY, random_state=0).fit(X, y, groups=groups)
    blind_error = np.mean((blind.predict(X) - y) ** 2)
    error = np.mean((embedded.predict(X, groups=groups) - y) ** 2)
    # Without the series a window's best prediction is the twins' mean,
    # half a unit from each: an error of at least 0.25.
    assert blind_error > 0.2
    assert error < 0.1 * blind_error
    assert embedded._network_spec.series == 2
    assert embedded._network_spec.embedding == 2
    assert_array_equal(embedded.series_labels_, ["low", "high"])
    vectors = embedded.model_.get_layer("series_embedding").get_weights()[0]
    assert vectors.shape == (2, 2)


def test_predictions_follow_each_window_s_series(embedded):
    X, _, groups = _twins()
    both = embedded.predict(X, groups=groups)
    alone = embedded.predict(X[:5], groups=["high"] * 5)
    assert_allclose(alone, both[len(X) // 2 : len(X) // 2 + 5], rtol=1e-6)
    assert np.all(alone > embedded.predict(X[:5], groups=["low"] * 5) + 0.5)


def test_predict_needs_the_series_of_every_window(embedded):
    X, _, _ = _twins()
    with pytest.raises(ValueError, match=r"series_embedding=2.*predict\(X, groups"):
        embedded.predict(X[:3])
    with pytest.raises(ValueError, match="'middle', which the model did not see"):
        embedded.predict(X[:3], groups=["low", "middle", "low"])
    with pytest.raises(ValueError, match="each of the 3 rows"):
        embedded.predict(X[:3], groups=["low"])


def test_fit_needs_groups_and_equal_windows():
    X, y, _ = _twins()
    model = LSTMRegressor(**TINY, series_embedding=2, random_state=0)
    with pytest.raises(ValueError, match="pass each row's series to fit as groups"):
        model.fit(X, y)
    with pytest.raises(ValueError, match="partial_fit takes no groups"):
        model.partial_fit(X, y)
    sequences = pad_sequences([np.ones((3, 1)), np.ones((5, 1))])
    with pytest.raises(ValueError, match="padded sequences"):
        model.fit(sequences, [1.0, 2.0], groups=["a", "b"])
    with pytest.raises(TypeError, match=r"strings or integers.*'floating'"):
        model.fit(X, y, groups=np.repeat([0.5, 1.5], len(X) // 2))
    assert not hasattr(model, "model_")


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (0, InvalidParameterError, "series_embedding"),
        (2.5, InvalidParameterError, "series_embedding"),
        (True, TypeError, "series_embedding must be a positive int.*not a bool"),
    ],
)
def test_bad_sizes_are_named(value, error, message):
    X, y, groups = _twins()
    with pytest.raises(error, match=message):
        LSTMRegressor(**TINY, series_embedding=value).fit(X, y, groups=groups)


def test_a_failed_warm_start_leaves_the_model_as_it_was():
    X, y, groups = _twins()
    model = LSTMRegressor(**TINY, series_embedding=2, warm_start=True, random_state=0)
    model.fit(X, y, groups=groups)
    before = model.predict(X, groups=groups)
    renamed = np.where(groups == "low", "other", groups)
    with pytest.raises(ValueError, match="'other', which the model did not see"):
        model.fit(X, y, groups=renamed)
    assert_array_equal(model.predict(X, groups=groups), before)
    model.set_params(series_embedding=3)
    with pytest.raises(ValueError, match="but series_embedding changed"):
        model.fit(X, y, groups=groups)
    assert_array_equal(model.predict(X, groups=groups), before)


def test_saved_and_loaded_model_keeps_its_series(embedded, tmp_path):
    X, _, groups = _twins()
    embedded.save(tmp_path / "model.sklstm")
    restored = load(tmp_path / "model.sklstm")
    assert_array_equal(restored.series_labels_, embedded.series_labels_)
    assert_array_equal(
        restored.predict(X, groups=groups), embedded.predict(X, groups=groups)
    )


def test_integer_labels_stay_integers_through_a_file(tmp_path):
    X, y, groups = _twins()
    numbers = np.where(groups == "low", 7, 11)
    model = LSTMRegressor(**TINY, series_embedding=1, random_state=0)
    model.fit(X, y, groups=numbers)
    model.save(tmp_path / "model.sklstm")
    restored = load(tmp_path / "model.sklstm")
    assert_array_equal(restored.series_labels_, [7, 11])
    assert restored.series_labels_.dtype.kind == "i"
    assert_array_equal(
        restored.predict(X, groups=numbers), model.predict(X, groups=numbers)
    )


def test_without_an_embedding_groups_change_nothing():
    X, y, groups = _twins()
    model = LSTMRegressor(**TINY, random_state=0).fit(X, y, groups=groups)
    assert model.series_labels_ is None
    assert_array_equal(model.predict(X, groups=groups), model.predict(X))


def test_panel_forecasts_read_each_series_vector():
    rng = np.random.RandomState(1)
    panel = pd.DataFrame(
        {
            "shop": np.repeat(["north", "south", "east"], 40),
            "sales": np.r_[
                10 + rng.normal(size=40),
                50 + rng.normal(size=40),
                90 + rng.normal(size=40),
            ],
        }
    )
    model = make_pipeline(
        WindowTransformer(5, series_id="shop"),
        LSTMRegressor(**TINY, series_embedding=2, random_state=0),
    )
    model.fit(
        panel, panel["sales"].shift(-1).fillna(0.0), lstmregressor__groups=panel["shop"]
    )
    ahead = forecast(model, panel, 1, series_id="shop")
    last = panel.groupby("shop", sort=False).tail(5)
    windows = last["sales"].to_numpy().reshape(3, 5, 1)
    expected = model[-1].predict(windows, groups=["north", "south", "east"])
    assert_allclose(ahead["sales"], expected, rtol=1e-6)
    unseen = panel.assign(shop=panel["shop"].replace("east", "west"))
    with pytest.raises(ValueError, match="'west', which the model did not see"):
        forecast(model, unseen, 1, series_id="shop")


def test_a_backtest_names_a_series_too_short_to_learn_its_vector():
    panel = pd.DataFrame(
        {
            "shop": np.repeat(["north", "tiny"], [30, 5]),
            "sales": np.r_[np.sin(np.arange(30.0)), 5.0, 6.0, 7.0, 8.0, 9.0],
        }
    )
    model = make_pipeline(
        WindowTransformer(4, series_id="shop"),
        LSTMRegressor(**TINY, series_embedding=2, random_state=0),
    )
    # Two rows before the test part: none has a target three rows ahead.
    with pytest.raises(ValueError, match="Series 'tiny' has 2 rows before its test"):
        backtest(model, panel, 3, test_size=3, series_id="shop", strategy="direct")


def test_a_search_routes_each_window_s_series_to_fit_and_score():
    import sklearn
    from sklearn.model_selection import GridSearchCV

    from sklstm import PanelSplit

    X, y, groups = _twins()
    with sklearn.config_context(enable_metadata_routing=True):
        model = (
            LSTMRegressor(**TINY, random_state=0)
            .set_fit_request(groups=True, sample_weight=False)
            .set_score_request(groups=True, sample_weight=False)
        )
        search = GridSearchCV(
            model, {"series_embedding": [None, 2]}, cv=PanelSplit(2, test_size=20)
        )
        search.fit(X, y, groups=groups)
    # Only the model that knows each window's series fits both twins.
    assert search.best_params_ == {"series_embedding": 2}
    scores = search.cv_results_["mean_test_score"]
    assert scores[1] > 0.8 > scores[0]


def test_score_reads_each_window_s_series(embedded):
    X, y, groups = _twins()
    assert embedded.score(X, y, groups=groups) > 0.9
    with pytest.raises(ValueError, match=r"predict\(X, groups"):
        embedded.score(X, y)


def test_a_single_series_forecast_asks_for_the_series(embedded):
    X, _, _ = _twins()
    with pytest.raises(ValueError, match=r"learnt vectors for the series.*series_id="):
        forecast(embedded, X[-1:], 2)


def test_a_warm_start_cannot_add_vectors_to_a_model_without_them():
    X, y, groups = _twins()
    model = LSTMRegressor(**TINY, warm_start=True, random_state=0)
    model.fit(X, y, groups=groups)
    before = model.predict(X)
    with pytest.raises(ValueError, match="but series_embedding changed"):
        model.set_params(series_embedding=2).fit(X, y, groups=groups)
    assert model.series_labels_ is None
    assert_array_equal(model.predict(X), before)


@pytest.mark.parametrize(
    "labels", [["low", 7], [7, 7], [], [2**70, 1], [True, False], "low"]
)
def test_a_file_with_bad_series_labels_is_refused(embedded, tmp_path, labels):
    from test_persistence_safe import _rewrite

    path = tmp_path / "model.sklstm"
    embedded.save(path)

    def edit(manifest):
        manifest["fitted"]["series_labels_"] = labels

    _rewrite(path, {"sklstm.json": edit})
    with pytest.raises(ValueError, match="series_labels_"):
        load(path)
