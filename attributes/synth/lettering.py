"""Digits and words in the bundled fonts, as grey-level masks.

Glyphs are rasterised once per font, size and stroke weight and cached.
A string is composed from them with explicit letter spacing, then scaled
to the box the plate offers. Scaling each axis on its own rather than
choosing a font size lets two fonts imitate the wider and narrower
lettering of many countries.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

__all__ = ["FONTS", "Lettering", "character_width", "fit_lettering", "letter_mask", "letter_spans"]

#: Bundled font files by name, in the package's fonts/ folder:
#: "din" is OSP-DIN (SIL Open Font License 1.1), a DIN 1451 face as on
#: German and US signs; "sans" is DejaVu Sans Condensed Bold (Bitstream
#: Vera licence), reduced to digits and capitals, a rounder grotesque like
#: the sign faces of many other countries.
FONTS = {"din": "OSP-DIN.ttf", "sans": "DejaVuSansCondensed-Bold.ttf"}

# Font sizes at which glyphs are rasterised. The renderer uses the smallest
# one whose capitals are at least as tall as the target, so that scaling
# down stays sharp.
_FONT_SIZES = (32, 64, 128, 256)

# Narrowest lettering allowed, as a fraction of its natural width; a legend
# that would need to be narrower is drawn smaller instead.
_MIN_CONDENSE = 0.55

# Characters whose extent defines the common vertical frame of all glyphs,
# and the one whose bottom is the baseline.
_FRAME_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_BASELINE_CHARACTER = "H"


@dataclass(frozen=True)
class Lettering:
    """A string's mask and the size to draw it at, in target pixels.

    ``cap_height`` is the height of the capitals and digits; ``height``
    also counts descenders (the tail of Q), which hang below the baseline.
    """

    mask: Image.Image
    width: float
    height: float
    cap_height: float


@cache
def _font(font: str, size: int) -> ImageFont.FreeTypeFont:
    try:
        file_name = FONTS[font]
    except KeyError:
        raise ValueError(f"font must be one of {', '.join(FONTS)}, got {font!r}") from None
    font_path = resources.files("signrules.attributes").joinpath("fonts", file_name)
    with resources.as_file(font_path) as path:
        return ImageFont.truetype(str(path), size)


@cache
def _frame(font: str, size: int) -> tuple[int, int, int]:
    """Return the rows (top, baseline, bottom) that contain every digit and capital at ``size``."""
    typeface = _font(font, size)
    boxes = [typeface.getbbox(character) for character in _FRAME_CHARACTERS]
    baseline = typeface.getbbox(_BASELINE_CHARACTER)[3]
    return min(box[1] for box in boxes), baseline, max(box[3] for box in boxes)


@cache
def character_width(font: str) -> float:
    """Return the advance of a digit divided by the cap height (0.52 for "din", 0.83 for "sans")."""
    top, baseline, _ = _frame(font, 64)
    return _font(font, 64).getlength("0") / (baseline - top)


@lru_cache(maxsize=2048)
def _glyph(font: str, character: str, size: int, weight: int) -> tuple[np.ndarray, int, float]:
    """Return a glyph's mask cropped to its ink columns, its left bearing and its advance."""
    typeface = _font(font, size)
    top, _, bottom = _frame(font, size)
    left, _, right, _ = typeface.getbbox(character)
    pad = size // 8
    width = max(right - left, 1) + 2 * pad
    image = Image.new("L", (width, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(image).text((pad - left, pad - top), character, font=typeface, fill=255)

    # Heavier or lighter strokes by a morphological filter whose reach
    # grows with the font size, so the change is similar at every size.
    if weight:
        kernel = 2 * max(1, round(size / 48)) + 1
        grow = ImageFilter.MaxFilter if weight > 0 else ImageFilter.MinFilter
        image = image.filter(grow(kernel))

    mask = np.asarray(image)[pad : pad + bottom - top]
    columns = np.flatnonzero(mask.max(axis=0))
    if columns.size == 0:
        return np.zeros((bottom - top, 1), np.uint8), 0, typeface.getlength(character)
    first, last = columns[0], columns[-1] + 1
    return mask[:, first:last].copy(), left + first - pad, typeface.getlength(character)


def letter_mask(
    text: str, size: int, *, font: str = "din", spacing: float = 0.08, weight: int = 0
) -> np.ndarray:
    """Compose ``text`` from cached glyphs at font ``size``; return a uint8 mask.

    ``spacing`` adds space between letters as a fraction of the cap height.
    The mask is cropped to the ink horizontally and spans the common glyph
    frame vertically, so every string has the same height at one size.
    """
    top, _, bottom = _frame(font, size)
    glyphs, columns, width = _layout(text, size, font, spacing, weight)
    canvas = np.zeros((bottom - top, width), np.uint8)
    for column, (mask, _, _) in zip(columns, glyphs):
        region = canvas[:, column : column + mask.shape[1]]
        np.maximum(region, mask, out=region)
    return canvas


def letter_spans(
    text: str, size: int, *, font: str = "din", spacing: float = 0.08, weight: int = 0
) -> list[tuple[int, int]]:
    """Return the ink columns [left, right) of each letter in ``letter_mask`` with the same arguments."""
    glyphs, columns, _ = _layout(text, size, font, spacing, weight)
    return [(column, column + mask.shape[1]) for column, (mask, _, _) in zip(columns, glyphs)]


def _layout(text: str, size: int, font: str, spacing: float, weight: int) -> tuple[list, list[int], int]:
    """Return the glyphs of ``text``, the column where each one's mask starts, and the total width."""
    top, baseline, _ = _frame(font, size)
    extra = spacing * (baseline - top)
    glyphs = [_glyph(font, character, size, weight) for character in text]

    # Pen positions follow the font's advances; ink starts at the bearing.
    starts = []
    pen = 0.0
    for mask, bearing, advance in glyphs:
        starts.append(round(pen + bearing))
        pen += advance + extra
    first = min(starts)
    width = max(start - first + mask.shape[1] for start, (mask, _, _) in zip(starts, glyphs))
    return glyphs, [start - first for start in starts], width


def fit_lettering(
    text: str,
    max_width: float,
    cap_height: float,
    *,
    font: str = "din",
    stretch: float = 1.3,
    spacing: float = 0.08,
    weight: int = 0,
) -> Lettering:
    """Return the mask of ``text`` and the size (pixels) to draw it at.

    The capitals are ``cap_height`` tall and widened by ``stretch`` where the
    lettering fits in ``max_width``. Where it does not fit, it is condensed
    down to 0.55 of its natural width, and beyond that made smaller, as sign
    makers do with long words. The mask is rasterised at the smallest cached
    font size at least that tall, so the caller's resampling shrinks it by at
    most half.
    """
    cap_height = max(cap_height, 1.0)
    size = next((s for s in _FONT_SIZES if _cap_rows(font, s) >= cap_height), _FONT_SIZES[-1])
    mask = letter_mask(text, size, font=font, spacing=spacing, weight=weight)
    rows = _cap_rows(font, size)

    natural_width = mask.shape[1] * cap_height / rows
    width = natural_width * stretch
    if width > max_width:
        width = max_width
        if width < _MIN_CONDENSE * natural_width:
            cap_height *= width / (_MIN_CONDENSE * natural_width)
    height = mask.shape[0] * cap_height / rows
    return Lettering(Image.fromarray(mask), max(width, 1.0), max(height, 1.0), cap_height)


def _cap_rows(font: str, size: int) -> int:
    top, baseline, _ = _frame(font, size)
    return baseline - top
