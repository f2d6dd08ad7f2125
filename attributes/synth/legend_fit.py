"""Find the printed number on a real speed-limit crop by matching a template.

A digit swap must draw its new number where the old one was, as tall, as
wide and as bold, or the swapped plates look unlike real ones. Thresholding
the dark pixels in the middle of the crop finds that box badly. On dark or
off-centre crops the rim and background are as dark as the legend, and a
wide "60" reaches past any disc small enough to exclude the rim. The box
then comes out too tall and too narrow, and so do the digits drawn into it.

The crop's class gives the number it shows, so that number is rendered in
the DIN face at a grid of heights and widths. The placement whose mask
correlates best with the crop's darkness wins: the correlation of the whole
darkness map with the placed mask, at twice the crop size. Stroke weight
and blur are then chosen the same way at that placement. A low best
correlation means the legend was not found, and the crop is not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image
from scipy.ndimage import distance_transform_edt, gaussian_filter, grey_closing
from scipy.signal import fftconvolve

from signrules.attributes.synth.lettering import letter_mask, letter_spans

__all__ = ["LegendFit", "fit_legend", "glyph_cells", "number_mask"]

# Matching runs at this many times the crop size: enough to place a
# 32-pixel crop's legend to a quarter pixel.
_SCALE = 2

# The legend lies inside the rim, whose inner edge is at about 0.32 of the
# crop size from the centre when the sign fills 80 % of the crop. A
# three-digit legend reaches about 0.28.
_SEARCH_RADIUS = 0.30

# Half the size of the closing that estimates the plate behind the legend,
# as a fraction of the crop: wider than a digit stroke.
_CLOSING = 0.07

# Grids of legend height (fraction of the crop size) and of horizontal
# stretch against the DIN face's natural width. German signs print two
# digits wider than DIN 1451 (a stretch of about 1.1 to 1.25) and three
# digits condensed (about 0.65 to 0.85).
_HEIGHTS = np.linspace(0.20, 0.46, 14)
_STRETCHES = (0.55, 0.65, 0.75, 0.85, 0.95, 1.1, 1.25, 1.4)

# Grids of stroke weight (see ``number_mask``) and of blur (Gaussian sigma
# in crop pixels), tried at the best placement.
_WEIGHTS = (-0.02, 0.0, 0.015, 0.03, 0.045)
_BLURS = (0.0, 0.35, 0.7, 1.0, 1.4)

# Font size at which numbers are rasterised for matching and drawing.
_MASK_SIZE = 128

#: The centre of the legend may lie this far (fraction of the crop size)
#: from the crop's centre.
MAX_OFFSET = 0.12

# Below this correlation the best placement is not the legend.
MIN_SCORE = 0.55

# A pixel is rim, not legend, when its red exceeds its green and blue by
# this many grey levels. With ``dark_rims`` it is also rim when the excess
# is at least a quarter of its red and a few grey levels. The floor keeps
# noise on a black digit from counting.
_RED_EXCESS = 40
_DARK_RED_SHARE = 0.25
_DARK_RED_EXCESS = 8


@dataclass(frozen=True)
class LegendFit:
    """The position and style of a crop's printed number, in crop pixels.

    ``stretch`` is the width over the DIN face's natural width at that
    height. A new number drawn with the same stretch, weight and blur looks
    like it was printed by the same sign maker. ``score`` is the correlation
    of the chosen template with the crop's darkness.
    """

    centre_x: float
    centre_y: float
    height: float
    width: float
    stretch: float
    weight: float
    blur: float
    score: float


@lru_cache(maxsize=4096)
def number_mask(number: str, weight: float = 0.0, font: str = "din") -> np.ndarray:
    """Return ``number`` as a float mask in [0, 1], cropped to its ink.

    ``weight`` grows (or, negative, thins) every stroke on each side by
    that fraction of the digit height. The DIN face's own strokes are about
    0.14 of the height. The mask is cached and shared, so it is read-only.
    """
    mask = letter_mask(number, _MASK_SIZE, font=font)
    rows = np.flatnonzero(mask.max(axis=1))
    mask = mask[rows[0] : rows[-1] + 1]
    if weight:
        reach = abs(weight) * mask.shape[0]
        pad = int(np.ceil(reach)) + 1
        ink = np.pad(mask >= 128, pad)
        if weight > 0:
            ink = distance_transform_edt(~ink) <= reach
        else:
            ink = distance_transform_edt(ink) > reach
        # A light blur keeps the edges anti-aliased, as the face's own are.
        mask = gaussian_filter(ink.astype(np.float32), 1.0)
        rows = np.flatnonzero(mask.max(axis=1) > 0.05)
        columns = np.flatnonzero(mask.max(axis=0) > 0.05)
        mask = np.ascontiguousarray(mask[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1])
    else:
        mask = mask.astype(np.float32) / 255.0
    mask.flags.writeable = False
    return mask


def glyph_cells(number: str, weight: float = 0.0, font: str = "din") -> list[tuple[float, float]]:
    """Return each digit's cell in ``number_mask(number, weight, font)``, as fractions of its width.

    A cell runs from the middle of the gap before the digit to the middle
    of the gap after it, and the outer cells reach the mask's edges. So a
    cell contains its own digit and none of its neighbours'.
    """
    mask = letter_mask(number, _MASK_SIZE, font=font)
    height = np.flatnonzero(mask.max(axis=1)).size
    spans = letter_spans(number, _MASK_SIZE, font=font)
    # Growing each stroke by ``reach`` widens the mask by that much on each
    # side, and thinning narrows it (see number_mask).
    reach = weight * height
    width = mask.shape[1] + 2 * reach
    middles = [(left_end + right_start) / 2 for (_, left_end), (right_start, _) in zip(spans, spans[1:])]
    bounds = [0.0] + [float((middle + reach) / width) for middle in middles] + [1.0]
    return list(zip(bounds, bounds[1:]))


def _darkness(image: np.ndarray, dark_rims: bool = False) -> np.ndarray:
    """Return how much darker each pixel is than the plate around it, 0 to 1, inside the search disc.

    A black top-hat (grey closing minus the image) measures darkness
    against the local plate, so that shading across the plate, and a rim
    or background that is dark all over, do not look like legend. Red
    pixels count as plate: the rim may reach into the disc. ``dark_rims``
    also counts as red a pixel whose red exceeds its other channels by a
    quarter of its red, however dark: on a crop in shadow the whole rim
    is below the absolute margin, and its arc inside the disc then looks
    like legend.
    """
    pixels = image.astype(np.float32)
    luminance = pixels @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    excess = pixels[..., 0] - pixels[..., 1:].max(axis=2)
    red = excess >= _RED_EXCESS
    if dark_rims:
        red |= (excess >= _DARK_RED_EXCESS) & (excess >= _DARK_RED_SHARE * pixels[..., 0])
    side = image.shape[0]
    yy, xx = np.mgrid[0:side, 0:side]
    centre = (side - 1) / 2
    disc = (yy - centre) ** 2 + (xx - centre) ** 2 <= (_SEARCH_RADIUS * side) ** 2

    reach = 2 * int(round(_CLOSING * side)) + 1
    tophat = grey_closing(luminance, size=(reach, reach)) - luminance
    tophat = np.where(disc & ~red, tophat, 0.0)
    scale = np.percentile(tophat[disc], 98)
    if scale <= 0:
        return np.zeros((side, side), np.float32)
    return np.clip(tophat / scale, 0.0, 1.0).astype(np.float32)


def _correlation(darkness: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Return the correlation of the whole darkness map with ``template`` placed at each valid position.

    The template counts as zero outside its box, so the score is computed
    over the whole map rather than the box. A small template on one dark
    glyph then leaves the other glyphs unexplained, and it scores lower
    than one that covers the whole number.
    """
    h, w = template.shape
    count = darkness.size
    spread_template = np.sqrt(max((template**2).sum() - template.sum() ** 2 / count, 1e-12))
    spread_darkness = np.sqrt(max((darkness**2).sum() - darkness.sum() ** 2 / count, 1e-12))
    products = fftconvolve(darkness, template[::-1, ::-1], mode="valid")
    return (products - darkness.sum() * template.sum() / count) / (spread_darkness * spread_template)


