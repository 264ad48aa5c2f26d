"""Shared fixtures: small seeded series and windows."""

import os

# TensorFlow's C++ start-up chatter hides test output; set before TF loads.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest

from sklstm.window import causal_windows


@pytest.fixture
def sine_windows():
    """Windows of 8 steps over a sine wave and the next value of each."""
    series = np.sin(np.linspace(0, 30, 400))[:, None]
    windows = causal_windows(series[:-1], 8)[7:]
    return windows, series[8:, 0]


@pytest.fixture
def sin_cos_windows():
    """Two features in, the next value of both out."""
    x = np.linspace(0, 30, 400)
    series = np.c_[np.sin(x), np.cos(x)]
    windows = causal_windows(series[:-1], 8)[7:]
    return windows, series[8:]
