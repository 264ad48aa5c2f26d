"""The ``sklstm`` command line."""

from __future__ import annotations

import argparse
import sys

from . import __version__

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sklstm`` command."""
    parser = argparse.ArgumentParser(
        prog="sklstm",
        description="LSTM sequence regression as scikit-learn estimators.",
    )
    parser.add_argument("--version", action="version", version=f"sklstm {__version__}")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``sklstm`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
