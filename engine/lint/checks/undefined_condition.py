"""undefined-condition: a bare name in a condition is not a defined condition.

A bare name such as ``prohibitory`` stands for a condition defined with
``define prohibitory as ...`` in any file of the rule set. A bare value name
is a common slip for a comparison, so the message then suggests one.

Passing::

    define prohibitory as shape = circle and fill = white and border = red
    sign no_vehicles "No vehicles" when prohibitory and pictogram ~ blank

Failing::

    define prohibitory as shape = circle and fill = white and border = red
    sign no_vehicles "No vehicles" when prohibitry and pictogram ~ blank
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.lint.checks._words import did_you_mean
from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import Location, Reference, iter_atoms

ID = "undefined-condition"
SEVERITY = Severity.ERROR
STAGE = "source"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    schema = context.schema
    for owned in context.conditions():
        for atom, _ in iter_atoms(owned.condition):
            if not isinstance(atom, Reference) or atom.name in context.definitions:
                continue

            hint = did_you_mean(atom.name, context.definitions)
            attribute = next((a for a in schema.categorical.values() if atom.name in a.values), None)
            if atom.name in schema.names:
                hint = f'; an attribute needs a comparison, as in "{atom.name} = ..."'
            elif attribute is not None:
                hint = f'; did you mean "{attribute.name} = {atom.name}"?'
            yield atom.location, f'undefined condition "{atom.name}"{hint}'
