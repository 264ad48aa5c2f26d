"""Categorical facts about each series: LSTMRegressor(series_attributes=...)."""

import copy

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from sklstm import LSTMRegressor, WindowTransformer, causal_windows, forecast, load

TINY = dict(rnn_layers=[4], steps=150, batch_size=32, print_steps=50)
REGIONS = {"region": {"a": "low", "b": "low", "c": "high", "d": "high", "e": "mid"}}


def _quads(names=("a", "b", "c")):
    """Series with the same windows whose targets are one apart by region:
    only a model that knows a window's region can fit them all."""
    rng = np.random.RandomState(0)
    series = np.sin(np.arange(120) / 4.0) + 0.05 * rng.normal(size=120)
    windows = causal_windows(series[:-1, None], 6)
    lift = {"low": 0.0, "high": 1.0}
    X = np.concatenate([windows] * len(names))
    y = np.concatenate([series[1:] + lift[REGIONS["region"][n]] for n in names])
    groups = np.repeat(names, len(windows))
    return X, y, groups


@pytest.fixture(scope="module")
def by_region():
    X, y, groups = _quads()
    model = LSTMRegressor(**TINY, series_attributes=REGIONS, random_state=0)
    return model.fit(X, y, groups=groups)


def test_the_category_vectors_tell_regions_apart(by_region):
    X, y, groups = _quads()
    blind = LSTMRegressor(**TINY, random_state=0).fit(X, y, groups=groups)
    blind_error = np.mean((blind.predict(X) - y) ** 2)
    error = np.mean((by_region.predict(X, groups=groups) - y) ** 2)
    # Without the region a window's best prediction is 1/3 above the low
    # series' targets: an error of at least 2/9.
    assert blind_error > 0.2
    assert error < 0.1 * blind_error
    assert by_region._network_spec.attributes == ((2, 1),)
    assert by_region._network_spec.series == 0
    assert list(by_region.attribute_categories_) == ["region"]
    assert_array_equal(by_region.attribute_categories_["region"], ["low", "high"])
    assert by_region.series_attributes_ == REGIONS
    assert by_region.series_labels_ is None
    tables = by_region.model_.get_layer("series_embedding").get_weights()
    assert [t.shape for t in tables] == [(2, 1)]


def test_a_series_unseen_in_fit_is_read_through_its_region(by_region):
    X, y, _ = _quads(("a", "c"))
    half = len(X) // 2
    # d was not among fit's series; it shares c's region, so c's forecasts.
    assert_allclose(
        by_region.predict(X[half:], groups=["d"] * half),
        by_region.predict(X[half:], groups=["c"] * half),
        rtol=1e-6,
    )
    error = np.mean((by_region.predict(X[half:], groups=["d"] * half) - y[half:]) ** 2)
    assert error < 0.05


def test_unlisted_series_and_unseen_categories_are_errors(by_region):
    X, _, _ = _quads(("a",))
    with pytest.raises(ValueError, match=r"series 'z', which series_attributes"):
        by_region.predict(X[:2], groups=["a", "z"])
    with pytest.raises(ValueError, match=r"Series 'e' has region 'mid', a category"):
        by_region.predict(X[:2], groups=["e", "a"])
    with pytest.raises(ValueError, match=r"series_attributes not None.*groups="):
        by_region.predict(X[:2])
    with pytest.raises(ValueError, match=r"learnt vectors for the series.*series_id="):
        forecast(by_region, X[-1:], 2)


def test_fit_needs_groups_and_whole_windows():
    X, y, groups = _quads()
    model = LSTMRegressor(**TINY, series_attributes=REGIONS, random_state=0)
    with pytest.raises(ValueError, match=r"series_attributes learns vectors.*groups"):
        model.fit(X, y)
    with pytest.raises(ValueError, match="partial_fit takes no groups"):
        model.partial_fit(X, y)
    unknown = np.where(groups == "c", "q", groups)
    with pytest.raises(ValueError, match=r"series 'q'.*series_attributes\['region'\]"):
        model.fit(X, y, groups=unknown)
    padded = X.copy()
    padded[:, 0] = np.nan
    with pytest.raises(ValueError, match="padded sequences"):
        model.fit(padded, y, groups=groups)


@pytest.mark.parametrize(
    "attributes, error, message",
    [
        ([("region", {})], InvalidParameterError, "series_attributes"),
        ({}, ValueError, "non-empty dict of attributes"),
        ({"region": ["low"]}, ValueError, r"series_attributes\['region'\] must be"),
        ({3: {"a": "low"}}, TypeError, "names its attributes with strings"),
        ({"region": {"a": 1.5}}, TypeError, r"to categories.*got 'a': 1.5"),
        ({"region": {True: "x"}}, TypeError, r"series labels \(strings or int"),
    ],
)
def test_bad_attributes_are_named(attributes, error, message):
    X, y, groups = _quads()
    model = LSTMRegressor(**TINY, series_attributes=attributes)
    with pytest.raises(error, match=message):
        model.fit(X, y, groups=groups)


def test_with_series_vectors_both_are_read():
    X, y, groups = _quads()
    model = LSTMRegressor(
        **TINY, series_embedding=2, series_attributes=REGIONS, random_state=0
    ).fit(X, y, groups=groups)
    assert model._network_spec.series == 3
    assert model._network_spec.attributes == ((2, 1),)
    tables = model.model_.get_layer("series_embedding").get_weights()
    assert [t.shape for t in tables] == [(3, 2), (2, 1)]
    assert np.mean((model.predict(X, groups=groups) - y) ** 2) < 0.05
    # A series vector exists only for fit's series.
    with pytest.raises(ValueError, match="'d', which the model did not see"):
        model.predict(X[:2], groups=["d", "d"])


