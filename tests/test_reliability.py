"""Divergence, interruption, threads and continued training.

Faults are injected around the real compiled network (a wrapper of
``CompiledNetwork.train_steps`` that raises, sends Ctrl-C or overflows the
weights at a chosen call); the training loop and the estimator run for real.
"""

import os
import pickle
import signal
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.metrics import mean_squared_error

from sklstm import LSTMRegressor
from sklstm._scaling import WindowScaling, WindowStatistics
from sklstm._training import CompiledNetwork


@pytest.fixture(scope="module")
def loud():
    """Targets 100 times the last input: plain SGD at 2.0 blows up on them."""
    rng = np.random.RandomState(0)
    X = rng.randn(200, 5, 1)
    return X, 100 * X[:, -1, 0]


@pytest.fixture(scope="module")
def sine():
    series = np.sin(np.linspace(0, 40, 501))
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], 6)[:, :, None]
    return X, series[6:]


# Batches small enough that an epoch outlasts print_steps=20, so evaluations
# (and compiled calls) come every 20 steps.
EVERY_20 = dict(print_steps=20, batch_size=8)


def _wrap_train_steps(monkeypatch, before=None, after=None):
    """Call ``before(network, n)`` / ``after(network, n)`` around the n-th call."""
    real = CompiledNetwork.train_steps
    calls = []

    def wrapped(self, *args):
        calls.append(None)
        if before is not None:
            before(self, len(calls))
        loss = real(self, *args)
        if after is not None:
            after(self, len(calls))
        return loss

    monkeypatch.setattr(CompiledNetwork, "train_steps", wrapped)
    return calls


def _interrupt_at(n):
    def before(network, call):
        if call == n:
            raise KeyboardInterrupt

    return before


def _validation_mse(model, X, y):
    n_val = round(len(X) * model.validation_fraction)
    return mean_squared_error(y[-n_val:], model.predict(X[-n_val:]))


# ---------------------------------------------------------------- divergence
@pytest.mark.parametrize("early_stopping_rounds", [1000, None])
def test_divergence_restores_the_best_finite_weights(loud, early_stopping_rounds):
    X, y = loud
    model = LSTMRegressor(
        [2],
        optimizer="SGD",
        learning_rate=2.0,
        standardize=False,
        steps=2000,
        print_steps=5,
        early_stopping_rounds=early_stopping_rounds,
        random_state=0,
    )
    kept = "best weights" if early_stopping_rounds else "last finite weights"
    with pytest.warns(RuntimeWarning, match=rf"diverged .* restored the {kept}"):
        model.fit(X, y)
    assert model.best_step_ < model.n_iter_ < 2000
    assert np.isfinite(model.history_["train_loss"]).all()
    predicted = model.predict(X)
    assert np.isfinite(predicted).all()
    if early_stopping_rounds:
        assert _validation_mse(model, X, y) == pytest.approx(model.best_loss_)
    else:
        assert model.best_step_ == model.history_["step"][-1]


def test_divergence_before_any_evaluation_raises(loud, sine):
    X, y = loud
    diverging = dict(
        optimizer="SGD", learning_rate=1e3, standardize=False, print_steps=50
    )
    model = LSTMRegressor([2], steps=50, random_state=0, **diverging)
    with pytest.raises(ValueError, match=r"diverged.*learning_rate.*scale of X"):
        model.fit(X * 1e4, y * 1e4)
    assert not hasattr(model, "model_")
    # A fitted estimator survives a diverging refit unchanged.
    Xs, ys = sine
    model = LSTMRegressor([2], steps=20, random_state=0).fit(Xs, ys)
    before = model.predict(Xs)
    with pytest.raises(ValueError, match="diverged"):
        model.set_params(**diverging).fit(X * 1e4, y * 1e4)
    np.testing.assert_array_equal(model.predict(Xs), before)


@pytest.mark.parametrize("early_stopping_rounds", [1000, None])
def test_weights_overflowing_in_a_chunks_last_step_are_caught(
    sine, monkeypatch, early_stopping_rounds
):
    # The chunk's loss is finite (it was computed before the last update),
    # but the weights it leaves are not: they must never be kept.
    def overflow(network, call):
        if call == 3:
            network.set_weights(
                [np.full_like(w, np.inf) for w in network.get_weights()]
            )

    _wrap_train_steps(monkeypatch, after=overflow)
    X, y = sine
    model = LSTMRegressor(
        [2],
        steps=100,
        print_steps=5,
        early_stopping_rounds=early_stopping_rounds,
        random_state=0,
    )
    with pytest.warns(RuntimeWarning, match="diverged"):
        model.fit(X, y)
    assert model.best_step_ <= 10 and model.n_iter_ == 15
    assert np.isfinite(model.predict(X)).all()
    assert all(np.isfinite(w).all() for w in model.model_.get_weights())


