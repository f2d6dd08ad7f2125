"""Parsed rule files: declarations and conditions as written, with their locations.

Names in this tree are not checked against the attribute schema yet. The lint
checks do that, and ``signrules.engine.compiler`` turns a checked tree into
typed predicates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from signrules.engine.problems import Problem

__all__ = [
    "And",
    "ClassEntry",
    "Comparison",
    "Condition",
    "Definition",
    "Location",
    "Not",
    "Or",
    "RangeRestriction",
    "Reference",
    "Restriction",
    "SetRestriction",
    "SignDeclaration",
    "Similarity",
    "SourceFile",
    "Value",
    "ValueKind",
    "iter_atoms",
    "placeholders",
]

# A placeholder in a family's id or display name, as in speed_limit_{N}.
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Location:
    """A position in a rule file; line and column are 1-based."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class ValueKind(Enum):
    """Written form of a value: a bare name, quoted text or a number."""

    NAME = "name"
    STRING = "text"
    NUMBER = "number"


@dataclass(frozen=True)
class Value:
    """A value on the right of ``=`` or inside ``in {...}``; ``text`` has no quotes."""

    text: str
    kind: ValueKind
    location: Location

    def __str__(self) -> str:
        return f'"{self.text}"' if self.kind is ValueKind.STRING else self.text


@dataclass(frozen=True)
class Comparison:
    """``attribute = value`` or ``attribute in {value, ...}``."""

    attribute: str
    values: tuple[Value, ...]
    is_set: bool
    location: Location

    def __str__(self) -> str:
        if self.is_set:
            return f"{self.attribute} in {{{', '.join(str(v) for v in self.values)}}}"
        return f"{self.attribute} = {self.values[0]}"


@dataclass(frozen=True)
class Similarity:
    """``attribute ~ exemplar``: the pictogram looks like the named exemplar set."""

    attribute: str
    exemplar: str
    location: Location
    exemplar_location: Location

    def __str__(self) -> str:
        return f"{self.attribute} ~ {self.exemplar}"


@dataclass(frozen=True)
class Reference:
    """A bare name in a condition, standing for a ``define``d condition."""

    name: str
    location: Location

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Not:
    operand: Condition
    location: Location


@dataclass(frozen=True)
class And:
    operands: tuple[Condition, ...]
    location: Location


@dataclass(frozen=True)
class Or:
    operands: tuple[Condition, ...]
    location: Location


Condition = Comparison | Similarity | Reference | Not | And | Or


@dataclass(frozen=True)
class Definition:
    """``define NAME as condition``: a named condition that signs can reuse."""

    name: str
    condition: Condition
    location: Location


@dataclass(frozen=True)
class ClassEntry:
    """One dataset class id of a sign; for a family, the parameter value it belongs to."""

    dataset: str
    class_id: int
    location: Location
    parameter: str | None = None
    value: int | None = None


@dataclass(frozen=True)
class RangeRestriction:
    """``where N from START to STOP step STEP``; both ends are included."""

    parameter: str
    start: int
    stop: int
    step: int
    location: Location

    def values(self) -> range:
        return range(self.start, self.stop + 1, self.step)


@dataclass(frozen=True)
class SetRestriction:
    """``where N in {V, ...}``."""

    parameter: str
    members: tuple[int, ...]
    location: Location

    def values(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.members)))


Restriction = RangeRestriction | SetRestriction


@dataclass(frozen=True)
class SignDeclaration:
    """A ``sign`` block as written. A family has a ``{PARAMETER}`` in its id."""

    id: str
    name: str
    condition: Condition
    location: Location
    name_location: Location
    catalogue: str | None = None
    classes: tuple[ClassEntry, ...] = ()
    restriction: Restriction | None = None

    @property
    def placeholders(self) -> tuple[str, ...]:
        """Placeholder names in the id, in order (empty unless a family)."""
        return placeholders(self.id)

    @property
    def parameter(self) -> str | None:
        """The family's parameter name, or None for a single sign."""
        names = self.placeholders
        return names[0] if names else None


@dataclass(frozen=True)
class SourceFile:
    """One parsed ``.signs`` file; ``problems`` lists its syntax errors."""

    path: str
    text: str
    definitions: tuple[Definition, ...] = ()
    signs: tuple[SignDeclaration, ...] = ()
    problems: tuple[Problem, ...] = ()


def placeholders(text: str) -> tuple[str, ...]:
    """Return the ``{NAME}`` placeholders in a sign id or display name."""
    return tuple(_PLACEHOLDER.findall(text))


def iter_atoms(
    condition: Condition, negations: int = 0
) -> Iterator[tuple[Comparison | Similarity | Reference, int]]:
    """Yield every comparison, similarity and reference with the number of "not"s around it."""
    if isinstance(condition, Not):
        yield from iter_atoms(condition.operand, negations + 1)
    elif isinstance(condition, And | Or):
        for operand in condition.operands:
            yield from iter_atoms(operand, negations)
    else:
        yield condition, negations
