"""The camera of synthetic photographs: exposure, colour cast, blur and noise.

GTSRB photos come from a car's camera: many are dark (dusk, shade), some
over-exposed, most slightly blurred, and many were upscaled from crops of
15 to 30 pixels. The distributions below imitate that spread; they are
estimates tuned by comparing image grids with real crops, not fitted.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter

__all__ = ["photograph"]


def _motion_kernel(direction: int) -> ImageFilter.Kernel:
    """Return a 5 x 5 smear along a row, a column or a diagonal (direction 0-3)."""
    weights = np.zeros((5, 5))
    if direction == 0:
        weights[2, 1:4] = 1
    elif direction == 1:
        weights[1:4, 2] = 1
    else:
        weights[np.arange(5), np.arange(5) if direction == 2 else np.arange(4, -1, -1)] = 1
    return ImageFilter.Kernel((5, 5), weights.ravel().tolist(), scale=float(weights.sum()))


_MOTION_KERNELS = tuple(_motion_kernel(direction) for direction in range(4))


def _shift_channels(image: np.ndarray, shift: float, axis: int) -> np.ndarray:
    """Move red by ``shift`` pixels along ``axis`` and blue the opposite way.

    Fractional shifts interpolate linearly between neighbouring pixels.
    """
    result = image.copy()
    for channel, amount in ((0, shift), (2, -shift)):
        whole = int(np.floor(amount))
        fraction = amount - whole
        plane = np.roll(image[..., channel], whole, axis=axis)
        result[..., channel] = (1 - fraction) * plane + fraction * np.roll(plane, 1, axis=axis)
    return result


def _exposure(rng: np.random.Generator) -> float:
    """Draw a brightness gain: often dark, usually normal, sometimes over-exposed."""
    kind = rng.random()
    if kind < 0.3:
        return rng.uniform(0.25, 0.6)
    if kind < 0.86:
        return rng.uniform(0.6, 1.15)
    return rng.uniform(1.15, 1.9)


def photograph(rng: np.random.Generator, scene: np.ndarray) -> np.ndarray:
    """Turn a float sRGB scene (H, W, 3) in [0, 1] into a uint8 camera image."""
    size = scene.shape[0]
    image = scene * _exposure(rng)

    # Colour fringes at sharp edges, from lens dispersion and demosaicing:
    # red and blue are shifted by up to 0.8 pixels in opposite directions.
    if rng.random() < 0.4:
        image = _shift_channels(image, rng.uniform(-0.8, 0.8) * size / 32, int(rng.integers(2)))

    # Colour cast of the light and the white balance, a few per cent per channel.
    image = image * rng.normal(1.0, 0.06, 3).astype(np.float32)

    # Haze or glare lowers contrast toward a flat colour.
    if rng.random() < 0.2:
        veil = rng.uniform(0.2, 0.7) * rng.normal(1.0, 0.05, 3)
        image = image + rng.uniform(0.05, 0.25) * (veil - image)

    # Vehicle cameras record paler colours than the scene has: GTSRB crops
    # are low in saturation.
    grey = image.mean(axis=2, keepdims=True)
    image = image + rng.uniform(0.0, 0.5) * (grey - image)

    # Contrast and gamma of the camera's tone curve.
    image = np.clip(image, 0.0, 1.0) ** rng.uniform(0.75, 1.35)

    picture = Image.fromarray((image * 255 + 0.5).astype(np.uint8))

    # Optics and motion: a Gaussian blur, or a short smear along one axis.
    blur = rng.random()
    if blur < 0.25:
        picture = picture.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 0.7) * size / 32))
    elif blur < 0.32:
        picture = picture.filter(_MOTION_KERNELS[int(rng.integers(len(_MOTION_KERNELS)))])

    # Low resolution: a small crop upscaled to the output size.
    if rng.random() < 0.2:
        small = int(rng.integers(max(8, size // 3), max(9, size * 7 // 8)))
        picture = picture.resize((small, small), Image.Resampling.BOX).resize(
            (size, size), Image.Resampling.BILINEAR
        )

    # Compression blocks.
    if rng.random() < 0.12:
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=int(rng.integers(25, 85)))
        buffer.seek(0)
        picture = Image.open(buffer).convert("RGB")

    array = np.asarray(picture, dtype=np.float32)
    sigma = rng.uniform(0.0, 6.0)
    if sigma > 0.5:
        array = array + sigma * rng.standard_normal(array.shape, dtype=np.float32)
    return np.clip(array + 0.5, 0, 255).astype(np.uint8)