def _correlation_at(darkness: np.ndarray, template: np.ndarray) -> float:
    """Return ``_correlation`` of a template as large as the map, its one placement."""
    count = darkness.size
    spread_template = np.sqrt(max((template**2).sum() - template.sum() ** 2 / count, 1e-12))
    spread_darkness = np.sqrt(max((darkness**2).sum() - darkness.sum() ** 2 / count, 1e-12))
    product = float((darkness * template).sum())
    return (product - darkness.sum() * template.sum() / count) / (spread_darkness * spread_template)


def _resize(mask: np.ndarray, width: int, height: int) -> np.ndarray:
    return np.asarray(Image.fromarray(mask).resize((max(width, 1), max(height, 1)), Image.BILINEAR))


@lru_cache(maxsize=64)
def _placements(number: str, side: int, heights: tuple[float, ...] = tuple(_HEIGHTS),
                stretches: tuple[float, ...] = _STRETCHES) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the geometry grid of ``number`` on a ``side``-pixel map, ready for matching.

    Returns (sizes, template sums, template spreads, conjugate spectra).
    Sizes is (K, 3): height, width and stretch index. The spectra are each
    template's 2-D FFT at the map's size, conjugated. One inverse FFT per
    template then gives its correlation at every placement.
    A template occupies the top-left corner of the map, so the valid
    placements (the template inside the map) never wrap around.
    """
    natural = number_mask(number)
    aspect = natural.shape[1] / natural.shape[0]
    count = side * side
    sizes, sums, spreads, spectra = [], [], [], []
    for height_share in heights:
        height = int(round(height_share * side))
        for index, stretch in enumerate(stretches):
            width = int(round(height * aspect * stretch))
            if height >= side or width >= side:
                continue
            template = gaussian_filter(_resize(natural, width, height), 0.5 * _SCALE)
            padded = np.zeros((side, side), np.float64)
            padded[:height, :width] = template
            sizes.append((height, width, index))
            sums.append(template.sum())
            spreads.append(np.sqrt(max((template.astype(np.float64) ** 2).sum() - template.sum() ** 2 / count, 1e-12)))
            spectra.append(np.conj(np.fft.rfft2(padded)))
    if not spectra:
        raise ValueError(f"a crop of {side // _SCALE} pixels is too small for any legend of the grid")
    result = (np.array(sizes), np.array(sums), np.array(spreads), np.stack(spectra))
    for array in result:
        array.flags.writeable = False
    return result


def _best_placement(darkness: np.ndarray, number: str, heights: tuple[float, ...] = tuple(_HEIGHTS),
                    stretches: tuple[float, ...] = _STRETCHES,
                    max_offset: float = MAX_OFFSET) -> tuple[float, int, int, int, int, float]:
    """Return (score, top, left, height, width, stretch) of the best template of ``number`` near the centre.

    The same search as correlating each template of the grid with
    ``_correlation`` and keeping the best allowed placement, with one
    forward FFT of the map shared by all templates. The template's centre
    lies at most ``max_offset`` (a fraction of the crop) from the crop's.
    """
    side = darkness.shape[0]
    sizes, sums, spreads, spectra = _placements(number, side, heights, stretches)
    count = darkness.size
    total = float(darkness.sum())
    spread_darkness = np.sqrt(max(float((darkness.astype(np.float64) ** 2).sum()) - total**2 / count, 1e-12))
    products = np.fft.irfft2(np.fft.rfft2(darkness.astype(np.float64))[None] * spectra, s=(side, side))
    scores = (products - total * sums[:, None, None] / count) / (spread_darkness * spreads[:, None, None])

    # Only placements inside the map whose centre lies near the crop's centre.
    centre = (side - 1) / 2
    positions = np.arange(side)
    template_heights, template_widths = sizes[:, 0], sizes[:, 1]
    tops = positions[None, :] + (template_heights[:, None] - 1) / 2 - centre
    lefts = positions[None, :] + (template_widths[:, None] - 1) / 2 - centre
    rows_ok = (np.abs(tops) <= max_offset * side) & (positions[None, :] <= side - template_heights[:, None])
    columns_ok = (np.abs(lefts) <= max_offset * side) & (positions[None, :] <= side - template_widths[:, None])
    scores = np.where(rows_ok[:, :, None] & columns_ok[:, None, :], scores, -1.0)

    # The first best in grid order, as a loop over the grid would keep it.
    flat = scores.reshape(len(sizes), -1)
    per_template = flat.max(axis=1)
    best = int(np.argmax(per_template))
    top, left = divmod(int(np.argmax(flat[best])), side)
    height, width, index = (int(v) for v in sizes[best])
    return float(per_template[best]), top, left, height, width, stretches[index]


def fit_legend(image: np.ndarray, number: str, *, heights: tuple[float, ...] = tuple(_HEIGHTS),
               stretches: tuple[float, ...] = _STRETCHES, refine: bool = True,
               dark_rims: bool = False, max_offset: float = MAX_OFFSET) -> LegendFit | None:
    """Return the fit of ``number`` in ``image``, a uint8 (H, W, 3) speed-limit crop, or None.

    None means that no placement correlates with the crop's dark pixels at
    least ``MIN_SCORE``, as on crops that are too dark, too blurred or not
    centred on the sign. ``heights`` (fractions of the crop) and
    ``stretches`` set the grid of sizes tried. Without ``refine``, weight
    and blur are not fitted (0), which saves about a fifth of the time.
    ``dark_rims`` tells rim from legend by relative redness too (see
    ``_darkness``), and ``max_offset`` bounds how far from the crop's
    centre the legend's centre may lie. Digit swaps keep the defaults, so
    that the swaps that trained the shipped network stay as they were.
    """
    size = image.shape[0]
    side = size * _SCALE
    large = np.asarray(Image.fromarray(image).resize((side, side), Image.BICUBIC))
    darkness = _darkness(large, dark_rims)

    # Geometry first, at the face's own weight and a mild blur.
    score, top, left, height, width, stretch = _best_placement(darkness, number, heights, stretches, max_offset)
    if score < MIN_SCORE:
        return None
    if not refine:
        return LegendFit(centre_x=(left + (width - 1) / 2) / _SCALE, centre_y=(top + (height - 1) / 2) / _SCALE,
                         height=height / _SCALE, width=width / _SCALE, stretch=stretch, weight=0.0, blur=0.0,
                         score=score)

    # Then weight and blur at that placement: one correlation each, of the
    # whole map with the template (zero outside its box).
    best_weight, best_blur, best_score = 0, 0.0, -1.0
    for weight in _WEIGHTS:
        shaped = _resize(number_mask(number, weight), width, height)
        for blur in _BLURS:
            template = np.zeros_like(darkness)
            template[top : top + height, left : left + width] = gaussian_filter(shaped, blur * _SCALE)
            candidate = _correlation_at(darkness, template)
            if candidate > best_score:
                best_weight, best_blur, best_score = weight, blur, float(candidate)

    return LegendFit(
        centre_x=(left + (width - 1) / 2) / _SCALE,
        centre_y=(top + (height - 1) / 2) / _SCALE,
        height=height / _SCALE,
        width=width / _SCALE,
        stretch=stretch,
        weight=best_weight,
        blur=best_blur,
        score=best_score,
    )
