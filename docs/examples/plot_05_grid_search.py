"""
Tuning window length and layers with ``GridSearchCV``
=====================================================

Because :class:`~sklstm.WindowTransformer` sits inside the pipeline, the
window length is a parameter like any other, and ``GridSearchCV`` can tune it
together with the network's layers. ``TimeSeriesSplit`` makes every fold
train on the past and test on what follows.

The series here is a sine wave with noise, so that the choices matter: a
longer window averages more of the noise away, at a higher cost per step.
The budgets are tiny so that the example builds quickly.
"""

# %%
# A noisy series
# --------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline

from sklstm import LSTMRegressor, WindowTransformer

rng = np.random.default_rng(0)
x = np.linspace(0, 30, 1500)
series = np.sin(x) + 0.1 * rng.standard_normal(len(x))
X, y = series[:-1, None], series[1:]  # predict the next value

# %%
# The search
# ----------
# Four combinations, two chronological folds each: eight small fits, and a
# ninth that refits the best combination on all the rows. The MSE cannot fall
# below the variance of the noise, 0.01.
pipe = make_pipeline(
    WindowTransformer(),
    LSTMRegressor(steps=200, early_stopping_rounds=None, random_state=0),
)
search = GridSearchCV(
    pipe,
    {
        "windowtransformer__time_steps": [5, 10],
        "lstmregressor__rnn_layers": [[8], [8, 8]],
    },
    cv=TimeSeriesSplit(n_splits=2),
    scoring="neg_mean_squared_error",
)
search.fit(X, y)
print("best parameters:", search.best_params_)
print(f"best cross-validated MSE: {-search.best_score_:.4f}")

# %%
# All results
# -----------
results = pd.DataFrame(search.cv_results_)
table = pd.DataFrame(
    {
        "time_steps": results["param_windowtransformer__time_steps"],
        "rnn_layers": results["param_lstmregressor__rnn_layers"].astype(str),
        "mean MSE": -results["mean_test_score"],
        "std": results["std_test_score"],
        "fit seconds": results["mean_fit_time"],
    }
).sort_values("mean MSE")
table

# %%
# Mean MSE over the folds, with one standard deviation:
fig, ax = plt.subplots(figsize=(7, 3.5))
labels = [
    f"{steps} steps, {layers}"
    for steps, layers in zip(table["time_steps"], table["rnn_layers"], strict=True)
]
ax.errorbar(table["mean MSE"], labels, xerr=table["std"], fmt="o", capsize=4)
ax.axvline(0.01, color="black", linestyle=":", label="noise variance")
ax.set_xlabel("cross-validated MSE")
ax.invert_yaxis()
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()
