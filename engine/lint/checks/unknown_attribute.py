"""unknown-attribute: a condition names an attribute that the schema does not list.

Attribute names come from the attribute schema (``signrules.attributes``,
schema.yaml). The message suggests the attribute that an everyday word for
it names (``colour`` suggests ``fill`` or ``border``), else the closest
spelling of a known name, else lists every name.

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


#: Words that people who know traffic signs use for an attribute, and the
#: attributes each may mean. Only names that the schema lists are suggested.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "colour": ("fill", "border"),
    "color": ("fill", "border"),
    "rim": ("border",),
    "edge": ("border",),
    "outline": ("border",),
    "background": ("fill",),
    "number": ("digits",),
    "numbers": ("digits",),
    "speed": ("digits",),
    "word": ("text",),
    "words": ("text",),
    "letters": ("text",),
    "symbol": ("pictogram",),
    "icon": ("pictogram",),
    "picture": ("pictogram",),
    "form": ("shape",),
}


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    names = context.schema.names
    for owned in context.conditions():
        for atom, _ in iter_atoms(owned.condition):
            if isinstance(atom, Comparison | Similarity) and atom.attribute not in names:
                hint = _hint(atom.attribute, names)
                yield atom.location, f'unknown attribute "{atom.attribute}"{hint}'


def _hint(word: str, names: tuple[str, ...]) -> str:
    # A synonym goes first because spelling similarity misleads on these
    # words: "speed" is closest to "shape" and "word" to "border".
    meant = [name for name in SYNONYMS.get(word.lower(), ()) if name in names]
    if meant:
        quoted = " or ".join(f'"{name}"' for name in meant)
        return f"; did you mean {quoted}?"
    return did_you_mean(word, names) or f"; expected one of {', '.join(names)}"
