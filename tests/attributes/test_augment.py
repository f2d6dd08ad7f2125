"""Training augmentation: shapes, ranges, determinism, no flips, speed."""

from __future__ import annotations

import time

import pytest
import torch
from signrules.attributes.augment import TrainAugment


# Every change at its identity setting, so that a test turns on one alone.
NO_CHANGES = dict(
    rotation=0.0, scale=(1.0, 1.0), translation=0.0, shear=0.0, perspective=0.0,
    brightness=0.0, contrast=0.0, saturation=0.0, gamma=1.0, hue=0.0,
    blur=0.0, low_resolution=0.0, noise=0.0, blocks=0.0,
)


def random_batch(count: int = 16, size: int = 32, seed: int = 0) -> torch.Tensor:
    return torch.rand(count, 3, size, size, generator=torch.Generator().manual_seed(seed))


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("strength", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("size", [32, 48])
def test_augment_keeps_shape_and_range(strength, size):
    images = random_batch(size=size)
    result = TrainAugment(strength)(images, seeded(0))

    assert result.shape == images.shape
    assert result.dtype == images.dtype
    assert result.min() >= 0.0
    assert result.max() <= 1.0


def test_augment_leaves_input_untouched():
    images = random_batch()
    copy = images.clone()
    TrainAugment()(images, seeded(0))

    assert torch.equal(images, copy)


def test_augment_deterministic_under_seed():
    images = random_batch()
    augment = TrainAugment()

    assert torch.equal(augment(images, seeded(3)), augment(images, seeded(3)))
    assert not torch.equal(augment(images, seeded(3)), augment(images, seeded(4)))


def test_augment_strength_zero_is_identity():
    images = random_batch()

    assert torch.equal(TrainAugment(0.0)(images, seeded(0)), images)


def test_augment_changes_images():
    images = random_batch()
    result = TrainAugment()(images, seeded(0))

    assert (result - images).abs().mean() > 0.02


def test_augment_never_flips():
    # A bright block on the left: rotation, scale and translation may move
    # its centre of mass by at most about 0.25 of the width, a horizontal
    # flip would move it from 0.15 to 0.85.
    images = torch.zeros(256, 3, 32, 32)
    images[:, :, 8:24, 2:8] = 1.0
    result = TrainAugment(1.0, brightness=0.0, contrast=0.0, noise=0.0)(images, seeded(5))

    mass = result.mean(dim=1)
    columns = torch.arange(32, dtype=torch.float32) + 0.5
    centre = (mass.sum(dim=1) * columns).sum(dim=1) / mass.sum(dim=(1, 2)) / 32
    assert centre.max() < 0.5
    assert centre.mean() < 0.3


def hue_degrees(rgb: torch.Tensor) -> torch.Tensor:
    """Return the HSV hue of (N, 3) colours in degrees, in (-180, 180]."""
    red, green, blue = rgb.unbind(dim=1)
    return torch.rad2deg(torch.atan2(3**0.5 * (green - blue), 2 * red - green - blue))


def test_augment_keeps_red_red():
    # Colour is a label: at twice the default strength, the hue of a red
    # plate turns by at most 0.04 turns (14 degrees), and gamma adds up to
    # about 8 degrees more. Exposure stays off, because its clipping pales a
    # red plate towards white. test_augment_exposure_clips_and_darkens checks
    # that.
    images = torch.zeros(128, 3, 32, 32)
    images[:, 0] = 0.8
    images[:, 1] = 0.1
    images[:, 2] = 0.12
    result = TrainAugment(
        2.0, brightness=0.0, contrast=0.0, saturation=0.0, exposure=0.0, noise=0.0
    )(
        images, seeded(2)
    )
    shift = hue_degrees(result.mean(dim=(2, 3))) - hue_degrees(torch.tensor([[0.8, 0.1, 0.12]]))

    assert shift.abs().max() < 25.0


def test_augment_red_stays_dominant():
    images = torch.zeros(128, 3, 32, 32)
    images[:, 0] = 0.8
    images[:, 1] = 0.1
    images[:, 2] = 0.12
    mean = TrainAugment()(images, seeded(2)).mean(dim=(2, 3))

    assert (mean[:, 0] > mean[:, 1]).all()
    assert (mean[:, 0] > mean[:, 2]).all()


def test_augment_fast_per_image():
    # CPU time of one thread, the best of three runs, so that other jobs
    # on a busy test machine do not count.
    images = random_batch(count=256)
    augment = TrainAugment()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        augment(images, seeded(0))
        elapsed = []
        for seed in range(3):
            start = time.process_time()
            augment(images, seeded(seed))
            elapsed.append(time.process_time() - start)
    finally:
        torch.set_num_threads(threads)

    assert min(elapsed) / 256 < 1e-3


@pytest.mark.parametrize(
    ("arguments", "name"),
    [
        ({"strength": -1.0}, "strength"),
        ({"strength": 3.0}, "strength"),
        ({"rotation": 90.0}, "rotation"),
        ({"scale": (1.2, 1.5)}, "scale"),
        ({"scale": (0.8,)}, "scale"),
        ({"translation": 0.8}, "translation"),
        ({"hue": 0.2}, "hue"),
        ({"gamma": 0.5}, "gamma"),
        ({"blur": 1.5}, "blur"),
        ({"noise": -0.1}, "noise"),
    ],
)
def test_augment_rejects_bad_arguments(arguments, name):
    with pytest.raises(ValueError, match=f"{name} must .* got"):
        TrainAugment(**arguments)


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (torch.rand(4, 1, 32, 32), "shape"),
        (torch.rand(3, 32, 32), "shape"),
        (torch.zeros(4, 3, 32, 32, dtype=torch.uint8), "floating"),
    ],
)
def test_augment_rejects_bad_images(images, message):
    with pytest.raises(ValueError, match=message):
        TrainAugment()(images, seeded(0))


