"""rule-overlap: two signs can match the same image.

The check looks for an assignment of attribute values that satisfies both
conditions and shows one as a witness. The pictogram counts as one value
here (an image shows one pictogram), so signs that name different exemplars
do not overlap. An overlap is a warning: the evaluator still picks the
higher score, but a stricter rule makes the result clearer. Pairs where one
sign can never win are reported by unreachable-rule instead, and pairs that
share an id by duplicate-sign.

Passing::

    sign speed_limit_{N} "Speed limit {N} km/h" when shape = circle and strike = none and digits = N
    sign end_of_speed_limit_{N} "End of speed limit {N} km/h" when shape = circle and strike = diagonal and digits = N

Failing::

    sign no_entry "No entry" when shape = circle and fill = red
    sign stop "Stop" when fill = red and text = "STOP"
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.lint.checks._family import shared_id_pairs
from signrules.engine.lint.checks._words import where
from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import Location

ID = "rule-overlap"
SEVERITY = Severity.WARNING
STAGE = "compiled"

def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    subsumed = context.analysis.subsumptions()
    same_id = shared_id_pairs(context.signs, context.schema)
    for overlap in context.analysis.overlaps():
        if subsumed[overlap.first, overlap.second] or subsumed[overlap.second, overlap.first]:
            continue
        if (overlap.first, overlap.second) in same_id:
            continue
        first = context.compiled[overlap.first].declaration
        second = context.compiled[overlap.second].declaration
        yield second.location, (
            f'sign "{second.id}" overlaps "{first.id}" ({where(first.location)}): '
            f"both match {', '.join(overlap.witness) or 'every image'}"
        )

