"""Options and image choice shared by the benchmarks that classify degraded validation images.

``framing.py`` and ``faded_colours.py`` both change every chosen image and
classify it with the shipped classifier or the one given by ``--rules`` and
``--weights``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from signrules.attributes.gtsrb import GTSRBData, split_by_track
from signrules.attributes.inference import PRECISIONS


def add_classifier_options(parser: argparse.ArgumentParser, every: int) -> None:
    """Add --every (default ``every``), --rules, --weights, --precision and --json."""
    parser.add_argument("--every", type=int, default=every,
                        help=f"take every N-th validation image (default {every})")
    parser.add_argument("--rules", type=Path, default=None,
                        help="rule set folder (default: the shipped German set)")
    parser.add_argument("--weights", type=Path, default=None,
                        help="attribute-network weights (default: the shipped ones)")
    parser.add_argument("--precision", choices=PRECISIONS, default="auto",
                        help="what the network computes in (default auto: bfloat16 where the CPU has it natively)")
    parser.add_argument("--json", action="store_true", help="write the figures as JSON")


def chosen_images(data: GTSRBData, every: int) -> np.ndarray:
    """Return the indices of every ``every``-th validation image; a test folder has no tracks, so all count."""
    has_tracks = bool((data.track_ids >= 0).all())
    return (split_by_track(data)[1] if has_tracks else np.arange(len(data)))[::every]
