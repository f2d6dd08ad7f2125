"""Compiling checked conditions into typed predicates and disjoint cubes.

A condition is a boolean function of a few finite variables:

- a categorical attribute, whose values the rule's tests split into cells
  (for ``shape = circle`` the cells are {circle} and every other shape);
- a string attribute, whose cells are the literals the rule names plus
  OTHER, every string it does not name; a family's parameter is one more
  cell, PARAMETER;
- the pictogram, either as one categorical variable whose cells are the
  exemplar names the rule uses plus OTHER (an image shows one pictogram:
  the linter's view), or as one independent yes/no variable per exemplar
  (the evaluator's view, which keeps each sign's score independent of the
  exemplars that other signs use).

``compile_cubes`` evaluates the condition on every combination of cells
(a small numpy grid) and splits the satisfying set into disjoint cubes:
per variable a set of cells, so that the probability of the condition is
the sum over cubes of the product over variables of P(variable in cells).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import reduce
from math import prod
from typing import Literal

import numpy as np
from signrules.attributes.schema import Schema
from signrules.engine.syntax import (
    And,
    Comparison,
    Condition,
    Definition,
    Location,
    Not,
    Or,
    Reference,
    SignDeclaration,
    Similarity,
    ValueKind,
)

__all__ = [
    "MAX_GRID_SIZE",
    "OTHER",
    "PARAMETER",
    "CategoricalTest",
    "CompiledRule",
    "Cubes",
    "Parameter",
    "ParameterTest",
    "PictogramMode",
    "PictogramTest",
    "Predicate",
    "StringTest",
    "TypedCondition",
    "Variable",
    "compile_cubes",
    "compile_rule",
    "grid_size",
    "iter_predicates",
    "resolve",
    "resolve_parameter",
    "rule_variables",
]

#: Most cell combinations a condition may span; beyond it the condition is
#: reported as too complex. 2**16 allows, for example, 16 pictogram tests.
MAX_GRID_SIZE = 1 << 16

#: The word that a string comparison uses for the empty string.
NONE_WORD = "none"


class _Cell:
    """A named stand-in for a set of strings or pictograms."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: Every string (or pictogram) that the rule does not name.
OTHER = _Cell("OTHER")
#: The value that a family's parameter takes.
PARAMETER = _Cell("PARAMETER")

PictogramMode = Literal["independent", "categorical"]


@dataclass(frozen=True)
class CategoricalTest:
    """The categorical attribute takes one of ``values``."""

    attribute: str
    values: frozenset[str]
    text: str
    location: Location
    definition: str | None = None


@dataclass(frozen=True)
class StringTest:
    """The string attribute reads one of ``strings``; "" is none."""

    attribute: str
    strings: frozenset[str]
    text: str
    location: Location
    definition: str | None = None


@dataclass(frozen=True)
class ParameterTest:
    """The string attribute reads the family's parameter value."""

    attribute: str
    parameter: str
    text: str
    location: Location
    definition: str | None = None


@dataclass(frozen=True)
class PictogramTest:
    """The pictogram looks like the exemplar set ``exemplar``."""

    attribute: str
    exemplar: str
    text: str
    location: Location
    definition: str | None = None


Predicate = CategoricalTest | StringTest | ParameterTest | PictogramTest
TypedCondition = Predicate | Not | And | Or


@dataclass(frozen=True)
class Parameter:
    """A family's parameter: the string attribute it reads and its allowed values."""

    name: str
    attribute: str
    values: tuple[int, ...]
    location: Location

    @property
    def strings(self) -> tuple[str, ...]:
        """The allowed values as the attribute reads them (decimal, no leading zeros)."""
        return tuple(str(v) for v in self.values)


@dataclass(frozen=True)
class Variable:
    """One variable of a condition and the cells its domain is split into."""

    key: tuple[str, ...]
    cells: tuple[frozenset, ...]


@dataclass(frozen=True)
class Cubes:
    """Disjoint cubes covering exactly the assignments that satisfy a condition.

    Each cube holds, per variable, a tuple of cell indices, or None where the
    cube allows every cell.
    """

    variables: tuple[Variable, ...]
    cubes: tuple[tuple[tuple[int, ...] | None, ...], ...]
    #: The satisfying cells as a boolean grid, one axis per variable.
    mask: np.ndarray = field(repr=False, compare=False, default=None)

    def negated(self) -> Cubes:
        """Return the cubes of the condition's negation."""
        inverse = ~self.mask
        return Cubes(self.variables, tuple(_split(inverse)), inverse)


