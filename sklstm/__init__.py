"""sklstm: LSTM sequence and time-series regression as scikit-learn estimators.

Importing the package is light: TensorFlow and Keras are imported only when a
network is built or used.
"""

from .chunks import SeriesChunks
from .classifier import LSTMClassifier
from .config import get_config, set_config
from .forecasting import backtest, forecast, horizon_targets
from .persistence import load
from .regressor import LSTMRegressor
from .scaling import WindowStatistics
from .sequences import pad_sequences
from .window import WindowTransformer

__version__ = "0.2.0.dev0"

__all__ = [
    "LSTMClassifier",
    "LSTMRegressor",
    "SeriesChunks",
    "WindowStatistics",
    "WindowTransformer",
    "__version__",
    "backtest",
    "forecast",
    "get_config",
    "horizon_targets",
    "load",
    "pad_sequences",
    "set_config",
]
