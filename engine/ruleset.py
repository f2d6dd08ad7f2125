"""The rule set model: signs with their metadata and compiled conditions, ready to evaluate.

A RuleSet is immutable. ``load_ruleset`` (engine.loader) builds a new one or
raises, so a caller that reloads rules swaps its reference only on success.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from signrules.attributes.posteriors import Posteriors
from signrules.attributes.schema import Schema
from signrules.engine.compiler import CompiledRule, Parameter, ParameterTest, TypedCondition
from signrules.engine.errors import ClassifierError
from signrules.engine.evaluator import Evaluator
from signrules.engine.manifest import Manifest
from signrules.engine.results import UNKNOWN, Decision, Evidence, ScoreMatrix, SignScore
from signrules.engine.syntax import ClassEntry, Location

__all__ = ["RuleSet", "Sign"]

#: Number of runner-up signs a Decision lists unless another number is given.
DEFAULT_RUNNERS_UP = 3


@dataclass(frozen=True)
class Sign:
    """One sign, or one family of signs, of a rule set.

    A family's ``id`` and ``name`` hold a ``{PARAMETER}`` placeholder
    (``speed_limit_{N}``); ``member_id`` and ``member_name`` fill it in.
    """

    id: str
    name: str
    country: str
    catalogue: str | None
    classes: tuple[ClassEntry, ...]
    condition: TypedCondition
    location: Location
    parameter: Parameter | None = None

    @property
    def is_family(self) -> bool:
        return self.parameter is not None

    def member_id(self, value: str | int | None = None) -> str:
        """Return the id of the member with parameter ``value`` (the id itself for a single sign)."""
        return self._fill(self.id, value)

    def member_name(self, value: str | int | None = None) -> str:
        """Return the display name of the member with parameter ``value``."""
        return self._fill(self.name, value)

    def class_id(self, dataset: str, value: str | int | None = None) -> int | None:
        """Return the sign's (or family member's) class id in ``dataset``, or None if it has none."""
        wanted = None if value is None else int(value)
        for entry in self.classes:
            if entry.dataset == dataset and entry.value == wanted:
                return entry.class_id
        return None

    def _fill(self, text: str, value: str | int | None) -> str:
        if self.parameter is None or value is None:
            return text
        return text.replace(f"{{{self.parameter.name}}}", str(value))


@dataclass(frozen=True, eq=False)
class RuleSet:
    """A loaded, checked rule set. Create it with ``load_ruleset``."""

    manifest: Manifest
    root: Path
    schema: Schema
    signs: tuple[Sign, ...]
    files: tuple[str, ...]
    _evaluator: Evaluator = field(repr=False)

    @classmethod
    def from_compiled(
        cls, manifest: Manifest, root: Path, schema: Schema, rules: list[CompiledRule], files: tuple[str, ...]
    ) -> RuleSet:
        signs = tuple(
            Sign(
                id=rule.declaration.id,
                name=rule.declaration.name,
                country=manifest.country,
                catalogue=rule.declaration.catalogue,
                classes=rule.declaration.classes,
                condition=rule.condition,
                location=rule.declaration.location,
                parameter=rule.parameter,
            )
            for rule in rules
        )
        return cls(manifest, root, schema, signs, files, Evaluator(rules, schema))

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def country(self) -> str:
        return self.manifest.country

    @property
    def threshold(self) -> float:
        """Default score below which an image is "unknown"."""
        return self.manifest.threshold

    @property
    def pictogram_names(self) -> tuple[str, ...]:
        """Every exemplar name that a ``pictogram ~ NAME`` test uses, sorted."""
        return self._evaluator.pictogram_names

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(sign.id for sign in self.signs)

    def sign(self, sign_id: str) -> Sign:
        """Return the sign with this id, or the family that has it as a member; raise KeyError if none."""
        for sign in self.signs:
            if sign.id == sign_id:
                return sign
        for sign in self.signs:
            if sign.parameter is not None and any(sign.member_id(v) == sign_id for v in sign.parameter.strings):
                return sign
        raise KeyError(f'rule set "{self.name}" has no sign "{sign_id}"')

    def score(self, posteriors: Posteriors, pictogram_probs: Mapping[str, np.ndarray]) -> ScoreMatrix:
        """Score every sign on every image: an (images x signs) matrix and the family values read.

        ``pictogram_probs`` maps each name in ``pictogram_names`` to an (N,)
        array: the probability that each image shows that pictogram.
        """
        raw = self._evaluator.score(posteriors, pictogram_probs)
        values = {
            sign.id: self._evaluator.family_value(index, raw)
            for index, sign in enumerate(self.signs)
            if sign.is_family
        }
        return ScoreMatrix(self.rule_ids, raw.scores, values)

    def classify(
        self,
        posteriors: Posteriors,
        pictogram_probs: Mapping[str, np.ndarray],
        *,
        threshold: float | None = None,
        runners_up: int = DEFAULT_RUNNERS_UP,
    ) -> list[Decision]:
        """Return one Decision per image: the best sign or "unknown", with evidence and runners-up.

        An image is "unknown" when its best score is below ``threshold``
        (the manifest's threshold unless given). Ties go to the sign
        declared first.
        """
        threshold = self.threshold if threshold is None else threshold
        if not 0.0 <= threshold <= 1.0:
            raise ClassifierError(f"threshold must be from 0 to 1, got {threshold}")
        if runners_up < 0:
            raise ClassifierError(f"runners_up must be 0 or more, got {runners_up}")

        raw = self._evaluator.score(posteriors, pictogram_probs)
        count = raw.scores.shape[0]
        if not self.signs:
            return [Decision(UNKNOWN, 0.0, threshold, None, (), ()) for _ in range(count)]

        values = {index: self._evaluator.family_value(index, raw) for index, s in enumerate(self.signs) if s.is_family}
        ranking = np.argsort(-raw.scores, axis=1, kind="stable")[:, : runners_up + 1]
        evidence = self._evidence(ranking[:, 0], raw, values)

        decisions = []
        names: dict = {}
        for image in range(count):
            scored = [self._sign_score(r, image, raw, values, names) for r in ranking[image].tolist()]
            best = scored[0]
            label = best.sign_id if best.score >= threshold else UNKNOWN
            decisions.append(Decision(label, best.score, threshold, best, evidence[image], tuple(scored[1:])))
        return decisions

    def _sign_score(self, rule: int, image: int, raw, values, names: dict) -> SignScore:
        sign = self.signs[rule]
        value = str(values[rule][image]) if rule in values else None
        # Ids and names repeat across images, so each is built once per call.
        if (rule, value) not in names:
            names[(rule, value)] = (sign.member_id(value), sign.member_name(value))
        sign_id, name = names[(rule, value)]
        return SignScore(sign_id, name, float(raw.scores[image, rule]), sign.id, sign.location, value)

    def _evidence(self, best: np.ndarray, raw, values) -> list[tuple[Evidence, ...]]:
        probabilities = self._evaluator.predicate_matrix(raw)
        evidence: list[tuple[Evidence, ...]] = [()] * len(best)
        for rule in np.unique(best).tolist():
            images = np.nonzero(best == rule)[0]
            predicates = self._evaluator.predicates[rule]
            columns = [column for _, _, column in predicates]
            rows = probabilities[np.ix_(images, columns)].tolist()
            for image, row in zip(images.tolist(), rows, strict=True):
                evidence[image] = tuple(
                    Evidence(
                        predicate=(
                            f"{predicate.attribute} = {values[rule][image]}"
                            if isinstance(predicate, ParameterTest)
                            else predicate.text
                        ),
                        probability=probability,
                        location=predicate.location,
                        negated=negations % 2 == 1,
                        definition=predicate.definition,
                    )
                    for (predicate, negations, _), probability in zip(predicates, row, strict=True)
                )
        return evidence
