"""Problems found in a rule set: what the linter reports and RuleSetError carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Problem", "Severity", "excerpt"]


class Severity(StrEnum):
    """Severity of a problem: errors stop a rule set from loading, warnings do not."""

    #: The rule set cannot be loaded until this is fixed.
    ERROR = "error"
    #: The rule set loads, but a rule probably does not do what its author meant.
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding, located at a file, line and column (both 1-based).

    ``message`` is lowercase with no full stop, e.g. ``unknown attribute
    "colour"``; ``code`` is the stable kebab-case id of the check that found it.
    """

    path: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str
    #: The source line with a caret under the column; empty where no line applies.
    excerpt: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity.value}: {self.message} [{self.code}]"

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)


def excerpt(text: str, line: int, column: int) -> str:
    """Return the given source line and a caret under ``column``, or "" if out of range."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""

    source_line = lines[line - 1]
    before = source_line[: max(column - 1, 0)]
    return f"{source_line.expandtabs()}\n{' ' * len(before.expandtabs())}^"
