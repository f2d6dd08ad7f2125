"""Render one synthetic sign photograph from a ``SignSpec``.

The plate is drawn as grey-level masks (plate, rim, fill, legend, accent,
strike) on a canvas four times the output size, then reduced to the output
size with a box filter, which antialiases every edge. The masks are then
coloured and stacked in NumPy at the output size, where every pixel costs
16 times less, put over a background and passed through the camera.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from PIL import Image
from signrules.attributes.synth.backgrounds import render_background
from signrules.attributes.synth.camera import photograph
from signrules.attributes.synth.colours import vary_colour
from signrules.attributes.synth.geometry import Box, Frame, PlateGeometry
from signrules.attributes.synth.lettering import character_width, fit_lettering
from signrules.attributes.synth.masks import MaskSheet
from signrules.attributes.synth.pictograms import draw_pictogram
from signrules.attributes.synth.spec import SignSpec

__all__ = ["SUPERSAMPLING", "render_sign"]

#: Canvas size of the plate drawing relative to the output size.
SUPERSAMPLING = 4

# Relative heights of the parts of a stacked legend: a pictogram over a
# word over a number, as on weight-limit and "SPEED 30" plates.
_STACK_WEIGHTS = {"pictogram": 1.25, "text": 0.7, "digits": 1.0}


@lru_cache(maxsize=64)
def _plate_geometry(shape: str, aspect: float) -> PlateGeometry:
    return PlateGeometry(shape, aspect)


def _sample_frame(rng: np.random.Generator, geometry: PlateGeometry, canvas: int) -> Frame:
    """Place the plate on the canvas: size, position, roll and perspective."""
    roll = math.radians(float(np.clip(rng.normal(0.0, 3.0), -8.0, 8.0)))
    turned = rng.uniform(0.75, 1.0) if rng.random() < 0.4 else 1.0
    tilted = rng.uniform(0.9, 1.0)
    shear = rng.uniform(-0.08, 0.08)
    cos, sin = math.cos(roll), math.sin(roll)
    linear = np.array([[cos, -sin], [sin, cos]]) @ np.array([[turned, shear], [0.0, tilted]])

    # Scale so that the plate spans 70-95 % of the image on its larger axis.
    # Real crops of wide plates are often squeezed to a square, so half the
    # rectangles are scaled per axis instead.
    outline = linear @ geometry.outline(0.0).T
    half_extent = np.abs(outline).max(axis=1)
    fill = rng.uniform(0.70, 0.95)
    if geometry.shape == "rectangle" and rng.random() < 0.5:
        per_axis = fill * canvas / 2 / half_extent
        target = per_axis.min() * (per_axis / per_axis.min()) ** rng.uniform(0.3, 1.0)
        linear = np.diag(target) @ linear
    else:
        linear = linear * (fill * canvas / 2 / half_extent.max())

    slack = (1.0 - fill) / 2 * canvas
    offset = canvas / 2 + rng.uniform(-0.6, 0.6, 2) * slack
    return Frame(linear, offset)


def _stack_legend(spec: SignSpec, geometry: PlateGeometry, inset: float) -> list[tuple[str, Box]]:
    """Return (part, box) for each legend part, in plate units, top to bottom."""
    parts = [
        part
        for part, present in (
            ("pictogram", spec.pictogram is not None),
            ("text", bool(spec.text)),
            ("digits", bool(spec.digits)),
        )
        if present
    ]
    if not parts:
        return []
    if len(parts) == 1:
        layout = "square" if parts[0] == "pictogram" else "wide"
        if geometry.shape == "rectangle" and geometry.aspect < 0.9 and parts[0] != "pictogram":
            layout = "tall"
        return [(parts[0], geometry.legend_area(inset, layout).scaled(spec.style.legend_scale))]

    box = geometry.legend_area(inset, "tall").scaled(spec.style.legend_scale)
    weights = np.array([_STACK_WEIGHTS[part] for part in parts])
    gap = 0.08 * 2 * box.half_height
    heights = (2 * box.half_height - gap * (len(parts) - 1)) * weights / weights.sum()
    boxes = []
    top = box.cy - box.half_height
    for part, height in zip(parts, heights):
        boxes.append((part, Box(box.cx, top + height / 2, box.half_width, height / 2)))
        top += height + gap
    return boxes


def _draw_lettering(spec: SignSpec, string: str, box: Box, frame: Frame, sheet: MaskSheet) -> None:
    """Draw ``string`` centred in ``box`` (plate units) into the legend layer through ``frame``."""
    style = spec.style
    max_width = 2 * box.half_width
    # Letters as tall as the box, unless the string would then need to be
    # condensed below 0.8 of its stretched width.
    natural = len(string) * character_width(style.font) * style.letter_stretch
    cap_height = min(2 * box.half_height, max_width / (natural * 0.8))

    # The lettering mask is mapped into place, scaled, rotated and sheared,
    # by one affine resampling of just its bounding box on the canvas. The
    # capitals are centred in the box; descenders hang below.
    scale = frame.scale
    lettering = fit_lettering(
        string,
        max_width * scale,
        cap_height * scale,
        font=style.font,
        stretch=style.letter_stretch,
        spacing=style.letter_spacing,
        weight=style.font_weight,
    )
    patch = lettering.mask
    width_units, height_units = lettering.width / scale, lettering.height / scale
    corner = np.array([box.cx - width_units / 2, box.cy - lettering.cap_height / scale / 2])
    to_canvas = frame.matrix @ np.diag([width_units / patch.width, height_units / patch.height])
    origin = frame.apply(corner[None])[0]

    corners = np.array(
        [[0, 0], [patch.width, 0], [0, patch.height], [patch.width, patch.height]], float
    )
    placed = corners @ to_canvas.T + origin
    low = np.floor(placed.min(axis=0)).astype(int)
    high = np.ceil(placed.max(axis=0)).astype(int)
    inverse = np.linalg.inv(to_canvas)
    shift = inverse @ (low - origin)
    coefficients = (inverse[0, 0], inverse[0, 1], shift[0], inverse[1, 0], inverse[1, 1], shift[1])
    warped = patch.transform(
        tuple(high - low), Image.Transform.AFFINE, coefficients, Image.Resampling.BILINEAR
    )
    sheet.paste("legend", (int(low[0]), int(low[1])), warped)


def _draw_strike(spec: SignSpec, frame: Frame, sheet: MaskSheet, rng: np.random.Generator) -> None:
    """Draw the diagonal strike, a band of thin lines or one solid bar, unclipped.

    Lines end on a circle of radius 1.1 around the plate's centre, beyond
    every plate edge; the renderer clips them to the fill.
    """
    angle = math.radians(spec.style.strike_angle)
    direction = np.array([math.cos(angle), -math.sin(angle)])
    normal = np.array([-direction[1], direction[0]])

    if spec.style.strike_style == "band":
        count = int(rng.integers(5, 7))
        spacing = rng.uniform(0.08, 0.11)
        width = spacing * rng.uniform(0.4, 0.6)
        offsets = (np.arange(count) - (count - 1) / 2) * spacing
    else:
        width = rng.uniform(0.12, 0.24)
        offsets = np.zeros(1)

    for offset in offsets:
        reach = math.sqrt(1.1**2 - offset**2)
        line = np.stack([offset * normal - reach * direction, offset * normal + reach * direction])
        sheet.line("strike", frame.apply(line), width * frame.scale)


def _over(base: np.ndarray, colour: np.ndarray, coverage: np.ndarray) -> np.ndarray:
    return base + coverage * (colour - base)


def _paint(image: np.ndarray, colour: np.ndarray, coverage: np.ndarray) -> None:
    """Blend ``colour`` into ``image`` in place, weighted by ``coverage``."""
    change = colour - image
    change *= coverage
    image += change


def _draw_plate(
    rng: np.random.Generator, spec: SignSpec, geometry: PlateGeometry, frame: Frame, canvas: int
) -> MaskSheet:
    """Draw every layer of the plate; ``rng`` gives only the legend's and strike's jitter."""
    style = spec.style
    edge = style.edge_width if style.edge_colour else 0.0
    rim = style.border_width if spec.border != "none" else 0.0
    corner = style.corner_radius

    # Plate, optional edge, rim and fill, from the outside in.
    sheet = MaskSheet(canvas, SUPERSAMPLING)
    sheet.polygon("plate", frame.apply(geometry.outline(0.0, corner)))
    if edge:
        sheet.polygon("rim", frame.apply(geometry.outline(edge, corner)))
    sheet.polygon("fill", frame.apply(geometry.outline(edge + rim, corner)))

    # Legend: pictogram, word and number, stacked when there are several.
    for part, box in _stack_legend(spec, geometry, edge + rim):
        if part == "pictogram":
            draw_pictogram(rng, spec.pictogram, box, frame, sheet)
        else:
            _draw_lettering(spec, spec.digits if part == "digits" else spec.text, box, frame, sheet)

    if spec.strike != "none":
        _draw_strike(spec, frame, sheet, rng)
    return sheet


def _colour_plate(
    rng: np.random.Generator, spec: SignSpec, coverage: dict[str, np.ndarray]
) -> np.ndarray:
    """Stack the coloured layers; return the plate's (size, size, 3) sRGB colours."""
    style = spec.style
    size = coverage["plate"].shape[0]

    # One fading and dirt level for all parts, as they weathered together.
    # Every colour is drawn whether its layer is used or not, so that the
    # legend and strike of a sign do not change the other colours.
    fade = rng.uniform(0.0, 0.6) if rng.random() < 0.35 else 0.0
    dirt = rng.uniform(0.0, 0.3)
    fill_colour = vary_colour(rng, spec.fill, fade=fade, dirt=dirt)
    rim_colour = (
        vary_colour(rng, spec.border, fade=fade, dirt=dirt)
        if spec.border != "none"
        else fill_colour
    )
    legend_colour = vary_colour(rng, spec.legend_colour, fade=fade, dirt=dirt)
    accent_name = style.accent_colour or (
        "red" if spec.fill in ("white", "yellow", "orange") else spec.legend_colour
    )
    accent_colour = vary_colour(rng, accent_name, fade=fade, dirt=dirt)
    strike_colour = vary_colour(rng, style.strike_colour, fade=fade, dirt=dirt)

    fill = coverage["fill"]
    sign = np.empty((size, size, 3), np.float32)
    if style.edge_colour:
        sign[:] = vary_colour(rng, style.edge_colour, fade=fade, dirt=dirt)
        _paint(sign, rim_colour, coverage["rim"])
    else:
        sign[:] = rim_colour
    _paint(sign, fill_colour, fill)
    _paint(sign, legend_colour, coverage["legend"])
    _paint(sign, accent_colour, coverage["accent"])
    _paint(sign, strike_colour, coverage["strike"] * fill)

    # Uneven light across the plate: a gradient, sometimes a hard shadow.
    ramp = np.linspace(-1.0, 1.0, size, dtype=np.float32)
    light_angle = rng.uniform(0, 2 * math.pi)
    position = math.cos(light_angle) * ramp[None, :] + math.sin(light_angle) * ramp[:, None]
    light = 1.0 + rng.uniform(0.0, 0.25) * position
    if rng.random() < 0.15:
        light = light * np.where(position > rng.uniform(-0.5, 0.5), rng.uniform(0.45, 0.8), 1.0)

    # Retroreflective sheeting often looks brighter than its surroundings.
    return sign * (light * rng.uniform(0.9, 1.4))[..., None]


