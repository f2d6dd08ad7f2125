"""The synthetic pictogram classes: ids, designs and drawing with jitter.

Class ``i`` has the pictogram id ``SYNTHETIC_PICTOGRAM_BASE + i``. The table
lists the families of ``pictogram_families`` in order. A design that differs
from its mirror image is followed by that mirror image as the next class.
The embedding thus learns that a left curve and a right curve are different
symbols. The design of a class
depends only on its index, and each drawing adds a small jitter in stroke
width, position, size and angle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from signrules.attributes.labels import SYNTHETIC_PICTOGRAM_BASE
from signrules.attributes.synth.geometry import Box, Frame
from signrules.attributes.synth.masks import MaskSheet
from signrules.attributes.synth.pictogram_families import FAMILIES
from signrules.attributes.synth.strokes import (
    Primitive,
    draw_primitives,
    fit_to_unit_box,
    is_mirror_symmetric,
    mirror,
)

__all__ = [
    "BLANK_PICTOGRAM",
    "EXCLAMATION_PICTOGRAM",
    "NO_ENTRY_PICTOGRAM",
    "NUM_PICTOGRAMS",
    "TRAFFIC_LIGHT_PICTOGRAM",
    "PictogramClass",
    "draw_pictogram",
    "pictogram_class",
    "pictogram_design",
    "pictogram_ids",
]

# Seed of every design; the class index and family are appended to it.
_DESIGN_SEED = 20240611


@dataclass(frozen=True)
class PictogramClass:
    """One entry of the class table."""

    index: int
    family: str
    variant: int
    mirrored: bool

    @property
    def id(self) -> int:
        return SYNTHETIC_PICTOGRAM_BASE + self.index


def _build_table() -> tuple[tuple[PictogramClass, ...], tuple[tuple[Primitive, ...], ...]]:
    """Build every class and its design; a design that differs from its mirror image gets a twin."""
    table: list[PictogramClass] = []
    designs: list[tuple[Primitive, ...]] = []
    for number, family in enumerate(FAMILIES):
        for variant in range(family.count):
            rng = np.random.default_rng([_DESIGN_SEED, number, variant])
            primitives = family.build(rng, variant)
            design = tuple(fit_to_unit_box(primitives)) if primitives else ()
            table.append(PictogramClass(len(table), family.name, variant, False))
            designs.append(design)
            if design and not is_mirror_symmetric(list(design)):
                table.append(PictogramClass(len(table), family.name, variant, True))
                designs.append(tuple(mirror(list(design))))
    return tuple(table), tuple(designs)


# Building the table takes about 0.4 s, once per process.
_TABLE, _DESIGNS = _build_table()
_FAMILY_INDEX = {family.name: number for number, family in enumerate(FAMILIES)}

#: Number of synthetic pictogram classes.
NUM_PICTOGRAMS = len(_TABLE)

#: The plate without any symbol (yield, priority road, "no vehicles").
BLANK_PICTOGRAM = SYNTHETIC_PICTOGRAM_BASE + 0
#: The horizontal bar of a no-entry sign.
NO_ENTRY_PICTOGRAM = SYNTHETIC_PICTOGRAM_BASE + 1
#: The exclamation mark of a general-caution sign.
EXCLAMATION_PICTOGRAM = SYNTHETIC_PICTOGRAM_BASE + 2
#: Three traffic lights in a housing.
TRAFFIC_LIGHT_PICTOGRAM = SYNTHETIC_PICTOGRAM_BASE + 3


def pictogram_class(pictogram_id: int) -> PictogramClass:
    """Return the table entry of ``pictogram_id``; raise ValueError outside the table."""
    index = pictogram_id - SYNTHETIC_PICTOGRAM_BASE
    if not 0 <= index < NUM_PICTOGRAMS:
        raise ValueError(
            f"pictogram id must be in [{SYNTHETIC_PICTOGRAM_BASE}, "
            f"{SYNTHETIC_PICTOGRAM_BASE + NUM_PICTOGRAMS}), got {pictogram_id}"
        )
    return _TABLE[index]


@cache
def pictogram_ids(family: str | None = None) -> tuple[int, ...]:
    """Return the ids of one family's classes, or of all classes; the blank plate is left out."""
    if family is not None and family not in _FAMILY_INDEX:
        raise ValueError(f"family must be one of {', '.join(_FAMILY_INDEX)}, got {family!r}")
    return tuple(
        entry.id
        for entry in _TABLE
        if entry.id != BLANK_PICTOGRAM and (family is None or entry.family == family)
    )


def pictogram_design(pictogram_id: int) -> tuple[Primitive, ...]:
    """Return the primitives of a class in symbol units, fitted to [-1, 1]."""
    return _DESIGNS[pictogram_class(pictogram_id).index]


def draw_pictogram(
    rng: np.random.Generator,
    pictogram_id: int,
    box: Box,
    frame: Frame,
    sheet: MaskSheet,
) -> None:
    """Draw a pictogram into the square centred in ``box`` (plate units), with jitter.

    The jitter (up to 3 degrees of rotation, 4 % of shift, -7 to +3 % of
    size and +-15 % of stroke width) leaves one class recognisable while no
    two drawings of it are identical.
    """
    design = pictogram_design(pictogram_id)
    if not design:
        return

    half = min(box.half_width, box.half_height) * rng.uniform(0.93, 1.03)
    angle = math.radians(rng.uniform(-3.0, 3.0))
    cos, sin = math.cos(angle), math.sin(angle)
    matrix = half * np.array([[cos, -sin], [sin, cos]])
    shift = rng.uniform(-0.04, 0.04, 2) * half
    symbol_frame = frame.then(matrix, np.array([box.cx, box.cy]) + shift)
    draw_primitives(list(design), symbol_frame, sheet, width_scale=rng.uniform(0.85, 1.15))
