"""Output formats of the linter: text, JSON and GitHub annotations."""

from __future__ import annotations

import json

from signrules.engine.lint import LintReport
from signrules.engine.lint.formats import format_github, format_json, format_text
from signrules.engine.problems import Problem, Severity

ERROR = Problem(
    "rules/de/x.signs", 3, 7, "unknown-value", Severity.ERROR, 'unknown value "circel" for "shape"',
    excerpt="  when shape = circel\n        ^",
)
WARNING = Problem("rules/de/y,z.signs", 5, 1, "rule-overlap", Severity.WARNING, "50% overlap\nsecond line")


def test_text_format():
    report = LintReport((ERROR, WARNING), rulesets=("rules/de",))

    assert format_text(report) == (
        'rules/de/x.signs:3:7: error: unknown value "circel" for "shape" [unknown-value]\n'
        "      when shape = circel\n"
        "            ^\n"
        "rules/de/y,z.signs:5:1: warning: 50% overlap\nsecond line [rule-overlap]\n"
        "1 error, 1 warning in 1 rule set\n"
    )


def test_text_format_clean():
    assert format_text(LintReport((), rulesets=("a", "b"))) == "no problems in 2 rule sets\n"


def test_json_format():
    document = json.loads(format_json(LintReport((ERROR,), rulesets=("rules/de",))))

    assert document == {
        "rulesets": ["rules/de"],
        "errors": 1,
        "warnings": 0,
        "problems": [{
            "path": "rules/de/x.signs",
            "line": 3,
            "column": 7,
            "severity": "error",
            "code": "unknown-value",
            "message": 'unknown value "circel" for "shape"',
        }],
    }


def test_github_format_escapes():
    output = format_github(LintReport((ERROR, WARNING)))

    assert output.splitlines() == [
        '::error file=rules/de/x.signs,line=3,col=7::unknown value "circel" for "shape" [unknown-value]',
        "::warning file=rules/de/y%2Cz.signs,line=5,col=1::50%25 overlap%0Asecond line [rule-overlap]",
    ]