def render_sign(
    rng: np.random.Generator, spec: SignSpec, *, size: int = 32
) -> tuple[np.ndarray, dict[str, object]]:
    """Render ``spec`` as a photograph of ``size`` x ``size`` pixels.

    Returns the uint8 RGB image of shape (size, size, 3) and the label
    record of the sign. All randomness comes from ``rng``, split into
    independent streams for the framing, the legend's jitter, the colours,
    the background and the camera. Two signs of one shape and style that
    differ only in digits, text, pictogram or strike, rendered from
    generators in the same state, therefore differ only where the legend
    or strike is.
    """
    if size < 8:
        raise ValueError(f"size must be at least 8 pixels, got {size}")
    canvas = SUPERSAMPLING * size
    aspect = spec.style.aspect if spec.shape == "rectangle" else 1.0
    geometry = _plate_geometry(spec.shape, aspect)
    frame = _sample_frame(rng, geometry, canvas)
    design_rng, colour_rng, background_rng, camera_rng = rng.spawn(4)

    sheet = _draw_plate(design_rng, spec, geometry, frame, canvas)
    coverage = sheet.coverage()
    sign = _colour_plate(colour_rng, spec, coverage)

    centre = frame.offset / SUPERSAMPLING
    radius = float(np.abs(frame.matrix).sum(axis=1).max()) / SUPERSAMPLING
    background = render_background(background_rng, size, centre, radius)
    scene = _over(background, sign, coverage["plate"])
    return photograph(camera_rng, scene), spec.record()
