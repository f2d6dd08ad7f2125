"""parameter-misuse: a family's parameter is declared or used in a way that has no clear meaning.

A family has one ``{N}`` placeholder in its id and compares one string
attribute that shows numbers with it, once and not under "not":
``digits = N``. The evaluator reads the most likely allowed number per image,
so the family must not compare that attribute with anything else. A
``where`` line restricts N, and dataset class ids are given per value
(``dataset gtsrb 0 if N = 20``).

Passing::

    sign speed_limit_{N} "Speed limit {N} km/h"
        dataset gtsrb 0 if N = 20, 1 if N = 30
        when shape = circle and digits = N
        where N from 5 to 130 step 5

Failing::

    sign speed_limit_{N} "Speed limit {N} km/h"
        dataset gtsrb 0 if N = 20, 1 if N = 30
        when shape = circle and not digits = N
        where N from 5 to 130 step 5
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.lint.checks._family import member_values
from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import (
    Comparison,
    Location,
    RangeRestriction,
    Reference,
    SignDeclaration,
    ValueKind,
    iter_atoms,
    placeholders,
)

ID = "parameter-misuse"
SEVERITY = Severity.ERROR
STAGE = "source"

_DIGITS = set("0123456789")


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    for sign in context.signs:
        if sign.parameter is None:
            yield from _single_sign(sign)
        else:
            yield from _family(sign, context)


def _single_sign(sign: SignDeclaration) -> Iterator[tuple[Location, str]]:
    if sign.restriction is not None:
        yield sign.restriction.location, (
            f'sign "{sign.id}" has a "where" line but no parameter; put {{{sign.restriction.parameter}}} in its id'
        )
    for name in placeholders(sign.name):
        yield sign.name_location, f'display name uses {{{name}}} but sign "{sign.id}" has no parameter'
    for entry in sign.classes:
        if entry.parameter is not None:
            yield entry.location, f'sign "{sign.id}" has no parameter; drop "if {entry.parameter} = {entry.value}"'


def _family(sign: SignDeclaration, context: LintContext) -> Iterator[tuple[Location, str]]:
    schema = context.schema
    parameter = sign.parameter
    if len(sign.placeholders) > 1:
        yield sign.location, f'sign id "{sign.id}" has {len(sign.placeholders)} parameters; a family has one'

    for name in placeholders(sign.name):
        if name != parameter:
            yield sign.name_location, f"display name uses {{{name}}} but the family's parameter is {parameter}"

    uses = [
        (atom, negations)
        for atom, negations in iter_atoms(sign.condition)
        if isinstance(atom, Comparison)
        and any(v.kind is ValueKind.NAME and v.text == parameter for v in atom.values)
    ]
    if not uses:
        numeric = [n for n, a in schema.strings.items() if set(a.alphabet).issuperset(_DIGITS)]
        example = f", as in {numeric[0]} = {parameter}" if numeric else ""
        yield sign.location, (
            f'family "{sign.id}" never uses its parameter {parameter}; compare an attribute with it{example}'
        )
    if len(uses) > 1:
        yield uses[1][0].location, f"parameter {parameter} is used {len(uses)} times; a family may use it once"

    attribute = None
    for atom, negations in uses:
        if negations:
            yield atom.location, f'parameter {parameter} must not be used under "not"'
        if atom.is_set:
            yield atom.location, f'parameter {parameter} is compared with "=", not inside a value set'
        if atom.attribute in schema.strings:
            if not set(schema.strings[atom.attribute].alphabet).issuperset(_DIGITS):
                yield atom.location, (
                    f'parameter {parameter} needs an attribute that shows numbers; "{atom.attribute}" cannot show 0-9'
                )
            else:
                attribute = atom.attribute

    if attribute is not None and len(uses) == 1:
        yield from _other_uses(sign, context, attribute, uses[0][0])
        yield from _restriction(sign, schema.strings[attribute].max_length)
    elif sign.restriction is not None and sign.restriction.parameter != parameter:
        yield sign.restriction.location, f'"where" restricts {sign.restriction.parameter} but the parameter is {parameter}'

    yield from _classes(sign, context, attribute)


def _other_uses(sign, context, attribute, use) -> Iterator[tuple[Location, str]]:
    # Walk the sign's condition and the definitions it uses, once each.
    pending = [sign.condition]
    seen: set[str] = set()
    while pending:
        for atom, _ in iter_atoms(pending.pop()):
            if isinstance(atom, Reference):
                target = context.definitions.get(atom.name)
                if target is not None and atom.name not in seen:
                    seen.add(atom.name)
                    pending.append(target.condition)
            elif isinstance(atom, Comparison) and atom.attribute == attribute and atom is not use:
                yield atom.location, (
                    f'family "{sign.id}" compares "{attribute}" with its parameter {sign.parameter}, '
                    f"so it cannot compare it with anything else"
                )


def _restriction(sign: SignDeclaration, max_length: int) -> Iterator[tuple[Location, str]]:
    restriction = sign.restriction
    if restriction is None:
        return
    if restriction.parameter != sign.parameter:
        yield restriction.location, f'"where" restricts {restriction.parameter} but the parameter is {sign.parameter}'
        return

    limit = 10**max_length - 1
    if isinstance(restriction, RangeRestriction):
        if restriction.step < 1:
            yield restriction.location, f"step must be at least 1, got {restriction.step}"
        if restriction.start > restriction.stop:
            yield restriction.location, f"empty range: {restriction.start} > {restriction.stop}"
        largest = restriction.stop
    else:
        largest = max(restriction.members)
    if largest > limit:
        yield restriction.location, (
            f"{largest} has more digits than the attribute can show (largest is {limit})"
        )


def _classes(sign: SignDeclaration, context: LintContext, attribute: str | None) -> Iterator[tuple[Location, str]]:
    allowed = set(member_values(sign, context.schema) or []) if attribute else None
    for entry in sign.classes:
        if entry.parameter is None:
            yield entry.location, (
                f"a family gives a class id per value, as in: dataset {entry.dataset} {entry.class_id} "
                f"if {sign.parameter} = 20"
            )
        elif entry.parameter != sign.parameter:
            yield entry.location, f"class id is given for {entry.parameter} but the parameter is {sign.parameter}"
        elif allowed is not None and entry.value not in allowed:
            yield entry.location, f'{sign.parameter} = {entry.value} is not an allowed value of "{sign.id}"'
