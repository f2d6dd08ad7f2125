"""Drawing primitives of pictograms: strokes, filled polygons and helpers.

Pictograms are described in symbol units, x to the right and y downward,
within [-1, 1] on both axes. Each primitive has a role: ``LEGEND`` parts take
the legend colour, ``ACCENT`` parts the accent colour (the red car of a
no-passing sign), and ``ERASE`` parts cut holes (windows, wheel gaps).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from signrules.attributes.synth.geometry import Frame
from signrules.attributes.synth.masks import MaskSheet

__all__ = [
    "ACCENT",
    "ERASE",
    "LEGEND",
    "Fill",
    "Stroke",
    "arc",
    "arrow",
    "bezier",
    "disc",
    "draw_primitives",
    "fit_to_unit_box",
    "is_mirror_symmetric",
    "mirror",
    "ring",
]

LEGEND, ACCENT, ERASE = 1, 2, 0

# Mask layers that each role draws into.
_ROLE_LAYERS = {LEGEND: ("legend",), ACCENT: ("accent",), ERASE: ("legend", "accent")}


@dataclass(frozen=True)
class Stroke:
    """A polyline of constant width with round joins and caps."""

    points: np.ndarray
    width: float
    role: int = LEGEND
    closed: bool = False


@dataclass(frozen=True)
class Fill:
    """A filled polygon."""

    points: np.ndarray
    role: int = LEGEND


Primitive = Stroke | Fill


def arc(
    cx: float, cy: float, radius: float, start: float, end: float, steps: int = 16
) -> np.ndarray:
    """Return points on a circular arc from angle ``start`` to ``end`` (radians, y downward)."""
    angles = np.linspace(start, end, steps)
    return np.stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)], axis=1)


def bezier(p0, p1, p2, p3, steps: int = 16) -> np.ndarray:
    """Return points on the cubic Bézier curve with control points p0..p3."""
    t = np.linspace(0.0, 1.0, steps)[:, None]
    control = [np.asarray(p, dtype=float) for p in (p0, p1, p2, p3)]
    return (
        (1 - t) ** 3 * control[0]
        + 3 * (1 - t) ** 2 * t * control[1]
        + 3 * (1 - t) * t**2 * control[2]
        + t**3 * control[3]
    )


def disc(cx: float, cy: float, radius: float, role: int = LEGEND, steps: int = 20) -> Fill:
    """Return a filled circle as a polygon, so that any affine frame applies to it."""
    return Fill(arc(cx, cy, radius, 0.0, 2 * math.pi, steps + 1)[:-1], role)


def ring(cx: float, cy: float, radius: float, width: float, role: int = LEGEND) -> Stroke:
    return Stroke(arc(cx, cy, radius, 0.0, 2 * math.pi, 25)[:-1], width, role, closed=True)


def arrow(
    path: np.ndarray,
    width: float,
    *,
    head_length: float | None = None,
    head_width: float | None = None,
    open_head: bool = False,
    both_ends: bool = False,
    role: int = LEGEND,
) -> list[Primitive]:
    """Return a shaft along ``path`` with an arrowhead at its last point.

    A solid head is a triangle; an open head is a chevron of two strokes.
    The shaft stops short of a solid head's tip so its round cap stays hidden.
    """
    path = np.asarray(path, dtype=float)
    head_length = head_length if head_length is not None else 1.9 * width
    head_width = head_width if head_width is not None else 1.4 * width
    primitives: list[Primitive] = []
    shaft = path.copy()

    ends = [(-1, -2)] + ([(0, 1)] if both_ends else [])
    for tip_index, before_index in ends:
        tip = path[tip_index]
        direction = tip - path[before_index]
        direction /= max(np.linalg.norm(direction), 1e-9)
        normal = np.array([-direction[1], direction[0]])
        base = tip - head_length * direction
        if open_head:
            chevron = np.stack([base + head_width * normal, tip, base - head_width * normal])
            primitives.append(Stroke(chevron, width, role))
            shaft[tip_index] = tip - 0.3 * width * direction
        else:
            triangle = np.stack([tip, base + head_width * normal, base - head_width * normal])
            primitives.append(Fill(triangle, role))
            shaft[tip_index] = tip - 0.7 * head_length * direction
    primitives.insert(0, Stroke(shaft, width, role))
    return primitives


def mirror(primitives: list[Primitive]) -> list[Primitive]:
    """Return the primitives reflected left to right."""
    flip = np.array([-1.0, 1.0])
    result: list[Primitive] = []
    for primitive in primitives:
        if isinstance(primitive, Stroke):
            result.append(
                Stroke(primitive.points * flip, primitive.width, primitive.role, primitive.closed)
            )
        else:
            result.append(Fill(primitive.points * flip, primitive.role))
    return result


def _outline_points(primitives: list[Primitive], spacing: float) -> np.ndarray:
    """Sample every stroke path and polygon boundary at ``spacing``; return (k, 3) points.

    The third coordinate separates roles, so that a red car never matches
    a black one.
    """
    samples = []
    for primitive in primitives:
        path = primitive.points
        if isinstance(primitive, Fill) or primitive.closed:
            path = np.concatenate([path, path[:1]])
        starts, ends = path[:-1], path[1:]
        counts = np.maximum(1, np.ceil(np.linalg.norm(ends - starts, axis=1) / spacing).astype(int))
        segment = np.repeat(np.arange(len(starts)), counts)
        first_of_segment = np.repeat(np.cumsum(counts) - counts, counts)
        steps = (np.arange(counts.sum()) - first_of_segment) / counts[segment]
        points = starts[segment] + steps[:, None] * (ends - starts)[segment]
        role = np.full((len(points), 1), 10.0 * primitive.role)
        samples.append(np.hstack([points, role]))
    return np.concatenate(samples) if samples else np.zeros((0, 3))


def is_mirror_symmetric(primitives: list[Primitive], tolerance: float = 0.08) -> bool:
    """Tell whether a design looks the same mirrored left to right.

    The test is geometric, in symbol units, so its result does not depend
    on a rasteriser's version: the mean distance from the outline points to
    the mirrored outline must stay below ``tolerance`` (0.08 is about one
    pixel of a pictogram 25 pixels wide, the finest difference the networks
    see).
    """
    points = _outline_points(primitives, spacing=0.04)
    if len(points) == 0:
        return True
    mirrored = points * np.array([-1.0, 1.0, 1.0])
    # Squared distances as |a|^2 + |b|^2 - 2 a.b, one matrix product.
    squared = (
        (points**2).sum(axis=1)[:, None]
        + (mirrored**2).sum(axis=1)[None, :]
        - 2 * points @ mirrored.T
    )
    nearest = np.sqrt(np.maximum(squared.min(axis=1), 0.0))
    return float(nearest.mean()) < tolerance


def fit_to_unit_box(primitives: list[Primitive], margin: float = 0.96) -> list[Primitive]:
    """Centre and scale the primitives so that their ink spans ``margin`` of [-1, 1].

    The larger side of the ink's bounding box (strokes counted with their
    width) becomes ``2 * margin``, so every symbol fills its box alike.
    """
    lows, highs = [], []
    for primitive in primitives:
        if primitive.role == ERASE:
            continue
        reach = primitive.width / 2 if isinstance(primitive, Stroke) else 0.0
        lows.append(primitive.points.min(axis=0) - reach)
        highs.append(primitive.points.max(axis=0) + reach)
    low, high = np.min(lows, axis=0), np.max(highs, axis=0)
    centre = (low + high) / 2
    scale = 2 * margin / max(float((high - low).max()), 1e-6)

    result: list[Primitive] = []
    for primitive in primitives:
        points = (primitive.points - centre) * scale
        if isinstance(primitive, Stroke):
            result.append(Stroke(points, primitive.width * scale, primitive.role, primitive.closed))
        else:
            result.append(Fill(points, primitive.role))
    return result


def draw_primitives(
    primitives: list[Primitive], frame: Frame, sheet: MaskSheet, *, width_scale: float = 1.0
) -> None:
    """Draw primitives through ``frame`` into the legend and accent layers of ``sheet``.

    Erase parts clear both layers. ``width_scale`` thickens or thins every
    stroke, the jitter between two instances of one symbol.
    """
    pixels_per_unit = frame.scale
    for primitive in primitives:
        layers = _ROLE_LAYERS[primitive.role]
        value = 0 if primitive.role == ERASE else 255
        points = frame.apply(primitive.points)

        if isinstance(primitive, Fill):
            for layer in layers:
                sheet.polygon(layer, points, value)
            continue

        width = primitive.width * pixels_per_unit * width_scale
        if primitive.closed:
            points = np.concatenate([points, points[:2]])
        for layer in layers:
            sheet.line(layer, points, width, value, round_caps=not primitive.closed)
