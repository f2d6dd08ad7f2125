"""duplicate-sign: two signs share an id, or an id is reserved.

Sign ids are unique within a rule set, including the ids that families
produce (``speed_limit_{N}`` produces ``speed_limit_40``). The id
``unknown`` is reserved for images that match no sign.

Passing::

    sign stop "Stop" when shape = octagon
    sign give_way "Give way" when shape = inverted_triangle

Failing::

    sign stop "Stop" when shape = octagon
    sign stop "Give way" when shape = inverted_triangle
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.lint.checks._family import produced_ids
from signrules.engine.lint.checks._words import where
from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import Location, SignDeclaration

ID = "duplicate-sign"
SEVERITY = Severity.ERROR
STAGE = "source"

#: The label of an image that matches no sign.
UNKNOWN = "unknown"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    # Every id a sign or family member takes, with the declaration that took it first.
    taken: dict[str, SignDeclaration] = {}

    for sign in context.signs:
        if sign.id == UNKNOWN:
            yield sign.location, f'sign id "{UNKNOWN}" is reserved for images that match no sign'
            continue

        for ident in produced_ids(sign, context.schema):
            first = taken.get(ident)
            if first is None:
                taken[ident] = sign
                continue
            yield sign.location, _message(sign, first, ident)
            break


def _message(sign: SignDeclaration, first: SignDeclaration, ident: str) -> str:
    if sign.id == first.id:
        return f'duplicate sign "{sign.id}", first declared at {where(first.location)}'
    if first.parameter is not None and sign.parameter is None:
        return f'sign "{sign.id}" is also a member of the family "{first.id}" at {where(first.location)}'
    if sign.parameter is not None and first.parameter is None:
        return f'family "{sign.id}" also produces "{ident}", declared at {where(first.location)}'
    return f'families "{first.id}" ({where(first.location)}) and "{sign.id}" both produce "{ident}"'
