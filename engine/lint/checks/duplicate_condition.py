"""duplicate-condition: two definitions share a name.

Definitions are shared by every file of a rule set, so each name may be
defined once in the whole set.

Passing::

    define prohibitory as shape = circle and border = red
    define mandatory as shape = circle and fill = blue

Failing::

    define prohibitory as shape = circle and border = red
    define prohibitory as shape = circle and fill = blue
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.lint.checks._words import where
from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import Location

ID = "duplicate-condition"
SEVERITY = Severity.ERROR
STAGE = "source"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    for definition in context.source.definitions:
        first = context.definitions[definition.name]
        if first is not definition:
            yield definition.location, (
                f'duplicate condition "{definition.name}", first defined at {where(first.location)}'
            )