def resolve(
    condition: Condition,
    *,
    schema: Schema,
    definitions: Mapping[str, Definition],
    parameter: str | None = None,
    definition: str | None = None,
) -> TypedCondition:
    """Turn a checked condition into typed predicates, inlining definitions.

    The condition must have passed the name, type and reference checks; a
    name it does not know raises KeyError. Predicates from a definition carry
    its name in ``definition``.
    """
    def walk(node: Condition, within: str | None, depth: int) -> TypedCondition:
        if isinstance(node, Not):
            return Not(walk(node.operand, within, depth), node.location)
        if isinstance(node, And | Or):
            return type(node)(tuple(walk(o, within, depth) for o in node.operands), node.location)
        if isinstance(node, Reference):
            # The cycle check keeps cycles out; this bound only stops a
            # missed one from recursing forever.
            if depth > len(definitions):
                raise KeyError(f"cyclic definition {node.name}")
            target = definitions[node.name]
            # A definition is shared by many signs, so a family's parameter
            # does not reach into it.
            return walk(target.condition, target.name, depth + 1)
        if isinstance(node, Similarity):
            return PictogramTest(node.attribute, node.exemplar, str(node), node.location, within)
        return _comparison(node, schema, parameter if within is None else None, within)

    return walk(condition, definition, 0)


def _comparison(node: Comparison, schema: Schema, parameter: str | None, within: str | None) -> Predicate:
    if node.attribute in schema.categorical:
        values = frozenset(v.text for v in node.values)
        return CategoricalTest(node.attribute, values, str(node), node.location, within)

    schema.strings[node.attribute]  # KeyError for anything else: the checks let no such node through
    for value in node.values:
        if value.kind is ValueKind.NAME and value.text == parameter:
            return ParameterTest(node.attribute, parameter, str(node), node.location, within)
    strings = frozenset(
        "" if v.kind is ValueKind.NAME and v.text == NONE_WORD else v.text for v in node.values
    )
    return StringTest(node.attribute, strings, str(node), node.location, within)


def resolve_parameter(declaration: SignDeclaration, condition: TypedCondition, schema: Schema) -> Parameter | None:
    """Return the family's parameter with its allowed values, or None for a single sign.

    Without a ``where`` restriction a parameter allows every number the
    attribute can show: 0 to 10**max_length - 1.
    """
    if declaration.parameter is None:
        return None

    tests = [p for p in iter_predicates(condition) if isinstance(p, ParameterTest)]
    attribute = schema.strings[tests[0].attribute]
    limit = 10 ** attribute.max_length
    if declaration.restriction is None:
        values = tuple(range(limit))
    else:
        values = tuple(v for v in declaration.restriction.values() if v < limit)
    return Parameter(declaration.parameter, attribute.name, values, declaration.location)


def iter_predicates(condition: TypedCondition) -> list[Predicate]:
    """Return the predicates of a typed condition in source order."""
    stack = [condition]
    found = []
    while stack:
        node = stack.pop()
        if isinstance(node, Not):
            stack.append(node.operand)
        elif isinstance(node, And | Or):
            stack.extend(reversed(node.operands))
        else:
            found.append(node)
    return found


def rule_variables(condition: TypedCondition, schema: Schema, mode: PictogramMode) -> tuple[Variable, ...]:
    """Return the variables a condition depends on, with the cells its tests need."""
    tests: dict[tuple[str, ...], list[Predicate]] = {}
    for predicate in iter_predicates(condition):
        tests.setdefault(_key(predicate, mode), []).append(predicate)

    variables = []
    for key in sorted(tests):
        kind = key[0]
        group = tests[key]
        if kind == "categorical":
            cells = _categorical_cells(schema.categorical[key[1]].values, group)
        elif kind == "string":
            literals = sorted({s for p in group if isinstance(p, StringTest) for s in p.strings})
            cells = [frozenset([s]) for s in literals]
            if any(isinstance(p, ParameterTest) for p in group):
                cells.append(frozenset([PARAMETER]))
            cells.append(frozenset([OTHER]))
        elif kind == "pictogram":
            names = sorted({p.exemplar for p in group})
            cells = [frozenset([n]) for n in names] + [frozenset([OTHER])]
        else:
            cells = [frozenset([True]), frozenset([False])]
        variables.append(Variable(key, tuple(cells)))
    return tuple(variables)


def compile_cubes(
    condition: TypedCondition, schema: Schema, mode: PictogramMode, *, negate: bool = False
) -> Cubes | None:
    """Split the condition (or its negation) into disjoint cubes; None if too complex."""
    variables = rule_variables(condition, schema, mode)
    shape = tuple(len(v.cells) for v in variables)
    if prod(shape) > MAX_GRID_SIZE:
        return None

    axes = {v.key: i for i, v in enumerate(variables)}
    mask = np.ascontiguousarray(np.broadcast_to(_evaluate(condition, variables, axes, mode), shape))
    if negate:
        mask = ~mask
    elif _is_conjunction(condition):
        # Most signs are a plain "and" of tests: their satisfying set is one
        # cube (or none), read off the grid's axes without splitting it.
        return Cubes(variables, _conjunction_cubes(mask), mask)
    return Cubes(variables, tuple(_split(mask)), mask)


