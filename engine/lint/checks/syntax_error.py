"""syntax-error: a rule file does not follow the grammar of the rule language.

The message names what is missing, lists the tokens the parser expected in
plain words and shows the line with a caret under the column. A file that is
not valid UTF-8, or a condition nested more than 32 levels deep, is reported
under this code too.

Passing::

    sign stop "Stop" when shape = octagon and text = "STOP"

Failing::

    sign stop "Stop" when shape = octagon text = "STOP"
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.lint.context import LintContext
from signrules.engine.parser import SYNTAX_ERROR
from signrules.engine.problems import Severity
from signrules.engine.syntax import Location

ID = SYNTAX_ERROR
SEVERITY = Severity.ERROR
STAGE = "source"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    for file in context.source.files:
        for problem in file.problems:
            yield Location(problem.path, problem.line, problem.column), problem.message
