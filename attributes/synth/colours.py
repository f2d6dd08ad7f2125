"""Named sign colours and their variation in the field.

Sign colours are given as sRGB floats in [0, 1]. The base values are close
to retroreflective sheeting photographed in daylight. ``vary_colour`` moves
them the way wear and lighting do (hue drift, fading, dirt), but keeps each
name recognisable, because the colour name is a label.
"""

from __future__ import annotations

import colorsys

import numpy as np

__all__ = ["LEGEND_COLOURS", "SIGN_COLOURS", "readable_legend_colours", "vary_colour"]

#: Base sRGB value of every colour a plate, rim, legend or strike may have.
SIGN_COLOURS: dict[str, tuple[float, float, float]] = {
    "white": (0.93, 0.93, 0.91),
    "yellow": (0.98, 0.78, 0.08),
    "orange": (0.96, 0.47, 0.10),
    "red": (0.78, 0.09, 0.13),
    "blue": (0.05, 0.26, 0.62),
    "green": (0.02, 0.45, 0.26),
    "black": (0.08, 0.08, 0.08),
    "grey": (0.45, 0.45, 0.45),
}

_BASE_HSV = {name: colorsys.rgb_to_hsv(*rgb) for name, rgb in SIGN_COLOURS.items()}

#: Colours that a digit string, word or pictogram may be drawn in.
LEGEND_COLOURS = ("black", "white", "red", "blue", "green", "yellow", "grey")

# Legend colours readable on each fill: enough luminance or hue contrast
# that a reader would call the legend visible. Yellow on white, for example,
# is left out because at 32 px it disappears.
_READABLE = {
    "white": ("black", "red", "blue", "green", "grey"),
    "yellow": ("black", "red", "blue", "green"),
    "orange": ("black", "blue", "white"),
    "red": ("white", "black", "yellow"),
    "blue": ("white", "yellow", "black"),
    "green": ("white", "yellow", "black"),
    "black": ("white", "yellow", "red", "grey"),
}


def readable_legend_colours(fill: str) -> tuple[str, ...]:
    """Return the legend colours that contrast with a plate of colour ``fill``."""
    try:
        return _READABLE[fill]
    except KeyError:
        raise ValueError(
            f'no legend colours are defined for fill "{fill}"; '
            f"expected one of {', '.join(_READABLE)}"
        ) from None


def vary_colour(
    rng: np.random.Generator, name: str, *, fade: float = 0.0, dirt: float = 0.0
) -> np.ndarray:
    """Return the sRGB value of colour ``name`` as one sign in the field shows it.

    ``fade`` in [0, 1] mixes the colour toward a pale, desaturated version
    (sun-bleached sheeting) and ``dirt`` in [0, 1] darkens it. Hue moves by
    at most 0.02 of the colour circle so that red stays red.
    """
    try:
        hue, saturation, value = _BASE_HSV[name]
    except KeyError:
        raise ValueError(
            f'unknown sign colour "{name}"; expected one of {", ".join(SIGN_COLOURS)}'
        ) from None

    # Plain floats and one draw of three numbers, because this runs several
    # times per rendered sign.
    hue_draw, saturation_draw, value_draw = rng.random(3).tolist()
    hue = (hue + 0.04 * hue_draw - 0.02) % 1.0
    saturation = min(1.0, saturation * (0.65 + 0.4 * saturation_draw))
    value = min(1.0, value * (0.8 + 0.25 * value_draw))
    red, green, blue = colorsys.hsv_to_rgb(hue, saturation, value)

    # Faded sheeting loses saturation and gains brightness, so red turns
    # pink and blue turns pale, but black stays darker than everything else.
    grey = (red + green + blue) / 3
    pale = 0.55 * (grey + (1.0 - grey) * 0.6)
    keep = (1.0 - fade + 0.45 * fade) * (1.0 - 0.5 * dirt)
    shift = fade * pale * (1.0 - 0.5 * dirt)
    return np.array(
        [red * keep + shift, green * keep + shift, blue * keep + shift], dtype=np.float32
    )
