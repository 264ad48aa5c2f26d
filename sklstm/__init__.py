"""sklstm: recurrent networks as scikit-learn estimators: regress, classify, forecast.

- :class:`LSTMRegressor` predicts values (the next value of a series, several
  targets at once) from windows that :class:`WindowTransformer` cuts from a
  series;
- :class:`LSTMClassifier` labels whole sequences, padded ones included
  (:func:`pad_sequences`);
- :func:`forecast`, :func:`backtest` and :func:`horizon_targets` forecast
  several steps ahead with a fitted pipeline, with intervals, and measure the
  errors per step.

Importing the package is light: TensorFlow and Keras are imported only when a
network is built or used.
"""

from ._chunks import SeriesChunks
from ._classifier import LSTMClassifier
from ._config import get_config, set_config
from ._forecasting import backtest, forecast
from ._horizon import horizon_targets
from ._metrics import mape, mase, smape
from ._persistence import load
from ._regressor import LSTMRegressor
from ._scaling import WindowStatistics
from ._seasons import fourier_terms
from ._sequences import pad_sequences
from ._split import PanelSplit
from ._version import __version__
from ._window import WindowTransformer, causal_windows, window_feature_names

__all__ = [
    "LSTMClassifier",
    "LSTMRegressor",
    "PanelSplit",
    "SeriesChunks",
    "WindowStatistics",
    "WindowTransformer",
    "__version__",
    "backtest",
    "causal_windows",
    "forecast",
    "fourier_terms",
    "get_config",
    "horizon_targets",
    "load",
    "mape",
    "mase",
    "pad_sequences",
    "set_config",
    "smape",
    "window_feature_names",
]
