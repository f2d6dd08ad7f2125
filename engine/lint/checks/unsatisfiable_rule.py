"""unsatisfiable-rule: a sign whose condition no image can meet.

Examples are a contradiction such as ``shape = circle and shape = triangle``,
or two different pictograms required at once (an image shows one pictogram).

Passing::

    sign no_entry "No entry" when shape = circle and fill = red

Failing::

    sign no_entry "No entry" when shape = circle and fill = red and not fill in {red, blue}
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import Location

ID = "unsatisfiable-rule"
SEVERITY = Severity.WARNING
STAGE = "compiled"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    for index, reason in context.analysis.unsatisfiable():
        sign = context.compiled[index].declaration
        yield sign.location, f'sign "{sign.id}" can never match: {reason}'
