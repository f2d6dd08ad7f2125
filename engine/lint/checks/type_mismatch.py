"""type-mismatch: a value or operator does not fit the kind of attribute.

- A categorical attribute (shape, fill, border, strike) takes value names:
  ``shape = octagon``, not ``shape = "octagon"`` or a number.
- A string attribute (digits, text) takes text in quotes, a number, ``none``
  or the family's parameter: ``digits = none``, ``text = "STOP"``.
- The pictogram is compared with exemplars by ``~``, and only the pictogram
  is: ``pictogram ~ wild_animals``.

Passing::

    sign stop "Stop" when shape = octagon and digits = none

Failing::

    sign stop "Stop" when shape = octagon and digits = circle
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.compiler import NONE_WORD
from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import Comparison, Location, Similarity, ValueKind, iter_atoms

ID = "type-mismatch"
SEVERITY = Severity.ERROR
STAGE = "source"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    schema = context.schema
    for owned in context.conditions():
        for atom, _ in iter_atoms(owned.condition):
            if isinstance(atom, Similarity):
                if atom.attribute in schema.categorical or atom.attribute in schema.strings:
                    yield atom.location, (
                        f'wrong operator: "~" compares a pictogram with exemplars, '
                        f'compare "{atom.attribute}" with "=" instead'
                    )
                continue
            if not isinstance(atom, Comparison):
                continue

            if atom.attribute in schema.embeddings:
                yield atom.location, (
                    f'wrong operator: "{atom.attribute}" is compared with exemplars by "~", '
                    f"as in {atom.attribute} ~ wild_animals"
                )
            elif atom.attribute in schema.categorical:
                for value in atom.values:
                    if value.kind is not ValueKind.NAME:
                        yield value.location, (
                            f'wrong value type: "{atom.attribute}" expects a value name '
                            f"such as {schema.categorical[atom.attribute].values[0]} "
                            f"but found the {value.kind.value} {value}"
                        )
            elif atom.attribute in schema.strings:
                for value in atom.values:
                    if value.kind is ValueKind.NAME and value.text not in (NONE_WORD, owned.parameter):
                        yield value.location, _string_expected(atom.attribute, value.text, owned.parameter)


def _string_expected(attribute: str, name: str, parameter: str | None) -> str:
    message = (
        f'wrong value type: "{attribute}" expects text in quotes, a number or none '
        f'but found the name "{name}"'
    )
    if parameter is None and name.isupper():
        message += f"; to read any number, make the sign a family with {{{name}}} in its id"
    return message
