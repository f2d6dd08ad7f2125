"""unreachable-rule: a sign can never score above another sign that covers it.

When every image that meets sign A's condition also meets sign B's, A's
score is never above B's, so A wins at most a tie. Ties go to the sign
declared first, so of two signs with the same condition the later one never
wins. For a family B, A counts as covered only when it fixes B's parameter
attribute to allowed values of B, because B scores its best single member.
Two signs that share an id are not compared, because duplicate-sign
already reports them.

Passing::

    sign no_entry "No entry" when shape = circle and fill = red
    sign no_vehicles "No vehicles" when shape = circle and fill = white

Failing::

    sign round "Round sign" when shape = circle
    sign no_entry "No entry" when shape = circle and fill = red
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from signrules.engine.lint.checks._family import shared_id_pairs
from signrules.engine.lint.checks._words import where
from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import Location

ID = "unreachable-rule"
SEVERITY = Severity.WARNING
STAGE = "compiled"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    subsumed = context.analysis.subsumptions()
    same_id = shared_id_pairs(context.signs, context.schema)
    for index, rule in enumerate(context.compiled):
        covering = np.nonzero(subsumed[index])[0]
        # Of two equivalent signs only the later one is unreachable.
        covering = [b for b in covering if not (subsumed[b, index] and b > index)]
        covering = [b for b in covering if (min(index, b), max(index, b)) not in same_id]
        if not covering:
            continue

        sign = rule.declaration
        other = context.compiled[covering[0]].declaration
        if subsumed[covering[0], index]:
            reason = f'matches the same images as "{other.id}" ({where(other.location)}), which is declared first and wins ties'
        else:
            reason = f'is covered by "{other.id}" ({where(other.location)}), which matches every image that "{sign.id}" matches'
        yield sign.location, f'sign "{sign.id}" can never win: it {reason}'
