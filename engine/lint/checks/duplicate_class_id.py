"""duplicate-class-id: a dataset class id is given to two signs, or a sign has two.

Evaluation on a dataset maps each predicted sign to its class id, so in each
dataset a class id belongs to one sign (or one member of a family), and a
sign has at most one class id per dataset.

Passing::

    sign stop "Stop" dataset gtsrb 14 when shape = octagon
    sign no_entry "No entry" dataset gtsrb 17 when shape = circle and fill = red

Failing::

    sign stop "Stop" dataset gtsrb 14 when shape = octagon
    sign no_entry "No entry" dataset gtsrb 14 when shape = circle and fill = red
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.lint.checks._words import where
from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import ClassEntry, Location, SignDeclaration

ID = "duplicate-class-id"
SEVERITY = Severity.ERROR
STAGE = "source"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    owners: dict[tuple[str, int], tuple[SignDeclaration, ClassEntry]] = {}
    given: dict[tuple[str, str, int | None], ClassEntry] = {}

    for sign in context.signs:
        for entry in sign.classes:
            member = _member(sign, entry)

            earlier = given.get((sign.id, entry.dataset, entry.value))
            if earlier is not None:
                yield entry.location, (
                    f"{member} has two {entry.dataset} class ids, {earlier.class_id} and {entry.class_id}"
                )
                continue
            given[(sign.id, entry.dataset, entry.value)] = entry

            owner = owners.get((entry.dataset, entry.class_id))
            if owner is not None:
                first_sign, first_entry = owner
                yield entry.location, (
                    f"{entry.dataset} class {entry.class_id} is already given to "
                    f"{_member(first_sign, first_entry)} at {where(first_entry.location)}"
                )
                continue
            owners[(entry.dataset, entry.class_id)] = (sign, entry)


def _member(sign: SignDeclaration, entry: ClassEntry) -> str:
    if entry.value is None:
        return f'sign "{sign.id}"'
    return f'"{sign.id}" with {entry.parameter} = {entry.value}'
