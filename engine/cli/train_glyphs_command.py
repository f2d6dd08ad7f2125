"""``signrules train-glyphs``: train the network that reads a number one digit at a time."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from signrules.engine.cli.exit_codes import ExitCode

_DEFAULT_DATA = Path("../shared/data/gtsrb/Final_Training")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train-glyphs",
        help="train the glyph reader on printed and drawn digits",
        description="Train the glyph network: it names each digit of a speed-limit legend, cut out of the crop. "
        "Printed digits come from the GTSRB training tracks, drawn ones from the bundled faces. "
        "Cut and drawn patches are cached under $SIGNRULES_CACHE, or ~/.cache/signrules when that is unset "
        "(about 330 MB with the defaults), so a second run starts training at once.",
    )
    parser.add_argument("--data", type=Path, default=_DEFAULT_DATA,
                        help="GTSRB Final_Training folder (default: %(default)s, relative to the working folder)")
    parser.add_argument("--output", type=Path, default=Path("runs/glyphs/glyphs.pt"),
                        help="weights file to write (default: %(default)s)")
    parser.add_argument("--exclude-classes", default="",
                        help="comma-separated GTSRB class ids whose printed digits are left out")
    parser.add_argument("--epochs", type=int, default=4, help="passes over the patches (default: %(default)s)")
    parser.add_argument("--synthetic", type=int, default=40_000,
                        help="numbers drawn in the bundled faces (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=256, help="patches per step (default: %(default)s)")
    parser.add_argument("--lr", type=float, default=3e-3, help="peak learning rate of AdamW (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random choice (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=2,
                        help="processes that cut and draw patches (default: %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help="cut only 600 training and 600 validation crops and draw at most 2,000 numbers, "
                             "for a smoke test")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from signrules.attributes.glyphs.training import main
    from signrules.attributes.train import parse_class_list

    logging.getLogger("signrules.attributes").setLevel(logging.INFO)
    try:
        args.exclude_classes = parse_class_list(args.exclude_classes)
        for name in ("epochs", "batch_size", "workers"):
            if getattr(args, name) < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
        if args.synthetic < 0:
            raise ValueError(f"--synthetic must be zero or more, got {args.synthetic}")
        if args.lr <= 0:
            raise ValueError(f"--lr must be above 0, got {args.lr}")
        if args.quick:
            args.synthetic = min(args.synthetic, 2000)
        if args.output.is_dir():
            raise ValueError(f"--output {args.output} is a folder; give a file name such as {args.output / 'glyphs.pt'}")
        try:
            args.output.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"cannot create the folder of --output {args.output}: {exc.strerror}") from None
        main(args)
    except ValueError as exc:
        print(f"signrules train-glyphs: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    return ExitCode.OK
