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

Threads
-------
TensorFlow sizes its two thread pools (one for the work inside an operation,
one for independent operations) when it first runs something, and keeps them
for the life of the process. By default it uses every core, which is right for
one fit and wrong for several at once: a grid search with ``n_jobs=2``, or two
Dask workers, would each run as many busy threads as the machine has cores.
:func:`set_config` chooses the number; ``n_threads=None`` (the default) takes
it from ``OMP_NUM_THREADS`` when that is set, which is what joblib's process
workers (``cores // n_jobs``) and Dask's worker processes (1) set, and
otherwise leaves TensorFlow's own choice of every core.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

__all__ = ["get_config", "load_keras", "load_tensorflow", "set_config"]

LOG_LEVEL_VARIABLE = "TF_CPP_MIN_LOG_LEVEL"
QUIET_LOG_LEVEL = "3"
THREADS_VARIABLE = "OMP_NUM_THREADS"
_IMPORT_LOCK = threading.Lock()
_config: dict = {"n_threads": None}
# The thread count applied to TensorFlow in this process (None: not yet).
_applied_threads: list = [None]


def load_tensorflow():
    """The ``tensorflow`` module, imported quietly if sklstm imports it first.

    Examples
    --------
    >>> from sklstm.config import load_tensorflow
    >>> load_tensorflow().constant(2.0).numpy()
    np.float32(2.0)
    """
    if _applied_threads[0] is None:
        with _IMPORT_LOCK:
            if "tensorflow" not in sys.modules:
                _first_import()
            if _applied_threads[0] is None:
                _apply_threads(sys.modules["tensorflow"], explicit=False)
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


def set_config(*, n_threads: int | None = None) -> None:
    """Set how many threads TensorFlow runs sklstm's networks with.

    TensorFlow fixes its thread pools the first time it runs anything in a
    process: call this before the first fit or prediction (or before your own
    first TensorFlow operation). Called later with a different number, it
    raises and changes nothing.

    Parameters
    ----------
    n_threads : int or None, default=None
        Threads of each of TensorFlow's two pools (within an operation and
        between operations). ``None`` reads ``OMP_NUM_THREADS`` when it is set
        (joblib's process workers set it to ``cores // n_jobs``, Dask's worker
        processes to 1), so that parallel fits do not put more busy threads on
        the machine than it has cores; without it TensorFlow uses every core.

    Raises
    ------
    RuntimeError
        If TensorFlow already runs in this process with another number of
        threads.

    See Also
    --------
    get_config : The current setting and what TensorFlow runs with.

    Examples
    --------
    >>> import sklstm
    >>> sklstm.set_config(n_threads=None)
    >>> sklstm.get_config()["n_threads"] is None
    True
    """
    if n_threads is not None and (
        isinstance(n_threads, bool) or not isinstance(n_threads, int) or n_threads < 1
    ):
        raise ValueError(
            f"n_threads must be a positive int or None; got {n_threads!r}."
        )
    with _IMPORT_LOCK:
        previous = _config["n_threads"]
        _config["n_threads"] = n_threads
        if _applied_threads[0] is not None:
            try:
                _apply_threads(sys.modules["tensorflow"], explicit=True)
            except BaseException:
                _config["n_threads"] = previous
                raise


def get_config() -> dict:
    """sklstm's process-wide settings and the thread pools TensorFlow runs with.

    Returns
    -------
    config : dict
        ``"n_threads"``: the value given to :func:`set_config`;
        ``"tensorflow_threads"``: the size of TensorFlow's pool within an
        operation once sklstm has started TensorFlow (0 means every core),
        else None.

    Examples
    --------
    >>> import sklstm
    >>> sorted(sklstm.get_config())
    ['n_threads', 'tensorflow_threads']
    """
    threads = _applied_threads[0]
    return {"n_threads": _config["n_threads"], "tensorflow_threads": threads}


def _wanted_threads() -> int | None:
    if _config["n_threads"] is not None:
        return _config["n_threads"]
    value = os.environ.get(THREADS_VARIABLE, "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def _apply_threads(tf, *, explicit: bool) -> None:
    """Size TensorFlow's pools as configured; ``explicit``: raise if too late."""
    wanted = _wanted_threads()
    threading_ = tf.config.threading
    if wanted is not None:
        current = threading_.get_intra_op_parallelism_threads()
        try:
            threading_.set_intra_op_parallelism_threads(wanted)
            threading_.set_inter_op_parallelism_threads(wanted)
        except RuntimeError:
            if explicit and current != wanted:
                pools = f"{current} threads" if current else "every core"
                raise RuntimeError(
                    f"set_config(n_threads={wanted}) comes too late: TensorFlow "
                    "has already run in this process, and its thread pools "
                    f"({pools}) are fixed at its first operation. Call "
                    "sklstm.set_config before the first fit, "
                    "or set OMP_NUM_THREADS before the process starts."
                ) from None
    _applied_threads[0] = threading_.get_intra_op_parallelism_threads()


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
