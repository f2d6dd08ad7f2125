"""Facts about families that several checks need before compiling."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from signrules.attributes.schema import Schema
from signrules.engine.syntax import (
    Comparison,
    RangeRestriction,
    SignDeclaration,
    ValueKind,
    iter_atoms,
)


def parameter_attribute(sign: SignDeclaration, schema: Schema) -> str | None:
    """Return the string attribute a family compares with its parameter, if exactly one."""
    found = {
        atom.attribute
        for atom, _ in iter_atoms(sign.condition)
        if isinstance(atom, Comparison)
        and atom.attribute in schema.strings
        and any(v.kind is ValueKind.NAME and v.text == sign.parameter for v in atom.values)
    }
    return found.pop() if len(found) == 1 else None


def member_values(sign: SignDeclaration, schema: Schema) -> list[int] | None:
    """Return the values a family allows, or None if its parameter attribute is unclear."""
    attribute = parameter_attribute(sign, schema)
    if attribute is None:
        return None
    limit = 10 ** schema.strings[attribute].max_length
    if sign.restriction is None:
        return list(range(limit))
    if isinstance(sign.restriction, RangeRestriction) and sign.restriction.step < 1:
        return None
    values = sign.restriction.values()
    # A range far beyond what the attribute can show is reported by
    # parameter-misuse; clamping keeps this from building it.
    if isinstance(values, range):
        values = range(values.start, min(values.stop, limit), values.step)
    return [v for v in values if v < limit]


def member_id(sign: SignDeclaration, value: int) -> str:
    return sign.id.replace(f"{{{sign.parameter}}}", str(value))


def produced_ids(sign: SignDeclaration, schema: Schema) -> list[str]:
    """Return the sign's id and, for a family, the id of every member it allows."""
    if sign.parameter is None:
        return [sign.id]
    values = member_values(sign, schema) or []
    return [sign.id, *(member_id(sign, v) for v in values)]


def shared_id_pairs(signs: Sequence[SignDeclaration], schema: Schema) -> set[tuple[int, int]]:
    """Return the index pairs (i < j) of signs that produce a common id.

    duplicate-sign reports these as errors, so checks that compare two signs
    skip such pairs rather than report the same mistake again.
    """
    owners: dict[str, list[int]] = {}
    for index, sign in enumerate(signs):
        for ident in set(produced_ids(sign, schema)):
            owners.setdefault(ident, []).append(index)

    pairs: set[tuple[int, int]] = set()
    for indices in owners.values():
        pairs.update(combinations(indices, 2))
    return pairs
