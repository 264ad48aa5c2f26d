"""
Training curves from ``history_``
=================================

Every fit keeps a record of its evaluations in ``history_``: the step, the
epoch, the mean training loss since the previous evaluation and the loss on
the validation tail. Plotted against the step, it shows how fast a
configuration learns and where early stopping cut in. Here it compares the
post's optimizer, Adagrad at a learning rate of 0.03, with the estimator's
default, Adam at 0.02, on the post's ``sin(x)`` windows.
"""

# %%
# Data
# ----
# The post's ``sin(x)`` windows, training and validation parts in time order.
import matplotlib.pyplot as plt
import numpy as np

from sklstm import LSTMRegressor
from sklstm.datasets import generate_data, post_x, sin

X, y = generate_data(sin, post_x(), time_steps=10)
X_fit = np.concatenate([X["train"], X["val"]])
y_fit = np.concatenate([y["train"], y["val"]])
validation_fraction = len(X["val"]) / len(X_fit)

# %%
# Two fits, one budget
# --------------------
# Both get 1,000 steps, evaluate every 50 and stop after 300 steps without a
# better validation loss.
settings = {
    "Adagrad, 0.03 (the post)": {"optimizer": "Adagrad", "learning_rate": 0.03},
    "Adam, 0.02 (the default)": {"optimizer": "Adam", "learning_rate": 0.02},
}
models = {}
for name, params in settings.items():
    models[name] = LSTMRegressor(
        rnn_layers=[16],
        steps=1000,
        print_steps=50,
        early_stopping_rounds=300,
        validation_fraction=validation_fraction,
        random_state=0,
        **params,
    ).fit(X_fit, y_fit)
    model = models[name]
    print(
        f"{name}: {model.n_iter_} steps run, best validation MSE "
        f"{model.best_loss_:.3g} at step {model.best_step_}"
    )

# %%
# The curves
# ----------
# Losses are mean squared errors in the units of the series, on a logarithmic
# scale. The dotted line marks the evaluation whose weights each fit kept.
fig, ax = plt.subplots(figsize=(8, 4.5))
for (name, model), color in zip(models.items(), ["tab:blue", "tab:green"], strict=True):
    history = model.history_
    ax.plot(history["step"], history["train_loss"], color=color, label=f"{name}: train")
    ax.plot(
        history["step"],
        history["val_loss"],
        color=color,
        linestyle="--",
        label=f"{name}: validation",
    )
    ax.axvline(model.best_step_, color=color, linestyle=":")
ax.set_yscale("log")
ax.set_xlabel("gradient step")
ax.set_ylabel("MSE")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# The first rows of a history, as a table:
import pandas as pd

pd.DataFrame(models["Adam, 0.02 (the default)"].history_).head()
