"""Rule sets shipped with signrules (``rules/de`` for Germany first)."""

from pathlib import Path

#: Folder of the rule sets installed with signrules.
RULES_ROOT = Path(__file__).parent

#: Rule set the classifier uses unless told otherwise.
DEFAULT_RULESET = RULES_ROOT / "de"
