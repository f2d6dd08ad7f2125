"""Real signs with new numbers: the digits of a real crop replaced by rendered ones.

GTSRB shows only eight speed limits, and a network trained on them learns
to recognise those eight plates rather than to read digits: it reads an
unseen "60" as "80". Fully synthetic signs teach reading, but they do not
look exactly like real photos. Swapping the digits of real speed-limit
crops for random rendered numbers gives images with real plates, lighting
and blur whose digits must be read.

Per image: the number the crop shows (known from its class) is located by
template matching (``legend_fit``), which also gives its height, width,
stroke weight and blur. At 4x resolution the legend's box is filled with
the plate as it looks around it (a blur of the plate pixels only, so that
shading and glare continue across the box). A new number, a speed such as
60 or any 1-3 digits, is drawn with the fitted height, stretch, weight and
blur, centred where the old one was, in the colour of the old legend's
core. The image is then scaled back down. Crops where the legend is not
found are skipped. ``swap_digits_batch`` can instead set a share of the
new numbers from printed digits cut out of other crops (``glyph_transplant``).

A swap that stands out (a flat patch, grey or narrow digits) would let the
network tell swaps from real plates, and a "6" drawn unlike a printed one
teaches it nothing about real plates. So the fill, the ink and the shape
of the digits follow the real crop as closely as they can.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter
from tqdm import tqdm

from signrules.attributes.synth.dataset import cache_dir
from signrules.attributes.synth.legend_fit import LegendFit, fit_legend, number_mask
from signrules.attributes.synth.sampling import SIGN_NUMBERS

__all__ = ["ErasedPlate", "cached_swap_digits_batch", "compose_legend", "draw_number", "erase_legend",
           "swap_digits", "swap_digits_batch"]

# Bump when swap_digits changes what it draws, so that old caches are unused.
SWAP_VERSION = 5

log = logging.getLogger(__name__)

_SCALE = 4

# The plate lies inside a disc around the centre of the crop, whose radius
# is this fraction of the crop size: inside the red rim of a sign that fills
# about 80 % of the crop (the rim begins at about 0.32).
_PLATE_RADIUS = 0.3

# A new number may be at most twice this wide (fraction of the crop size),
# so that it stays inside the rim.
_LEGEND_HALF_WIDTH = 0.27

# Transplanted digits are cut from this many crops, of those whose legend
# fit scores at least _DONOR_SCORE (three in four of them): a looser fit
# cuts a digit with a slice of its neighbour.
_DONOR_POOL = 1500
_DONOR_SCORE = 0.75


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


@dataclass(frozen=True)
class ErasedPlate:
    """A speed-limit crop with its legend erased, ready for new numbers.

    ``erased`` is the crop at 4x with the legend's box filled with plate,
    and ``edited`` how much of each pixel the fill replaced (both uint8, to
    keep thousands of them in memory). ``ink`` is the old legend's core
    colour and ``fit`` where and how it was printed.
    """

    image: np.ndarray
    erased: np.ndarray
    edited: np.ndarray
    ink: np.ndarray
    fit: LegendFit
    #: The number the crop shows, which ``fit`` located.
    number: str


def erase_legend(image: np.ndarray, old_number: str, fit: LegendFit | None = None) -> ErasedPlate | None:
    """Return ``image`` with the number ``old_number`` erased, or None where the legend is not found.

    ``image`` is a uint8 (H, W, 3) crop of a sign that shows the digits
    ``old_number``. ``fit`` is ``fit_legend(image, old_number)`` when the
    caller has it already.
    """
    fit = fit if fit is not None else fit_legend(image, old_number)
    if fit is None:
        return None

    size = image.shape[0]
    large = np.asarray(Image.fromarray(image).resize((size * _SCALE,) * 2, Image.BICUBIC)).astype(np.float32)
    side = large.shape[0]
    yy, xx = np.mgrid[0:side, 0:side]
    centre = (side - 1) / 2
    disc = (yy - centre) ** 2 + (xx - centre) ** 2 <= (_PLATE_RADIUS * side) ** 2
    luminance = large @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    redness = large[..., 0] - large[..., 1:].max(axis=2)

    # The old legend as the fit drew it, at this scale.
    old = _placed(number_mask(old_number, fit.weight), fit.centre_x * _SCALE, fit.centre_y * _SCALE,
                  fit.width * _SCALE, fit.height * _SCALE, side)
    # The legend's core colour: the darkest sixth of the box, which lies
    # well inside the strokes (a legend covers about a third of its box).
    # Edge pixels are half plate and would draw the new digits grey.
    box = _placed(np.ones((1, 1), np.uint8), fit.centre_x * _SCALE, fit.centre_y * _SCALE,
                  fit.width * _SCALE, fit.height * _SCALE, side) > 0
    box_luminance = luminance[box]
    if box_luminance.size < 16:
        return None
    core = box & (luminance <= np.percentile(box_luminance, 16))
    ink_colour = np.median(large[core], axis=0)

    # The plate: disc pixels away from the old legend and not red.
    near_ink = gaussian_filter(old, _SCALE) > 0.05
    plate = disc & ~near_ink & (redness < 40)
    if plate.sum() < 0.1 * disc.sum():
        return None
    plate_colour = np.median(large[plate], axis=0)

    # The plate behind the legend: a normalised blur of the plate pixels, so
    # the fill keeps the plate's shading. Far from any plate pixel the
    # weights vanish and the median plate colour takes over.
    sigma = side / 12
    coverage = gaussian_filter(plate.astype(np.float32), sigma)
    spread = np.stack([gaussian_filter(large[..., c] * plate, sigma) for c in range(3)], axis=-1)
    known = coverage > 1e-3
    background = np.where(known[..., None], spread / np.maximum(coverage, 1e-3)[..., None], plate_colour)

    # Erase the old legend's box with that fill, feathered at the edges.
    pad = max(2, side // 40)
    top = int(fit.centre_y * _SCALE - fit.height * _SCALE / 2)
    left = int(fit.centre_x * _SCALE - fit.width * _SCALE / 2)
    bottom, right = int(top + fit.height * _SCALE) + 1, int(left + fit.width * _SCALE) + 1
    erase = np.zeros((side, side), np.float32)
    erase[max(0, top - pad) : bottom + pad, max(0, left - pad) : right + pad] = 1.0
    erase = gaussian_filter(erase, pad / 2)
    erased = large * (1 - erase[..., None]) + background * erase[..., None]
    return ErasedPlate(
        image=image,
        erased=np.clip(np.rint(erased), 0, 255).astype(np.uint8),
        edited=np.clip(np.rint(erase * 255), 0, 255).astype(np.uint8),
        ink=ink_colour,
        fit=fit,
        number=old_number,
    )


def draw_number(plate: ErasedPlate, rng: np.random.Generator, number: str | None = None) -> tuple[np.ndarray, str]:
    """Return the erased ``plate`` with ``number`` (random if None) drawn in, at the crop's size."""
    fit, side = plate.fit, plate.erased.shape[0]

    # Draw the new number as the old one was drawn: same height, centre,
    # stretch against the face's natural width, weight and blur, with a
    # little jitter so the network cannot key on exact copies. One in five
    # uses the rounder "sans" face of other countries' signs.
    number = number if number is not None else _random_number(rng)
    font = "din" if rng.random() < 0.8 else "sans"
    # Weights in steps of 0.005 keep the number masks cacheable.
    weight = round((fit.weight + float(rng.normal(0.0, 0.01))) / 0.005) * 0.005
    mask = number_mask(number, weight, font)
    height = fit.height * _SCALE * float(rng.uniform(0.95, 1.05))
    width = height * mask.shape[1] / mask.shape[0] * fit.stretch * float(rng.uniform(0.9, 1.1))
    width = min(width, 2 * _LEGEND_HALF_WIDTH * side)
    alpha = _placed(mask, fit.centre_x * _SCALE, fit.centre_y * _SCALE, width, height, side)
    # Scaling back down blurs by about half a crop pixel on its own, which
    # the fitted blur already contains.
    blur = np.sqrt(max(0.0, (fit.blur + float(rng.normal(0.0, 0.15))) ** 2 - 0.25))
    if blur > 0:
        alpha = gaussian_filter(alpha, blur * _SCALE)
    return compose_legend(plate, alpha), number


