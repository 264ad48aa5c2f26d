"""
Forecasting the sunspot cycle twelve years ahead
================================================

statsmodels ships the yearly mean sunspot numbers from 1700 to 2008: a cycle
of about eleven years whose peaks vary from cycle to cycle, with the largest
on record in the last fifth of the series. This example holds that last fifth
out, fits ``LSTMRegressor`` with its defaults on the rest, and forecasts
twelve years ahead from every year of the test part, recursively, with 90%
prediction intervals; a linear autoregression on the same windows and
persistence are the baselines.
"""

# %%
# The series and the split
# ------------------------
# The last 20% of the years (1947 to 2008) are the test part: nothing is
# fitted on them. Windows are twelve years long.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

from sklstm import LSTMRegressor, WindowTransformer, backtest
from sklstm.datasets import load_sunspots

series = load_sunspots()
n_test = round(0.2 * len(series))
first = len(series) - n_test - 1  # the last training year, the first origin
time_steps, horizon = 12, 12
print(f"training years {series.index[0].year} to {series.index[first].year}")

# %%
# Fit a model of the next year
# ----------------------------
# All defaults: early stopping on the last 10% of the training years, which
# are also the rows the intervals are calibrated on. The series does not
# drift, so ``relative="auto"`` keeps its levels.
model = make_pipeline(WindowTransformer(time_steps), LSTMRegressor(random_state=0))
model.fit(series.iloc[:first], series.to_numpy()[1 : first + 1])
lstm = model[-1]
print(f"relative mode: {lstm.relative_}, stopped after {lstm.n_iter_} steps")

# %%
# Backtest: twelve years from every origin
# ----------------------------------------
# The fitted model forecasts every origin of the test part in one pass,
# feeding its forecasts back (recursive); each origin's interval is calibrated
# on the errors of the years before it.
forecasts, errors = backtest(model, series, horizon, test_size=n_test, coverage=0.9)
linear = make_pipeline(WindowTransformer(time_steps, flatten=True), LinearRegression())
_, linear_errors = backtest(linear, series, horizon, test_size=n_test)
values = series.to_numpy()
origins = np.arange(first, len(series) - horizon)
persistence = [
    np.mean((values[origins] - values[origins + k]) ** 2) for k in range(1, horizon + 1)
]
print(errors[["step", "mse", "coverage"]].round(3).to_string(index=False))
print(
    f"mean over the steps: LSTM {errors['mse'].mean():.0f}, linear "
    f"{linear_errors['mse'].mean():.0f}, persistence {np.mean(persistence):.0f}"
)

# %%
# A fan chart over the test part
# ------------------------------
# Forecasts from every sixth origin, with their 90% intervals.
fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7))
recent = series.iloc[first - 40 :]
top.plot(recent.index, recent.to_numpy(), color="black", label="sunspots")
for origin in forecasts["origin"].unique()[::6]:
    path = forecasts[forecasts["origin"] == origin]
    top.fill_between(path["time"], path["lower"], path["upper"], color="C0", alpha=0.15)
    top.plot(path["time"], path["forecast"], color="C0")
top.axvline(series.index[first], color="gray", linestyle=":", label="test part starts")
top.set_ylabel("yearly mean sunspot number")
top.legend(loc="upper left")

bottom.plot(errors["step"], errors["mse"], marker="o", label="LSTMRegressor")
bottom.plot(linear_errors["step"], linear_errors["mse"], marker="s", label="linear")
bottom.plot(range(1, horizon + 1), persistence, marker="^", label="persistence")
bottom.set_xlabel("years ahead")
bottom.set_ylabel("test MSE")
bottom.legend()
fig.tight_layout()
plt.show()

# %%
# The linear part and the network's part
# ---------------------------------------
# The default network holds a linear autoregression on the window, fitted
# by least squares before training; the recurrent layers learn what it
# leaves. ``predict_linear`` gives the linear part of each one-year-ahead
# forecast over the test part; the rest is the recurrent layers'.
windows = model[0].transform(series.iloc[first:-1])
actual = values[first + 1 :]
whole = lstm.predict(windows)
linear_part = lstm.predict_linear(windows)
print(
    f"one year ahead, test MSE: linear part {np.mean((linear_part - actual) ** 2):.0f}"
    f", whole model {np.mean((whole - actual) ** 2):.0f}"
)
fig, ax = plt.subplots(figsize=(9, 3.5))
years = series.index[first + 1 :]
ax.plot(years, actual, color="black", label="sunspots")
ax.plot(years, linear_part, color="C1", label="linear part")
ax.bar(years, whole - linear_part, width=200, color="C0", label="network's part")
ax.set_ylabel("one year ahead")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()

# %%
# One year ahead, the linear part alone has a test MSE of about 440 and the
# whole model about 370; twelve years ahead, fed back recursively, the model's
# error (about 940, the mean over the steps) is below the linear model's
# (1,097). ``benchmarks/bench_forecast.py`` and
# ``benchmarks/bench_relative.py`` measure the forecasts over three seeds,
# direct and recursive, against the linear models and ETS.
