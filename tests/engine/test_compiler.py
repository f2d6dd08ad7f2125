"""Compiler: cubes are disjoint and cover exactly the satisfying assignments.

The reference here enumerates every assignment of the attributes a condition
uses and sums the probability of those that satisfy it; the evaluator must
give the same score.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from signrules.attributes.posteriors import Posteriors, SequencePosterior
from signrules.attributes.schema import default_schema
from signrules.engine.compiler import compile_cubes, compile_rule, resolve
from signrules.engine.evaluator import Evaluator
from signrules.engine.parser import parse_rules
from signrules.engine.syntax import And, Comparison, Not, Or, Similarity

SHAPES = ("circle", "triangle", "octagon")
FILLS = ("white", "red")
TEXTS = ("STOP", "HALT")
EXEMPLARS = ("a", "b")

ATOMS = st.sampled_from([
    "shape = circle",
    "shape = triangle",
    "shape in {circle, octagon}",
    "fill = white",
    "fill in {white, red}",
    'text = "STOP"',
    'text in {"STOP", "HALT"}',
    "text = none",
    "pictogram ~ a",
    "pictogram ~ b",
])


def _combine(children):
    return st.one_of(
        children.map(lambda c: f"not ({c})"),
        st.tuples(children, children).map(lambda p: f"({p[0]}) and ({p[1]})"),
        st.tuples(children, children).map(lambda p: f"({p[0]}) or ({p[1]})"),
    )


CONDITIONS = st.recursive(ATOMS, _combine, max_leaves=6)


def _holds(node, assignment) -> bool:
    if isinstance(node, Not):
        return not _holds(node.operand, assignment)
    if isinstance(node, And):
        return all(_holds(o, assignment) for o in node.operands)
    if isinstance(node, Or):
        return any(_holds(o, assignment) for o in node.operands)
    if isinstance(node, Similarity):
        return assignment[node.exemplar]
    if isinstance(node, Comparison):
        values = {"" if v.text == "none" and v.kind.value == "name" else v.text for v in node.values}
        return assignment[node.attribute] in values
    raise AssertionError(node)


def _reference_score(condition, shape_p, fill_p, text_p, pictogram_p) -> float:
    total = 0.0
    texts = (*TEXTS, "", "OTHER")
    for shape, fill, text, a, b in itertools.product(SHAPES, FILLS, texts, (True, False), (True, False)):
        assignment = {"shape": shape, "fill": fill, "text": text, "a": a, "b": b}
        if _holds(condition, assignment):
            weight = shape_p[shape] * fill_p[fill] * text_p[text]
            weight *= pictogram_p["a"] if a else 1 - pictogram_p["a"]
            weight *= pictogram_p["b"] if b else 1 - pictogram_p["b"]
            total += weight
    return total


def _posteriors(schema, shape_p, fill_p, rng) -> Posteriors:
    categorical = {}
    for name, attribute in schema.categorical.items():
        given = {"shape": shape_p, "fill": fill_p}.get(name, {})
        row = np.array([given.get(v, 0.0) for v in attribute.values]) if given else np.full(len(attribute.values), 1 / len(attribute.values))
        categorical[name] = row[None, :]
    strings = {}
    for name, attribute in schema.strings.items():
        probs = rng.dirichlet(np.ones(attribute.num_symbols) * 0.3, size=(1, attribute.max_length))
        strings[name] = SequencePosterior(attribute, probs)
    embeddings = {name: np.zeros((1, a.dim)) for name, a in schema.embeddings.items()}
    return Posteriors(schema, categorical, strings, embeddings)


@settings(max_examples=60, deadline=None)
@given(condition=CONDITIONS, seed=st.integers(0, 2**16))
def test_score_matches_enumeration(condition, seed):
    schema = default_schema()
    rng = np.random.default_rng(seed)
    shape_p = dict(zip(SHAPES, rng.dirichlet(np.ones(3)), strict=True))
    fill_p = dict(zip(FILLS, rng.dirichlet(np.ones(2)), strict=True))
    pictogram_p = {"a": rng.random(), "b": rng.random()}
    images = _posteriors(schema, shape_p, fill_p, rng)
    read = images.strings["text"].prob([*TEXTS, ""])[0]
    text_p = {"STOP": read[0], "HALT": read[1], "": read[2], "OTHER": 1 - read.sum()}

    declaration = parse_rules(f'sign x "X" when {condition}').signs[0]
    evaluator = Evaluator([compile_rule(declaration, schema, {})], schema)
    score = evaluator.score(images, {k: np.array([v]) for k, v in pictogram_p.items()}).scores[0, 0]

    assert score == pytest.approx(_reference_score(declaration.condition, shape_p, fill_p, text_p, pictogram_p), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(condition=CONDITIONS, mode=st.sampled_from(["independent", "categorical"]))
def test_cubes_are_disjoint_and_complete(condition, mode):
    schema = default_schema()
    parsed = parse_rules(f'sign x "X" when {condition}').signs[0].condition
    cubes = compile_cubes(resolve(parsed, schema=schema, definitions={}), schema, mode)

    covered = np.zeros(cubes.mask.shape, dtype=int)
    for cube in cubes.cubes:
        index = tuple(slice(None) if choice is None else list(choice) for choice in cube)
        block = np.zeros(cubes.mask.shape, dtype=bool)
        block[np.ix_(*[range(n) if isinstance(i, slice) else i for i, n in zip(index, cubes.mask.shape, strict=True)])] = True
        covered += block

    # Disjoint: no cell is covered twice. Complete: exactly the satisfying cells.
    assert covered.max(initial=0) <= 1
    np.testing.assert_array_equal(covered.astype(bool), cubes.mask)


def test_negated_cubes_cover_the_rest(schema):
    parsed = parse_rules('sign x "X" when shape = circle and not text = "STOP"').signs[0].condition
    cubes = compile_cubes(resolve(parsed, schema=schema, definitions={}), schema, "independent")

    negated = cubes.negated()

    np.testing.assert_array_equal(negated.mask, ~cubes.mask)
    assert len(cubes.cubes) == 1
    assert len(negated.cubes) == 2


def test_values_that_no_test_separates_share_a_cell(schema):
    parsed = parse_rules('sign x "X" when fill in {white, yellow} and shape = circle').signs[0].condition
    cubes = compile_cubes(resolve(parsed, schema=schema, definitions={}), schema, "independent")

    fill = next(v for v in cubes.variables if v.key == ("categorical", "fill"))
    assert sorted(len(cell) for cell in fill.cells) == [2, 5]
