"""Reading a rule set folder: its manifest and every ``.signs`` file below it.

A rule set is one folder with a ``ruleset.yaml``. Its rule files are the
``*.signs`` files below it, in sorted order, except those inside a subfolder
that has a manifest of its own (a nested rule set).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from signrules.engine.errors import RuleSetError
from signrules.engine.manifest import INVALID_MANIFEST, MANIFEST_NAME, Manifest, parse_manifest
from signrules.engine.parser import SYNTAX_ERROR, parse_rules
from signrules.engine.problems import Problem, Severity
from signrules.engine.syntax import Definition, SignDeclaration, SourceFile

__all__ = [
    "RULE_SUFFIX",
    "RuleSetSource",
    "enclosing_ruleset",
    "find_rule_files",
    "read_ruleset_source",
]

RULE_SUFFIX = ".signs"


@dataclass(frozen=True)
class RuleSetSource:
    """A rule set as read from disk, before any check; ``problems`` are the
    manifest's problems, the files carry their own syntax errors."""

    root: Path
    manifest: Manifest | None
    manifest_path: str
    files: tuple[SourceFile, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def definitions(self) -> Iterator[Definition]:
        for file in self.files:
            yield from file.definitions

    @property
    def signs(self) -> Iterator[SignDeclaration]:
        for file in self.files:
            yield from file.signs

    def text_of(self, path: str) -> str | None:
        """Return the text of a file of this set, for excerpts; None if not one of them."""
        for file in self.files:
            if file.path == path:
                return file.text
        return None


def read_ruleset_source(root: str | Path) -> RuleSetSource:
    """Read and parse a rule set folder; raise RuleSetError if a file cannot be read.

    Content problems (invalid YAML, syntax errors, bad UTF-8) do not raise:
    they are returned in the source for the checks to report.
    """
    root = Path(root)
    manifest_path = root / MANIFEST_NAME
    if not root.exists():
        raise RuleSetError(f"{root}: rule set folder not found")
    if not root.is_dir():
        raise RuleSetError(f"{root}: not a folder; give the rule set's folder, the one with {MANIFEST_NAME}")
    if not manifest_path.is_file():
        inside = sorted(folder.name for folder in root.iterdir() if (folder / MANIFEST_NAME).is_file())
        if inside:
            raise RuleSetError(f"{root}: not a rule set, but it contains rule sets: "
                               f"{', '.join(str(root / name) for name in inside)}")
        raise RuleSetError(f"{root}: not a rule set, {MANIFEST_NAME} is missing; create it with name and country")

    manifest_text = _read_text(manifest_path)
    if isinstance(manifest_text, Problem):
        manifest, problems = None, [_replace_code(manifest_text)]
    else:
        manifest, problems = parse_manifest(manifest_text, str(manifest_path))

    files = []
    for path in find_rule_files(root):
        text = _read_text(path)
        if isinstance(text, Problem):
            files.append(SourceFile(str(path), "", problems=(text,)))
        else:
            files.append(parse_rules(text, str(path)))
    return RuleSetSource(root, manifest, str(manifest_path), tuple(files), tuple(problems))


def find_rule_files(root: Path) -> list[Path]:
    """Return the ``.signs`` files of the rule set at ``root``, sorted."""
    found = []
    for path in sorted(root.rglob(f"*{RULE_SUFFIX}")):
        if path.is_file() and enclosing_ruleset(path) == root:
            found.append(path)
    return found


def enclosing_ruleset(path: Path) -> Path | None:
    """Return the nearest folder at or above ``path`` that has a manifest, or None."""
    folder = path if path.is_dir() else path.parent
    for candidate in (folder, *folder.parents):
        if (candidate / MANIFEST_NAME).is_file():
            return candidate
    return None


def _read_text(path: Path) -> str | Problem:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RuleSetError(f"{path}: cannot read file: {exc.strerror}") from None

    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return Problem(
            str(path), line, column, SYNTAX_ERROR, Severity.ERROR,
            f"invalid UTF-8 byte 0x{data[exc.start]:02x}; save the file as UTF-8",
        )


def _replace_code(problem: Problem) -> Problem:
    # A manifest that is not UTF-8 is a manifest problem, not a rule syntax error.
    return Problem(problem.path, problem.line, problem.column, INVALID_MANIFEST, problem.severity, problem.message)
