"""
Honest baselines: persistence and a linear model
================================================

A forecasting model earns its keep only against what costs nothing. Two
baselines belong in every comparison:

- **persistence**: the next value equals the last one;
- **a linear autoregression**: ``LinearRegression`` on the same windows,
  flattened (``WindowTransformer(flatten=True)`` gives the same rows, with
  column names, inside a pipeline).

This example scores both, and an LSTM, on the post's ``sin(x)`` and on the
logistic map ``z[t + 1] = 3.9 z[t] (1 - z[t])``, a chaotic series whose next
value is a simple but *nonlinear* function of the last one.
"""

# %%
# Two series, one protocol
# ------------------------
# The post's protocol for both: windows of 10 steps, the last 10% of the rows
# for testing, the last 10% of the rest for validation, each part windowed on
# its own (``sklstm.datasets.prepare_data``). The linear model reads the same
# windows, flattened into rows of 10 columns.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression

from sklstm import LSTMRegressor
from sklstm.datasets import post_x, prepare_data, sin

time_steps = 10


def logistic_map(n, r=3.9, start=0.4):
    z = np.empty(n)
    z[0] = start
    for t in range(n - 1):
        z[t + 1] = r * z[t] * (1 - z[t])
    return z


series = {
    "sin(x)": sin(post_x()),
    "logistic map": logistic_map(4000),
}

# %%
# Fit and score
# -------------
# Persistence needs no fit: its prediction is the last value of each window.
rows, predictions = [], {}
for name, values in series.items():
    X, y = prepare_data(values, time_steps)
    X_fit = np.concatenate([X["train"], X["val"]])
    y_fit = np.concatenate([y["train"], y["val"]])

    linear = LinearRegression().fit(X_fit.reshape(len(X_fit), -1), y_fit)
    lstm = LSTMRegressor(
        rnn_layers=[16],
        steps=500,
        validation_fraction=len(X["val"]) / len(X_fit),
        random_state=0,
    ).fit(X_fit, y_fit)
    X_test, y_test = X["test"], y["test"]
    predicted = {
        "persistence": X_test[:, -1, 0],
        "linear": linear.predict(X_test.reshape(len(X_test), -1)),
        "LSTM": lstm.predict(X_test),
    }
    for method, y_pred in predicted.items():
        rows.append(
            {
                "series": name,
                "method": method,
                "test MSE": np.mean((y_pred - y_test) ** 2),
            }
        )
    predictions[name] = (y_test, predicted)

table = pd.DataFrame(rows).pivot(index="method", columns="series", values="test MSE")
table.loc[["persistence", "linear", "LSTM"]]

# %%
# On ``sin(x)`` the linear model is essentially exact: a sampled sine obeys
# the linear recurrence ``s[t + 1] = 2 cos(h) s[t] - s[t - 1]``, so no network
# can beat it there, and persistence is already far better than the error the
# post reported. On the logistic map a line cannot follow the parabola that
# maps one value to the next, and the LSTM pulls ahead.
#
# Predicted against real on the first test rows of the logistic map:
y_test, predicted = predictions["logistic map"]
fig, ax = plt.subplots(figsize=(8, 4))
shown = slice(0, 60)
ax.plot(y_test[shown], "k-", linewidth=3, alpha=0.3, label="real")
for method, style in [("persistence", ":"), ("linear", "-."), ("LSTM", "--")]:
    ax.plot(predicted[method][shown], style, label=method)
ax.set_xlabel("test row")
ax.set_ylabel("z")
ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, frameon=False)
fig.tight_layout()
plt.show()
