"""The public surface of signrules.engine."""

from __future__ import annotations

from signrules import engine


def test_all_names_importable_and_sorted():
    assert engine.__all__ == sorted(engine.__all__, key=lambda name: (not name.isupper(), name))
    for name in engine.__all__:
        assert hasattr(engine, name), name


def test_load_and_lint_exported():
    assert {"load_ruleset", "lint_paths", "RuleSet", "Decision", "ScoreMatrix"} <= set(engine.__all__)
