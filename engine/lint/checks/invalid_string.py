"""invalid-string: a text or number that the string attribute can never read.

A string attribute reads at most ``max_length`` symbols from its alphabet
(digits: 3 of 0-9; text: 6 upper-case letters A-Z). A longer value, or one
with other symbols, never matches.

Passing::

    sign stop "Stop" when text = "STOP"

Failing::

    sign stop "Stop" when text = "Stop"
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.attributes.errors import SchemaError
from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import Comparison, Location, ValueKind, iter_atoms

ID = "invalid-string"
SEVERITY = Severity.ERROR
STAGE = "source"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    strings = context.schema.strings
    for owned in context.conditions():
        for atom, _ in iter_atoms(owned.condition):
            if not isinstance(atom, Comparison) or atom.attribute not in strings:
                continue
            for value in atom.values:
                if value.kind is ValueKind.NAME:
                    continue
                try:
                    strings[atom.attribute].check(value.text)
                except SchemaError as exc:
                    yield value.location, str(exc)
