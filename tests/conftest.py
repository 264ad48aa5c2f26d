"""Shared fixtures: small seeded series and windows, TensorFlow's log."""

import getpass
import logging
import os
import tempfile

# TensorFlow's C++ start-up chatter hides test output; set before TF loads.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Compiled programs go to a cache of the test runs' own, shared by the test
# processes (and the subprocesses they start), never the user's.
os.environ.setdefault(
    "SKLSTM_CACHE_DIR",
    os.path.join(tempfile.gettempdir(), f"sklstm-tests-{getpass.getuser()}"),
)

import numpy as np
import pandas as pd
import pytest

import sklstm
from sklstm._window import causal_windows


@pytest.fixture
def engine_setting():
    """Restores the process-wide engine after a test changes it."""
    yield
    sklstm.set_config(engine="auto")


@pytest.fixture
def sine_windows():
    """Windows of 8 steps over a sine wave and the next value of each."""
    series = np.sin(np.linspace(0, 30, 400))[:, None]
    windows = causal_windows(series[:-1], 8)[7:]
    return windows, series[8:, 0]


@pytest.fixture
def noisy_logistic_map():
    """400 points of the logistic map at r = 3.9 with Gaussian noise of 0.05:
    a series the recurrent layers add to a linear autoregression clearly."""
    rng = np.random.RandomState(1)
    series = np.empty(400)
    series[0] = 0.3
    for t in range(1, len(series)):
        series[t] = 3.9 * series[t - 1] * (1 - series[t - 1])
    return series + 0.05 * rng.normal(size=len(series))


@pytest.fixture
def sin_cos_windows():
    """Two features in, the next value of both out."""
    x = np.linspace(0, 30, 400)
    series = np.c_[np.sin(x), np.cos(x)]
    windows = causal_windows(series[:-1], 8)[7:]
    return windows, series[8:]


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def tensorflow_log():
    """Messages TensorFlow logs through Python's logging during the test.

    TensorFlow's logger is named "tensorflow" and does not propagate, so
    pytest's caplog does not see it; a handler on it does, without importing
    TensorFlow here.
    """
    logger = logging.getLogger("tensorflow")
    handler = _Records()
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


@pytest.fixture
def trending_sine():
    """Makes a short sine with a slight trend on a framework's time index."""

    def make(index) -> pd.Series:
        t = np.arange(len(index))
        return pd.Series(np.sin(t * 0.4) + t * 0.02, index=index, name="y")

    return make
