"""The ``sklstm`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ._version import __version__
from .datasets import TASKS

__all__ = ["main"]


def _build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sklstm`` command."""
    parser = argparse.ArgumentParser(
        prog="sklstm",
        description=(
            "Recurrent networks (LSTM, GRU) as scikit-learn estimators: regress, "
            "classify and forecast sequences and time series."
        ),
    )
    parser.add_argument("--version", action="version", version=f"sklstm {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_reproduce(subparsers)
    return parser


def _seed(text: str) -> int:
    """A seed for ``--seeds``: an integer NumPy accepts as a random state."""
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid seed {text!r}: seeds are integers such as 0 1 2"
        ) from None
    if not 0 <= seed < 2**32:
        raise argparse.ArgumentTypeError(
            f"invalid seed {seed}: seeds lie between 0 and 2**32 - 1"
        )
    return seed


# What a reproduction writes into --out (see sklstm._results.write_results).
_RESULT_FILES = ("results.json", "results.md", *(f"{task}.png" for task in TASKS))


def _out_dir(text: str) -> Path:
    """A directory for results: new, or an existing directory (not a file)."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text!r} exists and is not a directory; give a directory to write "
            "the results into"
        )
    # Checked now, not after the fits: the nearest folder that exists must be
    # one the results can be written under.
    existing = next(parent for parent in (path, *path.parents) if parent.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(
            f"{text!r} cannot be created: {str(existing)!r} is not a directory "
            "this user can write into"
        )
    taken = [name for name in _RESULT_FILES if (path / name).is_dir()]
    if taken:
        raise argparse.ArgumentTypeError(
            f"{str(path / taken[0])!r} is a directory, where a result file goes"
        )
    return path


class _UniqueSeeds(argparse.Action):
    # The same seed twice would fit the same model twice and weigh it double
    # in the medians: refuse it rather than run it.
    def __call__(self, parser, namespace, values, option_string=None):
        repeated = sorted({seed for seed in values if values.count(seed) > 1})
        if repeated:
            parser.error(f"argument --seeds: seed(s) {repeated} given more than once")
        setattr(namespace, self.dest, values)


def _add_reproduce(subparsers) -> None:
    reproduce = subparsers.add_parser(
        "reproduce",
        help="run the 2016 post's three experiments against today's models",
        description=(
            "Predict the next value of sin(x), of sin(x) and cos(x), and of "
            "x*sin(x) (x = linspace(0, 100, 10000), the post's split, windows "
            "of 10 time steps) with the post's LSTM configuration, the "
            "package's LSTMRegressor defaults, persistence, LinearRegression "
            "and MLPRegressor. Prints a progress line per fit and a table; "
            "writes results.json, results.md and one PNG per task."
        ),
    )
    reproduce.add_argument(
        "--out",
        type=_out_dir,
        default=Path("sklstm-results"),
        metavar="DIR",
        help="directory for the results (default: %(default)s)",
    )
    reproduce.add_argument(
        "--seeds",
        type=_seed,
        nargs="+",
        action=_UniqueSeeds,
        default=None,
        metavar="SEED",
        help=(
            "seeds of the seeded methods (default: 0 1 2, or 0 with --quick); "
            "the post's configuration, the slowest fit, runs for the first only"
        ),
    )
    reproduce.add_argument(
        "--quick",
        action="store_true",
        help=(
            "a tiny run (2,000 points, 200 training steps) that checks that "
            "everything works; its figures say nothing about the methods"
        ),
    )
    reproduce.set_defaults(run=_run_reproduce)


def _run_reproduce(args: argparse.Namespace) -> int:
    # TensorFlow's start-up log is kept quiet by sklstm._config.
    from ._reproduce import run_reproduction

    run_reproduction(args.out, seeds=args.seeds, quick=args.quick)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the ``sklstm`` command; returns the exit status.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments after ``sklstm``; None reads them from ``sys.argv``.

    Returns
    -------
    status : int
        0 on success. ``--help``, ``--version`` and invalid arguments exit
        through ``SystemExit``, as argparse does.

    Examples
    --------
    >>> from sklstm.cli import main
    >>> try:  # doctest: +ELLIPSIS
    ...     main(["--version"])
    ... except SystemExit as done:
    ...     print("exit status", done.code)
    sklstm ...
    exit status 0
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except OSError as error:
        # Writing the results failed (a disk full, a folder that vanished):
        # a line that says so, not a traceback.
        print(f"sklstm {args.command}: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
