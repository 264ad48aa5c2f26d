"""
One model for 427 series: the Tourism competition
==================================================

The Tourism forecasting competition (Athanasopoulos et al., 2011) asked for
eight quarters ahead of 427 quarterly series of tourism demand, whose levels
range from tens to millions. This example fits one ``LSTMRegressor`` on the
windows of every series at once, forecasts each series once from the end of
its training part, as the competition did, with 90% prediction intervals,
and scores the forecasts against the seasonal naive forecast.
"""

# %%
# The panel
# ---------
# :func:`sklstm.datasets.load_tourism` returns the training parts and the
# test parts as long tables: a ``series_id`` column, then the values, each
# series' rows in time order. Appending each series' test rows to its
# training rows gives the table that ``backtest`` holds the last eight rows
# of each series out of.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.pipeline import make_pipeline

from sklstm import LSTMRegressor, WindowTransformer, backtest, mape, mase
from sklstm.datasets import load_tourism

train, test = load_tourism("quarterly")
horizon, season = 8, 4
parts = []
for name, rows in train.groupby("series_id", sort=False):
    parts += [rows, test[test["series_id"] == name]]
table = pd.concat(parts, ignore_index=True)
sizes = train.groupby("series_id")["value"].mean()
print(f"{train['series_id'].nunique()} series, {len(train)} training rows")
print(f"series means from {sizes.min():.0f} to {sizes.max():.0f}")

# %%
# One model, every series
# -----------------------
# ``WindowTransformer(series_id=...)`` windows each series on its own, and
# the regressor divides each window by its own scale (``window_scale``,
# chosen by itself here: the windows' scales span far more than tenfold), so
# a series of tens and one of millions look alike to the network.
# ``backtest`` fits a clone on every series' rows before its test part,
# holding out each series' own tail for early stopping and weighing each
# series' older windows less (``recency_halflife``), so that the model
# follows what every series did lately, and forecasts every series at once;
# ``coverage`` adds intervals calibrated on those tails.
model = make_pipeline(
    WindowTransformer(2 * horizon, series_id="series_id"),
    LSTMRegressor(random_state=0),
)
forecasts, errors = backtest(
    model,
    table,
    horizon,
    test_size=horizon,
    strategy="direct",
    series_id="series_id",
    seasonality=season,
    coverage=0.9,
)
overall = errors.loc[("value", "all", "all")]
print(overall[["mape", "smape", "mase", "coverage"]].round(3))

# %%
# Against the seasonal naive forecast
# -----------------------------------
# The competition's simplest benchmark repeats each series' last year.
values_by_series = train.groupby("series_id", sort=False)["value"]
history = [rows.to_numpy() for _, rows in values_by_series]
naive = np.array([np.resize(values[-season:], horizon) for values in history])
actual = forecasts["actual"].to_numpy().reshape(len(history), horizon)
print(
    f"seasonal naive: MAPE {mape(actual, naive):.2f}, "
    f"MASE {mase(actual, naive, history, seasonality=season):.3f}"
)

# %%
# The network is ahead of the naive forecast on MAPE, sMAPE and MASE; the
# documentation's panels page gives the median of three seeds beside ETS,
# Theta and N-BEATS.

# %%
# Four series, four scales
# ------------------------
# The forecasts and their intervals follow each series' own level and
# season.
chosen = sizes.sort_values().index[[20, 150, 300, 420]]
fig, axes = plt.subplots(2, 2, figsize=(10, 6))
for ax, name in zip(axes.ravel(), chosen, strict=True):
    rows = table[table["series_id"] == name]["value"].to_numpy()
    ahead = forecasts[forecasts["series_id"] == name]
    t = np.arange(len(rows))
    ax.plot(t[-32:], rows[-32:], color="black", label="actual")
    steps = t[-horizon:]
    ax.plot(steps, ahead["forecast"], color="tab:blue", label="forecast")
    ax.fill_between(
        steps,
        ahead["lower"],
        ahead["upper"],
        color="tab:blue",
        alpha=0.2,
        label="90% interval",
    )
    ax.set_title(f"{name} (mean {sizes[name]:.0f})")
axes[0, 0].legend(loc="upper left", fontsize=8)
fig.suptitle("Tourism quarterly: one global LSTM, eight quarters ahead")
fig.tight_layout()
plt.show()