def test_a_saved_model_keeps_its_attributes(by_region, tmp_path):
    X, _, groups = _quads()
    path = tmp_path / "model.sklstm"
    by_region.save(path)
    restored = load(path)
    assert restored.series_attributes_ == REGIONS
    assert_array_equal(restored.attribute_categories_["region"], ["low", "high"])
    assert_array_equal(
        restored.predict(X, groups=groups), by_region.predict(X, groups=groups)
    )
    assert_array_equal(
        restored.predict(X[:3], groups=["d"] * 3),
        by_region.predict(X[:3], groups=["d"] * 3),
    )


@pytest.mark.parametrize(
    "edit",
    [
        lambda a: a.update(categories={"region": ["low"]}),
        lambda a: a.update(categories={"region": ["low", "low"]}),
        lambda a: a.update(categories={"region": ["low", "elsewhere"]}),
        lambda a: a.update(categories={"kind": ["low", "high"]}),
        lambda a: a.pop("series"),
        lambda a: a["series"].update(region=[["a", 1.5]]),
    ],
)
def test_a_file_with_bad_attributes_is_refused(by_region, tmp_path, edit):
    from test_persistence_safe import _rewrite

    path = tmp_path / "model.sklstm"
    by_region.save(path)

    def tamper(manifest):
        edit(manifest["fitted"]["series_attributes_"])

    _rewrite(path, {"sklstm.json": tamper})
    with pytest.raises(ValueError, match=r"series attributes|both strings"):
        load(path)


def test_panel_forecasts_read_each_series_region():
    rng = np.random.RandomState(1)
    names = ("a", "b", "c")
    base = np.sin(np.arange(60) / 4.0)
    lines = pd.DataFrame(
        {
            "store": np.repeat(names, 60),
            "sales": np.concatenate(
                [base + 0.02 * rng.normal(size=60) + 2 * (n == "c") for n in names]
            ),
        }
    )
    model = make_pipeline(
        WindowTransformer(4, series_id="store"),
        LSTMRegressor(**TINY, series_attributes=REGIONS, random_state=0),
    )
    X = lines
    y = lines.groupby("store")["sales"].shift(-1)
    keep = y.notna().to_numpy()
    model.fit(X[keep], y[keep], lstmregressor__groups=lines["store"][keep])
    table = forecast(model, lines, 1, series_id="store", targets=["sales"])
    windows = model[0].transform(lines)
    last = np.r_[59, 119, 179]
    expected = model[-1].predict(windows[last], groups=list(names)).ravel()
    assert_allclose(table["sales"].to_numpy(), expected, rtol=1e-6)
    assert table["sales"].iloc[2] > table["sales"].iloc[0] + 1.0


def test_a_warm_start_keeps_the_fitted_attributes():
    X, y, groups = _quads()
    kinds = {"kind": {"a": True, "b": False, "c": True, "d": False}}
    both = {**REGIONS, **kinds}
    model = LSTMRegressor(
        **TINY, series_attributes=both, warm_start=True, random_state=0
    ).fit(X, y, groups=groups)
    assert model._network_spec.attributes == ((2, 1), (2, 1))
    assert_array_equal(model.attribute_categories_["kind"], [True, False])
    # The same attributes in another order continue the same network.
    model.set_params(series_attributes={**kinds, **REGIONS}).fit(X, y, groups=groups)
    assert list(model.series_attributes_) == ["region", "kind"]
    before = model.predict(X, groups=groups)
    for changed in (REGIONS, {**both, "size": {"a": 1, "b": 1, "c": 2, "d": 2}}):
        with pytest.raises(ValueError, match=r"reads the attributes \['kind', 'reg"):
            model.set_params(series_attributes=changed).fit(X, y, groups=groups)
    assert_array_equal(model.predict(X, groups=groups), before)


def test_predict_reads_the_attributes_of_the_fit(by_region):
    X, _, _ = _quads(("a",))
    later = {"region": {**REGIONS["region"], "f": "low"}}
    model = copy.deepcopy(by_region).set_params(series_attributes=later)
    # A parameter set after the fit takes effect at the next fit.
    with pytest.raises(ValueError, match=r"series_attributes_\['region'\] \(the at"):
        model.predict(X[:1], groups=["f"])


def test_nullable_integer_series_labels_are_integers():
    X, y, _ = _quads()
    numbered = {"region": {1: "low", 2: "low", 3: "high"}}
    groups = pd.Series(np.repeat([1, 2, 3], len(X) // 3), dtype="Int64")
    model = LSTMRegressor(**TINY, series_attributes=numbered, series_embedding=1)
    model.set_params(random_state=0).fit(X, y, groups=groups)
    assert model.series_labels_.dtype == np.int64
    assert model.series_labels_.tolist() == [1, 2, 3]
    assert_array_equal(
        model.predict(X, groups=groups), model.predict(X, groups=groups.to_numpy(int))
    )
    missing = groups.copy()
    missing.iloc[0] = pd.NA
    with pytest.raises(TypeError, match="strings or integers"):
        model.predict(X, groups=missing)
