"""invalid-manifest: the rule set's ruleset.yaml is missing a key or has a bad value.

``name`` and ``country`` (two upper-case letters, ISO 3166-1) are required,
``threshold`` must be a number from 0 to 1, and unknown keys are rejected so
that a misspelt key does not go unnoticed.

Passing::

    name: Germany
    country: DE
    threshold: 0.5

Failing::

    name: Germany
    country: Germany
    treshold: 0.5
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.lint.context import LintContext
from signrules.engine.manifest import INVALID_MANIFEST
from signrules.engine.problems import Severity
from signrules.engine.syntax import Location

ID = INVALID_MANIFEST
SEVERITY = Severity.ERROR
STAGE = "source"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    for problem in context.source.problems:
        yield Location(problem.path, problem.line, problem.column), problem.message
