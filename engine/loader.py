"""Loading a rule set: all of it, or nothing.

``load_ruleset`` reads every file of the set, runs every check that can
report an error and builds the RuleSet only if none did. Otherwise it raises
RuleSetError carrying every error, so a caller that keeps a working rule set
in memory replaces it only when a load succeeds::

    try:
        candidate = load_ruleset(path)
    except RuleSetError as exc:
        log.error("keeping the previous rules: %s", exc)
    else:
        rules = candidate
"""

from __future__ import annotations

import logging
from pathlib import Path

from signrules.attributes.schema import Schema, default_schema
from signrules.engine.errors import RuleSetError, RuleSyntaxError
from signrules.engine.lint import run_checks
from signrules.engine.parser import SYNTAX_ERROR
from signrules.engine.problems import Severity
from signrules.engine.ruleset import RuleSet
from signrules.engine.source import read_ruleset_source

__all__ = ["load_ruleset"]

log = logging.getLogger(__name__)

# Errors listed in the exception message; all of them are in ``problems``.
_LISTED_ERRORS = 20


def load_ruleset(path: str | Path, *, schema: Schema | None = None, check_exemplars: bool = True) -> RuleSet:
    """Load and check the rule set in folder ``path``.

    Raises RuleSyntaxError if a file does not parse, RuleSetError for any
    other error (and for files that cannot be read); ``problems`` on the
    exception lists every error. Warnings do not stop loading.
    ``check_exemplars=False`` skips the exemplar folder checks, for tools
    that build the exemplars from the rule set's ``pictogram_names``.
    """
    schema = schema or default_schema()
    path = Path(path)
    source = read_ruleset_source(path)
    problems, context = run_checks(source, schema, warnings=False, check_exemplars=check_exemplars)

    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        listed = "\n".join(f"  {p}" for p in errors[:_LISTED_ERRORS])
        more = f"\n  ... and {len(errors) - _LISTED_ERRORS} more" if len(errors) > _LISTED_ERRORS else ""
        message = f"{path}: rule set has {len(errors)} error(s); fix them and load again\n{listed}{more}"
        kind = RuleSyntaxError if any(p.code == SYNTAX_ERROR for p in errors) else RuleSetError
        raise kind(message, errors)

    ruleset = RuleSet.from_compiled(
        source.manifest, path, schema, context.compiled, tuple(f.path for f in source.files)
    )
    log.info("loaded rule set %s from %s: %d signs", ruleset.name, path, len(ruleset.signs))
    return ruleset
