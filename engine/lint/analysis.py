"""Overlap and subsumption between the signs of a rule set, with boolean masks.

Each sign's condition is a union of disjoint cubes (see engine.compiler).
Here every cube becomes one boolean mask per variable, over a domain that all
signs of the rule set share:

- a categorical attribute: its schema values;
- a string attribute: one cell per literal that any sign names, one cell per
  group of family values that the same families allow, and one cell for the
  remaining strings when such a string exists;
- the pictogram, for overlaps: one cell per exemplar name plus one for any
  other pictogram (an image shows one pictogram);
- one yes/no variable per exemplar, for subsumption, as in the evaluator.

Two cubes intersect when their masks share a cell for every variable, so one
matrix product per variable gives all pairs at once. Sign S can never score
above sign B when S matches nothing that B does not match: no cube of S
intersects a cube of "not B".

A family counts here as the union of its members. For subsumption by a
family B, S must fix B's parameter attribute to values of B (one literal, or
S's own parameter), because B's score is its best single member.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
from signrules.attributes.schema import Schema
from signrules.engine.compiler import (
    OTHER,
    PARAMETER,
    CategoricalTest,
    CompiledRule,
    Cubes,
    ParameterTest,
    PictogramMode,
    PictogramTest,
    StringTest,
    Variable,
    compile_cubes,
    iter_predicates,
)

__all__ = ["Analysis", "Overlap"]

_VariableKey = tuple[str, ...]

# Domains up to this many cells are compared as bit masks in one integer.
_BITS = 64


@dataclass(frozen=True)
class Overlap:
    """Two signs that match a common attribute assignment, and one such assignment."""

    first: int
    second: int
    witness: tuple[str, ...]


@dataclass
class _Domain:
    key: _VariableKey
    labels: list[str]
    #: Cell index of each literal string or exemplar name of this domain.
    index: dict[object, int]
    #: Cell index of the "anything else" cell, or None where nothing else exists.
    other: int | None = None
    #: Cells that hold exactly one literal string.
    literal_cells: frozenset[int] = frozenset()


class _CubeTable:
    """All cubes of a set of rules as per-variable masks over the shared domains."""

    def __init__(self, rule_count: int) -> None:
        self.owner: list[int] = []
        self.rule_count = rule_count
        self._rows: dict[_VariableKey, list[int]] = {}
        self._masks: dict[_VariableKey, list[np.ndarray]] = {}

    def add(self, rule: int, masks: dict[_VariableKey, np.ndarray]) -> None:
        row = len(self.owner)
        self.owner.append(rule)
        for key, mask in masks.items():
            self._rows.setdefault(key, []).append(row)
            self._masks.setdefault(key, []).append(mask)

    def freeze(self) -> None:
        self.owner_array = np.array(self.owner, dtype=np.int64)
        self.rows = {k: np.array(v, dtype=np.int64) for k, v in self._rows.items()}
        self.masks = {k: np.array(v, dtype=bool) for k, v in self._masks.items()}
        self.row_masks = {k: dict(zip(self.rows[k].tolist(), self.masks[k], strict=True)) for k in self.rows}

        # Every cube's mask per variable, all cells set where a cube leaves
        # the variable free, and for small domains the same packed into bits.
        self.full: dict[_VariableKey, np.ndarray] = {}
        self.bits: dict[_VariableKey, np.ndarray] = {}
        for key, masks in self.masks.items():
            full = np.ones((len(self.owner), masks.shape[1]), dtype=bool)
            full[self.rows[key]] = masks
            self.full[key] = full
            if masks.shape[1] <= _BITS:
                weights = np.left_shift(np.uint64(1), np.arange(masks.shape[1], dtype=np.uint64))
                self.bits[key] = np.bitwise_or.reduce(np.where(full, weights, np.uint64(0)), axis=1)

    def __len__(self) -> int:
        return len(self.owner)

    def mask(self, key: _VariableKey, row: int) -> np.ndarray | None:
        """Return the cube's mask for one variable, or None where the cube allows every cell."""
        return self.row_masks.get(key, {}).get(row)


