"""Packaging: every source folder is installed under the signrules namespace."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_listed_in_pyproject():
    # setuptools installs only the packages listed, so a new subpackage that
    # is missing from the list works in an editable install and breaks in CI.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])

    found = set()
    for top in ("attributes", "engine", "rules"):
        for init in (ROOT / top).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT)
            found.add("signrules." + ".".join(relative.parts))

    assert found - listed == set(), "add these to [tool.setuptools] packages"
    assert listed - found == set(), "these listed packages have no __init__.py"


def test_no_generic_top_level_module(tmp_path):
    # Run from an empty folder: the repository root itself has engine/ and
    # attributes/ folders, which Python would find from there.
    code = "import importlib.util as u; print([n for n in ('engine', 'attributes', 'rules') if u.find_spec(n)])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"


def test_signrules_namespace_importable(tmp_path):
    code = "import signrules.engine.cli, signrules.attributes.schema, signrules.rules"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
