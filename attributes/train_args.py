"""Command-line options of training, kept apart from the training code so
that building the ``signrules`` parser does not import torch."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["DEFAULT_GTSRB", "get_args_parser"]

#: GTSRB training folder as seen from a checkout next to the shared data.
DEFAULT_GTSRB = Path("../shared/data/gtsrb/Final_Training")


def get_args_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """Add the training options to ``parser`` (or a new one) and return it."""
    parser = parser or argparse.ArgumentParser(description="Train the signrules attribute network")
    parser.add_argument("--data", type=Path, default=DEFAULT_GTSRB,
                        help="GTSRB Final_Training folder (default: %(default)s, relative to the working folder)")
    parser.add_argument("--output-dir", type=Path, default=Path("runs/attributes"),
                        help="folder for the checkpoint, metrics and log (default: %(default)s)")
    parser.add_argument("--export", type=Path, default=None,
                        help="write the final weights file here, e.g. attributes/weights/attributes.pt")
    parser.add_argument("--model", choices=["attributes", "plain"], default="attributes",
                        help="attribute network, or the plain 43-way softmax baseline")
    parser.add_argument("--exclude-classes", default="",
                        help="comma-separated GTSRB class ids left out of training entirely")
    parser.add_argument("--few-shot-classes", default="",
                        help="comma-separated GTSRB class ids of which only --shots training images are kept "
                        "(oversampled to a typical class size), to measure retraining with few examples")
    parser.add_argument("--shots", type=int, default=1, help="training images kept per few-shot class (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="passes over the real training images (default 14, or 1 with --quick)")
    parser.add_argument("--batch-size", type=int, default=256,
                        help="images per step; half real, half synthetic for the attribute network "
                        "(default: %(default)s)")
    parser.add_argument("--lr", type=float, default=3e-3, help="peak learning rate of AdamW (default: %(default)s)")
    parser.add_argument("--weight-decay", type=float, default=5e-4, help="AdamW weight decay (default: %(default)s)")
    parser.add_argument("--synthetic", type=int, default=100_000,
                        help="number of synthetic signs rendered (and cached) for training (default: %(default)s)")
    parser.add_argument("--digit-swaps", type=int, default=60_000,
                        help="real speed-limit crops with their digits replaced by other numbers, "
                        "added to the synthetic pool (default: %(default)s; 0 turns them off)")
    parser.add_argument("--transplant", type=float, default=0.0, metavar="SHARE",
                        help="share of digit swaps whose number is set from printed digits cut out of "
                             "other real crops instead of drawn in a font, from 0 to 1 (default: 0)")
    parser.add_argument("--derive-digits", action=argparse.BooleanOptionalAction, default=False,
                        help="with --transplant, also set numbers from printed 6s and 9s made from other "
                             "printed digits (an 8 with its upper loop opened, a 6 turned half a turn) "
                             "when the training crops print none (default: off)")
    parser.add_argument("--blank-plates", type=float, default=0.0, metavar="SHARE",
                        help="share of digit swaps left as the erased plate with no number, labelled "
                             "as showing no digits, from 0 to 1 (default: 0)")
    parser.add_argument("--descriptor", action=argparse.BooleanOptionalAction, default=True,
                        help="fit the pictogram descriptor that matches exemplar images on the real training "
                             "images and store it with --export (default: on)")
    parser.add_argument("--ignore-real-digits", type=float, default=0.0, metavar="FRACTION",
                        help="fraction of the real training images that show digits or text whose "
                        "string labels are ignored, so that the string heads learn to read from "
                        "synthetic signs and swaps rather than recognise real plates (default: 0)")
    parser.add_argument("--synthetic-ratio", type=float, default=1.0,
                        help="synthetic images per real image in each epoch (default: %(default)s)")
    parser.add_argument("--augment-strength", type=float, default=1.0,
                        help="scale of geometric and photometric augmentation; 0 turns it off (default: %(default)s)")
    parser.add_argument("--min-scale", type=float, default=0.8, metavar="ZOOM",
                        help="smallest zoom of the content by augmentation, at augment strength 1; lower "
                        "values teach signs framed more loosely than GTSRB frames them (default: %(default)s)")
    parser.add_argument("--exposure", type=float, default=0.0, metavar="PROBABILITY",
                        help="probability that augmentation over- or underexposes a training image, "
                        "at augment strength 1 (default: 0)")
    parser.add_argument("--stains", type=float, default=0.0, metavar="PROBABILITY",
                        help="probability that augmentation stains a training image with dirt "
                        "(default: 0)")
    parser.add_argument("--occlusion", type=float, default=0.0, metavar="PROBABILITY",
                        help="probability that augmentation puts a bar across the edge of a training "
                        "image (default: 0)")
    parser.add_argument("--washout", type=float, default=0.0, metavar="PROBABILITY",
                        help="probability that augmentation washes out a training image's colours, as the "
                        "sun does, at augment strength 1; the labels of those images' colour attributes "
                        "(colour: true in the schema: fill and border) are not used (default: 0)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random choice in the run (default: %(default)s)")
    parser.add_argument("--string-reader", action=argparse.BooleanOptionalAction, default=True,
                        help="read digits and text with their own branch on the 1/4-resolution feature "
                             "map (attribute network only; default: on)")
    parser.add_argument("--column-reader", action=argparse.BooleanOptionalAction, default=False,
                        help="read each string position with one symbol classifier shared by all "
                             "positions, attending to the columns of the string branch; needs the "
                             "string reader, and the shipped weights do not use it (default: off)")
    parser.add_argument("--workers", type=int, default=2, help="processes that render synthetic signs (default: %(default)s)")
    parser.add_argument("--resume", action="store_true", help="continue from output-dir/checkpoint.pt")
    parser.add_argument("--stop-after", type=int, default=None, metavar="EPOCHS",
                        help="stop after this many epochs, keeping the schedule of --epochs; "
                        "continue later with --resume")
    parser.add_argument("--quick", action="store_true",
                        help="a tiny run (3,000 real and 3,000 synthetic images, one epoch) for smoke checks")
    parser.add_argument("--max-images", type=int, default=None,
                        help="use at most this many real training images (and as many synthetic ones)")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    return parser
