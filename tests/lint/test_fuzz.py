"""Random bytes and mutated rule files give lint problems, never an exception."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from signrules.engine.lint import lint_ruleset
from signrules.rules import DEFAULT_RULESET

GERMAN_FILES = sorted(DEFAULT_RULESET.glob("*.signs"))

# Fragments that mutations insert: keywords, operators, names and values.
FRAGMENTS = [
    "sign", "define", "as", "when", "where", "from", "to", "step", "catalogue", "dataset", "if",
    "and", "or", "not", "in", "(", ")", "{", "}", ",", "=", "~", '"', "#", "\n", " ",
    "N", "{N}", "shape", "digits", "text", "pictogram", "circle", "none", "prohibitory_plate",
    "0", "999", "99999999999999999999", '"STOP"', "speed_limit_{N}", "x_{N}_{M}",
]

MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["delete", "insert", "duplicate"]),
        st.integers(min_value=0, max_value=10_000),
        st.integers(min_value=1, max_value=40),
        st.sampled_from(FRAGMENTS),
    ),
    min_size=1,
    max_size=6,
)


def _mutate(text: str, mutations) -> str:
    for kind, position, length, fragment in mutations:
        position %= len(text) + 1
        if kind == "delete":
            text = text[:position] + text[position + length :]
        elif kind == "insert":
            text = text[:position] + fragment + text[position:]
        else:
            text = text[:position] + text[position : position + length] * 2 + text[position + length :]
    return text


def _lint_with(replacement: Path, data: bytes):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "de"
        shutil.copytree(DEFAULT_RULESET, root, ignore=shutil.ignore_patterns("exemplars"))
        (root / replacement.name).write_bytes(data)
        return lint_ruleset(root)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400))
def test_random_bytes_give_problems(data):
    problems = _lint_with(GERMAN_FILES[0], data)

    assert all(p.line >= 1 and p.column >= 1 for p in problems)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=st.sampled_from(GERMAN_FILES), mutations=MUTATIONS)
def test_mutated_rule_files_give_problems(file, mutations):
    text = _mutate(file.read_text(encoding="utf-8"), mutations)

    problems = _lint_with(file, text.encode("utf-8"))

    assert all(p.code and p.message for p in problems)
