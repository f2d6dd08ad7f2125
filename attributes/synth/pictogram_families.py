"""Procedural families of pictograms: arrows, road layouts, silhouettes, glyphs.

Each family is a builder ``build(rng, variant) -> primitives``. Families with
a fixed list of kinds (arrows, road layouts, waves) map ``variant`` to one
kind each, so no two classes share a kind. The random families (vehicles,
people, animals, glyphs, shapes) draw everything from ``rng``. The caller
seeds it with the family and variant, so one class always yields the same
symbol.

Builders draw facing right or leaning one way. The class table adds the
mirrored twin of every design that is not mirror-symmetric as a class of
its own.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from signrules.attributes.synth.strokes import (
    ACCENT,
    ERASE,
    LEGEND,
    Fill,
    Primitive,
    Stroke,
    arc,
    arrow,
    bezier,
    disc,
    fit_to_unit_box,
    ring,
)

__all__ = ["FAMILIES", "Family"]

Builder = Callable[[np.random.Generator, int], list[Primitive]]


@dataclass(frozen=True)
class Family:
    """A family of ``count`` pictogram designs, one per variant."""

    name: str
    count: int
    build: Builder


def _points(*pairs: tuple[float, float]) -> np.ndarray:
    return np.array(pairs, dtype=float)


def _translated(primitives: list[Primitive], offset, role: int | None = None) -> list[Primitive]:
    """Return the primitives moved by ``offset``; ``role`` recolours their legend parts."""
    offset = np.asarray(offset, dtype=float)
    result: list[Primitive] = []
    for primitive in primitives:
        new_role = role if role is not None and primitive.role == LEGEND else primitive.role
        if isinstance(primitive, Stroke):
            result.append(
                Stroke(primitive.points + offset, primitive.width, new_role, primitive.closed)
            )
        else:
            result.append(Fill(primitive.points + offset, new_role))
    return result


def _rectangle(x0: float, y0: float, x1: float, y1: float, role: int = LEGEND) -> Fill:
    return Fill(_points((x0, y0), (x1, y0), (x1, y1), (x0, y1)), role)


def _ellipse(
    cx: float, cy: float, rx: float, ry: float, role: int = LEGEND, tilt: float = 0.0
) -> Fill:
    angles = np.linspace(0.0, 2 * math.pi, 24, endpoint=False)
    x, y = rx * np.cos(angles), ry * np.sin(angles)
    cos, sin = math.cos(tilt), math.sin(tilt)
    return Fill(np.stack([cx + cos * x - sin * y, cy + sin * x + cos * y], axis=1), role)


# --- fixed symbols ---------------------------------------------------------


def _build_canonical(rng: np.random.Generator, variant: int) -> list[Primitive]:
    if variant == 0:
        # The blank plate: no symbol at all.
        return []
    if variant == 1:
        # The white bar of a no-entry sign.
        return [_rectangle(-1.0, -0.24, 1.0, 0.24)]
    if variant == 2:
        # Exclamation mark of a general-caution sign: a tapered bar and a dot.
        return [
            Fill(_points((-0.14, -0.95), (0.14, -0.95), (0.08, 0.35), (-0.08, 0.35))),
            disc(0.0, 0.72, 0.15),
        ]
    # Traffic lights: a housing with three lamps, the top one in the accent colour.
    lamps = [disc(0.0, y, 0.2, ACCENT if y < 0 else LEGEND) for y in (-0.6, 0.0, 0.6)]
    return [
        Stroke(
            _points((-0.32, -0.95), (0.32, -0.95), (0.32, 0.95), (-0.32, 0.95)), 0.08, closed=True
        ),
        *lamps,
    ]


# --- arrows ----------------------------------------------------------------


def _arrow_kinds() -> list[tuple[str, Callable[[float, bool], list[Primitive]]]]:
    """Return (name, builder(width, open_head)) for each arrow kind."""

    def single(*path: tuple[float, float], both: bool = False):
        return lambda width, open_head: arrow(
            _points(*path), width, open_head=open_head, both_ends=both
        )

    def turn_round(width: float, open_head: bool) -> list[Primitive]:
        path = np.concatenate(
            [
                _points((-0.4, 0.9), (-0.4, 0.1)),
                bezier((-0.4, 0.1), (-0.4, -0.35), (0.1, -0.35), (0.85, -0.35)),
            ]
        )
        return arrow(path, width, open_head=open_head)

    def up_or_right(width: float, open_head: bool) -> list[Primitive]:
        branch = np.concatenate(
            [_points((-0.3, 0.5)), bezier((-0.3, 0.5), (-0.3, 0.05), (0.1, 0.0), (0.85, 0.0))]
        )
        return arrow(_points((-0.3, 0.95), (-0.3, -0.9)), width, open_head=open_head) + arrow(
            branch, width, open_head=open_head
        )

    def three_ways(width: float, open_head: bool) -> list[Primitive]:
        return (
            arrow(_points((0.0, 0.95), (0.0, -0.9)), width, open_head=open_head)
            + arrow(_points((0.0, 0.3), (0.85, 0.3)), width, open_head=open_head)
            + arrow(_points((0.0, 0.3), (-0.85, 0.3)), width, open_head=open_head)
        )

    def left_or_right(width: float, open_head: bool) -> list[Primitive]:
        return [Stroke(_points((0.0, 0.9), (0.0, -0.2)), width)] + arrow(
            _points((-0.85, -0.2), (0.85, -0.2)), width, open_head=open_head, both_ends=True
        )

    def u_turn(width: float, open_head: bool) -> list[Primitive]:
        path = np.concatenate(
            [_points((0.4, 0.9)), arc(0.0, -0.3, 0.4, 0.0, -math.pi, 14), _points((-0.4, 0.5))]
        )
        return arrow(path, width, open_head=open_head)

    def quarter_arc(width: float, open_head: bool) -> list[Primitive]:
        return arrow(arc(-0.7, 0.7, 1.3, -math.pi / 2 - 0.1, -0.25, 14), width, open_head=open_head)

    def roundabout(width: float, open_head: bool) -> list[Primitive]:
        primitives: list[Primitive] = []
        for start in (-math.pi / 2, math.pi / 6, 5 * math.pi / 6):
            primitives += arrow(
                arc(0.0, 0.0, 0.62, start - 1.45, start + 0.35, 10), width, open_head=open_head
            )
        return primitives

    def two_way(width: float, open_head: bool) -> list[Primitive]:
        return arrow(_points((-0.4, 0.9), (-0.4, -0.9)), width, open_head=open_head) + arrow(
            _points((0.4, -0.9), (0.4, 0.9)), width, open_head=open_head
        )

    def merge(width: float, open_head: bool) -> list[Primitive]:
        side = bezier((-0.75, 0.9), (-0.75, 0.3), (0.2, 0.2), (0.2, -0.3))
        return [Stroke(side, width)] + arrow(
            _points((0.2, 0.9), (0.2, -0.9)), width, open_head=open_head
        )

    def zigzag(width: float, open_head: bool) -> list[Primitive]:
        return arrow(
            _points((-0.3, 0.9), (0.3, 0.2), (-0.3, -0.2), (0.3, -0.9)), width, open_head=open_head
        )

    def hook(width: float, open_head: bool) -> list[Primitive]:
        return arrow(
            _points((-0.6, 0.9), (-0.6, -0.6), (0.5, -0.6), (0.5, 0.4)), width, open_head=open_head
        )

    def pass_either_side(width: float, open_head: bool) -> list[Primitive]:
        return (
            [Stroke(_points((0.0, -0.9), (0.0, -0.3)), width)]
            + arrow(_points((0.0, -0.3), (-0.7, 0.6)), width, open_head=open_head)
            + arrow(_points((0.0, -0.3), (0.7, 0.6)), width, open_head=open_head)
        )

    def crossed(width: float, open_head: bool) -> list[Primitive]:
        return arrow(_points((0.0, 0.9), (0.0, -0.9)), width, open_head=open_head) + arrow(
            _points((-0.85, 0.1), (0.85, 0.1)), width, open_head=open_head, both_ends=True
        )

    return [
        ("up", single((0.0, 0.9), (0.0, -0.9))),
        ("down", single((0.0, -0.9), (0.0, 0.9))),
        ("right", single((-0.9, 0.0), (0.9, 0.0))),
        ("down_right", single((-0.6, -0.6), (0.6, 0.6))),
        ("up_right", single((-0.6, 0.6), (0.6, -0.6))),
        ("turn_right", single((-0.35, 0.9), (-0.35, -0.2), (0.8, -0.2))),
        ("turn_right_round", turn_round),
        ("bend_right", single((-0.25, 0.9), (-0.25, 0.05), (0.45, -0.7))),
        ("up_or_right", up_or_right),
        ("three_ways", three_ways),
        ("left_or_right", left_or_right),
        ("u_turn", u_turn),
        ("up_down", single((0.0, 0.9), (0.0, -0.9), both=True)),
        ("left_right", single((-0.9, 0.0), (0.9, 0.0), both=True)),
        ("quarter_arc", quarter_arc),
        ("roundabout", roundabout),
        ("two_way", two_way),
        ("merge", merge),
        ("zigzag", zigzag),
        ("hook", hook),
        ("pass_either_side", pass_either_side),
        ("crossed", crossed),
    ]


_ARROW_KINDS = _arrow_kinds()


def _build_arrow(rng: np.random.Generator, variant: int) -> list[Primitive]:
    _, build = _ARROW_KINDS[variant // 2]
    return build(rng.uniform(0.22, 0.32), variant % 2 == 1)


# --- road layouts ----------------------------------------------------------


def _road_kinds() -> list[tuple[str, Callable[[np.random.Generator], list[Primitive]]]]:
    """Return (name, builder) for each road layout of warning signs."""

    def width(rng: np.random.Generator) -> float:
        return rng.uniform(0.22, 0.32)

    def curve(rng):
        path = np.concatenate(
            [
                _points((-0.25, 0.95)),
                bezier((-0.25, 0.4), (-0.25, -0.45), (0.1, -0.6), (0.6, -0.75)),
            ]
        )
        return arrow(path, width(rng), head_length=0.3, head_width=0.24)

    def double_curve(rng):
        return [
            Stroke(bezier((-0.3, 0.95), (0.9, 0.3), (-0.9, -0.3), (0.3, -0.95), 24), width(rng))
        ]

    def series_curves(rng):
        points = np.concatenate(
            [
                bezier((0.0, 0.95), (0.6, 0.7), (0.6, 0.35), (0.0, 0.3)),
                bezier((0.0, 0.3), (-0.6, 0.25), (-0.6, -0.25), (0.0, -0.3)),
                bezier((0.0, -0.3), (0.6, -0.35), (0.6, -0.7), (0.0, -0.95)),
            ]
        )
        return [Stroke(points, width(rng) * 0.8)]

    def hairpin(rng):
        path = np.concatenate(
            [
                _points((-0.45, 0.9)),
                arc(0.0, -0.35, 0.45, math.pi, 2 * math.pi, 14),
                _points((0.45, 0.5)),
            ]
        )
        return arrow(path, width(rng), head_length=0.3, head_width=0.24)

    def narrow_both(rng):
        w = width(rng) * 0.7
        left = _points((-0.6, 0.95), (-0.6, 0.2), (-0.25, -0.3), (-0.25, -0.95))
        return [Stroke(left, w), Stroke(left * [-1, 1], w)]

    def narrow_right(rng):
        w = width(rng) * 0.7
        return [
            Stroke(_points((-0.4, 0.95), (-0.4, -0.95)), w),
            Stroke(_points((0.6, 0.95), (0.6, 0.2), (0.2, -0.3), (0.2, -0.95)), w),
        ]

    def crossroads(rng):
        w = width(rng)
        return [
            Stroke(_points((0.0, 0.95), (0.0, -0.95)), w),
            Stroke(_points((-0.9, 0.0), (0.9, 0.0)), w),
        ]

    def t_junction(rng):
        w = width(rng)
        return [
            Stroke(_points((0.0, 0.95), (0.0, -0.5)), w),
            Stroke(_points((-0.9, -0.5), (0.9, -0.5)), w),
        ]

    def side_road(rng):
        w = width(rng)
        return [
            Stroke(_points((-0.2, 0.95), (-0.2, -0.95)), w),
            Stroke(_points((-0.2, 0.0), (0.85, 0.0)), w * 0.75),
        ]

    def side_road_diagonal(rng):
        w = width(rng)
        return [
            Stroke(_points((-0.2, 0.95), (-0.2, -0.95)), w),
            Stroke(_points((-0.2, 0.3), (0.7, -0.6)), w * 0.75),
        ]

    def y_junction(rng):
        w = width(rng)
        return [
            Stroke(_points((0.0, 0.95), (0.0, 0.1)), w),
            Stroke(_points((0.0, 0.1), (-0.65, -0.9)), w),
            Stroke(_points((0.0, 0.1), (0.65, -0.9)), w),
        ]

    def staggered(rng):
        w = width(rng)
        return [
            Stroke(_points((0.0, 0.95), (0.0, -0.95)), w),
            Stroke(_points((0.0, -0.4), (0.85, -0.4)), w * 0.7),
            Stroke(_points((0.0, 0.45), (-0.85, 0.45)), w * 0.7),
        ]

    def priority_cross(rng):
        w = width(rng)
        return [
            Stroke(_points((0.0, 0.95), (0.0, -0.95)), w * 1.3),
            Stroke(_points((-0.8, 0.0), (0.8, 0.0)), w * 0.5),
        ]

    def lane_merge(rng):
        w = width(rng) * 0.8
        return [
            Stroke(_points((0.3, 0.95), (0.3, -0.95)), w),
            Stroke(bezier((-0.6, 0.95), (-0.6, 0.2), (0.3, 0.0), (0.3, -0.5)), w),
        ]

    def roundabout_ring(rng):
        w = width(rng) * 0.8
        spokes = []
        for angle in (math.pi / 2, 7 * math.pi / 6, 11 * math.pi / 6):
            direction = np.array([math.cos(angle), math.sin(angle)])
            spokes.append(Stroke(np.stack([0.45 * direction, 0.95 * direction]), w))
        return [ring(0.0, 0.0, 0.45, w), *spokes]

    def bridge(rng):
        w = width(rng) * 0.7
        return [
            Stroke(arc(0.0, 0.6, 0.8, math.pi, 2 * math.pi, 16), w),
            Stroke(_points((-0.95, -0.2), (0.95, -0.2)), w),
        ]

    def level_crossing(rng):
        w = width(rng) * 0.6
        return [
            Stroke(_points((-0.7, 0.9), (-0.7, -0.2)), w),
            Stroke(_points((0.7, 0.9), (0.7, -0.2)), w),
            _rectangle(-0.95, -0.55, 0.95, -0.25),
            _rectangle(-0.35, -0.55, -0.05, -0.25, ERASE),
            _rectangle(0.25, -0.55, 0.55, -0.25, ERASE),
        ]

    def tunnel(rng):
        w = width(rng)
        return [
            Stroke(
                np.concatenate(
                    [
                        _points((-0.7, 0.8)),
                        arc(0.0, 0.0, 0.7, math.pi, 2 * math.pi, 16),
                        _points((0.7, 0.8)),
                    ]
                ),
                w,
            ),
            Stroke(_points((-0.95, 0.8), (0.95, 0.8)), w * 0.6),
        ]

    def lane_ends(rng):
        w = width(rng) * 0.7
        return [
            Stroke(_points((-0.4, 0.95), (-0.4, -0.95)), w),
            Stroke(_points((0.4, 0.95), (0.4, 0.0)), w),
            Stroke(_points((0.4, 0.0), (0.4, -0.95)), w * 0.35),
        ]

    return [
        ("curve", curve),
        ("double_curve", double_curve),
        ("series_curves", series_curves),
        ("hairpin", hairpin),
        ("narrow_both", narrow_both),
        ("narrow_right", narrow_right),
        ("crossroads", crossroads),
        ("t_junction", t_junction),
        ("side_road", side_road),
        ("side_road_diagonal", side_road_diagonal),
        ("y_junction", y_junction),
        ("staggered", staggered),
        ("priority_cross", priority_cross),
        ("lane_merge", lane_merge),
        ("roundabout_ring", roundabout_ring),
        ("bridge", bridge),
        ("level_crossing", level_crossing),
        ("tunnel", tunnel),
        ("lane_ends", lane_ends),
    ]


_ROAD_KINDS = _road_kinds()


def _build_road(rng: np.random.Generator, variant: int) -> list[Primitive]:
    return _ROAD_KINDS[variant][1](rng)


# --- surfaces and terrain --------------------------------------------------


def _wave_kinds() -> list[tuple[str, Callable[[np.random.Generator], list[Primitive]]]]:
    """Return (name, builder) for waves, bumps and terrain symbols."""

    def sine(rows: int, cycles: float):
        def build(rng):
            x = np.linspace(-0.95, 0.95, 28)
            amplitude = rng.uniform(0.12, 0.2)
            width = rng.uniform(0.1, 0.15)
            return [
                Stroke(np.stack([x, y + amplitude * np.sin(cycles * math.pi * x)], axis=1), width)
                for y in np.linspace(-0.5, 0.5, rows) * (rows > 1)
            ]

        return build

    def bumps(count: int):
        def build(rng):
            width = rng.uniform(0.12, 0.18)
            centres = np.linspace(-0.9, 0.9, 2 * count + 1)[1::2]
            radius = 0.9 / count
            path = [_points((-0.95, 0.3))]
            for centre in centres:
                path.append(arc(centre, 0.3, radius * 0.9, math.pi, 2 * math.pi, 10))
            path.append(_points((0.95, 0.3)))
            return [Stroke(np.concatenate(path), width), _rectangle(-0.95, 0.45, 0.95, 0.6)]

        return build

    def dip(rng):
        width = rng.uniform(0.12, 0.18)
        path = np.concatenate(
            [_points((-0.95, -0.2)), arc(0.0, -0.2, 0.6, math.pi, 0.0, 12), _points((0.95, -0.2))]
        )
        return [Stroke(path, width)]

    def zigzag(rows: int, vertical: bool):
        def build(rng):
            width = rng.uniform(0.1, 0.15)
            t = np.linspace(-0.9, 0.9, 7)
            offsets = np.where(np.arange(7) % 2 == 0, -0.15, 0.15)
            strokes = []
            for shift in np.linspace(-0.45, 0.45, rows) * (rows > 1):
                line = np.stack([t, offsets + shift], axis=1)
                strokes.append(Stroke(line[:, ::-1] if vertical else line, width))
            return strokes

        return build

    def skid(rng):
        car = [
            _rectangle(-0.45, -0.75, 0.45, -0.45),
            _rectangle(-0.3, -0.95, 0.3, -0.7),
            disc(-0.3, -0.42, 0.1),
            disc(0.3, -0.42, 0.1),
        ]
        width = rng.uniform(0.09, 0.12)
        tracks = [
            Stroke(bezier((x, -0.3), (x + 0.45, 0.05), (x - 0.45, 0.45), (x + 0.2, 0.95)), width)
            for x in (-0.3, 0.3)
        ]
        return car + tracks

    def falling_rocks(rng):
        slope = Fill(_points((-0.95, -0.95), (-0.95, 0.95), (-0.2, 0.95), (-0.55, -0.95)))
        stones = [
            disc(x, y, r)
            for x, y, r in (
                (0.0, -0.3, 0.16),
                (0.35, 0.1, 0.13),
                (0.15, 0.55, 0.18),
                (0.6, 0.7, 0.12),
            )
        ]
        return [slope, *stones]

    def steep_hill(rng):
        return [
            Fill(_points((-0.95, 0.6), (0.95, 0.6), (0.95, -0.5))),
            _rectangle(-0.95, 0.7, 0.95, 0.85),
        ]

    def wind(rng):
        width = rng.uniform(0.09, 0.13)
        strokes = []
        for y, length in ((-0.5, 0.8), (0.0, 1.0), (0.5, 0.6)):
            strokes.append(
                Stroke(
                    np.concatenate(
                        [
                            _points((-0.95, y), (-0.95 + length, y)),
                            arc(-0.95 + length, y - 0.15, 0.15, math.pi / 2, -math.pi, 8),
                        ]
                    ),
                    width,
                )
            )
        return strokes

    return [
        *[
            (f"sine_{rows}_{cycles}", sine(rows, cycles))
            for rows in (1, 2, 3)
            for cycles in (1.5, 2.5)
        ],
        *[(f"bumps_{count}", bumps(count)) for count in (1, 2, 3)],
        ("dip", dip),
        *[
            (f"zigzag_{rows}_{vertical}", zigzag(rows, vertical))
            for rows in (1, 2)
            for vertical in (False, True)
        ],
        ("skid", skid),
        ("falling_rocks", falling_rocks),
        ("steep_hill", steep_hill),
        ("wind", wind),
    ]


_WAVE_KINDS = _wave_kinds()


def _build_wave(rng: np.random.Generator, variant: int) -> list[Primitive]:
    return _WAVE_KINDS[variant][1](rng)


# --- silhouettes -----------------------------------------------------------


def _vehicle(rng: np.random.Generator, kind: str) -> list[Primitive]:
    """Return a side view of a vehicle facing right."""
    wheel = rng.uniform(0.14, 0.22)
    ground = 0.35

    if kind == "car":
        roof = rng.uniform(-0.55, -0.35)
        waist = rng.uniform(-0.15, 0.0)
        cabin_start, cabin_end = rng.uniform(-0.55, -0.3), rng.uniform(0.15, 0.4)
        body = Fill(
            _points(
                (-0.95, ground - 0.05),
                (-0.95, waist),
                (cabin_start, waist - 0.02),
                (cabin_start + 0.15, roof),
                (cabin_end - 0.1, roof),
                (cabin_end + 0.1, waist),
                (0.95, waist + 0.05),
                (0.95, ground - 0.05),
            )
        )
        parts = [
            body,
            Fill(
                _points(
                    (cabin_start + 0.22, roof + 0.07),
                    (cabin_end - 0.13, roof + 0.07),
                    (cabin_end - 0.02, waist - 0.03),
                    (cabin_start + 0.12, waist - 0.03),
                ),
                ERASE,
            ),
        ]
        axles = (-0.55, 0.55)
    elif kind == "truck":
        box_top = rng.uniform(-0.7, -0.45)
        cab_start = rng.uniform(0.2, 0.4)
        parts = [
            _rectangle(-0.95, box_top, cab_start - 0.05, ground - 0.05),
            Fill(
                _points(
                    (cab_start, -0.35),
                    (0.75, -0.35),
                    (0.95, -0.05),
                    (0.95, ground - 0.05),
                    (cab_start, ground - 0.05),
                )
            ),
            Fill(
                _points(
                    (cab_start + 0.08, -0.27),
                    (0.7, -0.27),
                    (0.83, -0.08),
                    (cab_start + 0.08, -0.08),
                ),
                ERASE,
            ),
        ]
        axles = (-0.65, -0.3, 0.65) if rng.random() < 0.5 else (-0.6, 0.65)
    elif kind == "bus":
        top = rng.uniform(-0.6, -0.4)
        parts = [
            Fill(
                _points(
                    (-0.95, top),
                    (0.85, top),
                    (0.95, top + 0.15),
                    (0.95, ground - 0.05),
                    (-0.95, ground - 0.05),
                )
            )
        ]
        windows = int(rng.integers(3, 6))
        edges = np.linspace(-0.85, 0.85, windows + 1)
        for left, right in itertools.pairwise(edges):
            parts.append(_rectangle(left + 0.03, top + 0.1, right - 0.03, top + 0.35, ERASE))
        axles = (-0.6, 0.6)
    elif kind == "tractor":
        rear = rng.uniform(0.3, 0.45)
        front = rng.uniform(0.18, 0.28)
        bonnet = rng.uniform(-0.35, -0.1)
        parts = [
            _rectangle(-0.2, bonnet, 0.85, 0.2),
            Stroke(_points((0.55, bonnet), (0.55, bonnet - rng.uniform(0.2, 0.45))), 0.08),
        ]
        if rng.random() < 0.6:
            parts.append(
                Stroke(_points((-0.55, 0.0), (-0.55, -0.7), (-0.1, -0.7), (-0.1, -0.1)), 0.09)
            )
        if rng.random() < 0.5:
            # Front loader arm and bucket.
            parts += [
                Stroke(_points((0.0, -0.3), (0.9, 0.0), (1.0, 0.35)), 0.08),
                Fill(_points((0.85, 0.2), (1.15, 0.2), (1.1, 0.55), (0.9, 0.55))),
            ]
        return parts + [
            disc(-0.45, 0.6 - rear, rear),
            disc(-0.45, 0.6 - rear, rear * 0.35, ERASE),
            disc(0.65, 0.6 - front, front),
        ]
    elif kind == "motorcycle":
        wheel = rng.uniform(0.22, 0.34)
        parts = [
            ring(-0.6, 0.45, wheel, 0.09),
            ring(0.6, 0.45, wheel, 0.09),
            Stroke(_points((-0.6, 0.45), (-0.1, 0.0), (0.45, 0.0), (0.6, 0.45)), 0.12),
            Stroke(_points((0.45, 0.0), (0.35, -0.35)), 0.09),
        ]
        if rng.random() < 0.6:
            parts += [
                disc(0.0, -0.75, 0.15),
                Stroke(_points((0.0, -0.55), (-0.15, -0.05), (0.2, 0.05)), 0.16),
                Stroke(_points((0.0, -0.45), (0.35, -0.35)), 0.1),
            ]
        else:
            parts.append(_ellipse(0.0, -0.05, 0.35, 0.14))
        return parts
    elif kind == "train":
        cars = int(rng.integers(1, 3))
        length = 1.9 / cars
        parts = []
        for index in range(cars):
            left = -0.95 + index * length
            right = left + length - 0.08
            nose = 0.35 if index == cars - 1 else 0.0
            parts.append(
                Fill(
                    _points(
                        (left, -0.6), (right - nose, -0.6), (right, -0.2), (right, 0.3), (left, 0.3)
                    )
                )
            )
            windows = int(rng.integers(1, 4))
            edges = np.linspace(left + 0.08, right - nose - 0.05, windows + 1)
            for start, end in itertools.pairwise(edges):
                parts.append(_rectangle(start + 0.03, -0.5, end - 0.03, -0.2, ERASE))
            parts += [disc(x, 0.38, 0.12) for x in np.linspace(left + 0.2, right - 0.2, 2)]
        return parts + [_rectangle(-0.95, 0.55, 0.95, 0.62)]
    elif kind == "boat":
        mast = rng.uniform(-0.3, 0.3)
        hull = [Fill(_points((-0.95, 0.3), (0.95, 0.3), (0.7, 0.7), (-0.7, 0.7)))]
        if rng.random() < 0.5:
            # Sailing boat.
            return hull + [
                Stroke(_points((mast, 0.3), (mast, -0.95)), 0.07),
                Fill(_points((mast + 0.07, -0.9), (mast + 0.07, 0.2), (0.85, 0.2))),
                Fill(_points((mast - 0.07, -0.7), (mast - 0.07, 0.2), (-0.6, 0.2))),
            ]
        # Motor boat or ferry: a cabin and a funnel.
        cabin = rng.uniform(0.2, 0.5)
        return hull + [
            _rectangle(-0.6, 0.3 - cabin, 0.4, 0.3),
            _rectangle(mast - 0.1, 0.3 - cabin - 0.35, mast + 0.1, 0.3 - cabin),
        ]
    else:  # aeroplane, side view
        wing = rng.uniform(-0.3, 0.2)
        tail = rng.uniform(0.3, 0.6)
        return [
            _ellipse(0.0, 0.0, 0.95, rng.uniform(0.1, 0.18)),
            Fill(_points((wing, 0.0), (wing + 0.35, 0.0), (wing - 0.15, 0.6), (wing - 0.35, 0.6))),
            Fill(_points((-0.65, 0.0), (-0.85, 0.0), (-0.95, -tail), (-0.8, -tail))),
        ]

    gap = wheel + 0.05
    for x in axles:
        parts.append(disc(x, ground, gap, ERASE))
        parts.append(disc(x, ground, wheel))
    return parts


_VEHICLE_KINDS = ("car", "truck", "bus", "tractor", "motorcycle", "train", "boat", "aeroplane")


def _build_vehicle(rng: np.random.Generator, variant: int) -> list[Primitive]:
    return _vehicle(rng, _VEHICLE_KINDS[variant % len(_VEHICLE_KINDS)])


def _limb(
    start: np.ndarray, angles: tuple[float, float], lengths: tuple[float, float]
) -> np.ndarray:
    """Return a two-segment limb from ``start``, angles in radians from straight down."""
    joint = start + lengths[0] * np.array([math.sin(angles[0]), math.cos(angles[0])])
    end = joint + lengths[1] * np.array([math.sin(angles[1]), math.cos(angles[1])])
    return np.stack([start, joint, end])


def _person(
    rng: np.random.Generator, x: float = 0.0, scale: float = 1.0, lean: float | None = None
) -> list[Primitive]:
    """Return a walking figure whose pose comes from ``rng``, facing right."""
    lean = rng.uniform(-0.1, 0.35) if lean is None else lean
    width = 0.2 * scale
    hip = np.array([x, 0.1 * scale])
    neck = hip + 0.6 * scale * np.array([math.sin(lean), -math.cos(lean)])
    stride = rng.uniform(0.15, 0.6)
    knee_bend = rng.uniform(0.0, 0.6)
    legs = [
        _limb(hip, (stride, stride - knee_bend * 0.3), (0.42 * scale, 0.42 * scale)),
        _limb(hip, (-stride * 0.8, -stride * 0.8 + knee_bend), (0.42 * scale, 0.42 * scale)),
    ]
    swing = rng.uniform(-0.9, 0.9)
    arms = [
        _limb(
            neck + [0, 0.05 * scale],
            (swing, swing + rng.uniform(-0.8, 0.8)),
            (0.3 * scale, 0.28 * scale),
        ),
        _limb(
            neck + [0, 0.05 * scale],
            (-swing, -swing + rng.uniform(-0.8, 0.8)),
            (0.3 * scale, 0.28 * scale),
        ),
    ]
    head = neck + 0.22 * scale * np.array([math.sin(lean), -math.cos(lean)])
    return [
        disc(head[0], head[1], 0.15 * scale),
        Stroke(np.stack([neck, hip]), width * 1.25),
        *[Stroke(leg, width) for leg in legs],
        *[Stroke(arm, width * 0.8) for arm in arms],
    ]


def _build_person(rng: np.random.Generator, variant: int) -> list[Primitive]:
    kind = variant % 6
    if kind == 0:
        return _person(rng)
    if kind == 1:
        # Adult and child, as on children-crossing signs.
        return _person(rng, -0.3, 1.0) + _person(rng, 0.45, 0.7)
    if kind == 2:
        # Worker with a shovel and a heap, as on road-work signs.
        figure = _person(rng, -0.25, 1.0, lean=rng.uniform(0.3, 0.6))
        shovel = [
            Stroke(_points((-0.1, -0.3), (0.55, 0.55)), 0.07),
            Fill(_points((0.45, 0.5), (0.7, 0.45), (0.72, 0.75), (0.5, 0.75))),
        ]
        heap = Fill(arc(0.75, 0.95, rng.uniform(0.25, 0.4), math.pi, 2 * math.pi, 10))
        return figure + shovel + [heap]
    if kind == 3:
        # Cyclist.
        rider = _person(rng, 0.0, 0.75, lean=rng.uniform(0.2, 0.5))
        return [
            ring(-0.55, 0.5, 0.35, 0.08),
            ring(0.55, 0.5, 0.35, 0.08),
            Stroke(_points((-0.55, 0.5), (-0.1, 0.05), (0.4, 0.05), (0.55, 0.5)), 0.08),
        ] + _translated(rider, (0.0, -0.35))
    if kind == 4:
        # Figure with a carried object: bag, umbrella or stick.
        figure = _person(rng)
        prop = int(rng.integers(3))
        if prop == 0:
            return figure + [_rectangle(0.3, 0.0, 0.6, 0.35)]
        if prop == 1:
            return figure + [
                Fill(arc(0.3, -0.7, 0.45, math.pi, 2 * math.pi, 12)),
                Stroke(_points((0.3, -0.7), (0.3, -0.1)), 0.06),
            ]
        return figure + [Stroke(_points((0.45, -0.3), (0.6, 0.95)), 0.07)]
    # Two figures side by side.
    return _person(rng, -0.4, 0.9) + _person(rng, 0.4, 0.9)


def _build_animal(rng: np.random.Generator, variant: int) -> list[Primitive]:
    """Return a quadruped or bird facing right, with proportions from ``rng``."""
    if variant % 5 == 4:
        # Bird with spread wings.
        wing = rng.uniform(0.3, 0.8)
        return [
            _ellipse(0.0, 0.1, 0.5, 0.18, tilt=rng.uniform(-0.3, 0.1)),
            Fill(_points((-0.2, 0.0), (0.2, 0.0), (-0.3, -wing), (-0.6, -wing + 0.15))),
            disc(0.55, -0.05, 0.14),
            Fill(_points((0.65, -0.1), (0.95, 0.0), (0.65, 0.05))),
            Fill(_points((-0.45, 0.1), (-0.95, 0.0), (-0.9, 0.3))),
        ]

    body_length = rng.uniform(0.45, 0.65)
    body_height = rng.uniform(0.18, 0.28)
    neck_angle = rng.uniform(0.3, 1.1)
    leap = rng.uniform(0.0, 0.6) if variant % 5 in (0, 1) else 0.0
    leg_length = rng.uniform(0.35, 0.55)
    shoulder = np.array([body_length * 0.75, -0.05])
    head = shoulder + 0.45 * np.array([math.cos(neck_angle), -math.sin(neck_angle)])
    parts: list[Primitive] = [
        _ellipse(0.0, 0.0, body_length, body_height, tilt=-leap * 0.4),
        Stroke(np.stack([shoulder, head]), 0.16),
        _ellipse(head[0] + 0.08, head[1], 0.18, 0.1, tilt=0.3),
    ]
    for x, sign in (
        (-body_length * 0.7, -1),
        (-body_length * 0.55, -1),
        (body_length * 0.55, 1),
        (body_length * 0.7, 1),
    ):
        angle = sign * leap + rng.uniform(-0.15, 0.15)
        parts.append(
            Stroke(
                _limb(np.array([x, 0.05]), (angle, angle), (leg_length / 2, leg_length / 2)), 0.09
            )
        )
    parts.append(
        Stroke(_points((-body_length, -0.05), (-body_length - 0.2, rng.uniform(-0.3, 0.2))), 0.07)
    )

    antlers = variant % 5
    if antlers in (0, 2):
        tines = int(rng.integers(2, 4))
        base = head + [-0.05, -0.1]
        for i in range(tines):
            parts.append(Stroke(np.stack([base, base + [-0.12 * (i + 1), -0.15 - 0.12 * i]]), 0.05))
    elif antlers == 3:
        parts.append(Stroke(np.stack([head + [0, -0.08], head + [0.1, -0.3]]), 0.06))
    return parts


# --- abstract symbols ------------------------------------------------------


def _build_glyph(rng: np.random.Generator, variant: int) -> list[Primitive]:
    """Return a letter-like symbol of 2-5 strokes on a 5 x 5 grid."""
    grid = np.linspace(-0.8, 0.8, 5)
    width = rng.uniform(0.18, 0.26)
    primitives: list[Primitive] = []
    point = rng.integers(0, 5, 2)
    for _ in range(int(rng.integers(2, 6))):
        path = [point]
        for _ in range(int(rng.integers(1, 3))):
            step = point + rng.integers(-3, 4, 2)
            step = np.clip(step, 0, 4)
            if (step == path[-1]).all():
                step = np.clip(step + [2, 0], 0, 4) if step[0] < 2 else step - [2, 0]
            path.append(step)
            point = step
        coordinates = grid[np.array(path)]
        if rng.random() < 0.2:
            centre = coordinates[0]
            start = rng.uniform(0, 2 * math.pi)
            primitives.append(
                Stroke(
                    arc(
                        centre[0],
                        centre[1],
                        rng.uniform(0.3, 0.6),
                        start,
                        start + rng.uniform(1.5, 4.0),
                        12,
                    ),
                    width,
                )
            )
        else:
            primitives.append(Stroke(coordinates, width))
        if rng.random() < 0.4:
            point = rng.integers(0, 5, 2)
    if rng.random() < 0.3:
        dot = grid[rng.integers(0, 5, 2)]
        primitives.append(disc(dot[0], dot[1], width * 0.9))
    return primitives


_SHAPE_KINDS = (
    "disc",
    "ring",
    "square",
    "triangle",
    "plus",
    "cross",
    "star",
    "bar",
    "chevron",
    "half_disc",
    "diamond",
)


def _shape(
    kind: str, cx: float, cy: float, size: float, rng: np.random.Generator
) -> list[Primitive]:
    width = size * 0.35
    if kind == "disc":
        return [disc(cx, cy, size)]
    if kind == "ring":
        return [ring(cx, cy, size * 0.8, width)]
    if kind == "square":
        return [_rectangle(cx - size, cy - size, cx + size, cy + size)]
    if kind == "triangle":
        return [
            Fill(
                _points((cx, cy - size), (cx + size, cy + size * 0.8), (cx - size, cy + size * 0.8))
            )
        ]
    if kind == "plus":
        return [
            Stroke(_points((cx - size, cy), (cx + size, cy)), width),
            Stroke(_points((cx, cy - size), (cx, cy + size)), width),
        ]
    if kind == "cross":
        return [
            Stroke(_points((cx - size, cy - size), (cx + size, cy + size)), width),
            Stroke(_points((cx - size, cy + size), (cx + size, cy - size)), width),
        ]
    if kind == "star":
        angles = -math.pi / 2 + np.arange(10) * math.pi / 5
        radii = np.where(np.arange(10) % 2 == 0, size, size * 0.45)
        return [Fill(np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], axis=1))]
    if kind == "bar":
        angle = rng.choice([0.0, math.pi / 4, math.pi / 2, -math.pi / 4])
        direction = size * np.array([math.cos(angle), math.sin(angle)])
        return [Stroke(np.stack([[cx, cy] - direction, [cx, cy] + direction]), width)]
    if kind == "chevron":
        return [
            Stroke(
                _points(
                    (cx - size * 0.5, cy - size),
                    (cx + size * 0.5, cy),
                    (cx - size * 0.5, cy + size),
                ),
                width,
            )
        ]
    if kind == "half_disc":
        return [Fill(arc(cx, cy + size * 0.4, size, math.pi, 2 * math.pi, 12))]
    return [Fill(_points((cx, cy - size), (cx + size, cy), (cx, cy + size), (cx - size, cy)))]


def _build_geometric(rng: np.random.Generator, variant: int) -> list[Primitive]:
    """Return 2-4 simple shapes on a 3 x 3 grid, at least one off the vertical axis."""
    count = int(rng.integers(2, 5))
    cells = rng.choice(9, size=count, replace=False)
    if all(cell % 3 == 1 for cell in cells):
        cells[0] = 3 * (cells[0] // 3)
    primitives: list[Primitive] = []
    for cell in cells:
        cx, cy = (cell % 3 - 1) * 0.62, (cell // 3 - 1) * 0.62
        kind = _SHAPE_KINDS[int(rng.integers(len(_SHAPE_KINDS)))]
        primitives += _shape(kind, cx, cy, rng.uniform(0.26, 0.36), rng)
    return primitives


def _build_blob(rng: np.random.Generator, variant: int) -> list[Primitive]:
    """Return an irregular filled outline with optional holes and loose dots."""
    angles = np.linspace(0.0, 2 * math.pi, 36, endpoint=False)
    radius = np.full_like(angles, 0.65)
    for harmonic in range(2, 6):
        radius += rng.uniform(0.0, 0.25 / harmonic * 2) * np.cos(
            harmonic * angles + rng.uniform(0, 2 * math.pi)
        )
    radius = np.clip(radius, 0.25, 1.0)
    stretch = rng.uniform(0.5, 1.0)
    primitives: list[Primitive] = [
        Fill(np.stack([radius * np.cos(angles), stretch * radius * np.sin(angles)], axis=1))
    ]
    for _ in range(int(rng.integers(0, 3))):
        primitives.append(disc(*rng.uniform(-0.25, 0.25, 2), rng.uniform(0.08, 0.15), ERASE))
    for _ in range(int(rng.integers(0, 4))):
        angle = rng.uniform(0, 2 * math.pi)
        primitives.append(
            disc(1.0 * math.cos(angle), 1.0 * math.sin(angle), rng.uniform(0.06, 0.12))
        )
    return primitives


def _build_radial(rng: np.random.Generator, variant: int) -> list[Primitive]:
    """Return a mirror-symmetric radial symbol: snowflake, sun, star or gear."""
    count = int(rng.integers(3, 9))
    angles = -math.pi / 2 + np.arange(count) * 2 * math.pi / count
    kind = variant % 4
    width = rng.uniform(0.09, 0.14)
    primitives: list[Primitive] = []
    if kind == 0:
        # Snowflake: spokes with side branches.
        branch = rng.uniform(0.2, 0.35)
        for angle in angles:
            direction = np.array([math.cos(angle), math.sin(angle)])
            normal = np.array([-direction[1], direction[0]])
            primitives.append(Stroke(np.stack([np.zeros(2), 0.95 * direction]), width))
            at = 0.6 * direction
            for side in (1, -1):
                primitives.append(
                    Stroke(
                        np.stack([at, at + branch * (direction + side * normal) / math.sqrt(2)]),
                        width * 0.8,
                    )
                )
    elif kind == 1:
        # Sun: a disc with rays.
        primitives.append(disc(0.0, 0.0, rng.uniform(0.3, 0.45)))
        for angle in angles:
            direction = np.array([math.cos(angle), math.sin(angle)])
            primitives.append(Stroke(np.stack([0.6 * direction, 0.95 * direction]), width))
    elif kind == 2:
        # Star polygon.
        inner = rng.uniform(0.3, 0.6)
        points = -math.pi / 2 + np.arange(2 * count) * math.pi / count
        radii = np.where(np.arange(2 * count) % 2 == 0, 0.95, inner)
        primitives.append(Fill(np.stack([radii * np.cos(points), radii * np.sin(points)], axis=1)))
    else:
        # Gear: a ring with teeth and a hub.
        primitives.append(ring(0.0, 0.0, 0.6, 0.22))
        for angle in angles:
            direction = np.array([math.cos(angle), math.sin(angle)])
            primitives.append(Stroke(np.stack([0.6 * direction, 0.92 * direction]), 0.22))
        primitives.append(disc(0.0, 0.0, 0.15))
    return primitives


_PART_KINDS = ("rectangle", "trapezoid", "disc", "triangle", "handle")


def _build_object(rng: np.random.Generator, variant: int) -> list[Primitive]:
    """Return an object-like stack of 2-4 parts, shifted sideways (pumps, houses, lamps)."""
    count = int(rng.integers(2, 5))
    heights = rng.uniform(0.25, 0.7, count)
    heights *= 1.8 / heights.sum()
    top = -0.9
    primitives: list[Primitive] = []
    shifted = False
    for index, height in enumerate(heights):
        half = rng.uniform(0.15, 0.6)
        shift = rng.choice([0.0, rng.uniform(-0.35, 0.35)])
        if index == count - 1 and not shifted:
            shift = rng.uniform(0.15, 0.35)
        shifted |= shift != 0.0
        kind = _PART_KINDS[int(rng.integers(len(_PART_KINDS)))]
        x0, x1, y0, y1 = shift - half, shift + half, top, top + height
        if kind == "rectangle":
            primitives.append(_rectangle(x0, y0, x1, y1))
        elif kind == "trapezoid":
            inset = half * rng.uniform(0.2, 0.5)
            primitives.append(Fill(_points((x0 + inset, y0), (x1 - inset, y0), (x1, y1), (x0, y1))))
        elif kind == "disc":
            primitives.append(disc(shift, (y0 + y1) / 2, min(half, height / 2)))
        elif kind == "triangle":
            primitives.append(Fill(_points((shift, y0), (x1, y1), (x0, y1))))
        else:
            primitives.append(
                Stroke(arc(x1, (y0 + y1) / 2, height / 2, -math.pi / 2, math.pi / 2, 10), 0.1)
            )
        top += height
    return primitives


def _build_pair(rng: np.random.Generator, variant: int) -> list[Primitive]:
    """Return two small symbols side by side, the left one often in the accent colour.

    No-passing signs are the model: two cars, one red.
    """
    builders = (_build_vehicle, _build_person, _build_animal, _build_object, _build_geometric)
    first = builders[variant % len(builders)]
    second = builders[int(rng.integers(len(builders)))] if rng.random() < 0.4 else first
    accent = rng.random() < 0.6
    primitives: list[Primitive] = []
    for index, builder in enumerate((first, second)):
        part = fit_to_unit_box(builder(rng, int(rng.integers(1000))), margin=0.46)
        role = ACCENT if accent and index == 0 else None
        primitives += _translated(part, (-0.5 if index == 0 else 0.5, 0.0), role)
    return primitives


#: Families in class-table order. Changing a count or a builder changes the
#: symbols of existing ids, so it must come with a new renderer version.
FAMILIES: tuple[Family, ...] = (
    Family("canonical", 4, _build_canonical),
    Family("arrow", 2 * len(_ARROW_KINDS), _build_arrow),
    Family("road", len(_ROAD_KINDS), _build_road),
    Family("wave", len(_WAVE_KINDS), _build_wave),
    Family("vehicle", 32, _build_vehicle),
    Family("person", 36, _build_person),
    Family("animal", 40, _build_animal),
    Family("glyph", 120, _build_glyph),
    Family("geometric", 80, _build_geometric),
    Family("blob", 24, _build_blob),
    Family("radial", 32, _build_radial),
    Family("object", 60, _build_object),
    Family("pair", 40, _build_pair),
)
