"""cyclic-condition: defined conditions that refer to each other in a circle.

A definition may use other definitions, but never itself, directly or
through others, because it would then have no meaning. Each cycle is
reported once, at its first definition in file order.

Passing::

    define plate as shape = circle and fill = white
    define prohibitory as plate and border = red
    sign no_vehicles "No vehicles" when prohibitory

Failing::

    define plate as prohibitory and fill = white
    define prohibitory as plate and border = red
    sign no_vehicles "No vehicles" when prohibitory
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import Location, Reference, iter_atoms

ID = "cyclic-condition"
SEVERITY = Severity.ERROR
STAGE = "source"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    definitions = context.definitions
    uses = {
        name: [a.name for a, _ in iter_atoms(d.condition) if isinstance(a, Reference) and a.name in definitions]
        for name, d in definitions.items()
    }

    reported: set[frozenset[str]] = set()
    for name, definition in definitions.items():
        path = _cycle_from(name, uses)
        if path is None:
            continue
        members = frozenset(path)
        if members in reported:
            continue
        reported.add(members)
        yield definition.location, f'condition "{name}" refers to itself: {" -> ".join(path)}'


def _cycle_from(start: str, uses: dict[str, list[str]]) -> list[str] | None:
    """Return a path start -> ... -> start if one exists, found depth first."""
    stack = [(start, [start])]
    seen: set[str] = set()
    while stack:
        name, path = stack.pop()
        for used in uses[name]:
            if used == start:
                return [*path, start]
            if used not in seen:
                seen.add(used)
                stack.append((used, [*path, used]))
    return None
