"""Numbers set from printed digits cut out of real GTSRB crops."""

from __future__ import annotations

import numpy as np
import pytest

from signrules.attributes.synth.digit_swap import erase_legend, swap_digits_batch
from signrules.attributes.synth.glyph_transplant import donors_by_digit, glyph_opacity, transplant_number
from signrules.attributes.synth.legend_fit import MIN_SCORE, fit_legend, glyph_cells, number_mask

SPEED_30, SPEED_120 = 1, 8


@pytest.fixture
def plates(crops):
    """Erased plates of real speed limits 30 and 120, whose printed digits are 0, 1, 2 and 3."""
    # Every 70th image spans the tracks, near and far, dark and bright.
    erased = [erase_legend(image, "30") for image in crops(SPEED_30, range(0, 1400, 70))]
    erased += [erase_legend(image, "120") for image in crops(SPEED_120, range(0, 1400, 70))]
    return [plate for plate in erased if plate is not None]


@pytest.mark.parametrize("number", ["100", "30", "7", "858"])
@pytest.mark.parametrize("weight", [-0.02, 0.0, 0.03])
def test_glyph_cells_split_at_gaps(number, weight):
    mask = number_mask(number, weight)
    cells = glyph_cells(number, weight)
    columns = mask.shape[1]

    assert len(cells) == len(number)
    assert cells[0][0] == 0.0
    assert cells[-1][1] == 1.0
    for (_, right), (left, _) in zip(cells, cells[1:]):
        assert right == left
        assert mask[:, min(columns - 1, round(right * columns))].max() < 0.2
    for left, right in cells:
        assert mask[:, round(left * columns) : round(right * columns)].mean() > 0.1


def test_donors_by_printed_digit(plates):
    donors = donors_by_digit(plates)

    assert set(donors) <= {"0", "1", "2", "3"}
    assert len(donors.get("0", [])) >= 5
    for digit, entries in donors.items():
        for donor in entries:
            assert donor.plate.number[donor.index] == digit


def test_opacity_follows_digit_ink(plates):
    # The "0" of a "30" is a ring: its cell is more opaque on the ring than
    # at the cell's centre, which is plate seen through the zero.
    rings = []
    for plate in plates:
        if plate.number != "30":
            continue
        opacity = glyph_opacity(plate, 1)
        if opacity is None:
            continue
        rows, columns = opacity.shape
        centre = opacity[rows * 2 // 5 : rows * 3 // 5, columns * 2 // 5 : columns * 3 // 5].mean()
        rings.append(opacity.max(axis=0).mean() > centre)
    assert len(rings) >= 5
    assert np.mean(rings) >= 0.8


def test_transplant_fits_new_template(plates):
    # Cut-out printed digits make a "100" on plates that showed "30": the
    # legend fit, whose templates are in the DIN face only, finds "100" there, and the
    # erased "30" no longer fits as well.
    donors = donors_by_digit(plates)
    rng = np.random.default_rng(0)
    new, old = [], []
    for plate in plates:
        if plate.number != "30":
            continue
        result = transplant_number(plate, donors, rng, "100")
        assert result is not None
        assert result[1] == "100"
        image = result[0]
        assert image.shape == plate.image.shape
        assert image.dtype == np.uint8
        fits = fit_legend(image, "100"), fit_legend(image, "30")
        new.append(fits[0].score if fits[0] else 0.0)
        old.append(fits[1].score if fits[1] else 0.0)

    assert len(new) >= 8
    assert np.mean(np.array(new) >= MIN_SCORE) >= 0.7
    assert np.mean(new) > np.mean(old)


def test_transplant_without_donor_rejected(plates):
    donors = donors_by_digit(plates)

    assert transplant_number(plates[0], donors, np.random.default_rng(0), "60") is None


def test_random_numbers_use_donors(plates):
    donors = donors_by_digit(plates)
    rng = np.random.default_rng(1)

    numbers = [transplant_number(plates[i % len(plates)], donors, rng)[1] for i in range(40)]

    assert all(set(number) <= set(donors) for number in numbers)
    assert all(len(number) == 1 or not number.startswith("0") for number in numbers)
    assert len(set(numbers)) > 10


def test_batch_transplant_share(crops):
    images = np.stack([*crops(SPEED_30, range(0, 300, 30))])

    _, numbers, _ = swap_digits_batch(images, ["30"] * len(images), 30, seed=2, transplant=1.0)

    # Only the digits 3 and 0 are printed on these plates.
    assert all(set(number) <= {"3", "0"} for number in numbers)
    with pytest.raises(ValueError, match="must be in \\[0, 1\\], got 1.5"):
        swap_digits_batch(images, ["30"] * len(images), 4, seed=2, transplant=1.5)
