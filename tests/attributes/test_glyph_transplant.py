"""Numbers set from printed digits cut out of real GTSRB crops."""

from __future__ import annotations

import numpy as np
import pytest

from signrules.attributes.synth.digit_swap import erase_legend, swap_digits_batch
from signrules.attributes.synth.glyph_transplant import (
    derive_digits,
    donors_by_digit,
    glyph_opacity,
    open_upper_loop,
    transplant_number,
)
from signrules.attributes.synth.legend_fit import MIN_SCORE, fit_legend, glyph_cells, number_mask

SPEED_30, SPEED_60, SPEED_80, SPEED_120 = 1, 3, 5, 8


@pytest.fixture
def plates(crops):
    """Erased plates of real speed limits 30 and 120, whose printed digits are 0, 1, 2 and 3."""
    # Every 70th image spans the tracks, near and far, dark and bright.
    erased = [erase_legend(image, "30") for image in crops(SPEED_30, range(0, 1400, 70))]
    erased += [erase_legend(image, "120") for image in crops(SPEED_120, range(0, 1400, 70))]
    return [plate for plate in erased if plate is not None]


@pytest.fixture
def plates_80(crops):
    """Erased plates of real speed limit 80, whose printed digits are 8 and 0."""
    erased = [erase_legend(image, "80") for image in crops(SPEED_80, range(0, 1850, 40))]
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


def test_derived_six_opens_the_upper_loop(plates_80):
    donors = donors_by_digit(plates_80)
    derived = derive_digits(donors)

    assert "6" not in donors
    assert "9" not in donors
    assert len(derived["6"]) == len(derived["9"]) == len(donors["8"]) >= 5
    opened_ink, kept_ink = [], []
    for eight, six in zip(donors["8"], derived["6"]):
        removed = eight.opacity - six.opacity
        assert removed.min() >= 0.0
        rows = np.flatnonzero(removed.max(axis=1) > 0)
        # Only a band of rows between a fifth and a half of the height changes.
        if rows.size:
            assert rows[0] >= 0.2 * len(removed)
            assert rows[-1] <= 0.5 * len(removed)
        opened_ink.append(removed.sum())
        kept_ink.append(six.opacity.sum())
    # The band crosses the printed stroke of the upper loop's right side: a
    # real share of the 8's ink goes, and most of it stays.
    share = np.array(opened_ink) / (np.array(opened_ink) + np.array(kept_ink))
    assert 0.03 <= np.median(share) <= 0.25


def test_derived_nine_is_six_turned(plates_80):
    derived = derive_digits(donors_by_digit(plates_80))

    for six, nine in zip(derived["6"], derived["9"]):
        np.testing.assert_array_equal(nine.opacity, six.opacity[::-1, ::-1])


def test_derived_sixty_fits_its_number(plates_80):
    # The legend fit's DIN templates tell a 6 from an 8 only by the open
    # right side of the upper loop. So a "60" set from derived 6s should
    # fit "60" better than "80" more often than the printed 80s do.
    derived = derive_digits(donors_by_digit(plates_80))
    rng = np.random.default_rng(0)

    def score(image, number):
        fit = fit_legend(image, number)
        return fit.score if fit else 0.0

    def prefers_sixty(image):
        return score(image, "60") > score(image, "80")

    transplanted = [prefers_sixty(transplant_number(plate, derived, rng, "60")[0]) for plate in plates_80]
    printed = [prefers_sixty(plate.image) for plate in plates_80]
    assert np.mean(transplanted) >= np.mean(printed) + 0.15


def test_printed_digits_are_not_replaced(crops, plates_80):
    sixty = [erase_legend(image, "60") for image in crops(SPEED_60, range(0, 1400, 70))]
    donors = donors_by_digit([plate for plate in sixty if plate is not None] + plates_80)
    derived = derive_digits(donors)

    assert derived["6"] == donors["6"]
    assert all(donor.plate.number == "60" for donor in derived["9"])
    assert len(derived["9"]) == len(donors["6"])


def test_open_upper_loop_leaves_blank_cell():
    blank = np.zeros((20, 10), np.float32)

    np.testing.assert_array_equal(open_upper_loop(blank), blank)


def test_batch_with_derived_digits(crops):
    images = np.stack([*crops(SPEED_80, range(0, 1850, 40))])

    _, plain, _ = swap_digits_batch(images, ["80"] * len(images), 40, seed=3, transplant=1.0)
    _, numbers, _ = swap_digits_batch(images, ["80"] * len(images), 40, seed=3, transplant=1.0, derive=True)

    assert all(set(number) <= {"8", "0"} for number in plain)
    assert all(set(number) <= {"8", "0", "6", "9"} for number in numbers)
    assert any(set(number) & {"6", "9"} for number in numbers)
