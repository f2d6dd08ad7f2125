"""Find a speed-limit legend and cut it into one patch per digit.

The attribute network reads a number from the whole 32-pixel crop. It
reads a real "60" it never saw as the "80" it did see: a 6 and an 8 differ
by about one pixel there, and the network has learned which numbers signs
show. A reader that sees one digit at a time, enlarged, cannot learn which
digits go together, and the opening of a 6 spans several of its pixels.

The legend is found by ``fit_legend`` with a neutral number of the right
length: "0", "00" or "100". German three-digit limits start with 1, and a
"1" is much narrower than other digits. The fit uses a coarser grid of
sizes than digit swaps do and does not fit the stroke weight. That is five
times faster, and on 300 real 32-pixel crops the box moved by about 0.2
pixels and its size by 0.6. It also counts dark red as rim
(``dark_rims``) and keeps the legend nearer the centre, so that the rim
of a crop in shadow is not fitted as a digit.

The template's cells (``glyph_cells``) split the fitted box into digits.
Each cell is widened a little, so that a digit placed slightly off still
lies inside. It is resampled from the crop enlarged to ``CANVAS`` pixels
into a ``GLYPH_HEIGHT`` x ``GLYPH_WIDTH`` patch, and its contrast is
stretched so that ink is 1 and plate is 0.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from signrules.attributes.synth.legend_fit import LegendFit, fit_legend, glyph_cells

__all__ = ["CANVAS", "GLYPH_HEIGHT", "GLYPH_WIDTH", "LEGEND_ROWS", "cut_box", "cut_glyphs", "locate_legend",
           "read_template"]

#: Size of a glyph patch in pixels.
GLYPH_HEIGHT, GLYPH_WIDTH = 32, 24

#: Side in pixels to which a crop is enlarged before its glyphs are cut.
CANVAS = 64

# Margins added to a cell: above and below, and on each side, as fractions
# of the legend's height.
_MARGIN_Y = 0.12
_MARGIN_X = 0.08

#: Rows of a patch that the legend spans; the rest is the margin above and below.
LEGEND_ROWS = (round(GLYPH_HEIGHT * _MARGIN_Y / (1 + 2 * _MARGIN_Y)),
               GLYPH_HEIGHT - round(GLYPH_HEIGHT * _MARGIN_Y / (1 + 2 * _MARGIN_Y)))

# Contrast is stretched between these percentiles of a patch, and over at
# least this many grey levels, so that a blank patch stays dim noise.
_PERCENTILES = (3, 97)
_MIN_RANGE = 10.0

# Padding (canvas pixels) that keeps a widened cell inside the canvas.
_PAD = 16

_LUMINANCE = np.array([0.299, 0.587, 0.114], dtype=np.float32)

# Grid of legend heights (fractions of the crop) and of stretches per
# number of digits: two digits are printed wider than the face, three
# condensed (``legend_fit``).
_HEIGHTS = tuple(float(h) for h in np.linspace(0.20, 0.46, 7))

# How far (fraction of the crop) the legend's centre may lie from the
# crop's, closer than digit swaps allow (``legend_fit.MAX_OFFSET``). On
# dark crops of 120 a wider search fitted the rim's left arc as the 1, so
# the reader saw rim, 1 and 2 and read "112". With 0.08 instead of 0.12,
# 120 was read exactly on 87.9 % of validation crops whose legend was
# found, against 80.5 %, and no other number lost more than half a point
# (benchmarks/glyph_reading.py).
_MAX_OFFSET = 0.08
_STRETCHES = {1: (0.75, 0.95, 1.1, 1.25), 2: (0.95, 1.1, 1.25, 1.4), 3: (0.55, 0.65, 0.75, 0.85)}


def read_template(length: int) -> str:
    """Return the neutral number whose shape stands for any legend of ``length`` digits."""
    if not 1 <= length <= 3:
        raise ValueError(f"a legend has 1 to 3 digits, got {length}")
    return "100" if length == 3 else "0" * length


def locate_legend(image: np.ndarray, length: int) -> LegendFit | None:
    """Return the fitted box of a ``length``-digit legend in a uint8 (S, S, 3) crop, or None if not found."""
    return fit_legend(image, read_template(length), heights=_HEIGHTS, stretches=_STRETCHES[length], refine=False,
                      dark_rims=True, max_offset=_MAX_OFFSET)


def cut_glyphs(image: np.ndarray, fit: LegendFit, length: int, fit_size: int | None = None) -> np.ndarray:
    """Return one float32 patch per digit, shape (length, GLYPH_HEIGHT, GLYPH_WIDTH), ink high, in [0, 1].

    ``fit`` was found on a crop of ``fit_size`` pixels (default: the size
    of ``image``); ``image`` may be a larger crop of the same sign.
    """
    side = image.shape[0]
    canvas = Image.fromarray(image)
    if side != CANVAS:
        canvas = canvas.resize((CANVAS, CANVAS), Image.BICUBIC)
    gray = np.asarray(canvas, dtype=np.float32) @ _LUMINANCE
    gray = Image.fromarray(np.pad(gray, _PAD, mode="edge"), mode="F")
    return cut_cells(gray, fit, read_template(length), CANVAS / (fit_size or side), offset=_PAD)


def cut_cells(gray: Image.Image, fit: LegendFit, template: str, scale: float, offset: float = 0.0) -> np.ndarray:
    """Cut the cells of ``template`` placed by ``fit`` (scaled by ``scale``) out of a float grey image."""
    width, height = fit.width * scale, fit.height * scale
    left = fit.centre_x * scale - width / 2 + offset
    top = fit.centre_y * scale - height / 2 + offset
    return cut_box(gray, left, top, width, height, template, fit.weight)


def cut_box(gray: Image.Image, left: float, top: float, width: float, height: float, template: str,
            weight: float, font: str = "din") -> np.ndarray:
    """Cut the cells of ``template`` drawn in box (left, top, width, height) out of a float grey image."""
    patches = []
    for start, end in glyph_cells(template, weight, font):
        box = (left + start * width - _MARGIN_X * height, top - _MARGIN_Y * height,
               left + end * width + _MARGIN_X * height, top + height + _MARGIN_Y * height)
        patch = np.asarray(gray.resize((GLYPH_WIDTH, GLYPH_HEIGHT), Image.BILINEAR, box=box), dtype=np.float32)
        low, high = np.percentile(patch, _PERCENTILES)
        patches.append(np.clip((high - patch) / max(high - low, _MIN_RANGE), 0.0, 1.0))
    return np.stack(patches).astype(np.float32)
