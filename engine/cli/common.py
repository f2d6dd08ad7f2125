"""Options and helpers shared by several subcommands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from signrules.engine.exemplar_files import IMAGE_SUFFIXES

# The names of signrules.attributes.inference.PRECISIONS, spelled out so
# that building the parser does not import torch; Classifier checks them.
_PRECISIONS = ("auto", "float32", "bfloat16")


def add_model_options(parser: argparse.ArgumentParser, *, threshold: bool = True, precision: bool = True) -> None:
    """Add --rules, --weights and the reader options, --threshold and --precision unless set False.

    Commands that store what the network computes (exemplars, calibration)
    leave out --precision and run in float32, so that the files they write
    do not depend on the CPU.
    """
    parser.add_argument("--rules", type=Path, default=None, metavar="DIR",
                        help="rule set folder with a ruleset.yaml (default: the shipped German set)")
    parser.add_argument("--weights", type=Path, default=None, metavar="FILE",
                        help="attribute-network weights (default: the shipped weights)")
    parser.add_argument("--glyphs", action="store_true",
                        help="also read numbers one digit at a time with the glyph reader: better on numbers "
                             "the network never saw, 3-4 ms slower per image that shows one")
    parser.add_argument("--glyph-weights", type=Path, default=None, metavar="FILE",
                        help="glyph-reader weights (default: the shipped ones); implies --glyphs")
    parser.add_argument("--glyph-pool-weight", type=unit_interval, default=None, metavar="W",
                        help="weight of the glyph reader's reading when pooled with the network's, 0 to 1 "
                             "(default 0.5). Higher values read numbers the network never saw more often, and "
                             "numbers it knows less often. Implies --glyphs.")
    parser.add_argument("--no-zoom", action="store_true",
                        help="do not try the centre of an image that no rule matches (by default its centre "
                             "80, 65 and 50 %% are tried in turn, for signs framed loosely)")
    if precision:
        parser.add_argument("--precision", choices=_PRECISIONS, default="auto",
                            help="what the network computes in: auto (default) uses bfloat16 where the CPU "
                                 "multiplies it natively, about twice as fast, and float32 elsewhere")
    if threshold:
        parser.add_argument("--threshold", type=float, default=None,
                            help="score from 0 to 1 below which an image is unknown (default: the rule set's)")


def load_classifier(args: argparse.Namespace):
    """Create the Classifier the options describe; errors propagate as SignrulesError."""
    from signrules.engine.classifier import Classifier

    return Classifier(args.rules, weights=args.weights, threshold=getattr(args, "threshold", None),
                      read_glyphs=args.glyphs, glyph_weights=args.glyph_weights,
                      glyph_pool_weight=args.glyph_pool_weight, zoom=not args.no_zoom,
                      precision=getattr(args, "precision", "float32"))


def unit_interval(text: str) -> float:
    """Parse a number from 0 to 1 for argparse."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}: expected a number from 0 to 1") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"invalid weight {value:g}: expected a number from 0 to 1")
    return value


def find_images(paths: list[str]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand files and folders (recursively) into image files, sorted per folder.

    Returns the images, and the path and a message for every path that
    does not exist.
    """
    images: list[Path] = []
    missing: list[tuple[str, str]] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            images.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES))
        elif path.is_file():
            images.append(path)
        else:
            missing.append((str(path), f"{path}: no such file or folder"))
    return images, missing


def show_progress(enabled: bool) -> bool:
    """Return whether to draw a progress bar: only when asked and stderr is a terminal."""
    return enabled and sys.stderr.isatty()
