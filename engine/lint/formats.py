"""Output formats of ``signrules lint``: text for people, JSON for tools, GitHub annotations for CI."""

from __future__ import annotations

import json
from collections.abc import Callable

from signrules.engine.lint import LintReport
from signrules.engine.problems import Problem

__all__ = ["FORMATS", "format_github", "format_json", "format_text"]


def format_text(report: LintReport) -> str:
    """Return one block per problem (location, message, caret excerpt) and a summary line."""
    lines = []
    for problem in report.problems:
        lines.append(str(problem))
        if problem.excerpt:
            lines.extend(f"    {line}" for line in problem.excerpt.splitlines())
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def format_json(report: LintReport) -> str:
    """Return one JSON document with every problem and the counts."""
    document = {
        "rulesets": [str(root) for root in report.rulesets],
        "errors": report.errors,
        "warnings": report.warnings,
        "problems": [
            {
                "path": p.path,
                "line": p.line,
                "column": p.column,
                "severity": p.severity.value,
                "code": p.code,
                "message": p.message,
            }
            for p in report.problems
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def format_github(report: LintReport) -> str:
    """Return one GitHub Actions workflow command per problem, which annotates the line."""
    return "".join(_github_line(p) + "\n" for p in report.problems)


def _github_line(problem: Problem) -> str:
    properties = f"file={_property(problem.path)},line={problem.line},col={problem.column}"
    return f"::{problem.severity.value} {properties}::{_data(f'{problem.message} [{problem.code}]')}"


def _data(text: str) -> str:
    # GitHub reads "%", CR and LF in a command's message as escapes.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    # Property values additionally escape the separators ":" and ",".
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _summary(report: LintReport) -> str:
    sets = f"{len(report.rulesets)} rule set{'s' if len(report.rulesets) != 1 else ''}"
    if not report.problems:
        return f"no problems in {sets}"
    errors = f"{report.errors} error{'s' if report.errors != 1 else ''}"
    warnings = f"{report.warnings} warning{'s' if report.warnings != 1 else ''}"
    return f"{errors}, {warnings} in {sets}"


FORMATS: dict[str, Callable[[LintReport], str]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
}
