"""New numbers set from printed digits: glyphs cut out of real plates and placed in others.

Digit swaps (``digit_swap``) draw new numbers in a font, and a network
still distinguishes drawn digits from printed ones: it reads a "100" drawn into a
real plate, but reads the printed one as the "120" it has seen printed.
Every number it saw printed is one of a few, so "printed" alone points to
them. A transplant sets a number from printed digits cut out of other real
crops: the "1" of a 120 and the "0" of an 80 make a printed "100". Then
printed legends show many numbers, and the network has to read them.

Per digit: the donor crop's legend is located and erased as for a swap,
and the digit's opacity is how much darker the crop is than the erased
plate behind it, relative to the legend's ink. That opacity map, cut at
the digit's cell of the fitted number (``glyph_cells``), is scaled into
the cell the same digit takes in the new number on the receiving plate,
and painted in that plate's ink colour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
from PIL import Image

from signrules.attributes.synth.digit_swap import (
    _LEGEND_HALF_WIDTH,
    _SCALE,
    ErasedPlate,
    compose_legend,
)
from signrules.attributes.synth.legend_fit import glyph_cells, number_mask

__all__ = ["OPEN_FROM_COLUMN", "OPEN_ROWS", "Donor", "derive_digits", "donors_by_digit", "glyph_opacity",
           "open_upper_loop", "transplant_number", "upper_loop_opening"]

_LUMINANCE = np.array([0.299, 0.587, 0.114], dtype=np.float32)

# A donor whose legend is less than this much darker than its plate (on a
# 0-255 scale) gives an opacity map that is mostly noise.
MIN_CONTRAST = 40.0

class Donor(NamedTuple):
    """A printed digit: its plate, its place in the plate's number, and its opacity map."""

    plate: ErasedPlate
    index: int
    opacity: np.ndarray


def glyph_opacity(plate: ErasedPlate, index: int) -> np.ndarray | None:
    """Return the opacity in [0, 1] of digit ``index`` of the plate's old number, at 4x scale.

    The map covers the digit's cell, from the top to the bottom of the
    fitted legend. None means the legend is too faint to cut from.
    """
    fit = plate.fit
    number_width = fit.width * _SCALE
    height = fit.height * _SCALE
    left = fit.centre_x * _SCALE - number_width / 2
    top = int(round(fit.centre_y * _SCALE - height / 2))
    cell_left, cell_right = glyph_cells(plate.number, fit.weight)[index]
    x0, x1 = int(round(left + cell_left * number_width)), int(round(left + cell_right * number_width))
    side = plate.erased.shape[0]
    y0, y1 = max(top, 0), min(top + int(round(height)), side)
    x0, x1 = max(x0, 0), min(x1, side)
    if y1 - y0 < 4 or x1 - x0 < 2:
        return None

    large = np.asarray(Image.fromarray(plate.image).resize((side, side), Image.BICUBIC), dtype=np.float32)
    printed = large[y0:y1, x0:x1] @ _LUMINANCE
    behind = plate.erased[y0:y1, x0:x1].astype(np.float32) @ _LUMINANCE
    ink = float(plate.ink @ _LUMINANCE)
    contrast = behind - ink
    if np.median(contrast) < MIN_CONTRAST:
        return None
    return np.clip((behind - printed) / np.maximum(contrast, MIN_CONTRAST), 0.0, 1.0)


def donors_by_digit(plates: Sequence[ErasedPlate]) -> dict[str, list[Donor]]:
    """Index the printed digits of ``plates`` by digit, keeping those with enough contrast.

    Each donor keeps its opacity map, so that a digit used in many
    transplants is cut out only once.
    """
    donors: dict[str, list[Donor]] = {}
    for plate in plates:
        for index, digit in enumerate(plate.number):
            opacity = glyph_opacity(plate, index)
            if opacity is not None:
                donors.setdefault(digit, []).append(Donor(plate, index, opacity))
    return donors


def derive_digits(donors: Mapping[str, Sequence[Donor]]) -> dict[str, list[Donor]]:
    """Return ``donors`` with printed 6s and 9s made from other printed digits where it has none.

    GTSRB prints no 4 and no 9, and a run without speed limit 60 has no
    printed 6. In the bundled DIN face a 9 is a 6 turned half a turn (the
    two masks overlap with an IoU of 0.998), and a 6 is an 8 whose upper
    loop is open on the right (``open_upper_loop``). So a 9 comes from a printed 6 when there is one,
    and otherwise both come from printed 8s. Printed donors are never
    replaced.

    NOTE: a held-out network trained with these still read real 60 signs
    as 80 (docs/benchmarks.md), so ``signrules train --derive-digits`` is
    off by default.
    """
    derived = {digit: list(candidates) for digit, candidates in donors.items()}
    if not derived.get("6") and derived.get("8"):
        derived["6"] = [donor._replace(opacity=open_upper_loop(donor.opacity)) for donor in derived["8"]]
    if not derived.get("9") and derived.get("6"):
        derived["9"] = [donor._replace(opacity=_turned(donor.opacity)) for donor in derived["6"]]
    if not derived.get("6") and derived.get("9"):
        derived["6"] = [donor._replace(opacity=_turned(donor.opacity)) for donor in derived["9"]]
    return derived


