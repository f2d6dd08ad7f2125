"""Backgrounds behind synthetic signs: sky, foliage, buildings, clutter.

Backgrounds are made from smooth value noise and gradients at the output
size, because the camera blurs them anyway, and a few shapes drawn at twice
that size. A pole below the sign and fragments of neighbouring signs at the
border imitate the clutter of real crops, where another plate often shows
above or beside the sign.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from PIL import Image, ImageDraw

__all__ = ["render_background"]

# Typical sRGB colours of each scene. A background blends two of them.
_PALETTES = {
    "sky": ((0.62, 0.72, 0.85), (0.85, 0.88, 0.92), (0.45, 0.55, 0.70)),
    "foliage": ((0.16, 0.25, 0.10), (0.30, 0.38, 0.18), (0.10, 0.12, 0.07), (0.45, 0.42, 0.30)),
    "building": ((0.55, 0.50, 0.45), (0.72, 0.68, 0.60), (0.40, 0.33, 0.30), (0.60, 0.30, 0.22)),
    "street": ((0.25, 0.25, 0.27), (0.40, 0.40, 0.42), (0.15, 0.15, 0.16)),
    "night": ((0.04, 0.04, 0.06), (0.10, 0.10, 0.12), (0.02, 0.02, 0.03)),
}

# Seed of the stored noise fields and their grid sizes: the coarse grids
# for colour regions, the fine ones for texture.
_BANK_SEED = 7001
_BANK_CELLS = (2, 3, 6, 8, 12, 24)

# Kinds of background and their relative frequencies.
_KINDS = ("sky", "foliage", "building", "street", "night", "gradient", "shapes")
_KIND_CUMULATIVE = np.cumsum([0.16, 0.22, 0.18, 0.12, 0.08, 0.12, 0.12])

# Colours of plates seen as fragments at the border.
_FRAGMENT_COLOURS = (
    (0.9, 0.9, 0.88),
    (0.75, 0.1, 0.12),
    (0.05, 0.25, 0.6),
    (0.95, 0.75, 0.1),
    (0.1, 0.1, 0.1),
)


def _value_noise(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """Return smooth noise in [0, 1] of shape (size, size): a random grid upsampled bicubically."""
    grid = Image.fromarray((rng.random((cells, cells)) * 255).astype(np.uint8))
    return np.asarray(grid.resize((size, size), Image.Resampling.BICUBIC), dtype=np.float32) / 255


@cache
def _noise_bank(size: int) -> dict[int, np.ndarray]:
    """Return fixed noise fields per grid size, made once per output size.

    Picking a stored field in one of eight orientations costs far less
    than upsampling a new grid, and 32 fields x 8 orientations per grid
    size, mixed with random palettes, vary the backgrounds enough.
    """
    rng = np.random.default_rng(_BANK_SEED)
    return {
        cells: np.stack([_value_noise(rng, size, cells) for _ in range(32)])
        for cells in _BANK_CELLS
    }


def _noise(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """Return a (size, size, 1) noise field from the bank, in a random orientation."""
    bank = _noise_bank(size)[cells]
    index, orientation = rng.integers(len(bank)), rng.integers(8)
    field = bank[index]
    if orientation & 1:
        field = field[::-1]
    if orientation & 2:
        field = field[:, ::-1]
    if orientation & 4:
        field = field.T
    return field[..., None]


def _palette_mix(rng: np.random.Generator, size: int, palette: tuple, cells: int) -> np.ndarray:
    """Blend two palette colours with smooth noise and add finer texture."""
    first_index = int(rng.integers(len(palette)))
    second_index = (first_index + 1 + int(rng.integers(len(palette) - 1))) % len(palette)
    first, second = (
        np.array(palette[first_index], np.float32),
        np.array(palette[second_index], np.float32),
    )
    weight = _noise(rng, size, cells)
    image = first * (1 - weight) + second * weight
    detail = _noise(rng, size, max(cells * 4, 8)) - 0.5
    return image * (1 + rng.uniform(0.1, 0.5) * detail)


def _gradient(rng: np.random.Generator, size: int) -> np.ndarray:
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.linspace(-0.5, 0.5, size, dtype=np.float32)
    t = np.cos(angle) * ramp[None, :] + np.sin(angle) * ramp[:, None] + 0.5
    start, end = _muted_colour(rng), _muted_colour(rng)
    return start * (1 - t[..., None]) + end * t[..., None]


def _muted_colour(rng: np.random.Generator) -> np.ndarray:
    """Draw a random colour, half-way desaturated as most scene colours are."""
    colour = rng.random(3).astype(np.float32)
    return (colour + colour.mean()) / 2


def _draw_shapes(rng: np.random.Generator, image: Image.Image, count: int) -> None:
    draw = ImageDraw.Draw(image)
    size = image.width
    for _ in range(count):
        colour = tuple(int(255 * c) for c in _muted_colour(rng))
        x0, y0 = rng.uniform(-0.2, 1.0, 2) * size
        width, height = rng.uniform(0.1, 0.7, 2) * size
        if rng.random() < 0.5:
            draw.rectangle((x0, y0, x0 + width, y0 + height), fill=colour)
        else:
            draw.ellipse((x0, y0, x0 + width, y0 + height), fill=colour)


def _draw_windows(rng: np.random.Generator, image: Image.Image) -> None:
    """Draw a facade: a grid of windows with a random pitch."""
    draw = ImageDraw.Draw(image)
    size = image.width
    pitch = rng.uniform(0.2, 0.5) * size
    window = pitch * rng.uniform(0.35, 0.7)
    shade = tuple(int(c) for c in rng.integers(10, 90, 3))
    x_start, y_start = rng.uniform(-pitch, 0, 2)
    for x in np.arange(x_start, size, pitch):
        for y in np.arange(y_start, size, pitch):
            draw.rectangle((x, y, x + window, y + window * 1.3), fill=shade)


def _to_bytes(colour: tuple[float, ...]) -> tuple[int, ...]:
    return tuple(int(255 * channel) for channel in colour)


def _draw_fragment(
    rng: np.random.Generator, image: Image.Image, centre: np.ndarray, radius: float
) -> None:
    """Draw part of another plate just outside the sign: above, below or beside it."""
    draw = ImageDraw.Draw(image)
    side = rng.integers(4)
    direction = np.array([(0, -1), (0, 1), (-1, 0), (1, 0)][side], dtype=float)
    other = rng.uniform(0.7, 1.1) * radius
    position = centre + direction * (radius + other + rng.uniform(0.0, 0.15) * radius)
    fill = _FRAGMENT_COLOURS[int(rng.integers(len(_FRAGMENT_COLOURS)))]
    rim = _FRAGMENT_COLOURS[int(rng.integers(len(_FRAGMENT_COLOURS)))]
    box = (position[0] - other, position[1] - other, position[0] + other, position[1] + other)
    if rng.random() < 0.5:
        draw.ellipse(box, fill=_to_bytes(rim))
        inner = other * 0.8
        draw.ellipse(
            (position[0] - inner, position[1] - inner, position[0] + inner, position[1] + inner),
            fill=_to_bytes(fill),
        )
    else:
        draw.rectangle(
            box, fill=_to_bytes(fill), outline=_to_bytes(rim), width=max(1, round(other * 0.12))
        )


def render_background(
    rng: np.random.Generator, size: int, sign_centre: np.ndarray, sign_radius: float
) -> np.ndarray:
    """Return a (size, size, 3) float32 sRGB background for a sign.

    ``sign_centre`` and ``sign_radius`` (pixels at ``size``) place the pole
    and the fragments of other signs relative to the sign.
    """
    kind = _KINDS[
        int(np.searchsorted(_KIND_CUMULATIVE, rng.random() * _KIND_CUMULATIVE[-1], side="right"))
    ]
    if kind == "gradient":
        array = _gradient(rng, size)
    elif kind == "shapes":
        palettes = list(_PALETTES.values())
        array = _palette_mix(rng, size, palettes[int(rng.integers(len(palettes)))], 2)
    else:
        cells = {"sky": 2, "foliage": 6, "building": 3, "street": 3, "night": 3}[kind]
        array = _palette_mix(rng, size, _PALETTES[kind], cells)

    # Shapes, windows, fragments and the pole are drawn at twice the size
    # and reduced, so that their edges are antialiased like the sign's.
    drawn = []
    if kind == "shapes":
        drawn.append(lambda image: _draw_shapes(rng, image, int(rng.integers(2, 7))))
    if kind == "building" and rng.random() < 0.6:
        drawn.append(lambda image: _draw_windows(rng, image))
    if rng.random() < 0.25:
        drawn.append(lambda image: _draw_fragment(rng, image, 2 * sign_centre, 2 * sign_radius))
    if rng.random() < 0.45:
        drawn.append(lambda image: _draw_pole(rng, image, 2 * sign_centre, 2 * sign_radius))
    if drawn:
        clipped = (np.clip(array, 0, 1) * 255).astype(np.uint8)
        image = Image.fromarray(clipped).resize((2 * size, 2 * size), Image.Resampling.BILINEAR)
        for draw in drawn:
            draw(image)
        array = np.asarray(image.reduce(2), dtype=np.float32) / 255

    return np.clip(array * rng.uniform(0.4, 1.1), 0.0, 1.0).astype(np.float32)


def _draw_pole(
    rng: np.random.Generator, image: Image.Image, centre: np.ndarray, radius: float
) -> None:
    """Draw a grey pole from the sign's centre down to the bottom of the image."""
    draw = ImageDraw.Draw(image)
    half = radius * rng.uniform(0.06, 0.14)
    shade = int(rng.integers(60, 200))
    colour = (shade, shade, int(shade * rng.uniform(0.9, 1.05)))
    x = centre[0] + rng.uniform(-0.05, 0.05) * radius
    draw.rectangle((x - half, centre[1], x + half, image.height), fill=colour)
