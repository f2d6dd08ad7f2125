"""The ``signrules`` command line.

Each subcommand lives in its own module of this package and exposes
``add_parser(subparsers)``, which registers it and sets ``func`` to a function
taking the parsed arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from signrules.engine.cli.exit_codes import ExitCode
from signrules.engine.errors import SignrulesError

__all__ = ["ExitCode", "main"]

# Subcommand modules, in the order ``signrules --help`` lists them.
_SUBCOMMANDS = [
    "classify",
    "eval",
    "lint",
    "check",
    "descriptor",
    "exemplars",
    "calibrate",
    "train",
    "train_glyphs",
    "bench",
]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("signrules")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    """Create the argument parser with every available subcommand."""
    import importlib

    parser = argparse.ArgumentParser(
        prog="signrules",
        description="Classify traffic signs with attribute networks and editable rules.",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more (-v info, -vv debug)"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _SUBCOMMANDS:
        try:
            module = importlib.import_module(f"signrules.engine.cli.{name}_command")
        except ModuleNotFoundError as exc:
            # A subcommand module that is not written yet is simply absent.
            if exc.name != f"signrules.engine.cli.{name}_command":
                raise
            continue
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)

    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")

    try:
        return int(args.func(args))
    except SignrulesError as exc:
        # The same prefix as argparse's usage errors and the commands' own messages.
        print(f"signrules {args.command}: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    except KeyboardInterrupt:
        print("signrules: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # The reader of our output went away (as with `| head`); stop quietly
        # and keep Python from complaining again when it flushes stdout.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
