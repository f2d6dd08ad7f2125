"""Locating the printed number on a speed-limit crop: drawn plates with known boxes, real crops."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from signrules.attributes.synth import legend_fit
from signrules.attributes.synth.legend_fit import fit_legend, number_mask

SPEED_30, SPEED_120, NO_VEHICLES = 1, 8, 15


def drawn_plate(number: str, height: float, stretch: float, centre: tuple[float, float]) -> np.ndarray:
    """Return a 32-pixel crop of a white disc with a red rim, ``number`` drawn at a known box."""
    scale, size = 8, 32
    side = size * scale
    image = Image.new("RGB", (side, side), (90, 110, 80))
    draw = ImageDraw.Draw(image)
    draw.ellipse([0.1 * side, 0.1 * side, 0.9 * side, 0.9 * side], fill=(200, 30, 40))
    draw.ellipse([0.18 * side, 0.18 * side, 0.82 * side, 0.82 * side], fill=(235, 235, 230))

    mask = number_mask(number)
    h = height * scale
    w = h * mask.shape[1] / mask.shape[0] * stretch
    glyphs = Image.fromarray((mask * 255).astype(np.uint8)).resize((round(w), round(h)), Image.LANCZOS)
    left, top = round(centre[0] * scale - w / 2), round(centre[1] * scale - h / 2)
    image.paste((20, 20, 25), (left, top), glyphs)
    return np.asarray(image.resize((size, size), Image.LANCZOS))


@pytest.mark.parametrize(
    ("number", "height", "stretch", "centre"),
    [("30", 10.0, 1.1, (16.0, 16.0)), ("60", 11.5, 1.25, (15.0, 16.5)), ("120", 8.0, 1.0, (16.5, 15.5))],
)
def test_fit_recovers_drawn_legend(number, height, stretch, centre):
    fit = fit_legend(drawn_plate(number, height, stretch, centre), number)

    assert fit is not None
    assert abs(fit.centre_x - centre[0]) <= 1.0
    assert abs(fit.centre_y - centre[1]) <= 1.0
    assert abs(fit.height - height) <= 0.15 * height
    assert abs(fit.stretch - stretch) <= 0.2


def test_dark_rims_mark_shadowed_rim():
    # A plate in shadow that fills its crop: the rim is dark red, below the
    # absolute red margin, and its arc reaches into the search disc.
    scale, size = 8, 32
    side = size * scale
    image = Image.new("RGB", (side, side), (30, 32, 35))
    draw = ImageDraw.Draw(image)
    draw.ellipse([0.0, 0.0, side, side], fill=(62, 24, 26))
    draw.ellipse([0.26 * side, 0.26 * side, 0.74 * side, 0.74 * side], fill=(74, 76, 80))
    crop = np.asarray(image.resize((size * 2, size * 2), Image.LANCZOS))
    yy, xx = np.mgrid[0:64, 0:64]
    radius = np.hypot(yy - 31.5, xx - 31.5)
    rim = (radius > 0.25 * 64) & (radius <= legend_fit._SEARCH_RADIUS * 64)

    assert rim.any()
    assert legend_fit._darkness(crop)[rim].mean() > 0.2
    assert legend_fit._darkness(crop, dark_rims=True)[rim].max() == 0.0


def test_fit_prefers_whole_number_to_one_glyph():
    # A template of "30" shrunk onto the "0" alone correlates well with that
    # glyph. Scoring over the whole map must still prefer the full number.
    fit = fit_legend(drawn_plate("30", 11.0, 1.2, (16.0, 16.0)), "30")

    assert fit is not None
    assert fit.width > 10.0


def test_fit_finds_most_real_legends(crops):
    fits = [fit_legend(image, "30") for image in crops(SPEED_30, range(0, 600, 30))]
    found = [fit for fit in fits if fit is not None]

    assert len(found) >= 15
    for fit in found:
        assert abs(fit.centre_x - 16) < 4
        assert abs(fit.centre_y - 16) < 4
        assert 6 < fit.height < 15


def test_three_digits_fit_condensed(crops):
    # German signs print three digits condensed and a little lower than
    # two, in a box of about the same width.
    def median_fit(class_id: int, number: str) -> tuple[float, float]:
        fits = [fit_legend(image, number) for image in crops(class_id, range(0, 600, 30))]
        fits = [fit for fit in fits if fit is not None]
        return float(np.median([fit.stretch for fit in fits])), float(np.median([fit.height for fit in fits]))

    stretch_120, height_120 = median_fit(SPEED_120, "120")
    stretch_30, height_30 = median_fit(SPEED_30, "30")

    assert stretch_120 < 0.85 * stretch_30
    assert height_120 < height_30


def test_blank_plates_mostly_rejected(crops):
    fits = [fit_legend(image, "30") for image in crops(NO_VEHICLES, range(0, 200, 20))]

    assert sum(fit is None for fit in fits) >= 7


def test_weight_grows_and_thins_strokes():
    regular = number_mask("60").sum()

    assert number_mask("60", 0.03).sum() > 1.2 * regular
    assert number_mask("60", -0.02).sum() < 0.9 * regular


def test_shared_fft_search_matches_one_correlation_per_template(crops):
    # The placement search shares one FFT of the map between templates;
    # it must find what correlating each template on its own finds.
    from scipy.ndimage import gaussian_filter

    for image in crops(SPEED_120, [40, 300, 700]):
        small = np.asarray(Image.fromarray(image).resize((32, 32), Image.BICUBIC))
        side = 32 * legend_fit._SCALE
        darkness = legend_fit._darkness(np.asarray(Image.fromarray(small).resize((side, side), Image.BICUBIC)))
        natural = number_mask("120")
        centre, best = (side - 1) / 2, (-1.0, 0, 0)
        for height_share in legend_fit._HEIGHTS:
            height = int(round(height_share * side))
            for stretch in legend_fit._STRETCHES:
                width = int(round(height * natural.shape[1] / natural.shape[0] * stretch))
                if height >= side or width >= side:
                    continue
                template = gaussian_filter(legend_fit._resize(natural, width, height), 0.5 * legend_fit._SCALE)
                scores = legend_fit._correlation(darkness, template)
                tops = np.arange(scores.shape[0]) + (height - 1) / 2 - centre
                lefts = np.arange(scores.shape[1]) + (width - 1) / 2 - centre
                limit = legend_fit.MAX_OFFSET * side
                scores = np.where((np.abs(tops)[:, None] <= limit) & (np.abs(lefts)[None, :] <= limit), scores, -1.0)
                top, left = np.unravel_index(int(np.argmax(scores)), scores.shape)
                if scores[top, left] > best[0]:
                    best = (float(scores[top, left]), int(top), int(left))

        score, top, left, *_ = legend_fit._best_placement(darkness, "120")
        assert (top, left) == best[1:]
        assert score == pytest.approx(best[0], abs=1e-6)
