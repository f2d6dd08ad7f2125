"""Views of one exemplar image: the same sign as a camera might also see it.

A pictogram set built from GTSRB contains centroids of hundreds of photos,
so it covers many poses, exposures and blurs. A set made from one photo is
one point, and a query taken at another angle or in other light is judged
far from it. Embedding a few fixed variations of each exemplar image (a
slight zoom, rotation, exposure change and blur, as training augmentation
does) spreads the set over the same kinds of change. The views are fixed,
not random, so that a rule set scores the same on every load.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

from signrules.attributes.decode import resize_square

__all__ = ["VIEW_NAMES", "exemplar_views"]


def _border_colour(image: Image.Image) -> tuple[int, int, int]:
    # Rotation and zooming out uncover pixels outside the photo. The mean of
    # its outer pixels fills them like the background around the sign.
    pixels = np.asarray(image)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    return tuple(int(v) for v in border.mean(axis=0))


def _zoom(factor: float) -> Callable[[Image.Image, int], np.ndarray]:
    def view(image: Image.Image, size: int) -> np.ndarray:
        width, height = image.size
        # A factor above 1 crops towards the centre. Below 1, the photo is
        # pasted into the middle of a larger canvas of its border colour.
        half_w, half_h = width / (2 * factor), height / (2 * factor)
        box = (width / 2 - half_w, height / 2 - half_h, width / 2 + half_w, height / 2 + half_h)
        if factor >= 1:
            return resize_square(image, size, box=box)
        canvas = Image.new("RGB", (round(2 * half_w), round(2 * half_h)), _border_colour(image))
        canvas.paste(image, (round(half_w - width / 2), round(half_h - height / 2)))
        return resize_square(canvas, size)

    return view


def _rotate(degrees: float) -> Callable[[Image.Image, int], np.ndarray]:
    def view(image: Image.Image, size: int) -> np.ndarray:
        rotated = image.rotate(degrees, Image.BICUBIC, fillcolor=_border_colour(image))
        return resize_square(rotated, size)

    return view


def _exposure(factor: float) -> Callable[[Image.Image, int], np.ndarray]:
    def view(image: Image.Image, size: int) -> np.ndarray:
        return resize_square(ImageEnhance.Brightness(image).enhance(factor), size)

    return view


def _blur(pixels: float) -> Callable[[Image.Image, int], np.ndarray]:
    def view(image: Image.Image, size: int) -> np.ndarray:
        # ``pixels`` is the radius at the network's input size.
        radius = pixels * max(image.size) / size
        return resize_square(image.filter(ImageFilter.GaussianBlur(radius)), size)

    return view


_VIEWS: dict[str, Callable[[Image.Image, int], np.ndarray]] = {
    "original": lambda image, size: resize_square(image, size),
    "zoom in": _zoom(1.1),
    "zoom out": _zoom(0.9),
    "rotated left": _rotate(8.0),
    "rotated right": _rotate(-8.0),
    "darker": _exposure(0.6),
    "brighter": _exposure(1.4),
    "blurred": _blur(0.8),
}

#: Names of the views, in the order ``exemplar_views`` returns them.
VIEW_NAMES = tuple(_VIEWS)


def exemplar_views(image: Image.Image, size: int) -> np.ndarray:
    """Return the views of an RGB image at the network input, shape (V, size, size, 3) uint8."""
    return np.stack([view(image, size) for view in _VIEWS.values()])