# -------------------------------------------------------------- interruption
def test_ctrl_c_keeps_the_best_weights_and_a_usable_estimator(sine, monkeypatch):
    X, y = sine
    _wrap_train_steps(monkeypatch, before=_interrupt_at(4))
    model = LSTMRegressor([3], steps=1000, random_state=0, **EVERY_20)
    with pytest.warns(RuntimeWarning, match=r"interrupted after 60 steps; the best"):
        model.fit(X, y)
    assert model.n_iter_ == 60
    assert model.history_["step"] == [20, 40, 60]
    # The kept weights are the best evaluation's (then scaled by the
    # recurrent part's share), and best_loss_ is their validation loss.
    val_loss = model.history_["val_loss"]
    assert model.best_step_ == model.history_["step"][int(np.argmin(val_loss))]
    assert _validation_mse(model, X, y) == pytest.approx(model.best_loss_)
    monkeypatch.undo()
    # It continues like any fitted estimator.
    model.set_params(warm_start=True, steps=20).fit(X, y)
    assert model.n_iter_ == 80
    assert np.isfinite(model.predict(X)).all()


def test_ctrl_c_before_the_first_evaluation(sine, monkeypatch):
    X, y = sine
    _wrap_train_steps(monkeypatch, before=_interrupt_at(1))
    model = LSTMRegressor([2], steps=100, random_state=0)
    with pytest.warns(RuntimeWarning, match="weights reached so far are kept"):
        model.fit(X, y)
    assert model.n_iter_ == 0 and model.history_["step"] == []
    assert model.predict(X).shape == y.shape


def test_ctrl_c_during_partial_fit_keeps_the_previous_weights(sine, monkeypatch):
    X, y = sine
    model = LSTMRegressor([2], batch_size=100, random_state=0)
    model.partial_fit(X[:250], y[:250])
    before, steps = model.predict(X), model.n_iter_
    _wrap_train_steps(monkeypatch, before=_interrupt_at(1))
    with pytest.warns(RuntimeWarning, match="interrupted"):
        model.partial_fit(X[250:], y[250:])
    assert model.n_iter_ == steps
    np.testing.assert_array_equal(model.predict(X), before)


@pytest.mark.skipif(
    os.name == "nt"
    or signal.getsignal(signal.SIGINT) is not signal.default_int_handler,
    reason="needs Python's own Ctrl-C handler",
)
def test_a_real_sigint_during_fit(sine, monkeypatch):
    def ctrl_c(network, call):
        if call == 3:
            os.kill(os.getpid(), signal.SIGINT)

    _wrap_train_steps(monkeypatch, before=ctrl_c)
    X, y = sine
    model = LSTMRegressor([2], steps=1000, random_state=0, **EVERY_20)
    try:
        with pytest.warns(RuntimeWarning, match="interrupted"):
            model.fit(X, y)
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped fit")
    assert 40 <= model.n_iter_ <= 60
    assert np.isfinite(model.predict(X)).all()


def test_ctrl_c_before_training_leaves_the_estimator_as_it_was(sine, monkeypatch):
    X, y = sine
    model = LSTMRegressor([2], steps=20, random_state=0).fit(X, y)
    before, state = model.predict(X), dict(vars(model))

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(WindowStatistics, "scaling", interrupted)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X * 2, y)
    assert vars(model) == state
    np.testing.assert_array_equal(model.predict(X), before)


# ------------------------------------------------------------------- threads
def test_concurrent_predict_equals_single_calls(sine):
    X, y = sine
    X = np.concatenate([X, X[::-1]])  # more rows than one inference block
    model = LSTMRegressor([4], steps=20, random_state=0).fit(X, np.r_[y, y[::-1]])
    slices = [slice(0, len(X)), slice(0, 1), slice(100, 400), slice(700, None)] * 6
    expected = [model.predict(X[s]) for s in slices]
    # A fresh copy, so that the threads also race to trace its functions.
    for copy in (model, pickle.loads(pickle.dumps(model))):
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda s, m=copy: m.predict(X[s]), slices))
        for got, want in zip(results, expected, strict=True):
            np.testing.assert_array_equal(got, want)


# -------------------------------------------------------------- continuation
def _start_weights(monkeypatch):
    """Record the network's weights as each compiled call begins."""
    starts = []

    def record(network, call):
        starts.append(network.get_weights())

    _wrap_train_steps(monkeypatch, before=record)
    return starts


def _same(first, second):
    return all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_warm_start_continues_from_the_fitted_weights(sine, monkeypatch):
    X, y = sine
    model = LSTMRegressor([3], steps=40, random_state=0, **EVERY_20).fit(X, y)
    network, scaling = model._network, model._scaling
    fitted = network.get_weights()
    starts = _start_weights(monkeypatch)
    # New data on another scale: the statistics of the first fit stay.
    model.set_params(warm_start=True).fit(X * 3, y * 3)
    assert _same(starts[0], fitted)
    assert model._network is network and model._scaling is scaling
    assert model.n_iter_ == 80 and model.history_["step"] == [20, 40, 60, 80]
    # Without warm_start, fit starts afresh: new weights, new statistics.
    starts.clear()
    model.set_params(warm_start=False).fit(X * 3, y * 3)
    assert not _same(starts[0], fitted)
    assert model.n_iter_ == 40
    np.testing.assert_allclose(model._scaling.y_scale, scaling.y_scale * 3)


