"""Fixtures for the lint tests: a rule set folder written from snippets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from signrules.engine.lint import lint_ruleset

MANIFEST = "name: Test\ncountry: DE\n"


def write_png(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((8, 8, 3), 200, dtype=np.uint8)).save(path)


@pytest.fixture
def ruleset_dir(tmp_path):
    """Write a rule set; ``exemplars`` names get a folder with one valid PNG."""

    def write(text: str = "", *, files: dict[str, str] | None = None, exemplars=(), manifest: str = MANIFEST) -> Path:
        root = tmp_path / "set"
        root.mkdir(exist_ok=True)
        (root / "ruleset.yaml").write_text(manifest, encoding="utf-8")
        for name, content in {"rules.signs": text, **(files or {})}.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(content, encoding="utf-8")
        for name in exemplars:
            write_png(root / "exemplars" / name / "example.png")
        return root

    return write


@pytest.fixture
def lint(ruleset_dir):
    """Lint a snippet; return (code, line, column, message) of each problem with ``code`` or all."""

    def run(text: str, code: str | None = None, **kwargs) -> list[tuple[str, int, int, str]]:
        problems = lint_ruleset(ruleset_dir(text, **kwargs))
        return [(p.code, p.line, p.column, p.message) for p in problems if code is None or p.code == code]

    return run