def _turned(opacity: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(opacity[::-1, ::-1])


# The part of a printed 8's cell that a 6 leaves open: the right side of
# the upper loop, from this fraction of the glyph's width to the cell's
# right edge, between these fractions of the cell's height. Estimated from
# enlarged real speed limit 60 crops, where the arm ends at about a fifth of
# the height and the bowl starts just below the middle.
OPEN_FROM_COLUMN = 0.55
OPEN_ROWS = (0.22, 0.46)


def upper_loop_opening(opacity: np.ndarray, rows: tuple[float, float] = OPEN_ROWS,
                       column: float = OPEN_FROM_COLUMN) -> tuple[int, int, int] | None:
    """Return the rows (start, end) and first column of the part of a printed 8 that a 6 leaves open.

    ``rows`` are fractions of the cell's height and ``column`` a fraction of
    the glyph's width. None where the cell has too little ink to place it.
    """
    inked = np.flatnonzero(opacity.max(axis=0) >= 0.5)
    if inked.size < 2:
        return None
    left, right = int(inked[0]), int(inked[-1]) + 1
    width, height = right - left, opacity.shape[0]
    y0, y1 = (int(round(fraction * height)) for fraction in rows)
    return y0, y1, left + int(round(column * width))


def open_upper_loop(opacity: np.ndarray) -> np.ndarray:
    """Return a printed 8's opacity map with the right side of its upper loop removed, a printed 6."""
    opened = opacity.copy()
    opening = upper_loop_opening(opacity)
    if opening is not None:
        y0, y1, x0 = opening
        opened[y0:y1, x0:] = 0.0
    return opened


def transplant_number(plate: ErasedPlate, donors: Mapping[str, Sequence[Donor]], rng: np.random.Generator,
                      number: str | None = None) -> tuple[np.ndarray, str] | None:
    """Return ``plate`` with ``number`` set from donors' printed digits, at the crop's size.

    ``number`` defaults to 1 to 3 random digits among those in
    ``donors``. Each digit comes from a randomly chosen donor. None means a digit
    of ``number`` has no donor.
    """
    if number is None:
        digits = sorted(donors)
        if not digits:
            return None
        length = int(rng.integers(1, 4))
        leading = [d for d in digits if d != "0"] if length > 1 else digits
        if not leading:
            return None
        number = str(rng.choice(leading)) + "".join(str(rng.choice(digits)) for _ in range(length - 1))
    if any(not donors.get(digit) for digit in number):
        return None

    # Lay the number out as the receiving plate printed its own: same
    # height, centre and stretch, cells in the DIN face's proportions.
    fit, side = plate.fit, plate.erased.shape[0]
    mask = number_mask(number, fit.weight)
    height = fit.height * _SCALE * float(rng.uniform(0.95, 1.05))
    width = height * mask.shape[1] / mask.shape[0] * fit.stretch * float(rng.uniform(0.9, 1.1))
    width = min(width, 2 * _LEGEND_HALF_WIDTH * side)
    left = fit.centre_x * _SCALE - width / 2
    top = int(round(fit.centre_y * _SCALE - height / 2))
    rows = max(1, int(round(height)))

    opacity = np.zeros((side, side), np.float32)
    for (cell_left, cell_right), digit in zip(glyph_cells(number, fit.weight), number):
        candidates = donors[digit]
        glyph = candidates[int(rng.integers(len(candidates)))].opacity
        x0 = int(round(left + cell_left * width))
        columns = max(1, int(round(left + cell_right * width)) - x0)
        scaled = np.asarray(Image.fromarray(glyph).resize((columns, rows), Image.BILINEAR), dtype=np.float32)
        y0, x_start = max(top, 0), max(x0, 0)
        y1, x1 = min(top + rows, side), min(x0 + columns, side)
        if y1 > y0 and x1 > x_start:
            region = opacity[y0:y1, x_start:x1]
            np.maximum(region, scaled[y0 - top : y1 - top, x_start - x0 : x1 - x0], out=region)
    return compose_legend(plate, np.clip(opacity, 0.0, 1.0)), number
