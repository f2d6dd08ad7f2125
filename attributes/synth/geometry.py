"""Plate outlines, rims and legend areas in plate units.

Every plate is drawn in its own coordinates: x to the right, y downward,
centred on its bounding box, with the larger side of the bounding box
running from -1 to 1. A ``Frame`` then maps plate units to canvas pixels,
so rotation, foreshortening and scale cost nothing at drawing time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from signrules.attributes.errors import SchemaError

__all__ = ["Box", "Frame", "PlateGeometry"]

_SQRT3 = math.sqrt(3.0)


@dataclass(frozen=True)
class Box:
    """An axis-aligned box given by its centre and half-sizes."""

    cx: float
    cy: float
    half_width: float
    half_height: float

    def scaled(self, factor: float) -> Box:
        return Box(self.cx, self.cy, self.half_width * factor, self.half_height * factor)


@dataclass(frozen=True)
class Frame:
    """Affine map from plate units to canvas pixels: ``canvas = matrix @ p + offset``."""

    matrix: np.ndarray
    offset: np.ndarray

    @property
    def scale(self) -> float:
        """Pixels per plate unit, averaged over directions (for stroke widths)."""
        (a, b), (c, d) = self.matrix.tolist()
        return math.sqrt(abs(a * d - b * c))

    def apply(self, points: np.ndarray) -> np.ndarray:
        return points @ self.matrix.T + self.offset

    def then(self, matrix: np.ndarray, offset: np.ndarray) -> Frame:
        """Return the frame that first applies ``p -> matrix @ p + offset``, then this one."""
        return Frame(self.matrix @ matrix, self.matrix @ offset + self.offset)


def _outward_normals(vertices: np.ndarray) -> np.ndarray:
    """Return the unit normal of each edge (vertex i to i+1), pointing away from the centroid."""
    following = np.roll(vertices, -1, axis=0)
    edges = following - vertices
    normals = np.stack([edges[:, 1], -edges[:, 0]], axis=1)
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    centroid = vertices.mean(axis=0)
    outward = np.einsum("ij,ij->i", normals, vertices - centroid) > 0
    normals[~outward] *= -1
    return normals


def _unit_circle(points: int) -> np.ndarray:
    angles = np.linspace(0.0, 2 * math.pi, points, endpoint=False)
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)


_UNIT_CIRCLES = {points: _unit_circle(points) for points in (32, 48, 64, 96)}


def _regular_vertices(count: int, start_degrees: float, radius: float) -> np.ndarray:
    angles = np.radians(start_degrees + 360.0 / count * np.arange(count))
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


class PlateGeometry:
    """Outline, rim insets and legend areas of one plate shape.

    ``aspect`` (width / height) matters only for rectangles. Insets and
    corner radii are in plate units.
    """

    def __init__(self, shape: str, aspect: float = 1.0, *, circle_points: int = 64) -> None:
        if circle_points not in _UNIT_CIRCLES:
            raise ValueError(
                f"circle_points must be one of {sorted(_UNIT_CIRCLES)}, got {circle_points}"
            )
        self.shape = shape
        self.aspect = aspect
        self.circle_points = circle_points

        # The incentre and inradius of the sharp outline; insetting a
        # triangle, octagon or diamond keeps the incentre fixed.
        if shape == "circle":
            self.vertices = None
            self.incentre = np.zeros(2)
            self.inradius = 1.0
        elif shape in ("triangle", "inverted_triangle"):
            height = _SQRT3
            apex_y = -height / 2 if shape == "triangle" else height / 2
            base_y = -apex_y
            self.vertices = np.array([[0.0, apex_y], [1.0, base_y], [-1.0, base_y]])
            self.incentre = np.array([0.0, apex_y + np.sign(base_y - apex_y) * 2 * height / 3])
            self.inradius = height / 3
        elif shape == "octagon":
            # Flat top and bottom, as stop signs stand.
            self.vertices = _regular_vertices(8, 22.5, 1.0 / math.cos(math.radians(22.5)))
            self.incentre = np.zeros(2)
            self.inradius = 1.0
        elif shape == "diamond":
            self.vertices = np.array([[0.0, -1.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
            self.incentre = np.zeros(2)
            self.inradius = math.sqrt(0.5)
        elif shape == "rectangle":
            half_width, half_height = (1.0, 1.0 / aspect) if aspect >= 1 else (aspect, 1.0)
            self.vertices = np.array(
                [
                    [-half_width, -half_height],
                    [half_width, -half_height],
                    [half_width, half_height],
                    [-half_width, half_height],
                ]
            )
            self.incentre = np.zeros(2)
            self.inradius = min(half_width, half_height)
            self.half_sizes = (half_width, half_height)
        else:
            raise SchemaError(
                f'the renderer has no outline for shape "{shape}"; add one to '
                "signrules.attributes.synth.geometry.PlateGeometry"
            )

        if self.vertices is not None:
            self._prepare_insets()

    def _prepare_insets(self) -> None:
        """Precompute what every inset and rounding of this outline shares.

        Moving all edges inward by ``d`` changes only the right-hand side of
        the 2 x 2 systems whose solutions are the vertices, so their inverses
        are computed once. The directions of the corner arcs never change.
        """
        normals = _outward_normals(self.vertices)
        previous = np.roll(normals, 1, axis=0)
        self._inverses = np.linalg.inv(np.stack([previous, normals], axis=1))
        offsets = np.einsum("ij,ij->i", normals, self.vertices)
        self._offset_pairs = np.stack([np.roll(offsets, 1), offsets], axis=1)

        start = np.arctan2(previous[:, 1], previous[:, 0])
        turn = (np.arctan2(normals[:, 1], normals[:, 0]) - start + math.pi) % (
            2 * math.pi
        ) - math.pi
        angles = start[:, None] + turn[:, None] * np.linspace(0.0, 1.0, 6)[None, :]
        self._arc_directions = np.stack([np.cos(angles), np.sin(angles)], axis=2)

    def _sharp_inset(self, distance: float) -> np.ndarray:
        return np.einsum("vij,vj->vi", self._inverses, self._offset_pairs - distance)

    def outline(self, inset: float, corner_radius: float = 0.0) -> np.ndarray:
        """Return the outline moved inward by ``inset``, as (k, 2) points.

        Corners are rounded with ``corner_radius`` at the outer edge; inner
        outlines keep a smaller rounding, as a rim's inner edge does. An
        inset that leaves nothing returns an empty array.
        """
        if inset >= self.inradius * 0.98:
            return np.zeros((0, 2))

        if self.vertices is None:
            return (1.0 - inset) * _UNIT_CIRCLES[self.circle_points]

        if corner_radius <= 0.0:
            return self._sharp_inset(inset)

        # A rounded polygon is a smaller sharp "core" polygon grown by a disc
        # of the corner radius: its edges then lie exactly ``inset`` inside.
        radius = max(corner_radius - inset, 0.4 * corner_radius)
        radius = min(radius, 0.9 * (self.inradius - inset))
        core = self._sharp_inset(inset + radius)
        return (core[:, None, :] + radius * self._arc_directions).reshape(-1, 2)

    def legend_area(self, inset: float, layout: str) -> Box:
        """Return the box where a legend fits inside an outline inset by ``inset``.

        ``layout`` is "wide" for one line of lettering, "square" for a
        pictogram and "tall" for two stacked legends. The factors below keep
        each box's corners inside the inset outline, except the square box of
        triangles, whose top corners reach past it: symbols rarely have ink
        in their corners, and real warning symbols are that large.
        """
        if self.shape == "rectangle":
            half_width, half_height = (s - inset for s in self.half_sizes)
            factor = 0.82 if layout != "square" else 0.8
            if layout == "square":
                half = factor * min(half_width, half_height)
                return Box(0.0, 0.0, half, half)
            return Box(0.0, 0.0, factor * half_width, factor * half_height)

        radius = self.inradius - inset
        cx, cy = self.incentre
        factors = {
            # shape: {layout: (vertical offset, half width, half height)} x inradius
            "circle": {
                "wide": (0.0, 0.8, 0.5),
                "square": (0.0, 0.68, 0.68),
                "tall": (0.0, 0.68, 0.72),
            },
            "octagon": {
                "wide": (0.0, 0.86, 0.45),
                "square": (0.0, 0.72, 0.72),
                "tall": (0.0, 0.72, 0.78),
            },
            "triangle": {
                "wide": (0.25, 0.9, 0.42),
                "square": (0.12, 0.8, 0.8),
                "tall": (0.1, 0.7, 0.75),
            },
            "diamond": {
                "wide": (0.0, 0.85, 0.5),
                "square": (0.0, 0.66, 0.66),
                "tall": (0.0, 0.6, 0.75),
            },
        }
        if self.shape == "inverted_triangle":
            offset, half_width, half_height = factors["triangle"][layout]
            offset = -offset
        else:
            offset, half_width, half_height = factors[self.shape][layout]
        return Box(cx, cy + offset * radius, half_width * radius, half_height * radius)
