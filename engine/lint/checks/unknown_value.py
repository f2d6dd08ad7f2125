"""unknown-value: a categorical attribute is compared with a value it cannot take.

The values of each categorical attribute come from the attribute schema; the
message suggests the closest one or lists them all.

Passing::

    sign no_entry "No entry" when shape = circle and fill in {red, white}

Failing::

    sign no_entry "No entry" when shape = circel and fill in {red, white}
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.lint.checks._words import did_you_mean
from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import Comparison, Location, ValueKind, iter_atoms

ID = "unknown-value"
SEVERITY = Severity.ERROR
STAGE = "source"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    categorical = context.schema.categorical
    for owned in context.conditions():
        for atom, _ in iter_atoms(owned.condition):
            if not isinstance(atom, Comparison) or atom.attribute not in categorical:
                continue
            values = categorical[atom.attribute].values
            for value in atom.values:
                if value.kind is ValueKind.NAME and value.text not in values:
                    hint = did_you_mean(value.text, values) or f"; expected one of {', '.join(values)}"
                    yield value.location, f'unknown value "{value.text}" for "{atom.attribute}"{hint}'