def compose_legend(plate: ErasedPlate, alpha: np.ndarray) -> np.ndarray:
    """Paint ``alpha`` (4x scale, 0 to 1) on the erased plate in its ink colour; return the crop-size image."""
    size = plate.image.shape[0]
    result = plate.erased * (1 - alpha[..., None]) + plate.ink * alpha[..., None]

    # Scale back down, and keep the original pixels outside the edited box
    # so that resampling does not touch the rim and background.
    small = Image.fromarray(np.clip(result, 0, 255).astype(np.uint8)).resize((size, size), Image.LANCZOS)
    edited = np.clip(np.maximum(plate.edited / 255.0, gaussian_filter(alpha, _SCALE) * 4), 0.0, 1.0)
    keep = np.asarray(Image.fromarray((edited * 255).astype(np.uint8)).resize((size, size), Image.BILINEAR))
    keep = (keep.astype(np.float32) / 255.0)[..., None]
    blended = plate.image.astype(np.float32) * (1 - keep) + np.asarray(small, dtype=np.float32) * keep
    return np.clip(np.rint(blended), 0, 255).astype(np.uint8)


def swap_digits(image: np.ndarray, old_number: str, rng: np.random.Generator, number: str | None = None,
                fit: LegendFit | None = None) -> tuple[np.ndarray, str] | None:
    """Return ``image`` with its digits ``old_number`` replaced by ``number`` (random if None), or None.

    It runs ``erase_legend`` then ``draw_number``. None means the legend
    was not found.
    """
    plate = erase_legend(image, old_number, fit)
    return draw_number(plate, rng, number) if plate is not None else None


