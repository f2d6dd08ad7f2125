"""Synthetic glyph patches: numbers drawn on a plate and cut as real legends are.

Each sample draws a number of one to three digits on a shaded plate, at a
random stroke weight and width. The face is one of the two bundled ones:
OSP-DIN, as on German signs, or DejaVu Sans, a rounder grotesque like the
faces of many other countries. It is drawn at a random fraction of the canvas
and enlarged back, as a small photo is, then blurred and noised. The cells
are cut with the neutral template of the number's length and a box a
little off, as a fit on a real crop places it (``cutting``), so that
synthetic and real patches show their neighbours and margins alike.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter

from signrules.attributes.glyphs.cutting import CANVAS, cut_box, read_template
from signrules.attributes.synth.legend_fit import number_mask

__all__ = ["FACES", "random_number", "synthetic_glyphs"]

#: Faces drawn, by name in ``signrules.attributes.synth.lettering.FONTS``.
FACES = ("din", "sans")

# Stroke weights as in ``number_mask``: one step lighter to three heavier.
_WEIGHTS = (-0.02, 0.0, 0.0, 0.015, 0.03, 0.045)

# Share of one-, two- and three-digit numbers. Three-digit numbers start
# with 1 this often, as speed limits do.
_LENGTHS = (0.15, 0.55, 0.30)
_LEADING_ONE = 0.7

# Stretch of the face's natural width: German signs condense three digits
# and widen two (``legend_fit``).
_STRETCH = {1: (0.9, 1.35), 2: (0.9, 1.35), 3: (0.65, 0.9)}

_PAD = 16


def random_number(rng: np.random.Generator) -> str:
    """Return a random number of one to three digits without a leading zero."""
    length = int(rng.choice([1, 2, 3], p=_LENGTHS))
    digits = rng.integers(0, 10, size=length)
    if length == 3 and rng.random() < _LEADING_ONE:
        digits[0] = 1
    if length > 1 and digits[0] == 0:
        digits[0] = rng.integers(1, 10)
    return "".join(str(digit) for digit in digits)


def _sample(rng: np.random.Generator) -> tuple[np.ndarray, str]:
    number = random_number(rng)
    face = str(rng.choice(FACES))
    weight = float(rng.choice(_WEIGHTS))
    mask = number_mask(number, weight, face)
    height = rng.uniform(0.26, 0.40) * CANVAS
    width = height * mask.shape[1] / mask.shape[0] * rng.uniform(*_STRETCH[len(number)])
    centre_x, centre_y = CANVAS / 2 + rng.normal(0, 1.5, size=2)

    # Draw at the resolution of the photo (a fraction of the canvas), at
    # four times that for anti-aliasing, then shrink to it.
    fraction = rng.uniform(0.35, 1.0)
    photo = max(int(round(CANVAS * fraction)), 16)
    scale = 4 * photo / CANVAS
    ink = np.zeros((4 * photo, 4 * photo), np.float32)
    glyph_w, glyph_h = max(int(round(width * scale)), 2), max(int(round(height * scale)), 2)
    glyph = np.asarray(Image.fromarray(mask).resize((glyph_w, glyph_h), Image.BILINEAR), np.float32)
    x0, y0 = int(round((centre_x - width / 2) * scale)), int(round((centre_y - height / 2) * scale))
    xs, ys = max(x0, 0), max(y0, 0)
    xe, ye = min(x0 + glyph_w, ink.shape[1]), min(y0 + glyph_h, ink.shape[0])
    ink[ys:ye, xs:xe] = glyph[ys - y0 : ye - y0, xs - x0 : xe - x0]

    plate = rng.uniform(110, 250)
    ink_level = rng.uniform(0, max(plate - 60, 5))
    yy, xx = np.mgrid[0 : ink.shape[0], 0 : ink.shape[1]] / ink.shape[0]
    shaded = plate * (1 + rng.normal(0, 0.08) * (xx - 0.5) + rng.normal(0, 0.08) * (yy - 0.5))
    gray = shaded * (1 - ink) + ink_level * ink
    gray = np.asarray(Image.fromarray(gray.astype(np.float32), mode="F").resize((photo, photo), Image.BOX))
    gray = gaussian_filter(gray, rng.uniform(0, 0.9)) + rng.normal(0, rng.uniform(1, 8), (photo, photo))
    gray = np.asarray(Image.fromarray(gray.astype(np.float32), mode="F").resize((CANVAS, CANVAS), Image.BICUBIC))

    # A fit on a real crop is about this far off in each of left, top, width and height.
    error = rng.normal(0, 0.04, size=4) * height
    canvas = Image.fromarray(np.pad(gray, _PAD, mode="edge").astype(np.float32), mode="F")
    patches = cut_box(canvas, centre_x - width / 2 + error[0] + _PAD, centre_y - height / 2 + error[1] + _PAD,
                      width + error[2], height + error[3], read_template(len(number)), weight, face)
    return patches, number


def synthetic_glyphs(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return glyph patches (M, H, W) and their digits (M,) from ``count`` drawn numbers."""
    rng = np.random.default_rng(seed)
    patches, digits = [], []
    for _ in range(count):
        cut, number = _sample(rng)
        patches.append(cut)
        digits.extend(int(digit) for digit in number)
    if not patches:
        return np.zeros((0, 0, 0), np.float32), np.zeros(0, np.int64)
    return np.concatenate(patches), np.asarray(digits, dtype=np.int64)
