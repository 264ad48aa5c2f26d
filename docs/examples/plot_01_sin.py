"""
Predicting sin(x)
=================

The 2016 post's first experiment: given the last 10 values of ``sin(x)``,
predict the next one. The data is the post's, ``x = linspace(0, 100, 10000)``,
and so is the protocol: the last 10% of the rows are the test part, the last
10% of the rest validate early stopping, and each part is cut into windows on
its own.
"""

# %%
# The series, its windows and their targets
# -----------------------------------------
# :mod:`sklstm.datasets` keeps the post's helpers. ``generate_data`` splits
# the series chronologically into training, validation and test parts and
# cuts each part on its own into windows of 10 values, each paired with the
# value that follows; no window crosses from one part into the next.
import matplotlib.pyplot as plt
import numpy as np

from sklstm import LSTMRegressor
from sklstm.datasets import generate_data, post_x, sin, split_points

x = post_x()  # linspace(0, 100, 10000)
time_steps = 10
X, y = generate_data(sin, x, time_steps)
for part in X:
    print(f"{part:>5}: {len(X[part])} windows of shape {X[part].shape[1:]}")

# The x of each test target, for the plots: the test part starts at row
# ``ntest`` and its first target follows its first window.
ntest = split_points(len(x))[1]
x_test = x[ntest + time_steps :]

# %%
# The estimator validates on the last rows it is given, in time order. Giving
# it the training windows followed by the validation windows, with
# ``validation_fraction`` set to the validation part's share, reproduces the
# post's protocol exactly.
X_fit = np.concatenate([X["train"], X["val"]])
y_fit = np.concatenate([y["train"], y["val"]])
validation_fraction = len(X["val"]) / len(X_fit)

# %%
# Training
# --------
# One LSTM of 16 units, 500 gradient steps, Adam (the estimator's default).
# ``verbose=1`` prints the post's progress line at every evaluation; the
# validation loss is measured on the validation part.
model = LSTMRegressor(
    rnn_layers=[16],
    steps=500,
    print_steps=100,
    verbose=1,
    validation_fraction=validation_fraction,
    random_state=0,
)
model.fit(X_fit, y_fit)

# %%
# Test error, against the simplest baseline
# -----------------------------------------
# Predicting that the next value equals the last one (*persistence*) costs
# nothing; any model worth training must beat it. The post reported a test
# MSE of 0.000776 after 10,000 steps.
y_pred = model.predict(X["test"])
mse = np.mean((y_pred - y["test"]) ** 2)
persistence = np.mean((X["test"][:, -1, 0] - y["test"]) ** 2)
print(f"LSTM test MSE:        {mse:.3g}")
print(f"persistence test MSE: {persistence:.3g}")

# %%
# Real against predicted
# ----------------------
# The two curves coincide at this scale, so the lower panel shows the error.
fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(8, 5))
top.plot(x_test, y["test"], label="real", linewidth=3, alpha=0.5)
top.plot(x_test, y_pred, label="predicted", linestyle="--")
top.set_ylabel("sin(x)")
top.legend(loc="upper right")
bottom.plot(x_test, y_pred - y["test"], color="tab:red")
bottom.set_ylabel("predicted - real")
bottom.set_xlabel("x")
fig.suptitle("sin(x): the test set")
fig.tight_layout()
plt.show()
