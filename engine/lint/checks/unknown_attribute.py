"""unknown-attribute: a condition names an attribute that the schema does not list.

Attribute names come from the attribute schema (``signrules.attributes``,
schema.yaml); the message suggests the closest known name.

Passing::

    sign stop "Stop" when shape = octagon

Failing::

    sign stop "Stop" when shap = octagon
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.lint.checks._words import did_you_mean
from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import Comparison, Location, Similarity, iter_atoms

ID = "unknown-attribute"
SEVERITY = Severity.ERROR
STAGE = "source"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    names = context.schema.names
    for owned in context.conditions():
        for atom, _ in iter_atoms(owned.condition):
            if isinstance(atom, Comparison | Similarity) and atom.attribute not in names:
                hint = did_you_mean(atom.attribute, names) or f"; expected one of {', '.join(names)}"
                yield atom.location, f'unknown attribute "{atom.attribute}"{hint}'
