"""Facts about families that several checks need before compiling."""

from __future__ import annotations

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
