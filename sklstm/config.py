"""Process-wide settings: how sklstm brings TensorFlow and Keras in.

TensorFlow is imported only when a network is built or used, never by
``import sklstm``. Its first import prints a dozen lines of C++ start-up log
on stderr (oneDNN, CUDA probing on a machine without a GPU, CPU features,
XLA) that say nothing about the user's work. Unless the user has set
``TF_CPP_MIN_LOG_LEVEL``, sklstm sets it to ``"3"`` (errors of TensorFlow's
C++ runtime are then hidden too) and discards what TensorFlow writes to
stderr while it loads, before its logging is set up. Python warnings, such as
sklstm's own about divergence or an interrupted fit, are not affected.

To see TensorFlow's log again, set ``TF_CPP_MIN_LOG_LEVEL`` yourself before
the first fit, for example to ``"0"`` (everything) or ``"1"`` (warnings and
errors); sklstm then leaves both the variable and stderr alone. Importing
TensorFlow yourself before sklstm does has the same effect.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

__all__ = ["load_keras", "load_tensorflow"]

LOG_LEVEL_VARIABLE = "TF_CPP_MIN_LOG_LEVEL"
QUIET_LOG_LEVEL = "3"
_IMPORT_LOCK = threading.Lock()


def load_tensorflow():
    """The ``tensorflow`` module, imported quietly if sklstm imports it first.

    Examples
    --------
    >>> from sklstm.config import load_tensorflow
    >>> load_tensorflow().constant(2.0).numpy()
    np.float32(2.0)
    """
    if "tensorflow" not in sys.modules:
        with _IMPORT_LOCK:
            if "tensorflow" not in sys.modules:
                _first_import()
    import tensorflow

    return tensorflow


def load_keras():
    """The ``keras`` module, after :func:`load_tensorflow`.

    Examples
    --------
    >>> from sklstm.config import load_keras
    >>> load_keras().backend.backend()
    'tensorflow'
    """
    load_tensorflow()
    import keras

    return keras


def _first_import() -> None:
    if LOG_LEVEL_VARIABLE in os.environ:
        import tensorflow

        return
    os.environ[LOG_LEVEL_VARIABLE] = QUIET_LOG_LEVEL
    with _stderr_discarded():
        import tensorflow  # noqa: F401


@contextlib.contextmanager
def _stderr_discarded():
    """Send file descriptor 2 to the null device for the duration.

    TensorFlow's native libraries write to the file descriptor, not to
    ``sys.stderr``, and before their log level is read; only the descriptor
    can quiet them. An exception raised inside still propagates, and Python
    prints it after the descriptor is restored.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no stderr to redirect (a detached process)
        yield
        return
    try:
        sys.stderr.flush()
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
