"""invalid-string: a text or number that the string attribute can never read.

A string attribute reads at most ``max_length`` symbols from its alphabet
(digits: 3 of 0-9; text: 6 upper-case letters A-Z). A longer value, or one
with other symbols, never matches. The message lists the symbols outside the
alphabet, or gives the upper-case spelling where that is all that is wrong.

Passing::

    sign stop "Stop" when text = "STOP"

Failing::

    sign stop "Stop" when text = "Stop"
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.attributes.errors import SchemaError
from signrules.attributes.schema import StringAttribute
from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import Comparison, Location, Value, ValueKind, iter_atoms

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
                    yield value.location, _message(strings[atom.attribute], value, exc)


def _message(attribute: StringAttribute, value: Value, error: SchemaError) -> str:
    outside = sorted(set(value.text) - set(attribute.alphabet))
    if len(value.text) > attribute.max_length or not outside:
        return str(error)

    capitals = value.text.upper()
    if capitals != value.text and _readable(attribute, capitals):
        return (
            f"{attribute.name} {value} has lower-case letters; the {attribute.name} attribute "
            f'reads capitals: write "{capitals}"'
        )

    symbols = ", ".join(f'"{symbol}"' for symbol in outside)
    return (
        f'value {value} has symbols not in the alphabet of "{attribute.name}" '
        f"({_ranges(attribute.alphabet)}): {symbols}"
    )


def _readable(attribute: StringAttribute, text: str) -> bool:
    try:
        attribute.check(text)
    except SchemaError:
        return False
    return True


def _ranges(alphabet: str) -> str:
    """Return the alphabet with runs of three or more consecutive symbols shortened, as in "A-Z"."""
    parts = []
    start = 0
    for end in range(1, len(alphabet) + 1):
        if end < len(alphabet) and ord(alphabet[end]) == ord(alphabet[end - 1]) + 1:
            continue
        run = alphabet[start:end]
        parts.append(f"{run[0]}-{run[-1]}" if len(run) >= 3 else ", ".join(run))
        start = end
    return ", ".join(parts)
