"""complex-condition: a condition spans too many attribute combinations to score exactly.

The evaluator scores a sign exactly by enumerating the combinations of the
cells its condition distinguishes. Above 65,536 combinations (for example 17
pictogram tests in one sign) the sign is rejected; split it into several
signs.

Passing::

    sign children "Children" when shape = triangle and pictogram ~ children

Failing::

    sign busy "Busy" when pictogram ~ a1 or pictogram ~ a2 or pictogram ~ a3 or pictogram ~ a4 or pictogram ~ a5 or pictogram ~ a6 or pictogram ~ a7 or pictogram ~ a8 or pictogram ~ a9 or pictogram ~ b1 or pictogram ~ b2 or pictogram ~ b3 or pictogram ~ b4 or pictogram ~ b5 or pictogram ~ b6 or pictogram ~ b7 or pictogram ~ b8
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.compiler import MAX_GRID_SIZE, grid_size
from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import Location

ID = "complex-condition"
SEVERITY = Severity.ERROR
STAGE = "compiled"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    for rule in context.compiled:
        if rule.cubes is None:
            size = grid_size(rule.condition, context.schema, "independent")
            yield rule.declaration.location, (
                f'condition of "{rule.declaration.id}" is too complex to score exactly '
                f"({size:,} > {MAX_GRID_SIZE:,} combinations); split it into several signs"
            )
