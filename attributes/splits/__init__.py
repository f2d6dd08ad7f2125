"""Fixed train/validation splits of GTSRB by track, stored as text files here.

``gtsrb_val_tracks.txt`` lists the validation tracks of the GTSRB training
set, one ``CLASS/TRACK`` per line (``00014/00003`` is track 3 of class 14),
with ``#`` comment lines. Every image of a listed track is validation data,
and every other image is training data. A track is one physical sign seen
about 30 times, so splitting by image would put near-duplicates on both
sides.

The file was made by ``choose_validation_tracks`` and is the reference. To
regenerate it from a GTSRB training folder::

    python -m signrules.attributes.splits /path/to/Final_Training
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from signrules.attributes.errors import DatasetError

__all__ = [
    "GTSRB_VAL_TRACKS_PATH",
    "MIN_VALIDATION_TRACKS",
    "SEED",
    "VALIDATION_FRACTION",
    "choose_validation_tracks",
    "read_track_list",
    "write_track_list",
]

#: The committed validation tracks of the GTSRB training set.
GTSRB_VAL_TRACKS_PATH = Path(__file__).with_name("gtsrb_val_tracks.txt")

#: Share of each class's tracks that goes to validation.
VALIDATION_FRACTION = 0.2

#: Minimum number of validation tracks per class, so that no class is judged on one sign.
MIN_VALIDATION_TRACKS = 2

#: Seed of the committed split.
SEED = 0

_LINE = re.compile(r"(\d{5})/(\d{5})")


def choose_validation_tracks(
    tracks_by_class: Mapping[int, Sequence[int]],
    *,
    fraction: float = VALIDATION_FRACTION,
    minimum: int = MIN_VALIDATION_TRACKS,
    seed: int = SEED,
) -> list[tuple[int, int]]:
    """Choose validation tracks per class and return them as sorted (class id, track) pairs.

    Each class gives round(fraction * its track count) tracks, at least
    ``minimum``, and always keeps one track for training. Each class draws
    from its own generator, so adding or removing a class does not change
    the choice in the others.
    """
    chosen = []
    for class_id in sorted(tracks_by_class):
        tracks = sorted(set(tracks_by_class[class_id]))
        if len(tracks) <= minimum:
            raise DatasetError(
                f"class {class_id} has {len(tracks)} tracks; at least {minimum + 1} are "
                f"needed for {minimum} validation tracks and one training track"
            )
        count = min(len(tracks) - 1, max(minimum, round(fraction * len(tracks))))

        # Sorting by random keys uses only Random.random(), whose sequence for
        # an integer seed Python keeps the same across versions. random.sample
        # has no such promise.
        generator = random.Random(seed * 1000 + class_id)
        keys = [generator.random() for _ in tracks]
        ranked = [track for _, track in sorted(zip(keys, tracks))]
        chosen.extend((class_id, track) for track in sorted(ranked[:count]))
    return chosen


def read_track_list(path: str | os.PathLike) -> list[tuple[int, int]]:
    """Read a ``CLASS/TRACK`` file into (class id, track) pairs.

    Raises DatasetError naming the line of an invalid or repeated entry.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise DatasetError(f"{path}: cannot read track list: {error.strerror}") from None

    pairs = []
    seen = set()
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            raise DatasetError(
                f'{path}:{number}: invalid entry "{line}"; expected CLASS/TRACK such as 00014/00003'
            )
        pair = (int(match.group(1)), int(match.group(2)))
        if pair in seen:
            raise DatasetError(f"{path}:{number}: track {line} is listed twice")
        seen.add(pair)
        pairs.append(pair)
    return pairs


def write_track_list(
    path: str | os.PathLike, pairs: Sequence[tuple[int, int]], *, header: str
) -> None:
    """Write (class id, track) pairs as ``CLASS/TRACK`` lines under a ``#`` header."""
    comment = [f"# {line}".rstrip() for line in header.splitlines()]
    entries = [f"{class_id:05d}/{track:05d}" for class_id, track in pairs]
    Path(path).write_text("\n".join([*comment, *entries]) + "\n", encoding="utf-8")
