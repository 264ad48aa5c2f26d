"""
Forecasting CO2 twelve weeks ahead, directly
============================================

Weekly CO2 at Mauna Loa, 1958 to 2001 (shipped with statsmodels, missing
weeks interpolated): a rising trend with a yearly cycle. The level of the
test part, the last fifth, lies above anything in the training part, the
case that ``relative="auto"`` is for. This example trains one
``LSTMRegressor`` to forecast the next twelve weeks at once (direct
strategy), backtests it with 90% intervals over the test part, and compares
it with a linear autoregression and the seasonal naive forecast (the value
a year, 52 weeks, before).
"""

# %%
# Targets of twelve steps
# -----------------------
# ``horizon_targets`` pairs the window of each week with the twelve weeks
# after it; the last twelve weeks of the training part have no complete
# horizon and are left out.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

from sklstm import LSTMRegressor, WindowTransformer, backtest, horizon_targets
from sklstm.datasets import load_co2

series = load_co2()
n_test = round(0.2 * len(series))
first = len(series) - n_test - 1
time_steps, horizon = 12, 12
model = make_pipeline(WindowTransformer(time_steps), LSTMRegressor(random_state=0))
model.fit(
    series.iloc[: first + 1 - horizon],
    horizon_targets(series.iloc[: first + 1], horizon),
)
print("relative mode per step:", model[-1].relative_)

# %%
# Backtest
# --------
# Every origin of the test part (446 of them) in one pass; intervals
# calibrated on the errors of the weeks before each origin.
forecasts, errors = backtest(model, series, horizon, test_size=n_test, coverage=0.9)
linear = make_pipeline(WindowTransformer(time_steps, flatten=True), LinearRegression())
_, linear_errors = backtest(
    linear, series, horizon, test_size=n_test, strategy="direct"
)
values = series.to_numpy()
origins = np.arange(first, len(series) - horizon)
seasonal = [
    np.mean((values[origins + k - 52] - values[origins + k]) ** 2)
    for k in range(1, horizon + 1)
]
print(errors[["step", "mse", "coverage"]].round(3).to_string(index=False))
print(
    f"mean over the steps: LSTM {errors['mse'].mean():.3f}, linear "
    f"{linear_errors['mse'].mean():.3f}, seasonal naive {np.mean(seasonal):.3f}"
)

# %%
# A fan chart of the last two years
# ---------------------------------
fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7))
recent = series.iloc[-110:]
top.plot(recent.index, recent.to_numpy(), color="black", label="CO2 (ppm)")
late = forecasts[forecasts["origin"] >= recent.index[0]]
for origin in late["origin"].unique()[::8]:
    path = late[late["origin"] == origin]
    top.fill_between(path["time"], path["lower"], path["upper"], color="C1", alpha=0.2)
    top.plot(path["time"], path["forecast"], color="C1")
top.set_ylabel("CO2, ppm")
top.legend(loc="upper left")

bottom.plot(errors["step"], errors["mse"], marker="o", label="LSTMRegressor, direct")
bottom.plot(
    linear_errors["step"], linear_errors["mse"], marker="s", label="linear, direct"
)
bottom.plot(range(1, horizon + 1), seasonal, marker="^", label="seasonal naive")
bottom.set_xlabel("weeks ahead")
bottom.set_ylabel("test MSE (ppm²)")
bottom.legend()
fig.tight_layout()
plt.show()

# %%
# The direct LSTM's error grows slowly with the horizon and stays below the
# linear model's at every step; its intervals widen with the step and hold
# about nine test points in ten.
