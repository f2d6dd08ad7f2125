"""Input of every lint check: the parsed rule set, the schema and shared results."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from signrules.attributes.schema import Schema
from signrules.engine.compiler import CompiledRule, compile_rule
from signrules.engine.lint.analysis import Analysis
from signrules.engine.source import RuleSetSource
from signrules.engine.syntax import Condition, Definition, SignDeclaration

__all__ = ["ConditionOwner", "LintContext"]

ConditionOwner = Definition | SignDeclaration


@dataclass(frozen=True)
class _OwnedCondition:
    owner: ConditionOwner
    condition: Condition
    #: The family parameter visible in the condition; None in definitions.
    parameter: str | None


class LintContext:
    """A rule set under check. Results that several checks need are computed once."""

    def __init__(self, source: RuleSetSource, schema: Schema) -> None:
        self.source = source
        self.schema = schema
        #: Results that checks share within one run, such as exemplar folder reports.
        self.cache: dict[str, dict] = {}

    @property
    def root(self) -> Path:
        return self.source.root

    @cached_property
    def signs(self) -> list[SignDeclaration]:
        return list(self.source.signs)

    @cached_property
    def definitions(self) -> dict[str, Definition]:
        """Each definition by name; the first one where a name is defined twice."""
        found: dict[str, Definition] = {}
        for definition in self.source.definitions:
            found.setdefault(definition.name, definition)
        return found

    def conditions(self) -> Iterator[_OwnedCondition]:
        """Yield the condition of every definition, then of every sign."""
        for definition in self.source.definitions:
            yield _OwnedCondition(definition, definition.condition, None)
        for sign in self.signs:
            yield _OwnedCondition(sign, sign.condition, sign.parameter)

    @cached_property
    def compiled(self) -> list[CompiledRule]:
        """Every sign compiled; only valid once the checks in COMPILE_PREREQUISITES pass."""
        return [compile_rule(sign, self.schema, self.definitions) for sign in self.signs]

    @cached_property
    def analysis(self) -> Analysis:
        """Overlaps and subsumptions between the compiled signs."""
        return Analysis(self.compiled, self.schema)

    def exemplar_folder(self, name: str) -> Path:
        return self.source.root / "exemplars" / name
