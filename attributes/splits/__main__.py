"""Regenerate gtsrb_val_tracks.txt from a GTSRB training folder.

python -m signrules.attributes.splits /path/to/Final_Training [--output FILE]
"""

from __future__ import annotations

import argparse
import collections
import sys
from collections.abc import Sequence

from signrules.attributes.errors import SignrulesError
from signrules.attributes.gtsrb import TRACK_ID_FACTOR, read_annotations
from signrules.attributes.splits import (
    GTSRB_VAL_TRACKS_PATH,
    MIN_VALIDATION_TRACKS,
    SEED,
    VALIDATION_FRACTION,
    choose_validation_tracks,
    write_track_list,
)

_HEADER = """\
Validation tracks of the GTSRB training set, one CLASS/TRACK per line.
00014/00003 is track 3 of class 14. Every image of a listed track is
validation data, and every other image of the training set is training data.
Chosen per class by choose_validation_tracks in signrules.attributes.splits
(fraction {fraction}, at least {minimum} per class, seed {seed}).
Regenerate with: python -m signrules.attributes.splits /path/to/Final_Training
Validation: {val_tracks} tracks, {val_images} images.
Training: {train_tracks} tracks, {train_images} images."""


def main(argv: Sequence[str] | None = None) -> int:
    """Choose the validation tracks, write the file and print the counts."""
    parser = argparse.ArgumentParser(prog="python -m signrules.attributes.splits")
    parser.add_argument("root", help="GTSRB training folder (Final_Training or its Images)")
    parser.add_argument(
        "--output", default=str(GTSRB_VAL_TRACKS_PATH), help="file to write (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=SEED, help="seed (default: %(default)s)")
    args = parser.parse_args(argv)

    try:
        annotations = read_annotations(args.root)
    except SignrulesError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    images_per_track = collections.Counter(a.track_id for a in annotations)
    if -1 in images_per_track:
        print(f"error: {args.root} is a test folder, which has no tracks", file=sys.stderr)
        return 2

    tracks_by_class = collections.defaultdict(list)
    for track_id in images_per_track:
        tracks_by_class[track_id // TRACK_ID_FACTOR].append(track_id % TRACK_ID_FACTOR)

    pairs = choose_validation_tracks(tracks_by_class, seed=args.seed)
    validation = {class_id * TRACK_ID_FACTOR + track for class_id, track in pairs}
    val_images = sum(images_per_track[t] for t in validation)

    header = _HEADER.format(
        fraction=VALIDATION_FRACTION,
        minimum=MIN_VALIDATION_TRACKS,
        seed=args.seed,
        val_tracks=len(validation),
        val_images=val_images,
        train_tracks=len(images_per_track) - len(validation),
        train_images=len(annotations) - val_images,
    )
    write_track_list(args.output, pairs, header=header)
    print(f"wrote {args.output}\n" + header)
    return 0


if __name__ == "__main__":
    sys.exit(main())