def _placed(mask: np.ndarray, centre_x: float, centre_y: float, width: float, height: float,
            side: int) -> np.ndarray:
    """Return a side x side float map with ``mask`` resized to width x height at the given centre."""
    w, h = max(1, int(round(width))), max(1, int(round(height)))
    resized = np.asarray(Image.fromarray(mask).resize((w, h), Image.BILINEAR), dtype=np.float32)
    canvas = np.zeros((side, side), np.float32)
    top, left = int(round(centre_y - h / 2)), int(round(centre_x - w / 2))
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + h, side), min(left + w, side)
    if y1 > y0 and x1 > x0:
        canvas[y0:y1, x0:x1] = resized[y0 - top : y1 - top, x0 - left : x1 - left]
    return np.clip(canvas, 0.0, 1.0)


def swap_digits_batch(images: np.ndarray, old_numbers: list[str], count: int, seed: int,
                      progress: bool = False, transplant: float = 0.0,
                      blank: float = 0.0, derive: bool = False) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Make ``count`` digit swaps from randomly chosen ``images``, which show the numbers ``old_numbers``.

    Returns the new images, their numbers, and the index of the source image
    of each, so that the caller can copy the source's other labels.
    ``transplant`` is the share of swaps whose new number is set from
    printed digits cut out of other crops of ``images`` (see
    ``glyph_transplant``) instead of drawn in a font. ``blank`` is the
    share of swaps left as the erased plate with no number (number ``""``):
    a real plate that shows nothing, as a "no vehicles" sign does.
    ``derive`` adds printed 6s and 9s made from other printed digits to the
    transplants' donors when the crops print none (``derive_digits``).
    ``progress`` shows a bar: 60,000 swaps from 8,000 to 10,000 crops took
    8 to 12 minutes on a 2-core machine shared with a training run.
    """
    # Imported here because glyph_transplant builds on this module.
    from signrules.attributes.synth.glyph_transplant import derive_digits, donors_by_digit, transplant_number

    if len(old_numbers) != len(images):
        raise ValueError(f"got {len(images)} images but {len(old_numbers)} old numbers; expected one number per image")
    if not 0.0 <= transplant <= 1.0:
        raise ValueError(f"the share of transplanted swaps must be in [0, 1], got {transplant}")
    if not 0.0 <= blank <= 1.0:
        raise ValueError(f"the share of blank plates must be in [0, 1], got {blank}")
    rng = np.random.default_rng(seed)
    plates: dict[int, ErasedPlate | None] = {}
    donors = {}
    if transplant > 0:
        # Donors come from a fixed random subset of the crops, with their
        # own generator, so that the swaps' stream does not depend on it.
        pool = np.random.default_rng([seed, 11]).permutation(len(images))[:_DONOR_POOL]
        for source in tqdm(pool, desc="cutting printed digits", unit="img", disable=not progress):
            plates[int(source)] = erase_legend(images[source], old_numbers[source])
        donors = donors_by_digit([p for p in plates.values() if p is not None and p.fit.score >= _DONOR_SCORE])
        if derive:
            donors = derive_digits(donors)
        log.info("printed digits to transplant: %s", ", ".join(f"{d} x{len(c)}" for d, c in sorted(donors.items())))
    out_images, numbers, sources = [], [], []
    attempts = 0
    bar = tqdm(total=count, desc="swapping digits", unit="img", disable=not progress)
    while len(out_images) < count and attempts < 3 * count:
        attempts += 1
        source = int(rng.integers(len(images)))
        # Each source is fitted and erased once: most are drawn several times.
        if source not in plates:
            plates[source] = erase_legend(images[source], old_numbers[source])
        if plates[source] is None:
            continue
        swapped = None
        # Each share draws from the stream only when it is set, so that a
        # run without it makes the same swaps as before it existed.
        if blank > 0 and rng.random() < blank:
            swapped = compose_legend(plates[source], np.zeros(plates[source].erased.shape[:2], np.float32)), ""
        elif transplant > 0 and rng.random() < transplant:
            swapped = transplant_number(plates[source], donors, rng)
        if swapped is None:
            swapped = draw_number(plates[source], rng)
        out_images.append(swapped[0])
        numbers.append(swapped[1])
        sources.append(source)
        bar.update()
    bar.close()
    found = sum(plate is not None for plate in plates.values())
    log.info("found the legend in %d of %d speed-limit crops tried", found, len(plates))
    if len(out_images) < count:
        log.warning("made %d of %d digit swaps; no legend found in the other crops", len(out_images), count)
    shape = (0, *images.shape[1:])
    return (np.stack(out_images) if out_images else np.zeros(shape, np.uint8)), numbers, np.array(sources, dtype=np.int64)


def cached_swap_digits_batch(images: np.ndarray, old_numbers: list[str], count: int, seed: int,
                             progress: bool = False, transplant: float = 0.0, blank: float = 0.0,
                             derive: bool = False) -> tuple[np.ndarray, list[str], np.ndarray]:
    """``swap_digits_batch``, stored in the cache folder.

    Swapping takes minutes for tens of thousands of crops, and a resumed
    training run needs the same swaps again. The key covers the source
    pixels and numbers, so a different class selection never reads
    another's swaps.
    """
    hasher = hashlib.sha1(np.ascontiguousarray(images).tobytes())
    hasher.update(",".join(old_numbers).encode())
    digest = hasher.hexdigest()[:20]
    # Swaps without transplants or blanks keep the key they had before those existed.
    share = f"-transplant{transplant:g}" if transplant > 0 else ""
    share += f"-blank{blank:g}" if blank > 0 else ""
    # Derived digits change only transplants, so other swaps keep their key.
    share += "-derived" if derive and transplant > 0 else ""
    path = cache_dir() / f"swaps-v{SWAP_VERSION}-{count}-seed{seed}{share}-{digest}.npz"
    if path.exists():
        with np.load(path) as stored:
            log.info("loaded %d digit swaps from %s", len(stored["images"]), path)
            return stored["images"], [str(n) for n in stored["numbers"]], stored["sources"]

    swapped, numbers, sources = swap_digits_batch(images, old_numbers, count, seed, progress, transplant, blank,
                                                  derive)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write under a temporary name first: a killed run must not leave a
    # truncated cache that a later run would trust.
    partial = path.with_name(path.name + ".partial.npz")
    np.savez(partial, images=swapped, numbers=np.array(numbers, dtype=str), sources=sources)
    partial.replace(path)
    return swapped, numbers, sources