def test_augment_empty_batch():
    images = torch.zeros(0, 3, 32, 32)

    assert TrainAugment()(images, seeded(0)).shape == (0, 3, 32, 32)


def test_augment_repr_names_settings():
    text = repr(TrainAugment(0.5, rotation=8.0))

    assert "strength=0.5" in text
    assert "rotation=8.0" in text


def test_augment_exposure_clips_and_darkens():
    # Exposure alone, on every image. About half come out overexposed: the
    # plate's mean of 0.3 goes to 0.6 or more, red clips to 1 and green rises
    # with it. The other half come out at under two thirds of their
    # brightness. Red stays the largest channel, because the clip never
    # reorders channels.
    images = torch.zeros(256, 3, 32, 32)
    images[:, 0] = 0.6
    images[:, 1] = 0.15
    images[:, 2] = 0.15
    mean = TrainAugment(1.0, exposure=1.0, **NO_CHANGES)(images, seeded(7)).mean(dim=(2, 3))

    over = mean[:, 0] > 0.8
    under = mean[:, 0] < 0.4
    assert bool((over | under).all())
    assert 0.35 < over.float().mean() < 0.65
    assert torch.allclose(mean[over, 0], torch.ones(int(over.sum())))
    assert bool((mean[over, 1] > 0.3).all())
    assert bool((mean[:, 0] > mean[:, 1]).all())


def test_augment_rejects_exposure_outside_range():
    with pytest.raises(ValueError, match="exposure"):
        TrainAugment(exposure=1.5)


def test_augment_stains_darken_in_blotches():
    # Stains only darken, and only part of each image. A grey plate keeps
    # most of its pixels and loses up to about 70 % of the brightness of others.
    images = torch.full((64, 3, 32, 32), 0.8)
    result = TrainAugment(1.0, stains=1.0, **NO_CHANGES)(images, seeded(3))
    darkened = (images - result).amax(dim=1)

    assert bool((result <= images + 1e-6).all())
    assert float((darkened > 0.05).float().mean()) > 0.05
    assert float((darkened < 0.01).float().mean()) > 0.4
    assert float(darkened.amax(dim=(1, 2)).mean()) > 0.15


def test_augment_occlusion_spares_the_centre():
    # Bars cross the edge of the crop, never the middle where the legend is.
    images = torch.full((64, 3, 32, 32), 0.9)
    result = TrainAugment(1.0, occlusion=1.0, **NO_CHANGES)(images, seeded(4))
    changed = (result - images).abs().amax(dim=1) > 0.05
    yy, xx = torch.meshgrid(torch.arange(32) - 15.5, torch.arange(32) - 15.5, indexing="ij")
    centre = (yy**2 + xx**2).sqrt() < 0.18 * 32

    assert bool(changed.flatten(1).any(dim=1).all())
    assert not bool(changed[:, centre].any())


def test_clutter_off_keeps_random_stream():
    # Runs from before these options must reproduce. At probability 0
    # nothing is drawn, so the rest of the augmentation gets the same stream.
    images = random_batch(count=32)
    default = TrainAugment()(images, seeded(5))
    explicit = TrainAugment(stains=0.0, occlusion=0.0)(images, seeded(5))

    assert torch.equal(default, explicit)


@pytest.mark.parametrize("option", ["stains", "occlusion"])
def test_augment_rejects_clutter_outside_range(option):
    with pytest.raises(ValueError, match=option):
        TrainAugment(**{option: -0.1})


def test_washout_takes_colour_and_fades_half():
    # A red plate on every image: washed out, it keeps at most 40 % of its
    # colour (the spread between channels), and about half come out brighter.
    images = torch.zeros(256, 3, 32, 32)
    images[:, 0] = 0.7
    images[:, 1] = 0.1
    images[:, 2] = 0.1
    result, washed = TrainAugment(1.0, washout=1.0, **NO_CHANGES).wash_out(images, seeded(8))
    spread = (result.amax(dim=1) - result.amin(dim=1)).mean(dim=(1, 2))
    brighter = result.mean(dim=(1, 2, 3)) > images.mean(dim=(1, 2, 3)) + 0.02

    assert bool(washed.all())
    assert bool((spread <= 0.4 * 0.6 + 1e-5).all())
    assert 0.35 < brighter.float().mean() < 0.65
    assert float(result.min()) >= 0.0
    assert float(result.max()) <= 1.0


def test_washout_chooses_a_share_and_leaves_the_rest():
    images = random_batch(count=400)
    result, washed = TrainAugment(1.0, washout=0.25).wash_out(images, seeded(9))

    assert 60 < int(washed.sum()) < 140
    assert torch.equal(result[~washed], images[~washed])
    assert not torch.equal(result[washed], images[washed])


def test_washout_off_draws_nothing():
    # At probability 0 the generator is not advanced, so runs from before
    # the option reproduce.
    images = random_batch(count=8)
    generator = seeded(10)
    state = generator.get_state()
    result, washed = TrainAugment().wash_out(images, generator)

    assert result is images
    assert not bool(washed.any())
    assert torch.equal(generator.get_state(), state)


def test_augment_rejects_washout_outside_range():
    with pytest.raises(ValueError, match="washout"):
        TrainAugment(washout=1.2)
