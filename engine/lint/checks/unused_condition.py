"""unused-condition: a defined condition that no sign uses, directly or through others.

An unused definition is harmless, but often a sign was meant to use it.

Passing::

    define prohibitory as shape = circle and border = red
    sign no_vehicles "No vehicles" when prohibitory and pictogram ~ blank

Failing::

    define prohibitory as shape = circle and border = red
    sign no_vehicles "No vehicles" when shape = circle and pictogram ~ blank
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import Location, Reference, iter_atoms

ID = "unused-condition"
SEVERITY = Severity.WARNING
STAGE = "source"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    definitions = context.definitions
    pending = [a.name for s in context.signs for a, _ in iter_atoms(s.condition) if isinstance(a, Reference)]
    used: set[str] = set()
    while pending:
        name = pending.pop()
        if name in used or name not in definitions:
            continue
        used.add(name)
        pending.extend(a.name for a, _ in iter_atoms(definitions[name].condition) if isinstance(a, Reference))

    for name, definition in definitions.items():
        if name not in used:
            yield definition.location, f'condition "{name}" is never used'
