"""
Classifying handwritten digits row by row
=========================================

scikit-learn's digits are 8x8 images. Read top to bottom, each image is a
sequence of 8 rows of 8 pixels, and an ``LSTMClassifier`` learns which digit
a sequence draws: it sees one row at a time and keeps what matters in its
state. This example fits the defaults and shows the confusion matrix of the
held-out images.
"""

# %%
# Images as sequences
# -------------------
# ``digits.images`` has shape ``(n_images, 8, 8)``: already
# ``(n_sequences, time_steps, n_features)``, the layout the estimator reads.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import train_test_split

from sklstm import LSTMClassifier

digits = load_digits()
X_train, X_test, y_train, y_test = train_test_split(
    digits.images,
    digits.target,
    test_size=0.25,
    stratify=digits.target,
    random_state=0,
)
print(X_train.shape, "->", len(set(y_train)), "classes")

# %%
# Fit the defaults
# ----------------
# Inputs are standardised per pixel column, 10% of the training images are
# held out (stratified by digit) for early stopping, and with fewer than
# 10,000 images, 5 networks are trained side by side and their probabilities
# averaged.
model = LSTMClassifier(random_state=0).fit(X_train, y_train)
print(
    f"test accuracy {model.score(X_test, y_test):.3f} after {model.n_iter_} "
    f"steps (best at {model.best_step_})"
)

# %%
# Where it errs
# -------------
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.5))
ConfusionMatrixDisplay.from_estimator(model, X_test, y_test, ax=left, colorbar=False)
left.set_title("test images")
history = model.history_
right.semilogy(history["step"], history["train_loss"], label="train")
right.semilogy(history["step"], history["val_loss"], label="validation")
right.axvline(model.best_step_, linestyle=":", color="gray", label="kept weights")
right.set_xlabel("step")
right.set_ylabel("cross-entropy")
right.legend()
fig.tight_layout()
plt.show()

# %%
# ``predict_proba`` tells how sure the networks are: the images they get wrong
# are mostly among those they were least sure of.
proba = model.predict_proba(X_test)
wrong = model.predict(X_test) != y_test
print(
    f"median top probability: right {np.median(proba[~wrong].max(axis=1)):.2f}, "
    f"wrong {np.median(proba[wrong].max(axis=1)):.2f}"
)
