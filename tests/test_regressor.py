"""LSTMRegressor behaviour: shapes, learning, determinism, early stopping, logging."""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mean_squared_error

from sklstm import LSTMRegressor
from sklstm._training import TrainingConfig, _patience, evaluation_steps

TINY = dict(rnn_layers=[8], steps=300, batch_size=32, random_state=0)


def test_learns_the_next_sine_value(sine_windows):
    X, y = sine_windows
    model = LSTMRegressor(**TINY).fit(X, y)
    predicted = model.predict(X)
    assert predicted.shape == y.shape
    assert predicted.dtype == np.float64
    assert mean_squared_error(y, predicted) < 0.01
    assert model.score(X, y) > 0.95


def test_fitted_attributes(sine_windows):
    X, y = sine_windows
    model = LSTMRegressor(**TINY).fit(X, y)
    assert model.n_features_in_ == 1
    assert model.time_steps_in_ == 8
    assert model.n_outputs_ == 1
    assert model.n_iter_ == 300
    # 353 training rows in batches of 32 make an epoch of 12 steps, shorter
    # than print_steps=100: early stopping evaluates every 10 steps.
    assert model.history_["step"] == list(range(10, 301, 10))
    assert len(model.history_["val_loss"]) == 30
    assert model.relative_.tolist() == [True]  # a sine wave is smooth
    assert model.n_validation_samples_ == 39
    # The kept weights are the best evaluation's, with what the recurrent
    # layers add then scaled by its share on the validation rows (see
    # linear); on a sine wave those rows measure the share clearly, and
    # scaling lowers their loss.
    kept = mean_squared_error(y[-39:], model.predict(X[-39:]))
    assert model.best_loss_ == pytest.approx(kept, rel=1e-6)
    assert model.best_loss_ <= min(model.history_["val_loss"]) * (1 + 1e-6)
    assert (
        model.best_step_
        == model.history_["step"][int(np.argmin(model.history_["val_loss"]))]
    )
    assert model.model_.input_shape == (None, 8, 1)
    assert model.model_.output_shape == (None, 1)


def test_multi_output_sin_and_cos(sin_cos_windows):
    X, y = sin_cos_windows
    model = LSTMRegressor(**TINY).fit(X, y)
    predicted = model.predict(X)
    assert predicted.shape == (len(X), 2)
    assert model.n_features_in_ == 2 and model.n_outputs_ == 2
    assert mean_squared_error(y, predicted) < 0.02


def test_2d_univariate_input_equals_3d(sine_windows):
    X, y = sine_windows
    flat = LSTMRegressor(**TINY).fit(X[:, :, 0], y)
    deep = LSTMRegressor(**TINY).fit(X, y)
    np.testing.assert_array_equal(flat.predict(X[:, :, 0]), deep.predict(X))
    assert flat.n_features_in_ == 8  # scikit-learn counts 2-D columns
    with pytest.raises(ValueError, match="fitted on 2-D input"):
        flat.predict(X)


def test_dataframe_input_keeps_column_names(sine_windows):
    X, y = sine_windows
    frame = pd.DataFrame(X[:, :, 0], columns=[f"lag{k}" for k in range(7, -1, -1)])
    model = LSTMRegressor(**TINY).fit(frame, pd.Series(y))
    np.testing.assert_array_equal(model.feature_names_in_, frame.columns)
    plain = LSTMRegressor(**TINY).fit(X[:, :, 0], y)
    np.testing.assert_array_equal(model.predict(frame), plain.predict(X[:, :, 0]))
    with pytest.warns(UserWarning, match="feature names"):
        model.predict(frame.to_numpy())


def test_same_random_state_same_predictions(sine_windows):
    X, y = sine_windows
    first = LSTMRegressor(**TINY).fit(X, y).predict(X)
    second = LSTMRegressor(**TINY).fit(X, y).predict(X)
    np.testing.assert_array_equal(first, second)
    other = LSTMRegressor(**{**TINY, "random_state": 1}).fit(X, y).predict(X)
    assert not np.array_equal(first, other)


def test_2d_target_column_keeps_its_shape(sine_windows):
    X, y = sine_windows
    model = LSTMRegressor(**TINY).fit(X, y[:, None])
    assert model.predict(X).shape == (len(X), 1)


def test_standardisation_makes_scale_irrelevant(sine_windows):
    X, y = sine_windows
    small = LSTMRegressor(**TINY).fit(X, y).predict(X)
    large = (
        LSTMRegressor(**TINY).fit(X * 1e4 + 5e5, y * 1e4 + 5e5).predict(X * 1e4 + 5e5)
    )
    np.testing.assert_allclose((large - 5e5) / 1e4, small, atol=1e-3)


