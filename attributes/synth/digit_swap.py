"""Real signs with new numbers: the digits of a real crop replaced by rendered ones.

GTSRB shows only eight speed limits, and a network trained on them learns
to recognise those eight plates rather than to read digits: it reads an
unseen "60" as "80". Fully synthetic signs teach reading, but they do not
look exactly like real photos. Swapping the digits of real speed-limit
crops for random rendered numbers gives images with real plates, lighting
and blur whose digits must be read.

Per image, at 4x resolution: the dark pixels inside the central disc are
the legend. Their bounding box is filled with the plate as it looks around
it (a blur of the plate pixels only, so that shading and glare continue
across the box). A number, a speed such as 60 or any 1-3 digits, is drawn
into a box of the same height and centre, in the colour of the legend's
core. The image is then scaled back down, which blurs the new digits like
the old ones. Crops where no legend is found are skipped.

A swap that stands out (a flat patch, grey digits) would let the network
tell swaps from real plates, so the fill and the ink colour follow the
real crop as closely as they can.
"""

from __future__ import annotations

import hashlib
import logging

import numpy as np
from PIL import Image, ImageFilter
from scipy.ndimage import gaussian_filter
from tqdm import tqdm

from signrules.attributes.synth.dataset import cache_dir
from signrules.attributes.synth.lettering import letter_mask
from signrules.attributes.synth.sampling import SIGN_NUMBERS

__all__ = ["cached_swap_digits_batch", "swap_digits", "swap_digits_batch"]

# Bump when swap_digits changes what it draws, so that old caches are unused.
SWAP_VERSION = 4

log = logging.getLogger(__name__)

_SCALE = 4

# The legend lies inside a disc around the centre of the crop, whose radius
# is this fraction of the crop size: inside the red rim of a sign that fills
# about 80 % of the crop (the rim begins at about 0.3).
_LEGEND_RADIUS = 0.25


def _random_number(rng: np.random.Generator) -> str:
    # Most real plates show one of a few numbers, so a uniform draw would
    # almost never put "60" on a plate that looks real, and the network
    # would keep reading a real "60" plate as the "80" it has seen. Six in
    # ten swaps therefore show a number that signs use.
    if rng.random() < 0.6:
        return SIGN_NUMBERS[int(rng.integers(len(SIGN_NUMBERS)))]
    length = int(rng.integers(1, 4))
    first = str(rng.integers(1, 10)) if length > 1 else str(rng.integers(0, 10))
    return first + "".join(str(d) for d in rng.integers(0, 10, length - 1))


