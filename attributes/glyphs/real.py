"""Glyph patches cut from real GTSRB crops, labelled by their class's number.

A crop's class gives its number, so every digit the legend fit finds is a
labelled printed glyph. Only plates without a strike count: the bars of an
"end of" sign cross its digits. Some digits no kept class shows: a 6 when
speed limit 60 is held out, and a 9 always. Those are derived from
printed ones, as ``glyph_transplant.derive_digits`` does for whole plates.
A 6 is an 8 with the right side of its upper loop open, and a 9 is a 6
turned half a turn.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import numpy as np

from signrules.attributes.glyphs.cutting import GLYPH_HEIGHT, GLYPH_WIDTH, LEGEND_ROWS, cut_glyphs, locate_legend
from signrules.attributes.gtsrb import GTSRBData, class_attributes
from signrules.attributes.synth.glyph_transplant import open_upper_loop as open_cell_loop

__all__ = ["RealGlyphs", "derive_missing", "number_classes", "real_glyphs"]

log = logging.getLogger(__name__)

class RealGlyphs:
    """Patches (M, H, W), their digits (M,), and the index of the crop each came from (M,)."""

    def __init__(self, patches: np.ndarray, digits: np.ndarray, crops: np.ndarray, found: np.ndarray) -> None:
        self.patches = patches
        self.digits = digits
        self.crops = crops
        #: Per crop: whether its legend was found.
        self.found = found


def number_classes(table: dict[int, dict] | None = None) -> dict[int, str]:
    """Return the number shown by each GTSRB class whose plate has digits and no strike."""
    table = class_attributes() if table is None else table
    return {class_id: entry["digits"] for class_id, entry in table.items()
            if entry["digits"] and entry["strike"] == "none"}


def real_glyphs(data: GTSRBData, classes: Iterable[int] | None = None) -> RealGlyphs:
    """Cut the digits of every crop in ``data`` whose class shows a number (all such classes, or ``classes``)."""
    numbers = number_classes()
    kept = set(numbers) if classes is None else set(classes) & set(numbers)
    patches, digits, crops = [], [], []
    found = np.zeros(len(data), dtype=bool)
    for index, (image, class_id) in enumerate(zip(data.images, data.class_ids)):
        number = numbers.get(int(class_id))
        if int(class_id) not in kept or number is None:
            continue
        fit = locate_legend(image, len(number))
        if fit is None:
            continue
        found[index] = True
        patches.append(cut_glyphs(image, fit, len(number)))
        digits.extend(int(digit) for digit in number)
        crops.extend([index] * len(number))
    log.info("cut %d glyphs from %d of %d crops with numbers", len(digits), int(found.sum()),
             sum(int(c) in kept for c in data.class_ids))
    if not patches:
        empty = np.zeros((0, GLYPH_HEIGHT, GLYPH_WIDTH), np.float32)
        return RealGlyphs(empty, np.zeros(0, np.int64), np.zeros(0, np.int64), found)
    return RealGlyphs(np.concatenate(patches), np.asarray(digits, np.int64), np.asarray(crops, np.int64), found)


def open_upper_loop(patch: np.ndarray) -> np.ndarray:
    """Return an 8's patch with the right side of its upper loop removed: a 6.

    The opening is placed within the legend's rows as on a cell of a whole
    plate (``glyph_transplant.open_upper_loop``).
    """
    opened = patch.copy()
    top, bottom = LEGEND_ROWS
    opened[top:bottom] = open_cell_loop(patch[top:bottom])
    return opened


def derive_missing(patches: np.ndarray, digits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return printed 6s and 9s derived from printed 8s (or 6s) for each of the two that ``digits`` lacks."""
    present = set(np.unique(digits).tolist())
    sixes = patches[digits == 6]
    derived, labels = [], []
    if 6 not in present and 8 in present:
        sixes = np.stack([open_upper_loop(patch) for patch in patches[digits == 8]])
        derived.append(sixes)
        labels.append(np.full(len(sixes), 6))
    if 9 not in present and len(sixes):
        derived.append(np.ascontiguousarray(sixes[:, ::-1, ::-1]))
        labels.append(np.full(len(sixes), 9))
    if not derived:
        return np.zeros((0, *patches.shape[1:]), np.float32), np.zeros(0, np.int64)
    return np.concatenate(derived), np.concatenate(labels).astype(np.int64)
