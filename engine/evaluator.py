"""Vectorised evaluation of compiled signs on the posteriors of a batch of images.

A sign's score is the probability that the image's attributes satisfy its
condition, with the attribute heads independent of each other:

    P(condition) = sum over cubes c of prod over variables v of P(v in c_v)

where the cubes are the disjoint pieces of the condition (engine.compiler).
Per variable:

- categorical attribute: the sum of the head's probabilities of the values
  in the cube;
- string attribute: P(string) from the per-position reading for each
  literal the rule set names, and 1 minus their sum for any other string
  (which includes readings that are no string at all);
- a family's parameter: P(attribute = v*), where v* is the allowed value
  with the highest probability on that image, and 1 - P(v*) for "not v*";
- ``pictogram ~ NAME``: the given probability that the image shows NAME,
  as an independent yes/no event, so that adding an exemplar set changes no
  other sign's score.

All cubes of all signs are scored at once: one matrix product per
attribute, then a product over attributes and a sum per sign.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from signrules.attributes.posteriors import Posteriors
from signrules.attributes.schema import Schema
from signrules.engine.compiler import (
    OTHER,
    PARAMETER,
    CategoricalTest,
    CompiledRule,
    ParameterTest,
    PictogramTest,
    StringTest,
    iter_predicates,
)
from signrules.engine.errors import ClassifierError
from signrules.engine.syntax import Not

__all__ = ["Evaluator", "RawScores"]

# Probabilities may be off by rounding; beyond this they are invalid input.
_TOLERANCE = 1e-6


@dataclass
class _Family:
    rule: int
    attribute: str
    strings: tuple[str, ...]
    present: np.ndarray
    absent: np.ndarray


@dataclass(frozen=True, eq=False)
class RawScores:
    """Scores and the intermediate probabilities that explanations need."""

    scores: np.ndarray
    #: Per family rule index: the chosen value's index into its strings, and its probability.
    family_choice: dict[int, tuple[np.ndarray, np.ndarray]]
    categorical: Mapping[str, np.ndarray]
    #: Per string attribute: P(literal) for each literal, in ``Evaluator.literals`` order.
    literal_probs: Mapping[str, np.ndarray]
    pictogram_probs: Mapping[str, np.ndarray]


class Evaluator:
    """The compiled signs of a rule set as matrices, ready to score batches."""

    def __init__(self, rules: Sequence[CompiledRule], schema: Schema) -> None:
        self.rules = list(rules)
        self.schema = schema
        self.literals: dict[str, list[str]] = {}
        self.pictogram_names: tuple[str, ...] = ()
        self._build()

    # ------------------------------------------------------------------ build

    def _build(self) -> None:
        literals: dict[str, set[str]] = {}
        pictograms: set[str] = set()
        for rule in self.rules:
            for predicate in iter_predicates(rule.condition):
                if isinstance(predicate, StringTest):
                    literals.setdefault(predicate.attribute, set()).update(predicate.strings)
                elif isinstance(predicate, PictogramTest):
                    pictograms.add(predicate.exemplar)
        self.literals = {name: sorted(values) for name, values in sorted(literals.items())}
        self.pictogram_names = tuple(sorted(pictograms))

        # Per variable, the cell set of every cube; columns are cubes.
        categorical: dict[str, list[tuple[int, np.ndarray]]] = {}
        strings: dict[str, list[tuple[int, np.ndarray]]] = {}
        exemplar_present: dict[str, list[int]] = {}
        exemplar_absent: dict[str, list[int]] = {}
        self._families: list[_Family] = []
        owners: list[int] = []

        for index, rule in enumerate(self.rules):
            present: list[int] = []
            absent: list[int] = []
            for cube in rule.cubes.cubes:
                column = len(owners)
                owners.append(index)
                for variable, choice in zip(rule.cubes.variables, cube, strict=True):
                    if choice is None:
                        continue
                    cells = frozenset().union(*(variable.cells[c] for c in choice))
                    kind, attribute = variable.key[0], variable.key[1]
                    if kind == "categorical":
                        values = self.schema.categorical[attribute].values
                        mask = np.array([v in cells for v in values], dtype=np.float64)
                        categorical.setdefault(attribute, []).append((column, mask))
                    elif kind == "exemplar":
                        target = exemplar_present if True in cells else exemplar_absent
                        target.setdefault(variable.key[2], []).append(column)
                    elif PARAMETER in cells or (rule.parameter and rule.parameter.attribute == attribute):
                        (present if PARAMETER in cells else absent).append(column)
                    else:
                        strings.setdefault(attribute, []).append((column, self._string_mask(attribute, variable, cells)))
            if rule.parameter is not None:
                self._families.append(
                    _Family(index, rule.parameter.attribute, rule.parameter.strings, np.array(present, dtype=np.int64), np.array(absent, dtype=np.int64))
                )

        self.cube_count = len(owners)
        self._categorical = {name: _stack(entries) for name, entries in categorical.items()}
        self._strings = {name: _stack(entries) for name, entries in strings.items()}
        self._exemplar_present = {n: np.array(c, dtype=np.int64) for n, c in exemplar_present.items()}
        self._exemplar_absent = {n: np.array(c, dtype=np.int64) for n, c in exemplar_absent.items()}
        self._owner_matrix = np.zeros((self.cube_count, len(self.rules)))
        self._owner_matrix[np.arange(self.cube_count), owners] = 1.0

        # Strings whose probability each attribute needs for its families.
        self._family_strings: dict[str, list[str]] = {}
        for family in self._families:
            self._family_strings.setdefault(family.attribute, [])
        for attribute in self._family_strings:
            union = sorted({s for f in self._families if f.attribute == attribute for s in f.strings}, key=lambda s: (len(s), s))
            self._family_strings[attribute] = union
        self._family_columns = {
            f.rule: _positions(self._family_strings[f.attribute], f.strings) for f in self._families
        }
        self._build_predicates()

    def _build_predicates(self) -> None:
        # Every predicate occurrence of every rule gets one column, so that
        # explanations need a few matrix products rather than a loop per rule.
        #: Per rule: (predicate, number of enclosing "not"s, column) of each predicate.
        self.predicates: list[list[tuple[object, int, int]]] = []
        self._predicate_columns: list[int] = []
        categorical: dict[str, list[tuple[int, np.ndarray]]] = {}
        strings: dict[str, list[tuple[int, np.ndarray]]] = {}
        self._parameter_predicates: list[tuple[int, int]] = []
        self._pictogram_predicates: list[tuple[int, str]] = []

        for index, rule in enumerate(self.rules):
            entries = []
            for predicate, negations in _predicates_with_negations(rule.condition):
                column = len(self._predicate_columns)
                self._predicate_columns.append(index)
                if isinstance(predicate, CategoricalTest):
                    values = self.schema.categorical[predicate.attribute].values
                    mask = np.array([v in predicate.values for v in values], dtype=np.float64)
                    categorical.setdefault(predicate.attribute, []).append((column, mask))
                elif isinstance(predicate, StringTest):
                    literals = self.literals[predicate.attribute]
                    mask = np.array([s in predicate.strings for s in literals], dtype=np.float64)
                    strings.setdefault(predicate.attribute, []).append((column, mask))
                elif isinstance(predicate, ParameterTest):
                    self._parameter_predicates.append((column, index))
                else:
                    self._pictogram_predicates.append((column, predicate.exemplar))
                entries.append((predicate, negations, column))
            self.predicates.append(entries)

        self._categorical_predicates = {name: _stack(entries) for name, entries in categorical.items()}
        self._string_predicates = {name: _stack(entries) for name, entries in strings.items()}

    def _string_mask(self, attribute: str, variable, cells: frozenset) -> np.ndarray:
        # Columns: the rule set's literals for this attribute, then "any other string".
        literals = self.literals[attribute]
        mask = np.zeros(len(literals) + 1)
        if OTHER in cells:
            named = {s for cell in variable.cells for s in cell if s is not OTHER}
            mask[:] = 1.0
            mask[[i for i, s in enumerate(literals) if s in named]] = 0.0
        for item in cells:
            if item is not OTHER:
                mask[literals.index(item)] = 1.0
        return mask

    # ------------------------------------------------------------------ score

    def score(self, posteriors: Posteriors, pictogram_probs: Mapping[str, np.ndarray]) -> RawScores:
        """Score every rule on every image; raise ClassifierError on invalid input."""
        count = len(posteriors)
        pictogram_probs = self._check_inputs(posteriors, pictogram_probs, count)
        cubes = np.ones((count, self.cube_count))

        categorical = {name: np.asarray(posteriors.categorical[name], dtype=np.float64) for name in self.schema.categorical}
        for name, (columns, masks) in self._categorical.items():
            cubes[:, columns] *= categorical[name] @ masks

        literal_probs = {}
        for name, literals in self.literals.items():
            probs = posteriors.strings[name].prob(literals) if literals else np.zeros((count, 0))
            literal_probs[name] = probs
            if name in self._strings:
                other = np.clip(1.0 - probs.sum(axis=1, keepdims=True), 0.0, 1.0)
                columns, masks = self._strings[name]
                cubes[:, columns] *= np.hstack([probs, other]) @ masks

        family_choice = {}
        log_probs = {
            name: posteriors.strings[name].log_prob(strings) for name, strings in self._family_strings.items()
        }
        for family in self._families:
            candidates = log_probs[family.attribute][:, self._family_columns[family.rule]]
            choice = candidates.argmax(axis=1)
            probability = np.exp(candidates[np.arange(count), choice])
            family_choice[family.rule] = (choice, probability)
            cubes[:, family.present] *= probability[:, None]
            cubes[:, family.absent] *= (1.0 - probability)[:, None]

        for name in self.pictogram_names:
            probability = pictogram_probs[name]
            if name in self._exemplar_present:
                cubes[:, self._exemplar_present[name]] *= probability[:, None]
            if name in self._exemplar_absent:
                cubes[:, self._exemplar_absent[name]] *= (1.0 - probability)[:, None]

        scores = cubes @ self._owner_matrix
        return RawScores(scores, family_choice, categorical, literal_probs, pictogram_probs)

    def _check_inputs(self, posteriors: Posteriors, pictogram_probs: Mapping[str, np.ndarray], count: int):
        if posteriors.schema.fingerprint() != self.schema.fingerprint():
            raise ClassifierError(
                f"posteriors were made for schema {posteriors.schema.fingerprint()} "
                f"but the rule set was loaded with schema {self.schema.fingerprint()}; "
                "load the rule set with the network's schema"
            )

        checked = {}
        for name in self.pictogram_names:
            if name not in pictogram_probs:
                raise ClassifierError(
                    f'pictogram_probs has no entry for exemplar "{name}"; '
                    "compute one per name in ruleset.pictogram_names"
                )
            probability = np.asarray(pictogram_probs[name], dtype=np.float64)
            if probability.shape != (count,):
                raise ClassifierError(
                    f'pictogram_probs["{name}"] has shape {probability.shape}, expected ({count},)'
                )
            if not np.all((probability >= -_TOLERANCE) & (probability <= 1 + _TOLERANCE)):
                raise ClassifierError(f'pictogram_probs["{name}"] contains values outside [0, 1] or NaN')
            checked[name] = np.clip(probability, 0.0, 1.0)
        return checked

    # ------------------------------------------------------------------ explain

    def predicate_matrix(self, raw: RawScores) -> np.ndarray:
        """Return P(predicate) for every image and predicate occurrence, columns as in ``predicates``."""
        count = raw.scores.shape[0]
        matrix = np.empty((count, len(self._predicate_columns)))
        for attribute, (columns, masks) in self._categorical_predicates.items():
            matrix[:, columns] = raw.categorical[attribute] @ masks
        for attribute, (columns, masks) in self._string_predicates.items():
            matrix[:, columns] = raw.literal_probs[attribute] @ masks
        for column, rule in self._parameter_predicates:
            matrix[:, column] = raw.family_choice[rule][1]
        for column, name in self._pictogram_predicates:
            matrix[:, column] = raw.pictogram_probs[name]
        return matrix

    def family_value(self, rule_index: int, raw: RawScores) -> np.ndarray:
        """Return the parameter value a family read on every image, as strings."""
        family = next(f for f in self._families if f.rule == rule_index)
        choice, _ = raw.family_choice[rule_index]
        return np.array(family.strings)[choice]


def _stack(entries: list[tuple[int, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    columns = np.array([c for c, _ in entries], dtype=np.int64)
    masks = np.stack([m for _, m in entries], axis=1)
    return columns, masks


def _positions(union: list[str], strings: tuple[str, ...]) -> np.ndarray:
    lookup = {s: i for i, s in enumerate(union)}
    return np.array([lookup[s] for s in strings], dtype=np.int64)


def _predicates_with_negations(condition, negations: int = 0):
    if isinstance(condition, Not):
        yield from _predicates_with_negations(condition.operand, negations + 1)
    elif hasattr(condition, "operands"):
        for operand in condition.operands:
            yield from _predicates_with_negations(operand, negations)
    else:
        yield condition, negations
