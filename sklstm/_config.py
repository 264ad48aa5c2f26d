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

The compile cache
-----------------
Before its first step, a network's training and inference programs are
compiled by XLA, which costs about a second for the post's network and more
for larger ones, in every new process: every script run, notebook restart
and worker of a parallel search. sklstm keeps XLA's compiled programs on disk
(TensorFlow's persistent XLA cache), so a program compiled once on a machine
loads in the next process instead of compiling again; tracing the program,
a fraction of a second, is still paid per process. The folder is
``$XDG_CACHE_HOME/sklstm`` (``~/.cache/sklstm`` without it); the environment
variable ``SKLSTM_CACHE_DIR`` moves it, or turns it off when set to ``off``
(or ``0``, ``none``, or empty). Entries live in a sub-folder named after
TensorFlow's version and a fingerprint of the CPU's instruction set, so that
a program is never loaded by another version or on another kind of processor;
TensorFlow writes each entry to a temporary file and renames it into place, so
several processes can fill the folder at once. The folder can be deleted at
any time. Like the threads, the cache is set up when sklstm first starts
TensorFlow: if your own code runs TensorFlow first, or sets
``--tf_xla_persistent_cache_directory`` in ``TF_XLA_FLAGS`` itself, sklstm
leaves it as it is.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import sys
import threading
import warnings
from numbers import Integral
from pathlib import Path

__all__ = [
    "engine_setting",
    "get_config",
    "load_keras",
    "load_tensorflow",
    "set_config",
    "tensorflow_threads",
]

LOG_LEVEL_VARIABLE = "TF_CPP_MIN_LOG_LEVEL"
QUIET_LOG_LEVEL = "3"
THREADS_VARIABLE = "OMP_NUM_THREADS"
CACHE_VARIABLE = "SKLSTM_CACHE_DIR"
XLA_FLAGS_VARIABLE = "TF_XLA_FLAGS"
_CACHE_FLAG = "--tf_xla_persistent_cache_directory"
_CACHE_OFF = {"", "0", "off", "none", "false"}
_IMPORT_LOCK = threading.Lock()
ENGINES = ("auto", "xla", "graph")
_config: dict = {"n_threads": None, "engine": "auto"}
# The thread count applied to TensorFlow in this process (None: not yet).
_applied_threads: list = [None]
# The compile cache's folder in this process (None: off or not yet set up).
_cache_directory: list = [None]


def load_tensorflow():
    """The ``tensorflow`` module, imported quietly if sklstm imports it first.

    Examples
    --------
    >>> from sklstm._config import load_tensorflow
    >>> load_tensorflow().constant(2.0).numpy()
    np.float32(2.0)
    """
    if _applied_threads[0] is None:
        with _IMPORT_LOCK:
            if "tensorflow" not in sys.modules:
                _first_import()
            if _applied_threads[0] is None:
                tensorflow = sys.modules["tensorflow"]
                _enable_compile_cache(tensorflow.__version__)
                _apply_threads(tensorflow, explicit=False)
    import tensorflow

    return tensorflow


def load_keras():
    """The ``keras`` module, after :func:`load_tensorflow`.

    Examples
    --------
    >>> from sklstm._config import load_keras
    >>> load_keras().backend.backend()
    'tensorflow'
    """
    load_tensorflow()
    import keras

    return keras


class _Unchanged:
    """The default of :func:`set_config`'s parameters: keep the current value."""

    def __repr__(self) -> str:
        return "<unchanged>"


_UNCHANGED = _Unchanged()


def set_config(
    *,
    n_threads: int | _Unchanged | None = _UNCHANGED,
    engine: str | _Unchanged = _UNCHANGED,
) -> None:
    """Set how TensorFlow runs sklstm's networks: threads and engine.

    A parameter not given keeps its current value. TensorFlow fixes its thread
    pools the first time it runs anything in a process: give ``n_threads``
    before the first fit or prediction (or before your own first TensorFlow
    operation). Given later with a different number, it raises and changes
    nothing. ``engine`` may change at any time; networks use it from their
    next compiled call (of a hundred training steps, or of a prediction).

    Parameters
    ----------
    n_threads : int or None
        Threads of each of TensorFlow's two pools (within an operation and
        between operations). ``None``, the initial value, reads
        ``OMP_NUM_THREADS`` when it is set (joblib's process workers set it to
        ``cores // n_jobs``, Dask's worker processes to 1), so that parallel
        fits do not put more busy threads on the machine than it has cores;
        without it TensorFlow uses every core.
    engine : {"auto", "xla", "graph"}
        How training and inference programs run. ``"xla"`` compiles each
        call, its loop over a hundred steps included, into one XLA program:
        fastest for small networks, whose steps cost little arithmetic.
        ``"graph"`` runs the loop as a TensorFlow graph: on a CPU each batch
        is split into shards computed at once on different cores (the
        shards' gradients summed), on a GPU Keras's cuDNN kernels run the
        LSTM and GRU layers. ``"auto"``, the initial value, chooses per
        network from the arithmetic of a batch, the cores and the device
        (see the Speed page of the user guide). The engine changes the order
        of floating-point sums, so fits on different engines agree to
        rounding, not bit for bit.

    Raises
    ------
    RuntimeError
        If TensorFlow already runs in this process with another number of
        threads.

    See Also
    --------
    get_config : The current settings and what TensorFlow runs with.

    Examples
    --------
    >>> import sklstm
    >>> sklstm.set_config(engine="auto")
    >>> sklstm.get_config()["engine"]
    'auto'
    """
    positive_int = (
        isinstance(n_threads, Integral)
        and not isinstance(n_threads, bool)
        and n_threads > 0
    )
    if not (positive_int or n_threads is None or n_threads is _UNCHANGED):
        raise ValueError(
            f"n_threads must be a positive int or None; got {n_threads!r}."
        )
    if positive_int:
        n_threads = int(n_threads)
    if engine is not _UNCHANGED and (
        not isinstance(engine, str) or engine not in ENGINES
    ):
        raise ValueError(f"engine must be one of {list(ENGINES)}; got {engine!r}.")
    with _IMPORT_LOCK:
        if n_threads is not _UNCHANGED:
            previous = _config["n_threads"]
            _config["n_threads"] = n_threads
            if _applied_threads[0] is not None:
                try:
                    # None asks for the default, which never overrides pools
                    # TensorFlow has already fixed.
                    _apply_threads(
                        sys.modules["tensorflow"], explicit=n_threads is not None
                    )
                except BaseException:
                    _config["n_threads"] = previous
                    raise
        if engine is not _UNCHANGED:
            _config["engine"] = engine


def get_config() -> dict:
    """sklstm's process-wide settings and the thread pools TensorFlow runs with.

    Returns
    -------
    config : dict
        ``"n_threads"`` and ``"engine"``: the values given to
        :func:`set_config`;
        ``"tensorflow_threads"``: the size of TensorFlow's pool within an
        operation once sklstm has started TensorFlow (0 means every core),
        else None; ``"compile_cache"``: the folder of compiled programs once
        sklstm has started TensorFlow (its own, or one set in
        ``TF_XLA_FLAGS``), None when it is off (see ``SKLSTM_CACHE_DIR``
        above) or not yet set up.

    Examples
    --------
    >>> import sklstm
    >>> sorted(sklstm.get_config())
    ['compile_cache', 'engine', 'n_threads', 'tensorflow_threads']
    """
    return {
        "n_threads": _config["n_threads"],
        "engine": _config["engine"],
        "tensorflow_threads": _applied_threads[0],
        "compile_cache": _cache_directory[0],
    }


def engine_setting() -> str:
    """The ``engine`` of :func:`set_config`."""
    return _config["engine"]


def tensorflow_threads() -> int | None:
    """Threads of TensorFlow's pool within an operation.

    0 means every core; None that sklstm has not started TensorFlow yet.
    """
    return _applied_threads[0]


def compile_cache_directory(tensorflow_version: str) -> Path | None:
    """The folder of compiled programs for this TensorFlow and CPU, or None if off.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> from sklstm._config import compile_cache_directory
    >>> with mock.patch.dict(os.environ, {"SKLSTM_CACHE_DIR": "/tmp/cache"}):
    ...     compile_cache_directory("2.21.0").parent.as_posix()
    '/tmp/cache/xla'
    >>> with mock.patch.dict(os.environ, {"SKLSTM_CACHE_DIR": "off"}):
    ...     compile_cache_directory("2.21.0") is None
    True
    """
    value = os.environ.get(CACHE_VARIABLE)
    if value is not None and value.strip().lower() in _CACHE_OFF:
        return None
    if value:
        base = Path(value).expanduser()
    else:
        home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        base = Path(home) / "sklstm"
    return base / "xla" / f"tensorflow-{tensorflow_version}-{_cpu_fingerprint()}"


def _cpu_fingerprint() -> str:
    """A short hash of the processor's architecture and instruction-set flags.

    XLA compiles for the instructions of the CPU it runs on (AVX-512, say): a
    program compiled on one processor may not run on another.
    """
    description = platform.machine() + platform.processor()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith(("flags", "Features", "model name")):
                    description += line
                if line.strip() == "":  # the first processor is enough
                    break
    except OSError:
        pass
    return hashlib.sha256(description.encode()).hexdigest()[:12]


def _enable_compile_cache(tensorflow_version: str) -> None:
    """Point XLA's persistent cache at sklstm's folder, unless the user chose."""
    flags = os.environ.get(XLA_FLAGS_VARIABLE, "")
    if _CACHE_FLAG in flags:
        # The user's own folder, or ours inherited from a parent process.
        for flag in flags.split():
            if flag.startswith(_CACHE_FLAG + "="):
                _cache_directory[0] = flag.split("=", 1)[1]
        return
    directory = compile_cache_directory(tensorflow_version)
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        warnings.warn(
            f"sklstm could not create its compile cache in {directory} ({error}); "
            "every new process compiles its networks again. Set "
            f"{CACHE_VARIABLE} to a writable folder, or to 'off'.",
            RuntimeWarning,
            stacklevel=4,
        )
        return
    # TensorFlow reads these flags when it first compiles, not when imported.
    os.environ[XLA_FLAGS_VARIABLE] = f"{flags} {_CACHE_FLAG}={directory}".strip()
    _cache_directory[0] = str(directory)


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