class Analysis:
    """Pairwise relations between the compiled signs of one rule set."""

    def __init__(self, rules: list[CompiledRule], schema: Schema) -> None:
        self.rules = rules
        self.schema = schema
        self.domains = self._build_domains()
        self._cell_cache: dict[tuple, np.ndarray] = {}

        self._independent = self._table(lambda rule: rule.cubes)
        self._categorical = self._table(lambda rule: self._cubes(rule, "categorical"))
        self._subsumed: np.ndarray | None = None

    # ------------------------------------------------------------------ results

    def unsatisfiable(self) -> list[tuple[int, str]]:
        """Return the signs that no image can match, each with the reason."""
        independent = set(self._independent.owner)
        categorical = set(self._categorical.owner)
        found = []
        for index, rule in enumerate(self.rules):
            if rule.cubes is None:
                continue
            if index not in independent:
                found.append((index, "its condition contradicts itself"))
            elif index not in categorical:
                found.append((index, "it requires two different pictograms at once"))
        return found

    def overlaps(self) -> list[Overlap]:
        """Return every pair of signs that one attribute assignment satisfies."""
        table = self._categorical
        cubes = _intersections(table, table)
        rules = _per_rule(cubes, table, table)

        found = []
        for first, second in zip(*np.nonzero(np.triu(rules, k=1)), strict=True):
            rows = np.nonzero(table.owner_array == first)[0]
            columns = np.nonzero(table.owner_array == second)[0]
            row, column = np.argwhere(cubes[np.ix_(rows, columns)])[0]
            witness = self._witness(table, rows[row], columns[column])
            found.append(Overlap(int(first), int(second), witness))
        return found

    def subsumptions(self) -> np.ndarray:
        """Return a boolean matrix: [s, b] is true when sign s never scores above sign b."""
        if self._subsumed is None:
            self._subsumed = self._compute_subsumptions()
        return self._subsumed

    def _compute_subsumptions(self) -> np.ndarray:
        count = len(self.rules)
        subsumed = np.zeros((count, count), dtype=bool)
        table = self._independent

        # A sign that another covers also overlaps it, so only overlapping
        # pairs need the check. Ignoring the pictogram tests here makes the
        # overlap test cheap and errs only towards more candidates.
        keys = [key for key in table.rows if key[0] != "exemplar"]
        candidates = _per_rule(_intersections(table, table, keys=keys), table, table)
        np.fill_diagonal(candidates, False)

        for b in np.nonzero(candidates.any(axis=0))[0]:
            rule = self.rules[b]
            signs = np.nonzero(candidates[:, b])[0]
            rows = np.nonzero(np.isin(table.owner_array, signs))[0]
            negated = self._table_of([(int(b), rule.cubes.negated())])

            # Sign s is covered by b when none of its cubes meets "not b".
            meets = _intersections(table, negated, rows_wanted=rows).any(axis=1)
            outside = np.zeros(count, dtype=bool)
            np.logical_or.at(outside, table.owner_array[rows], meets)
            for s in signs:
                if not outside[s] and (rule.parameter is None or self._pinned(int(s), rule)):
                    subsumed[s, b] = True
        return subsumed

    # ------------------------------------------------------------------ domains

    def _build_domains(self) -> dict[_VariableKey, _Domain]:
        literals: dict[str, set[str]] = {}
        families: dict[str, list[frozenset[str]]] = {}
        exemplars: dict[str, set[str]] = {}
        categorical: set[str] = set()

        for rule in self.rules:
            for predicate in iter_predicates(rule.condition):
                if isinstance(predicate, CategoricalTest):
                    categorical.add(predicate.attribute)
                elif isinstance(predicate, StringTest):
                    literals.setdefault(predicate.attribute, set()).update(predicate.strings)
                elif isinstance(predicate, ParameterTest):
                    literals.setdefault(predicate.attribute, set())
                    families.setdefault(predicate.attribute, []).append(frozenset(rule.parameter.strings))
                elif isinstance(predicate, PictogramTest):
                    exemplars.setdefault(predicate.attribute, set()).add(predicate.exemplar)

        domains = {}
        for name in sorted(categorical):
            values = self.schema.categorical[name].values
            domains[("categorical", name)] = _Domain(
                ("categorical", name), [f"{name} = {v}" for v in values], {v: i for i, v in enumerate(values)}
            )
        for name in sorted(literals):
            domains[("string", name)] = self._string_domain(name, literals[name], families.get(name, []))
        for name, names in sorted(exemplars.items()):
            ordered = sorted(names)
            domains[("pictogram", name)] = _Domain(
                ("pictogram", name),
                [f"{name} ~ {n}" for n in ordered] + [f"{name} ~ (another pictogram)"],
                {n: i for i, n in enumerate(ordered)},
                other=len(ordered),
            )
            for exemplar in ordered:
                key = ("exemplar", name, exemplar)
                domains[key] = _Domain(key, [f"{name} ~ {exemplar}", f"not {name} ~ {exemplar}"], {})
        return domains

    def _string_domain(self, name: str, literals: set[str], families: list[frozenset[str]]) -> _Domain:
        key = ("string", name)
        ordered = sorted(literals)
        labels = [f"{name} = {_show(s)}" for s in ordered]
        index: dict[object, int] = {s: i for i, s in enumerate(ordered)}

        # Family values that no literal names, grouped by the families allowing them.
        groups: dict[tuple[bool, ...], list[str]] = {}
        for value in sorted(set().union(*families) - literals, key=lambda s: (len(s), s)):
            groups.setdefault(tuple(value in f for f in families), []).append(value)
        for members in groups.values():
            cell = len(labels)
            labels.append(f"{name} = {_show(members[0])}")
            for value in members:
                index[value] = cell

        spare = _string_outside(self.schema.strings[name], set(index))
        domain = _Domain(key, labels, index, literal_cells=frozenset(range(len(ordered))))
        if spare is not None:
            domain.other = len(labels)
            labels.append(f"{name} = {_show(spare)}")
        return domain

    # ------------------------------------------------------------------ tables

    def _cubes(self, rule: CompiledRule, mode: PictogramMode) -> Cubes | None:
        if rule.cubes is None:
            return None
        exemplars = [v.key for v in rule.cubes.variables if v.key[0] == "exemplar"]
        if len({key[1] for key in exemplars}) == len(exemplars):
            # With at most one exemplar per attribute, "pictogram ~ X" as a
            # yes/no variable and as a choice of {X, anything else} have the
            # same cubes, so only the variables need renaming.
            variables = tuple(
                Variable(("pictogram", v.key[1]), (frozenset([v.key[2]]), frozenset([OTHER])))
                if v.key[0] == "exemplar"
                else v
                for v in rule.cubes.variables
            )
            return Cubes(variables, rule.cubes.cubes, rule.cubes.mask)
        return compile_cubes(rule.condition, self.schema, mode)

    def _table(self, cubes_of) -> _CubeTable:
        return self._table_of([(index, cubes_of(rule)) for index, rule in enumerate(self.rules)])

    def _table_of(self, entries: list[tuple[int, Cubes | None]]) -> _CubeTable:
        table = _CubeTable(len(self.rules))
        for index, cubes in entries:
            if cubes is None:
                continue
            rule = self.rules[index]
            cell_masks = [self._cell_masks(rule, variable) for variable in cubes.variables]
            for cube in cubes.cubes:
                masks = {}
                for variable, cells, choice in zip(cubes.variables, cell_masks, cube, strict=True):
                    if choice is None:
                        continue
                    masks[variable.key] = cells[choice[0]] if len(choice) == 1 else cells[list(choice)].any(axis=0)
                # A cube whose cell maps to nothing (no string is left for OTHER) is empty.
                if all(mask.any() for mask in masks.values()):
                    table.add(index, masks)
        table.freeze()
        return table

    def _cell_masks(self, rule: CompiledRule, variable: Variable) -> np.ndarray:
        """Return one global mask per cell of a rule's variable, as rows of a matrix."""
        # Only a family's PARAMETER cell depends on the rule beyond its cells.
        parameter = rule.parameter.strings if rule.parameter is not None else None
        key = (variable.key, variable.cells, parameter)
        if key not in self._cell_cache:
            self._cell_cache[key] = np.array([self._global_mask(rule, variable, cell) for cell in variable.cells])
        return self._cell_cache[key]

    def _global_mask(self, rule: CompiledRule, variable, cell: frozenset) -> np.ndarray:
        kind = variable.key[0]
        if kind == "exemplar":
            return np.array([True in cell, False in cell])

        domain = self.domains[variable.key]
        mask = np.zeros(len(domain.labels), dtype=bool)
        if kind == "categorical":
            mask[[domain.index[v] for v in cell]] = True
            return mask

        for item in cell:
            if item is PARAMETER:
                mask[[domain.index[s] for s in rule.parameter.strings]] = True
            elif item is OTHER:
                mask[:] = True
                for named in variable.cells:
                    if OTHER not in named:
                        mask &= ~self._global_mask(rule, variable, named)
            else:
                mask[domain.index[item]] = True
        return mask

    # ------------------------------------------------------------------ helpers

    def _witness(self, table: _CubeTable, first: int, second: int) -> tuple[str, ...]:
        parts = []
        for key, domain in self.domains.items():
            if key[0] == "exemplar":
                continue
            a, b = table.mask(key, first), table.mask(key, second)
            if a is None and b is None:
                continue
            shared = np.ones(len(domain.labels), dtype=bool)
            for mask in (a, b):
                if mask is not None:
                    shared &= mask
            parts.append(domain.labels[int(np.argmax(shared))])
        return tuple(parts)

    def _pinned(self, s: int, family: CompiledRule) -> bool:
        # True when every cube of sign s fixes the family's attribute to a
        # single literal, or to exactly s's own family values.
        key = ("string", family.parameter.attribute)
        rows = np.nonzero(self._independent.owner_array == s)[0]
        masks = [self._independent.mask(key, int(r)) for r in rows]
        if not masks or any(m is None for m in masks):
            return False

        first = masks[0]
        if any(not np.array_equal(m, first) for m in masks):
            return False
        own = self.rules[s].parameter
        if own is not None:
            if own.attribute != family.parameter.attribute:
                return False
            values = np.zeros_like(first)
            values[[self.domains[key].index[v] for v in own.strings]] = True
            return bool(np.array_equal(first, values))
        cells = np.nonzero(first)[0]
        return len(cells) == 1 and int(cells[0]) in self.domains[key].literal_cells


