"""The rule linter: finds rule sets below the given paths and runs every check on each.

Rule sets are linted one at a time, so signs of different rule sets (and
countries) are never compared with each other.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from signrules.attributes.schema import Schema, default_schema
from signrules.engine.errors import RuleSetError
from signrules.engine.lint.checks import (
    ALL_CHECKS,
    CHECKS,
    COMPILE_PREREQUISITES,
    EXEMPLAR_CHECKS,
    missing_manifest,
)
from signrules.engine.lint.context import LintContext
from signrules.engine.manifest import MANIFEST_NAME
from signrules.engine.problems import Problem, Severity, excerpt
from signrules.engine.source import (
    RULE_SUFFIX,
    RuleSetSource,
    enclosing_ruleset,
    read_ruleset_source,
)

__all__ = [
    "SKIPPED_FOLDERS",
    "LintReport",
    "check_codes",
    "find_rulesets",
    "is_skipped_folder",
    "lint_paths",
    "lint_ruleset",
    "run_checks",
]

log = logging.getLogger(__name__)

#: Names of folders that the search for rule sets passes over, because build
#: output and installed packages hold copies of the rule sets. Folders whose
#: name starts with "." and virtual environments are passed over too.
SKIPPED_FOLDERS = frozenset({"build", "dist", "site-packages", "__pycache__"})


@dataclass(frozen=True)
class LintReport:
    """Problems found under some paths, sorted by file, line and column."""

    problems: tuple[Problem, ...]
    rulesets: tuple[Path, ...] = field(default=())

    @property
    def errors(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity is Severity.WARNING for p in self.problems)


def run_checks(
    source: RuleSetSource,
    schema: Schema,
    *,
    warnings: bool = True,
    check_exemplars: bool = True,
) -> tuple[list[Problem], LintContext]:
    """Run the checks on one parsed rule set; return the sorted problems and the context.

    ``warnings=False`` skips the warning-only checks (what loading needs);
    ``check_exemplars=False`` skips the exemplar folder checks.
    """
    context = LintContext(source, schema)
    problems: list[Problem] = []
    blocked = False

    for module in CHECKS:
        if not warnings and module.SEVERITY is Severity.WARNING:
            continue
        if not check_exemplars and module.ID in EXEMPLAR_CHECKS:
            continue
        if module.STAGE == "compiled" and blocked:
            continue

        for location, message in module.check(context):
            problems.append(Problem(location.path, location.line, location.column, module.ID, module.SEVERITY, message))
        if module.ID in COMPILE_PREREQUISITES and any(p.code == module.ID for p in problems):
            blocked = True

    return _with_excerpts(problems, source), context


def lint_ruleset(
    path: str | Path, *, schema: Schema | None = None, check_exemplars: bool = True
) -> list[Problem]:
    """Lint one rule set folder; raise RuleSetError only if a file cannot be read."""
    source = read_ruleset_source(path)
    problems, _ = run_checks(source, schema or default_schema(), check_exemplars=check_exemplars)
    return problems


def lint_paths(paths: Sequence[str | Path], *, schema: Schema | None = None) -> LintReport:
    """Lint every rule set at or below the given folders and files.

    A ``.signs`` file stands for the rule set it belongs to, but only its own
    problems are reported. Raises RuleSetError if a path does not exist, is
    not a rule file or folder, or cannot be read.
    """
    schema = schema or default_schema()
    rulesets, orphans, only = find_rulesets(paths)

    problems: list[Problem] = []
    for location, message in missing_manifest.check_orphans(orphans):
        problems.append(
            Problem(location.path, location.line, location.column, missing_manifest.ID, missing_manifest.SEVERITY, message)
        )

    for root in rulesets:
        found = lint_ruleset(root, schema=schema)
        if root in only:
            found = [p for p in found if p.path in only[root]]
        problems.extend(found)

    problems.sort(key=lambda p: p.sort_key)
    return LintReport(tuple(problems), tuple(rulesets))


def find_rulesets(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path], dict[Path, set[str]]]:
    """Return the rule set folders to lint, the rule files outside any set, and the file filters.

    The filters map a rule set to the files whose problems alone are wanted;
    a rule set reached through a folder has no filter. The search below a
    given folder passes over the folders that ``is_skipped_folder`` names,
    unless the given folder is itself one of them.
    """
    rulesets: dict[Path, None] = {}
    orphans: dict[Path, None] = {}
    whole: set[Path] = set()
    only: dict[Path, set[str]] = {}

    for given in paths:
        path = Path(given)
        if not path.exists():
            raise RuleSetError(f"{path}: no such file or folder")

        if path.is_dir():
            enclosing = enclosing_ruleset(path)
            if enclosing is not None:
                rulesets[enclosing] = None
                whole.add(enclosing)
            manifests, rule_files = _search(path, prune=not is_skipped_folder(path.resolve()))
            for manifest in manifests:
                rulesets[manifest.parent] = None
                whole.add(manifest.parent)
            for rule_file in rule_files:
                if enclosing_ruleset(rule_file) is None:
                    orphans[rule_file] = None
        elif path.name == MANIFEST_NAME:
            rulesets[path.parent] = None
            whole.add(path.parent)
        elif path.suffix == RULE_SUFFIX:
            enclosing = enclosing_ruleset(path)
            if enclosing is None:
                orphans[path] = None
            else:
                rulesets[enclosing] = None
                only.setdefault(enclosing, set()).add(str(path))
        else:
            raise RuleSetError(f"{path}: not a rule file; expected a {RULE_SUFFIX} file, a {MANIFEST_NAME} or a folder")

    filters = {root: files for root, files in only.items() if root not in whole}
    return list(rulesets), list(orphans), filters


def is_skipped_folder(folder: Path) -> bool:
    """Return whether the search for rule sets passes over ``folder``.

    These are folders named in SKIPPED_FOLDERS or ending in ".egg-info",
    folders whose name starts with ".", and virtual environments (folders
    with a ``pyvenv.cfg``).
    """
    name = folder.name
    return (
        name.startswith(".")
        or name in SKIPPED_FOLDERS
        or name.endswith(".egg-info")
        or (folder / "pyvenv.cfg").is_file()
    )


def _search(folder: Path, *, prune: bool) -> tuple[list[Path], list[Path]]:
    """Return the manifests and the rule files at or below ``folder``, sorted.

    With ``prune``, skipped folders below ``folder`` are not entered.
    """
    manifests: list[Path] = []
    rule_files: list[Path] = []
    for current, subfolders, files in os.walk(folder):
        here = Path(current)
        if prune:
            skipped = [name for name in subfolders if is_skipped_folder(here / name)]
            for name in skipped:
                log.debug("not searching %s for rule sets: hidden, a virtual environment or build output",
                          here / name)
            subfolders[:] = [name for name in subfolders if name not in skipped]

        for name in files:
            if name == MANIFEST_NAME:
                manifests.append(here / name)
            elif name.endswith(RULE_SUFFIX):
                rule_files.append(here / name)
    return sorted(manifests), sorted(rule_files)


def check_codes() -> tuple[str, ...]:
    """Return the code of every check, in the order they run."""
    return tuple(module.ID for module in ALL_CHECKS)


def _with_excerpts(problems: list[Problem], source: RuleSetSource) -> list[Problem]:
    result = []
    for problem in sorted(problems, key=lambda p: p.sort_key):
        text = source.text_of(problem.path)
        shown = excerpt(text, problem.line, problem.column) if text else ""
        result.append(
            Problem(problem.path, problem.line, problem.column, problem.code, problem.severity, problem.message, shown)
        )
    return result
