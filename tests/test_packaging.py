"""Packaging: every source folder is installed under the signrules namespace."""

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


def test_no_generic_top_level_module():
    import importlib.util

    for name in ("engine", "attributes", "rules"):
        assert importlib.util.find_spec(name) is None, f"'{name}' must not be importable"
