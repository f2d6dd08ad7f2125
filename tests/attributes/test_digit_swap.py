"""Digit swaps on real GTSRB crops: new digits inside, plate and rim untouched."""

from __future__ import annotations

import numpy as np
import pytest

from signrules.attributes.decode import decode_image
from signrules.attributes.synth.digit_swap import cached_swap_digits_batch, swap_digits, swap_digits_batch
from signrules.attributes.synth.sampling import SIGN_NUMBERS

SPEED_30, NO_VEHICLES = 1, 15


@pytest.fixture
def crop(gtsrb_training):
    def read(class_id: int, index: int = 15) -> np.ndarray:
        paths = sorted((gtsrb_training / "Images" / f"{class_id:05d}").glob("*.ppm"))
        return decode_image(paths[index])

    return read


def test_swap_changes_only_centre(crop):
    image = crop(SPEED_30)

    swapped, number = swap_digits(image, "30", np.random.default_rng(0), "6")
    difference = np.abs(swapped.astype(int) - image.astype(int)).sum(axis=2)
    size = image.shape[0]
    yy, xx = np.mgrid[0:size, 0:size]
    radius = np.hypot(yy - (size - 1) / 2, xx - (size - 1) / 2)

    assert number == "6"
    assert difference[radius < 0.2 * size].mean() > 20
    assert difference[radius > 0.4 * size].mean() < 2


def test_legend_found_on_speed_limits(crop):
    results = [swap_digits(crop(SPEED_30, i), "30", np.random.default_rng(i)) for i in range(0, 400, 20)]

    assert sum(result is not None for result in results) >= 16


def test_blank_plate_mostly_skipped(crop):
    # "No vehicles" is a plain white disc, so there is no legend to replace;
    # the contrast test is a heuristic, and training only swaps plates that
    # show digits, so half of them skipped is enough here.
    results = [swap_digits(crop(NO_VEHICLES, i), "30", np.random.default_rng(i)) for i in range(0, 200, 20)]

    assert sum(result is None for result in results) >= 5


def test_batch_deterministic(crop):
    images = np.stack([crop(SPEED_30, i) for i in range(0, 300, 30)])

    first = swap_digits_batch(images, ["30"] * 10, 12, seed=3)
    second = swap_digits_batch(images, ["30"] * 10, 12, seed=3)

    assert np.array_equal(first[0], second[0])
    assert first[1] == second[1]
    assert all(1 <= len(number) <= 3 and number.isdigit() for number in first[1])
    assert all(number == "0" or not number.startswith("0") for number in first[1])
    assert len(first[2]) == 12


def test_cached_batch_matches_uncached(crop, tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNRULES_CACHE", str(tmp_path))
    images = np.stack([crop(SPEED_30, i) for i in range(0, 300, 30)])

    fresh = swap_digits_batch(images, ["30"] * 10, 8, seed=5)
    written = cached_swap_digits_batch(images, ["30"] * 10, 8, seed=5)
    stored = list((tmp_path / "synth").glob("swaps-*.npz"))
    read = cached_swap_digits_batch(images, ["30"] * 10, 8, seed=5)

    assert len(stored) == 1
    for result in (written, read):
        assert np.array_equal(result[0], fresh[0])
        assert result[1] == fresh[1]
        assert np.array_equal(result[2], fresh[2])


def test_cache_keyed_on_source_pixels(crop, tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNRULES_CACHE", str(tmp_path))
    images = np.stack([crop(SPEED_30, i) for i in range(0, 300, 30)])

    cached_swap_digits_batch(images, ["30"] * 10, 4, seed=5)
    cached_swap_digits_batch(images[::-1].copy(), ["30"] * 10, 4, seed=5)

    assert len(list((tmp_path / "synth").glob("swaps-*.npz"))) == 2


def test_numbers_favour_those_signs_show(crop):
    # A uniform draw would put a given speed such as "60" on one swap in
    # several hundred. So most swaps must show numbers that real plates
    # show, and the rest must still cover other digit strings.
    images = np.stack([crop(SPEED_30, i) for i in range(0, 300, 30)])

    _, numbers, _ = swap_digits_batch(images, ["30"] * 10, 150, seed=7)

    on_signs = sum(number in SIGN_NUMBERS for number in numbers)
    assert 0.45 < on_signs / len(numbers) < 0.8
    assert len(set(numbers) - set(SIGN_NUMBERS)) > 20


def test_batch_rejects_mismatched_numbers(crop):
    images = np.stack([crop(SPEED_30, i) for i in range(0, 90, 30)])

    with pytest.raises(ValueError, match="got 3 images but 2 old numbers"):
        swap_digits_batch(images, ["30", "30"], 4, seed=0)


def test_blank_plates_erase_the_number(crop):
    # The digits are the only strong contrast inside the rim, so erasing
    # them must flatten the centre of the plate, while the rim and the
    # background stay as they were. (Template matching is no test here: it
    # still finds a weak "30" in the edges of the filled box.)
    images = np.stack([crop(SPEED_30, i) for i in range(0, 300, 30)])

    blanks, numbers, sources = swap_digits_batch(images, ["30"] * 10, 10, seed=2, blank=1.0)

    assert numbers == [""] * 10
    size = images.shape[1]
    yy, xx = np.mgrid[0:size, 0:size]
    radius = np.hypot(yy - (size - 1) / 2, xx - (size - 1) / 2)
    before = images[sources].mean(axis=3)[:, radius < 0.2 * size].std(axis=1)
    after = blanks.mean(axis=3)[:, radius < 0.2 * size].std(axis=1)
    assert (after < 0.7 * before).all()
    assert (after < 0.5 * before).sum() >= 7
    difference = np.abs(blanks.astype(int) - images[sources].astype(int)).sum(axis=3)
    assert difference[:, radius > 0.4 * size].mean() < 2


def test_blank_share_mixes_with_numbers(crop):
    images = np.stack([crop(SPEED_30, i) for i in range(0, 300, 30)])

    _, numbers, _ = swap_digits_batch(images, ["30"] * 10, 100, seed=4, blank=0.2)

    assert 0.1 < numbers.count("") / len(numbers) < 0.3
    assert all(number.isdigit() for number in numbers if number)
    with pytest.raises(ValueError, match="share of blank plates"):
        swap_digits_batch(images, ["30"] * 10, 4, seed=0, blank=1.5)
