"""sklstm: LSTM sequence and time-series regression as scikit-learn estimators.

Importing the package is light: TensorFlow and Keras are imported only when a
network is built or used.
"""

from .classifier import LSTMClassifier
from .forecasting import backtest, forecast, horizon_targets
from .persistence import load
from .regressor import LSTMRegressor
from .sequences import pad_sequences
from .window import WindowTransformer

__version__ = "0.2.0.dev0"

__all__ = [
    "LSTMClassifier",
    "LSTMRegressor",
    "WindowTransformer",
    "__version__",
    "backtest",
    "forecast",
    "horizon_targets",
    "load",
    "pad_sequences",
]
