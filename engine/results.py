"""Results of evaluating a rule set: per-image decisions and the full score matrix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from signrules.engine.syntax import Location

__all__ = ["UNKNOWN", "Decision", "Evidence", "ScoreMatrix", "SignScore"]

#: Label of an image whose best sign scores below the threshold.
UNKNOWN = "unknown"


@dataclass(frozen=True)
class SignScore:
    """One sign's score for one image.

    For a family, ``sign_id`` and ``name`` name the member read from the
    image (``speed_limit_40``), ``rule_id`` the family (``speed_limit_{N}``)
    and ``value`` the parameter value ("40"); ``value`` is None otherwise.
    """

    sign_id: str
    name: str
    score: float
    rule_id: str
    location: Location
    value: str | None = None


@dataclass(frozen=True)
class Evidence:
    """One predicate of the matched rule and its probability for the image.

    ``probability`` is P(predicate) as written, before any enclosing "not"
    (``negated`` is true when one applies). ``definition`` names the shared
    definition the predicate comes from, if any.
    """

    predicate: str
    probability: float
    location: Location
    negated: bool = False
    definition: str | None = None


@dataclass(frozen=True)
class Decision:
    """The result for one image: the best sign, or "unknown", and the evidence for it."""

    #: The best sign's id, or "unknown" when its score is below the threshold.
    label: str
    score: float
    threshold: float
    #: The best-scoring sign even when the label is "unknown"; None for an empty rule set.
    best: SignScore | None
    #: The predicates of the best sign's rule with their probabilities.
    evidence: tuple[Evidence, ...]
    #: The next best signs, best first.
    runners_up: tuple[SignScore, ...]

    @property
    def is_unknown(self) -> bool:
        return self.label == UNKNOWN


@dataclass(frozen=True, eq=False)
class ScoreMatrix:
    """Scores of every rule for every image, for bulk evaluation.

    ``scores[i, r]`` is rule ``rule_ids[r]``'s score on image i. For a family
    rule, ``values[rule_id][i]`` is the parameter value it read on image i.
    """

    rule_ids: tuple[str, ...]
    scores: np.ndarray
    values: Mapping[str, np.ndarray]

    def __len__(self) -> int:
        return self.scores.shape[0]

    def best(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the index of each image's best rule and its score; ties go to the earlier rule."""
        if not self.rule_ids:
            return np.full(len(self), -1), np.zeros(len(self))
        index = self.scores.argmax(axis=1)
        return index, self.scores[np.arange(len(self)), index]

    def sign_id(self, image: int, rule: int) -> str:
        """Return the sign id that rule ``rule`` gives image ``image`` (a member id for families)."""
        rule_id = self.rule_ids[rule]
        values = self.values.get(rule_id)
        if values is None:
            return rule_id
        return _member(rule_id, str(values[image]))

    def labels(self, threshold: float) -> list[str]:
        """Return each image's best sign id, or "unknown" where its score is below ``threshold``."""
        index, score = self.best()
        return [
            self.sign_id(i, int(r)) if r >= 0 and s >= threshold else UNKNOWN
            for i, (r, s) in enumerate(zip(index, score, strict=True))
        ]


def _member(rule_id: str, value: str) -> str:
    # A family id contains one {PARAMETER} placeholder; replace it with the value.
    start = rule_id.index("{")
    end = rule_id.index("}", start)
    return f"{rule_id[:start]}{value}{rule_id[end + 1:]}"
