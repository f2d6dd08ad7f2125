"""``signrules train``: train the attribute network or the plain baseline."""

from __future__ import annotations

import argparse
import logging
import sys

from signrules.engine.cli.exit_codes import ExitCode


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from signrules.attributes.train_args import get_args_parser

    parser = subparsers.add_parser(
        "train",
        help="train the attribute network on GTSRB and synthetic signs",
        description="Train the attribute network (or the plain softmax baseline). "
        "Writes a resumable checkpoint and metrics.jsonl to --output-dir after every epoch.",
    )
    get_args_parser(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from signrules.attributes.train import main

    # Training reports per-epoch figures at INFO level even without -v:
    # a run of an hour with no output looks hung.
    logging.getLogger("signrules.attributes").setLevel(logging.INFO)
    if args.output_dir.exists() and not args.resume and (args.output_dir / "checkpoint.pt").exists():
        logging.getLogger(__name__).warning(
            "%s already has a checkpoint; starting over (pass --resume to continue it)", args.output_dir
        )
    try:
        main(args)
    except ValueError as exc:
        print(f"signrules train: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    return ExitCode.OK
