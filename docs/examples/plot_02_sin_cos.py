"""
Predicting sin(x) and cos(x) together
=====================================

The post's second experiment: two features in, two targets out. Each window
holds the last 10 values of both ``sin(x)`` and ``cos(x)``, and the network
predicts the next value of each. A 2-D target is all it takes:
:class:`~sklstm.LSTMRegressor` gives its output layer one unit per column.
"""

# %%
# Windows of two features
# -----------------------
# ``sin_cos`` makes a 2-D series, one column per function; its windows have
# shape ``(n_windows, 10, 2)`` and its targets ``(n_windows, 2)``. The split
# is the post's, as in :ref:`the first example <sphx_glr_auto_examples_plot_01_sin.py>`.
import matplotlib.pyplot as plt
import numpy as np

from sklstm import LSTMRegressor
from sklstm.datasets import generate_data, post_x, sin_cos, split_points

x = post_x()
time_steps = 10
X, y = generate_data(sin_cos, x, time_steps)
print("training windows:", X["train"].shape, "targets:", y["train"].shape)

x_test = x[split_points(len(x))[1] + time_steps :]
X_fit = np.concatenate([X["train"], X["val"]])
y_fit = np.concatenate([y["train"], y["val"]])

# %%
# Training
# --------
model = LSTMRegressor(
    rnn_layers=[16],
    steps=500,
    print_steps=100,
    verbose=1,
    validation_fraction=len(X["val"]) / len(X_fit),
    random_state=0,
)
model.fit(X_fit, y_fit)

# %%
# Test error
# ----------
# The MSE averages both outputs, as the post's did (it reported 0.001144).
y_pred = model.predict(X["test"])
print("prediction shape:", y_pred.shape)
print(f"LSTM test MSE:        {np.mean((y_pred - y['test']) ** 2):.3g}")
persistence = X["test"][:, -1, :]
print(f"persistence test MSE: {np.mean((persistence - y['test']) ** 2):.3g}")

# %%
# Real against predicted
# ----------------------
fig, axes = plt.subplots(2, 1, sharex=True, figsize=(8, 5))
for column, (ax, name) in enumerate(zip(axes, ["sin(x)", "cos(x)"], strict=True)):
    ax.plot(x_test, y["test"][:, column], label="real", linewidth=3, alpha=0.5)
    ax.plot(x_test, y_pred[:, column], label="predicted", linestyle="--")
    ax.set_ylabel(name)
    ax.legend(loc="upper right")
axes[-1].set_xlabel("x")
fig.suptitle("sin(x) and cos(x): the test set")
fig.tight_layout()
plt.show()
