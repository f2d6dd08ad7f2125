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
from scipy.ndimage import gaussian_filter

from signrules.attributes.glyphs.cutting import GLYPH_HEIGHT, GLYPH_WIDTH, LEGEND_ROWS, cut_glyphs, locate_legend
from signrules.attributes.gtsrb import GTSRBData, class_attributes
from signrules.attributes.synth.glyph_transplant import OPEN_FROM_COLUMN, OPEN_ROWS, upper_loop_opening

__all__ = ["DERIVED_VARIANTS", "RealGlyphs", "derive_missing", "number_classes", "real_glyphs"]

log = logging.getLogger(__name__)

# Gaussian sigma (pixels) that softens the edge of a derived 6's opening,
# because a printed stroke ends as softly as the photo is blurred.
_OPENING_SOFTNESS = 1.0

# The opening is filled with this percentile of the patch: the plate between strokes.
_PLATE_PERCENTILE = 10

#: Number of 6s derived from each printed 8. Printed 6s differ in how far
#: the arm reaches and where the bowl starts, so all but the first move the
#: opening by up to these fractions of the cell's height and glyph's width.
DERIVED_VARIANTS = 3
_ROW_JITTER = 0.04
_COLUMN_JITTER = 0.1


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


def open_upper_loop(patch: np.ndarray, rows: tuple[float, float] = OPEN_ROWS,
                    column: float = OPEN_FROM_COLUMN) -> np.ndarray:
    """Return an 8's patch with the right side of its upper loop painted over with plate: a 6.

    The opening is placed within the legend's rows as on a cell of a whole
    plate (``glyph_transplant.upper_loop_opening``). It is filled with the
    patch's plate level, not zero, and its edges are softened, so that the
    derived 6 shows an open arm as a printed one does, not a dark slot
    that a reader could learn as the mark of a 6. ``rows`` and ``column``
    place the opening as in ``upper_loop_opening``.
    """
    top, bottom = LEGEND_ROWS
    opening = upper_loop_opening(patch[top:bottom], rows, column)
    if opening is None:
        return patch.copy()
    y0, y1, x0 = opening
    opened = patch.copy()
    opened[top + y0 : top + y1, x0:] = np.percentile(patch, _PLATE_PERCENTILE)

    # Blur the opened patch and keep the blur only within about two sigma of the opening.
    mask = np.zeros(patch.shape, np.float32)
    mask[top + y0 : top + y1, x0:] = 1.0
    near = np.clip(gaussian_filter(mask, _OPENING_SOFTNESS) * 3.0, 0.0, 1.0)
    softened = gaussian_filter(opened, _OPENING_SOFTNESS)
    return (opened * (1.0 - near) + softened * near).astype(np.float32)


def derive_missing(patches: np.ndarray, digits: np.ndarray, variants: int = DERIVED_VARIANTS,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return printed 6s and 9s derived from printed 8s (or 6s) for each of the two that ``digits`` lacks.

    Each 8 gives ``variants`` 6s: the first opened where
    ``upper_loop_opening`` places the opening, the others with its rows and
    column moved at random (seeded by ``seed``).
    """
    if variants < 1:
        raise ValueError(f"variants must be at least 1, got {variants}")
    present = set(np.unique(digits).tolist())
    sixes = patches[digits == 6]
    derived, labels = [], []
    if 6 not in present and 8 in present:
        rng = np.random.default_rng(seed)
        eights = patches[digits == 8]
        opened = [open_upper_loop(patch) for patch in eights]
        for _ in range(variants - 1):
            for patch in eights:
                rows = (OPEN_ROWS[0] + rng.uniform(-_ROW_JITTER, _ROW_JITTER),
                        OPEN_ROWS[1] + rng.uniform(-_ROW_JITTER, _ROW_JITTER))
                column = OPEN_FROM_COLUMN + rng.uniform(-_COLUMN_JITTER, _COLUMN_JITTER)
                opened.append(open_upper_loop(patch, rows, column))
        sixes = np.stack(opened)
        derived.append(sixes)
        labels.append(np.full(len(sixes), 6))
    if 9 not in present and len(sixes):
        derived.append(np.ascontiguousarray(sixes[:, ::-1, ::-1]))
        labels.append(np.full(len(sixes), 9))
    if not derived:
        return np.zeros((0, *patches.shape[1:]), np.float32), np.zeros(0, np.int64)
    return np.concatenate(derived), np.concatenate(labels).astype(np.int64)