def test_early_stopping_on_a_plateau_restores_the_best_weights():
    # Pure noise: the validation loss stops improving almost at once.
    rng = np.random.RandomState(0)
    X, y = rng.randn(300, 5), rng.randn(300)
    model = LSTMRegressor(
        [8],
        steps=5000,
        early_stopping_rounds=200,
        print_steps=50,
        random_state=0,
        linear=False,  # the kept weights exactly as early stopping left them
    ).fit(X, y)
    assert model.n_iter_ < 5000
    val = np.array(model.history_["val_loss"])
    assert model.history_["step"][-1] - model.best_step_ >= 200
    assert model.best_loss_ == val.min()
    # The kept weights are the best step's: their validation loss is best_loss_.
    n_val = round(300 * 0.1)
    kept = mean_squared_error(y[-n_val:], model.predict(X[-n_val:]))
    assert kept == pytest.approx(model.best_loss_, rel=1e-6)
    assert kept < val[-1]


def test_no_early_stopping_uses_all_rows(sine_windows):
    X, y = sine_windows
    model = LSTMRegressor(**{**TINY, "early_stopping_rounds": None}).fit(X, y)
    assert model.n_iter_ == 300
    assert model.history_["val_loss"] == [None, None, None]
    assert model.best_loss_ == model.history_["train_loss"][-1]


def test_verbose_prints_the_posts_progress_line(sine_windows, capsys):
    X, y = sine_windows
    LSTMRegressor(**{**TINY, "verbose": 1, "print_steps": 150}).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    pattern = re.compile(
        r"^Step #(\d+), epoch #(\d+), avg\. train loss: [0-9.e+-]+, "
        r"avg\. val loss: [0-9.e+-]+$"
    )
    assert [pattern.match(line).group(1) for line in lines] == ["150", "300"]
    # 350 training rows, 32 per batch: step 300 is in epoch 27.
    assert pattern.match(lines[-1]).group(2) == str(300 * 32 // (len(X) - 39))


def test_short_epochs_are_evaluated_often_and_printed_every_print_steps(
    sine_windows, capsys
):
    X, y = sine_windows
    model = LSTMRegressor(**{**TINY, "verbose": 1}).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "Step #100",
        "Step #200",
        "Step #300",
    ]
    assert model.history_["step"] == list(range(10, 301, 10))
    # A line's train loss is the mean over the steps since the previous line.
    printed = [float(re.search(r"train loss: ([^,]+)", line)[1]) for line in lines]
    losses = model.history_["train_loss"]
    expected = [np.mean(losses[i : i + 10]) for i in (0, 10, 20)]
    np.testing.assert_allclose(printed, expected, rtol=1e-4)


@pytest.mark.parametrize(
    ("print_steps", "epoch_steps", "expected"),
    [
        (100, 250, 100),
        (100, 100, 100),
        (100, 57, 100),  # epochs of a quarter of print_steps or more
        (100, 25, 100),
        (100, 24, 20),
        (100, 12, 10),
        (100, 3, 10),
        (1300, 7, 10),
        (97, 3, 97),
        (5, 1, 5),
    ],
)
def test_evaluation_steps(print_steps, epoch_steps, expected):
    assert evaluation_steps(print_steps, epoch_steps) == expected


def test_auto_patience_scales_with_the_steps_to_the_best_evaluation():
    config = TrainingConfig(steps=10_000, print_steps=100, early_stopping_rounds="auto")
    assert _patience(config, 300) == 1000
    assert _patience(config, 4000) == 4000
    # In a continued fit, only this fit's steps count.
    config.step_offset = 5000
    assert _patience(config, 7000) == 2000
    config.early_stopping_rounds = 50
    assert _patience(config, 7000) == 50


def test_auto_patience_ends_a_fit_that_stopped_improving_early():
    # Nothing to learn: targets are noise, so the best evaluation comes early
    # and the fit stops after max(1000, best step) more steps.
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(300, 5, 1)), rng.normal(size=300)
    model = LSTMRegressor([4], steps=10_000, random_state=0).fit(X, y)
    assert model.n_iter_ < 10_000
    assert model.n_iter_ - model.best_step_ == max(1000, model.best_step_)


def test_logdir_writes_tensorboard_events(sine_windows, tmp_path):
    X, y = sine_windows
    LSTMRegressor(**{**TINY, "logdir": str(tmp_path)}).fit(X, y)
    assert list(tmp_path.glob("events.out.tfevents.*"))


def test_post_vocabulary_for_layers(sine_windows):
    X, y = sine_windows
    model = LSTMRegressor(
        rnn_layers=[{"num_units": 5}, {"num_units": 5, "keep_prob": 0.5}],
        dense_layers={"layers": [10, 10], "activation": "relu", "dropout": 0.5},
        optimizer="Adagrad",
        learning_rate=0.1,
        steps=50,
        random_state=0,
    ).fit(X, y)
    layers = {layer.name: layer for layer in model.model_.layers}
    assert layers["lstm_0"].units == 5 and layers["lstm_0"].dropout == 0
    assert layers["lstm_1"].dropout == pytest.approx(0.5)
    assert layers["dense_0"].units == 10 and layers["dropout_1"].rate == 0.5
    assert type(model._network.optimizer).__name__ == "Adagrad"


