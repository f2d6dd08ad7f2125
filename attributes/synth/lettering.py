"""Digits and words in the bundled DIN-style font, as grey-level masks.

Glyphs are rasterised once per font size and stroke weight and cached.
A string is composed from them with explicit letter spacing, then scaled
to the box the plate offers. Scaling each axis on its own rather than
choosing a font size lets one font imitate wider and narrower national
lettering.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

__all__ = ["FONT_FILE", "fit_lettering", "letter_mask"]

#: The bundled OSP-DIN font (SIL Open Font License 1.1, see fonts/OFL-1.1.txt).
FONT_FILE = "OSP-DIN.ttf"

# Font sizes at which glyphs are rasterised. The renderer uses the smallest
# one whose letters are at least as tall as the target, so that scaling
# down stays sharp.
_FONT_SIZES = (32, 64, 128, 256)

# Cap height of OSP-DIN as a fraction of its font size (measured: 45 px at 64).
_CAP_FRACTION = 0.70

# Narrowest lettering allowed, as a fraction of its natural width; a legend
# that would need to be narrower is drawn smaller instead.
_MIN_CONDENSE = 0.55

# Characters whose extent defines the common vertical frame of all glyphs.
_FRAME_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    font_path = resources.files("signrules.attributes").joinpath("fonts", FONT_FILE)
    with resources.as_file(font_path) as path:
        return ImageFont.truetype(str(path), size)


@cache
def _frame(size: int) -> tuple[int, int]:
    """Return the rows (top, bottom) that contain every digit and capital at ``size``."""
    font = _font(size)
    boxes = [font.getbbox(character) for character in _FRAME_CHARACTERS]
    return min(box[1] for box in boxes), max(box[3] for box in boxes)


@lru_cache(maxsize=1024)
def _glyph(character: str, size: int, weight: int) -> tuple[np.ndarray, int, float]:
    """Return a glyph's mask cropped to its ink columns, its left bearing and its advance."""
    font = _font(size)
    top, bottom = _frame(size)
    left, _, right, _ = font.getbbox(character)
    pad = size // 8
    width = max(right - left, 1) + 2 * pad
    image = Image.new("L", (width, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(image).text((pad - left, pad - top), character, font=font, fill=255)

    # Heavier or lighter strokes by a morphological filter whose reach
    # grows with the font size, so the change is similar at every size.
    if weight:
        kernel = 2 * max(1, round(size / 48)) + 1
        grow = ImageFilter.MaxFilter if weight > 0 else ImageFilter.MinFilter
        image = image.filter(grow(kernel))

    mask = np.asarray(image)[pad : pad + bottom - top]
    columns = np.flatnonzero(mask.max(axis=0))
    if columns.size == 0:
        return np.zeros((bottom - top, 1), np.uint8), 0, font.getlength(character)
    first, last = columns[0], columns[-1] + 1
    return mask[:, first:last].copy(), left + first - pad, font.getlength(character)


def letter_mask(text: str, size: int, *, spacing: float = 0.08, weight: int = 0) -> np.ndarray:
    """Compose ``text`` from cached glyphs at font ``size``; return a uint8 mask.

    ``spacing`` adds space between letters as a fraction of the cap height.
    The mask is cropped to the ink horizontally and spans the common glyph
    frame vertically, so every string has the same height at one size.
    """
    top, bottom = _frame(size)
    height = bottom - top
    extra = spacing * height
    glyphs = [_glyph(character, size, weight) for character in text]

    # Pen positions follow the font's advances; ink starts at the bearing.
    starts = []
    pen = 0.0
    for mask, bearing, advance in glyphs:
        starts.append(round(pen + bearing))
        pen += advance + extra
    first = min(starts)
    width = max(start - first + mask.shape[1] for start, (mask, _, _) in zip(starts, glyphs))

    canvas = np.zeros((height, width), np.uint8)
    for start, (mask, _, _) in zip(starts, glyphs):
        column = start - first
        region = canvas[:, column : column + mask.shape[1]]
        np.maximum(region, mask, out=region)
    return canvas


def fit_lettering(
    text: str,
    max_width: float,
    height: float,
    *,
    stretch: float = 1.3,
    spacing: float = 0.08,
    weight: int = 0,
) -> tuple[Image.Image, float, float]:
    """Return the mask of ``text`` and the width and height (pixels) to draw it at.

    The lettering is ``height`` tall and widened by ``stretch`` where it fits
    in ``max_width``. Where it does not fit, it is condensed down to 0.55 of
    its natural width, and beyond that made smaller, as sign makers do with
    long words. The mask is rasterised at the smallest cached font size at least
    that tall, so the caller's resampling shrinks it by at most half.
    """
    target = max(height, 1.0) / _CAP_FRACTION
    size = next((s for s in _FONT_SIZES if s >= target), _FONT_SIZES[-1])
    mask = letter_mask(text, size, spacing=spacing, weight=weight)

    natural_width = mask.shape[1] * height / mask.shape[0]
    width = natural_width * stretch
    if width > max_width:
        width = max_width
        if width < _MIN_CONDENSE * natural_width:
            height *= width / (_MIN_CONDENSE * natural_width)
    return Image.fromarray(mask), max(width, 1.0), max(height, 1.0)