def grid_size(condition: TypedCondition, schema: Schema, mode: PictogramMode) -> int:
    """Return the number of cell combinations the condition spans."""
    return prod(len(v.cells) for v in rule_variables(condition, schema, mode))


def _key(predicate: Predicate, mode: PictogramMode) -> tuple[str, ...]:
    if isinstance(predicate, CategoricalTest):
        return ("categorical", predicate.attribute)
    if isinstance(predicate, StringTest | ParameterTest):
        return ("string", predicate.attribute)
    if mode == "categorical":
        return ("pictogram", predicate.attribute)
    return ("exemplar", predicate.attribute, predicate.exemplar)


def _categorical_cells(values: tuple[str, ...], tests: list[Predicate]) -> list[frozenset]:
    # Values that no test distinguishes share a cell, which keeps the grid small.
    groups: dict[tuple[bool, ...], list[str]] = {}
    for value in values:
        signature = tuple(value in test.values for test in tests)
        groups.setdefault(signature, []).append(value)
    return [frozenset(group) for group in groups.values()]


def _holds(predicate: Predicate, key: tuple[str, ...], cell: frozenset) -> bool:
    if isinstance(predicate, CategoricalTest):
        return cell <= predicate.values
    if isinstance(predicate, StringTest):
        return cell <= predicate.strings
    if isinstance(predicate, ParameterTest):
        return PARAMETER in cell
    if key[0] == "exemplar":
        return True in cell
    return predicate.exemplar in cell


def _evaluate(node: TypedCondition, variables, axes, mode) -> np.ndarray:
    if isinstance(node, Not):
        return ~_evaluate(node.operand, variables, axes, mode)
    if isinstance(node, And):
        return reduce(np.logical_and, (_evaluate(o, variables, axes, mode) for o in node.operands))
    if isinstance(node, Or):
        return reduce(np.logical_or, (_evaluate(o, variables, axes, mode) for o in node.operands))

    key = _key(node, mode)
    axis = axes[key]
    vector = np.array([_holds(node, key, cell) for cell in variables[axis].cells])
    shape = [1] * len(variables)
    shape[axis] = len(vector)
    return vector.reshape(shape)


def _is_conjunction(condition: TypedCondition) -> bool:
    if isinstance(condition, And):
        return all(_is_conjunction(operand) for operand in condition.operands)
    return not isinstance(condition, Not | Or)


def _conjunction_cubes(mask: np.ndarray) -> tuple[tuple[tuple[int, ...] | None, ...], ...]:
    if not mask.any():
        return ()
    cube = []
    for axis in range(mask.ndim):
        others = tuple(i for i in range(mask.ndim) if i != axis)
        allowed = np.nonzero(mask.any(axis=others))[0]
        cube.append(None if len(allowed) == mask.shape[axis] else tuple(int(i) for i in allowed))
    return (tuple(cube),)


def _split(mask: np.ndarray) -> list[tuple[tuple[int, ...] | None, ...]]:
    """Split a boolean grid into disjoint cubes, first axis outermost."""
    if mask.ndim == 0:
        return [()] if mask else []
    if not mask.any():
        return []
    if mask.all():
        return [(None,) * mask.ndim]

    # Cells of the first axis whose sub-grids are equal share one cube prefix.
    groups: dict[bytes, list[int]] = {}
    for index in range(mask.shape[0]):
        groups.setdefault(mask[index].tobytes(), []).append(index)

    cubes = []
    for indices in groups.values():
        head = None if len(indices) == mask.shape[0] else tuple(indices)
        for tail in _split(mask[indices[0]]):
            cubes.append((head, *tail))
    return cubes


@dataclass(frozen=True)
class CompiledRule:
    """A sign's checked condition in typed form, with the evaluator's cubes.

    ``cubes`` treat each pictogram test as its own yes/no variable; they are
    None when the condition spans more than MAX_GRID_SIZE combinations.
    """

    declaration: SignDeclaration
    condition: TypedCondition
    parameter: Parameter | None
    cubes: Cubes | None


def compile_rule(
    declaration: SignDeclaration, schema: Schema, definitions: Mapping[str, Definition]
) -> CompiledRule:
    """Resolve and compile one checked sign declaration."""
    condition = resolve(
        declaration.condition, schema=schema, definitions=definitions, parameter=declaration.parameter
    )
    parameter = resolve_parameter(declaration, condition, schema)
    cubes = compile_cubes(condition, schema, "independent")
    return CompiledRule(declaration, condition, parameter, cubes)