@pytest.mark.parametrize("name", ["adam", "SGD", "rmsprop", "Adagrad"])
def test_optimizer_names_are_case_insensitive(sine_windows, name):
    X, y = sine_windows
    model = LSTMRegressor([4], optimizer=name, steps=10, random_state=0).fit(X, y)
    assert type(model._network.optimizer).__name__.lower() == name.lower()


def test_sample_weight_zero_rows_are_ignored(sine_windows):
    X, y = sine_windows
    noisy = y.copy()
    noisy[::2] += 5.0  # corrupt half the rows, then give them no weight
    weights = np.ones(len(y))
    weights[::2] = 0
    params = {**TINY, "early_stopping_rounds": None}
    weighted = LSTMRegressor(**params).fit(X, noisy, sample_weight=weights)
    plain = LSTMRegressor(**params).fit(X, noisy)
    clean_error = mean_squared_error(y[1::2], weighted.predict(X[1::2]))
    assert clean_error < 0.05
    assert clean_error < mean_squared_error(y[1::2], plain.predict(X[1::2]))


def test_warm_start_continues_training(sine_windows):
    X, y = sine_windows
    model = LSTMRegressor(**{**TINY, "warm_start": True, "steps": 100})
    model.fit(X, y)
    first = model.best_loss_
    model.fit(X, y)
    assert model.n_iter_ == 200
    assert model.history_["step"] == list(range(10, 201, 10))
    assert model.best_loss_ < first


@pytest.mark.parametrize(
    "change",
    [
        {"standardize": False},
        {"relative": True},
        {"window_scale": False},
        {"time_order": "newest_first"},
    ],
)
def test_a_continued_fit_refuses_another_reading_of_the_data(sine_windows, change):
    X, y = sine_windows
    model = LSTMRegressor(**{**TINY, "steps": 20, "warm_start": True}).fit(X, y)
    before = model.predict(X[:5])
    (name,) = change
    for method in ("fit", "partial_fit"):
        model.set_params(**change)
        with pytest.raises(ValueError, match=f"set by {name}=.*{name} is now"):
            getattr(model, method)(X, y)
        model.set_params(**{name: LSTMRegressor().get_params()[name]})
    assert model.n_iter_ == 20
    # Between fits, predictions read the windows as the fit did.
    model.set_params(time_order="newest_first")
    np.testing.assert_array_equal(model.predict(X[:5]), before)
    model.set_params(**{"time_order": "oldest_first", "warm_start": False, **change})
    assert model.fit(X, y).n_iter_ == 20


def test_partial_fit_runs_one_epoch_per_chunk(sine_windows):
    X, y = sine_windows
    model = LSTMRegressor([8], batch_size=50, random_state=0)
    model.partial_fit(X[:200], y[:200])
    assert model.n_iter_ == 4
    scaling = model._scaling
    model.partial_fit(X[200:], y[200:])
    assert model.n_iter_ == 4 + 4  # 192 rows in batches of 50
    assert model._scaling is scaling


def test_fitting_another_network_of_the_same_architecture_leaves_this_one(
    sine_windows,
):
    # Compiled functions are shared per architecture; their working copy of
    # the weights must never be a fitted estimator's own.
    X, y = sine_windows
    first = LSTMRegressor(**TINY).fit(X, y)
    weights = [w.copy() for w in first.model_.get_weights()]
    predicted = first.predict(X)
    LSTMRegressor(**{**TINY, "random_state": 1}).fit(X, -y)
    for before, after in zip(weights, first.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(first.predict(X), predicted)
    assert first._network._programs(TINY["batch_size"])._model is not first.model_


def test_a_rows_prediction_does_not_depend_on_the_rows_around_it():
    # 5,000 rows of 3 values run as 4,096 rows (16 blocks) then 904 in a second
    # call: a row must come out bit for bit the same at any block position, in
    # either call, alone, or with any neighbours.
    rng = np.random.RandomState(0)
    X, y = rng.randn(5000, 3), rng.randn(5000)
    model = LSTMRegressor([4], steps=20, random_state=0).fit(X[:500], y[:500])
    everything = model.predict(X)
    assert np.array_equal(model.predict(X[300:4500]), everything[300:4500])
    assert np.array_equal(model.predict(X[4200:4201]), everything[4200:4201])
    assert np.array_equal(model.predict(X[::-1]), everything[::-1])


def test_continued_fits_count_epochs_on():
    rng = np.random.RandomState(0)
    X, y = rng.rand(40, 5, 2), rng.rand(40)
    model = LSTMRegressor(
        [4], steps=20, print_steps=10, batch_size=8, random_state=0, warm_start=True
    )
    model.set_params(early_stopping_rounds=None).fit(X, y).fit(X, y)
    assert model.history_["step"] == [10, 20, 30, 40]
    assert model.history_["epoch"] == [2, 4, 6, 8]
    model.partial_fit(X, y)  # one pass over the 40 rows
    assert model.history_["epoch"][-1] == 9
