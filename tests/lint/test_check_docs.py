"""Every check documents a passing and a failing example, and both behave as documented."""

from __future__ import annotations

import re
import textwrap

import pytest
from signrules.engine.lint import check_codes, lint_ruleset
from signrules.engine.lint.checks import ALL_CHECKS, CHECKS

_BLOCK = re.compile(r"^(Passing|Failing)[^\n]*::\n\n((?:    [^\n]*\n|\n)+)", re.MULTILINE)
_EXEMPLAR = re.compile(r"pictogram ~ (\w+)")


def _examples(module) -> dict[str, str]:
    return {kind: textwrap.dedent(block).strip() + "\n" for kind, block in _BLOCK.findall(module.__doc__)}


@pytest.mark.parametrize("module", ALL_CHECKS, ids=lambda m: m.ID)
def test_check_documents_both_examples(module):
    assert set(_examples(module)) == {"Passing", "Failing"}
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", module.ID)
    assert module.__doc__.startswith(f"{module.ID}: ")


def test_codes_are_unique():
    assert len(set(check_codes())) == len(check_codes())


@pytest.mark.parametrize("module", CHECKS, ids=lambda m: m.ID)
@pytest.mark.parametrize("kind", ["Passing", "Failing"])
def test_documented_example_behaves(module, kind, ruleset_dir):
    example = _examples(module)[kind]
    if module.ID == "invalid-manifest":
        root = ruleset_dir("", manifest=example)
    else:
        names = [] if (module.ID == "missing-exemplar" and kind == "Failing") else _EXEMPLAR.findall(example)
        root = ruleset_dir(example, exemplars=names)
        if module.ID == "unreadable-exemplar" and kind == "Failing":
            for name in names:
                (root / "exemplars" / name / "flake.png").write_text("not an image")

    codes = [p.code for p in lint_ruleset(root)]

    if kind == "Passing":
        assert module.ID not in codes
    else:
        assert module.ID in codes
