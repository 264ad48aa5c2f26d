"""
Predicting x*sin(x): standardised and relative windows
======================================================

The post's third experiment, and its hardest: its test MSE was 61.02. The
amplitude of ``x*sin(x)`` grows with ``x``, so the test rows, at the end of
the series, swing wider than anything in the training rows. This example fits
the same recurrent network twice, once on standardised levels
(``relative=False``) and once on values taken relative to each window's last
row (``relative=True``, which the default ``relative="auto"`` chooses on this
smooth series), and compares both with the persistence baseline. Both fits
leave out the linear part the defaults add beside the recurrent layers
(``linear=False``): that part holds the series' exact linear recurrence and
extrapolates it, which would hide what scaling does to the network itself
(with it, levels reach a test MSE near 5e-7 and relative values near 4e-8).
"""

# %%
# The series and the split
# ------------------------
# The post's protocol, as in :ref:`the first example
# <sphx_glr_auto_examples_plot_01_sin.py>`.
import matplotlib.pyplot as plt
import numpy as np

from sklstm import LSTMRegressor
from sklstm.datasets import generate_data, post_x, split_points, x_sin

x = post_x()
time_steps = 10
X, y = generate_data(x_sin, x, time_steps)
nval, ntest = split_points(len(x))
x_test = x[ntest + time_steps :]

X_fit = np.concatenate([X["train"], X["val"]])
y_fit = np.concatenate([y["train"], y["val"]])
validation_fraction = len(X["val"]) / len(X_fit)

print(f"largest |value| learnt from: {np.abs(y['train']).max():.1f}")
print(f"largest |value| validated:   {np.abs(y['val']).max():.1f}")
print(f"largest |value| in the test: {np.abs(y['test']).max():.1f}")


def fit_network(relative):
    """The same network and budget each time; only ``relative`` changes."""
    model = LSTMRegressor(
        rnn_layers=[16],
        steps=500,
        relative=relative,
        linear=False,
        validation_fraction=validation_fraction,
        random_state=0,
    )
    return model.fit(X_fit, y_fit)


# %%
# Standardised values
# -------------------
# The estimator standardises inputs and targets with the mean and standard
# deviation of its training rows. With ``relative=False`` the network then
# meets test values beyond the range it was trained on, and its output has to
# extrapolate.
absolute = fit_network(relative=False)

# %%
# Relative values
# ---------------
# With ``relative=True`` each window is shifted so that its last value is 0,
# and the target becomes the change from that value; predictions are shifted
# back. The network now learns how a stretch of the curve continues, which
# looks alike at every amplitude, rather than the level itself. The default,
# ``relative="auto"``, makes the same choice here, as ``relative_`` shows.
relative = fit_network(relative=True)
print(
    "relative='auto' chooses relative mode:",
    # The choice is made from the data before training: one step shows it.
    LSTMRegressor(rnn_layers=[2], steps=1).fit(X_fit, y_fit).relative_,
)

# %%
# Test errors
# -----------
pred_absolute = absolute.predict(X["test"])
pred_relative = relative.predict(X["test"])
for name, predicted in [
    ("standardised", pred_absolute),
    ("relative", pred_relative),
    ("persistence", X["test"][:, -1, 0]),
]:
    print(f"{name:>12} test MSE: {np.mean((predicted - y['test']) ** 2):.3g}")

# %%
# Real against predicted
# ----------------------
# The upper panel shows the whole series and its three parts; the lower one
# the errors of both models on the test rows.
series = x_sin(x)
fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6))
top.plot(x, series, linewidth=0.8, color="tab:gray")
top.axvspan(x[nval], x[ntest], color="tab:green", alpha=0.2, label="validation")
top.axvspan(x[ntest], x[-1], color="tab:orange", alpha=0.2, label="test")
top.set_ylabel("x sin(x)")
top.set_xlabel("x")
top.legend(loc="upper left")
bottom.plot(x_test, pred_absolute - y["test"], label="standardised")
bottom.plot(x_test, pred_relative - y["test"], label="relative")
bottom.set_ylabel("predicted - real")
bottom.set_xlabel("x (test rows)")
bottom.legend(loc="upper left")
fig.tight_layout()
plt.show()

# %%
# Real and predicted test values, as the post drew them:
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.plot(x_test, y["test"], label="real", linewidth=3, alpha=0.5)
ax.plot(x_test, pred_relative, label="predicted (relative)", linestyle="--")
ax.set_xlabel("x")
ax.set_ylabel("x sin(x)")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()