def test_partial_fit_fixes_the_scaling_at_the_first_call(sine, monkeypatch):
    X, y = sine
    model = LSTMRegressor([3], batch_size=50, random_state=0)
    model.partial_fit(X[:200], y[:200])
    first = WindowScaling.fit(X[:200], y[:200, None], standardize=True, relative="auto")
    after_first = model._network.get_weights()
    starts = _start_weights(monkeypatch)
    model.partial_fit(X[200:] * 10 + 5, y[200:] * 10 + 5)
    assert _same(starts[0], after_first)
    for name in ("x_mean", "x_scale", "y_mean", "y_scale", "reference"):
        np.testing.assert_array_equal(
            getattr(model._scaling, name), getattr(first, name)
        )
    assert model.n_iter_ == 4 + 6
    assert len(model.history_["step"]) == 2


def test_partial_fit_after_fit_continues_it(sine, monkeypatch):
    X, y = sine
    model = LSTMRegressor([3], steps=20, random_state=0).fit(X, y)
    fitted, scaling = model._network.get_weights(), model._scaling
    starts = _start_weights(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.partial_fit(X[:100], y[:100])
    assert _same(starts[0], fitted)
    assert model._scaling is scaling
    assert model.n_iter_ == 20 + 4


# -------------------------------------------------------------------- memory
def test_rebuilt_networks_reuse_their_variable_names(sine):
    # TensorFlow keeps a kernel per distinct variable name for the life of
    # the process, so a network whose names change at every fit (Keras's
    # adam_1, adam_2, ...) leaks memory fit after fit (see bench_soak.py).
    from sklstm._training import build_network

    X, y = sine
    spec = LSTMRegressor([2], steps=5, random_state=0).fit(X, y)._network_spec
    first, second = build_network(spec, seed=0), build_network(spec, seed=1)
    for variables in (lambda n: n.optimizer.variables, lambda n: n.model.weights):
        names = [v.path for v in variables(first)]
        assert names == [v.path for v in variables(second)]
    assert all(v.path.startswith("optimizer/") for v in first.optimizer.variables)


def test_ctrl_c_ends_chunked_training_where_it_stopped(monkeypatch):
    from sklstm import SeriesChunks

    series = np.sin(np.linspace(0, 60, 1201))
    calls = _wrap_train_steps(monkeypatch, before=_interrupt_at(3))
    model = LSTMRegressor([2], batch_size=100, random_state=0)
    with pytest.warns(RuntimeWarning, match="interrupted"):
        SeriesChunks(series, 5, chunk_size=200).train(model, epochs=3)
    # The third compiled call was interrupted; no chunk was trained after it.
    assert len(calls) == 3
    assert np.isfinite(model.predict(np.zeros((1, 5, 1)))).all()


def test_a_failed_fit_puts_back_the_callers_random_state():
    from sklstm import LSTMClassifier

    rng = np.random.RandomState(0)
    X = rng.randn(60, 4, 1)
    y = np.where(X[:, -1, 0] > 0, "up", "down")
    generator = np.random.RandomState(1)
    model = LSTMClassifier([2], steps=10, n_networks=1, random_state=generator)
    model.set_params(warm_start=True).fit(X, y)
    twin = pickle.loads(pickle.dumps(model))
    # Refused after the fit has drawn its validation split from the generator.
    with pytest.raises(ValueError, match="class_weight"):
        model.set_params(class_weight={"sideways": 2.0}).fit(X, y)
    model.set_params(class_weight=None)
    assert model.random_state.get_state()[2] == twin.random_state.get_state()[2]
    np.testing.assert_array_equal(
        model.fit(X, y).predict_proba(X), twin.fit(X, y).predict_proba(X)
    )


@pytest.mark.parametrize(
    ("panel", "wrapped"), [(False, False), (True, False), (False, True)]
)
def test_ctrl_c_in_a_backtest_s_fit_stops_the_backtest(monkeypatch, panel, wrapped):
    import pandas as pd
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.pipeline import make_pipeline

    from sklstm import WindowTransformer, backtest

    values = np.sin(np.arange(120) / 4.0) + 2
    series = (
        pd.DataFrame({"id": np.repeat(["a", "b"], 60), "y": values})
        if panel
        else values
    )
    regressor = LSTMRegressor([2], steps=40, n_networks=1, random_state=0)
    model = make_pipeline(
        WindowTransformer(4, series_id="id" if panel else None),
        TransformedTargetRegressor(regressor) if wrapped else regressor,
    )
    calls = _wrap_train_steps(monkeypatch, before=_interrupt_at(1))
    kwargs = {"series_id": "id"} if panel else {"refit": 5}
    with (
        pytest.warns(RuntimeWarning, match="interrupted"),
        pytest.raises(KeyboardInterrupt),
    ):
        backtest(model, series, 2, test_size=10, **kwargs)
    assert len(calls) == 1
