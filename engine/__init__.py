"""Rule side of signrules: the rule language, linter, evaluator, exemplar
bank, classifier API and command line."""

from signrules.engine.errors import RuleSetError, RuleSyntaxError
from signrules.engine.lint import LintReport, lint_paths, lint_ruleset
from signrules.engine.loader import load_ruleset
from signrules.engine.parser import parse_rules
from signrules.engine.problems import Problem, Severity
from signrules.engine.results import UNKNOWN, Decision, Evidence, ScoreMatrix, SignScore
from signrules.engine.ruleset import RuleSet, Sign

__all__ = [
    "UNKNOWN",
    "Decision",
    "Evidence",
    "LintReport",
    "Problem",
    "RuleSet",
    "RuleSetError",
    "RuleSyntaxError",
    "ScoreMatrix",
    "Severity",
    "Sign",
    "SignScore",
    "lint_paths",
    "lint_ruleset",
    "load_ruleset",
    "parse_rules",
]