def _intersections(
    rows: _CubeTable,
    columns: _CubeTable,
    *,
    keys: list[_VariableKey] | None = None,
    rows_wanted: np.ndarray | None = None,
) -> np.ndarray:
    """Return a boolean matrix of which cube pairs share an assignment.

    Only the variables in ``keys`` (default: all) are compared, and only the
    rows in ``rows_wanted`` (default: all) are returned.
    """
    wanted = slice(None) if rows_wanted is None else rows_wanted
    count = len(rows) if rows_wanted is None else len(rows_wanted)
    result = np.ones((count, len(columns)), dtype=bool)

    # A variable that one side never constrains cannot separate any pair.
    shared = rows.rows.keys() & columns.rows.keys()
    for key in shared if keys is None else shared & set(keys):
        if key in rows.bits:
            result &= (rows.bits[key][wanted, None] & columns.bits[key][None, :]) != 0
        else:
            result &= _large_overlap(rows.full[key][wanted], columns.full[key])
    return result


def _large_overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return which masks of ``a`` share a cell with which masks of ``b``, for large domains.

    In a large domain (a string attribute with many literals) most masks hold
    one literal or every cell. A one-literal mask meets another mask exactly
    when that one contains its cell, which is a gather instead of a product over
    the whole domain.
    """
    a_count = a.sum(axis=1)
    b_count = b.sum(axis=1)
    block = np.ones((len(a), len(b)), dtype=bool)

    a_single = a_count == 1
    block[a_single] = b[:, a[a_single].argmax(axis=1)].T

    a_general = (a_count > 1) & (a_count < a.shape[1])
    if a_general.any():
        rows = a[a_general]
        part = np.ones((len(rows), len(b)), dtype=bool)
        b_single = b_count == 1
        part[:, b_single] = rows[:, b[b_single].argmax(axis=1)]
        b_general = (b_count > 1) & (b_count < b.shape[1])
        if b_general.any():
            part[:, b_general] = (rows.astype(np.float32) @ b[b_general].T.astype(np.float32)) > 0
        block[a_general] = part
    return block


def _per_rule(cubes: np.ndarray, rows: _CubeTable, columns: _CubeTable) -> np.ndarray:
    """Reduce a cube-pair matrix to a rule-pair matrix with "any"."""
    result = np.zeros((rows.rule_count, columns.rule_count), dtype=bool)
    if cubes.size == 0:
        return result

    row_rules, row_starts = np.unique(rows.owner_array, return_index=True)
    column_rules, column_starts = np.unique(columns.owner_array, return_index=True)
    reduced = np.logical_or.reduceat(cubes, row_starts, axis=0)
    reduced = np.logical_or.reduceat(reduced, column_starts, axis=1)
    result[np.ix_(row_rules, column_rules)] = reduced
    return result


def _string_outside(attribute, taken: set[str]) -> str | None:
    """Return a string the attribute can read that is not in ``taken``, or None."""
    # Among len(taken) + 1 distinct strings one is outside taken, so the
    # search stops early unless the attribute's strings run out.
    for length in range(attribute.max_length + 1):
        for symbols in product(attribute.alphabet, repeat=length):
            candidate = "".join(symbols)
            if candidate not in taken:
                return candidate
    return None


def _show(value: str) -> str:
    return "none" if value == "" else f'"{value}"'