def swap_digits(image: np.ndarray, rng: np.random.Generator, number: str | None = None) -> tuple[np.ndarray, str] | None:
    """Return ``image`` with its digits replaced by ``number`` (random if None), or None.

    ``image`` is a uint8 (H, W, 3) crop of a sign that shows digits. None
    means no legend was found where digits should be.
    """
    size = image.shape[0]
    large = np.asarray(Image.fromarray(image).resize((size * _SCALE,) * 2, Image.BICUBIC)).astype(np.float32)
    side = large.shape[0]
    yy, xx = np.mgrid[0:side, 0:side]
    centre = (side - 1) / 2
    disc = (yy - centre) ** 2 + (xx - centre) ** 2 <= (_LEGEND_RADIUS * side) ** 2

    luminance = large @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    inside = luminance[disc]
    plate_level, ink_level = np.percentile(inside, 85), np.percentile(inside, 5)
    # Thresholds from GTSRB: speed-limit crops have a median contrast of
    # about 65 between plate and legend and 25-55 % legend pixels in the
    # disc; blank plates a median contrast of about 20.
    if plate_level - ink_level < 30:
        return None  # too little contrast to tell the legend from the plate
    # Ink is dark and not red: the red rim can reach into the disc on
    # off-centre crops, and it must not count as legend.
    redness = large[..., 0] - large[..., 1:].max(axis=2)
    ink = disc & (luminance < (plate_level + ink_level) / 2) & (redness < 40)
    if ink.sum() < 0.15 * disc.sum():
        return None

    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, columns[0], columns[-1] + 1
    height = bottom - top
    if height < 0.15 * side or height > 0.6 * side:
        return None

    # The plate's typical colour, from the non-legend pixels between the
    # glyphs' box and the disc edge, so that the erased box does not stand out.
    plate = disc & ~ink & (luminance >= (plate_level + ink_level) / 2) & (redness < 40)
    plate_colour = np.median(large[plate], axis=0)
    # The legend's core colour: its darkest third, because the edge pixels
    # of the mask are half plate and would draw the new digits grey.
    ink_luminance = luminance[ink]
    core = ink & (luminance <= np.percentile(ink_luminance, 33))
    ink_colour = np.median(large[core], axis=0)

    # The plate behind the legend: a normalised blur of the plate pixels, so
    # the fill keeps the plate's shading. Far from any plate pixel the
    # weights vanish and the median plate colour takes over.
    sigma = side / 12
    coverage = gaussian_filter(plate.astype(np.float32), sigma)
    spread = np.stack([gaussian_filter(large[..., c] * plate, sigma) for c in range(3)], axis=-1)
    known = coverage > 1e-3
    background = np.where(known[..., None], spread / np.maximum(coverage, 1e-3)[..., None], plate_colour)

    # Erase the old legend with that fill, feathered at the edges.
    pad = max(2, side // 40)
    erase = np.zeros((side, side), np.float32)
    erase[max(0, top - pad) : bottom + pad, max(0, left - pad) : right + pad] = 1.0
    erase = np.asarray(Image.fromarray((erase * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(pad)))
    erase = (erase.astype(np.float32) / 255.0)[..., None]
    result = large * (1 - erase) + background * erase

    # Draw the new number with the old one's height and centre; digits keep
    # the old legend's width per digit where the plate allows.
    number = number if number is not None else _random_number(rng)
    # Mostly the DIN face of the real plates, at its own weight or one step
    # lighter or heavier. Swaps that were all bolder than the real legend
    # would teach the network that a bold "6" is a 6 and a real one an 8.
    font = "din" if rng.random() < 0.7 else "sans"
    weight = int(rng.choice([-1, 0, 0, 1]))
    mask = letter_mask(number, 128, font=font, spacing=float(rng.uniform(0.02, 0.12)), weight=weight)
    # The old box is tight around the ink, so the new one is too.
    ink_rows = np.flatnonzero(mask.max(axis=1))
    mask = mask[ink_rows[0] : ink_rows[-1] + 1]
    old_digits = max(1, round((right - left) / (0.62 * height)))
    per_digit = (right - left) / old_digits
    width = min(int(per_digit * len(number)), int(2 * _LEGEND_RADIUS * side * 0.95))
    mask_image = Image.fromarray(mask).resize((max(1, width), height), Image.LANCZOS)
    alpha = np.zeros((side, side), np.float32)
    x0 = int(round((left + right) / 2 - width / 2))
    x0 = min(max(x0, 0), side - width)
    alpha[top:bottom, x0 : x0 + width] = np.asarray(mask_image, dtype=np.float32) / 255.0
    # Real legends are soft at their edges (most crops were enlarged from
    # fewer pixels), so the new digits get a random blur up to about one
    # pixel of the final crop.
    alpha = gaussian_filter(alpha, float(rng.uniform(0.0, 1.0)) * _SCALE)[..., None]
    result = result * (1 - alpha) + ink_colour * alpha

    # Scale back down, and keep the original pixels outside the edited box
    # so that resampling does not touch the rim and background.
    small = Image.fromarray(np.clip(result, 0, 255).astype(np.uint8)).resize((size, size), Image.LANCZOS)
    edited = np.maximum(erase[..., 0], alpha[..., 0])
    weight = np.asarray(Image.fromarray((edited * 255).astype(np.uint8)).resize((size, size), Image.BILINEAR))
    weight = (weight.astype(np.float32) / 255.0)[..., None]
    blended = image.astype(np.float32) * (1 - weight) + np.asarray(small, dtype=np.float32) * weight
    return np.clip(np.rint(blended), 0, 255).astype(np.uint8), number


def swap_digits_batch(images: np.ndarray, count: int, seed: int,
                      progress: bool = False) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Make ``count`` digit swaps from randomly chosen ``images``.

    Returns the new images, their numbers, and the index of the source image
    of each, so that the caller can copy the source's other labels.
    ``progress`` shows a bar: 60,000 swaps take about 5 minutes on one core.
    """
    rng = np.random.default_rng(seed)
    out_images, numbers, sources = [], [], []
    attempts = 0
    bar = tqdm(total=count, desc="swapping digits", unit="img", disable=not progress)
    while len(out_images) < count and attempts < 3 * count:
        attempts += 1
        source = int(rng.integers(len(images)))
        swapped = swap_digits(images[source], rng)
        if swapped is None:
            continue
        out_images.append(swapped[0])
        numbers.append(swapped[1])
        sources.append(source)
        bar.update()
    bar.close()
    if len(out_images) < count:
        log.warning("made %d of %d digit swaps; no legend found in the other crops", len(out_images), count)
    shape = (0, *images.shape[1:])
    return (np.stack(out_images) if out_images else np.zeros(shape, np.uint8)), numbers, np.array(sources, dtype=np.int64)


def cached_swap_digits_batch(images: np.ndarray, count: int, seed: int,
                             progress: bool = False) -> tuple[np.ndarray, list[str], np.ndarray]:
    """``swap_digits_batch``, stored in the cache folder.

    Swapping takes minutes for tens of thousands of crops, and a resumed
    training run needs the same swaps again. The key covers the source
    pixels, so a different class selection never reads another's swaps.
    """
    digest = hashlib.sha1(np.ascontiguousarray(images).tobytes()).hexdigest()[:20]
    path = cache_dir() / f"swaps-v{SWAP_VERSION}-{count}-seed{seed}-{digest}.npz"
    if path.exists():
        with np.load(path) as stored:
            log.info("loaded %d digit swaps from %s", len(stored["images"]), path)
            return stored["images"], [str(n) for n in stored["numbers"]], stored["sources"]

    swapped, numbers, sources = swap_digits_batch(images, count, seed, progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write under a temporary name first: a killed run must not leave a
    # truncated cache that a later run would trust.
    partial = path.with_name(path.name + ".partial.npz")
    np.savez(partial, images=swapped, numbers=np.array(numbers, dtype=str), sources=sources)
    partial.replace(path)
    return swapped, numbers, sources
