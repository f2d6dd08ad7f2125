"""Rule-set surgery for benchmarks: keep some signs, restrict family values.

Works on the text of the shipped rule files, where every top-level
declaration (``define`` or ``sign``) starts at the first column, as in
``rules/de``. Comment lines between two declarations stay with the one
above them.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

_DECLARATION = re.compile(r"^(sign|define)\s+([A-Za-z_][A-Za-z0-9_{}]*)", re.MULTILINE)
_WHERE = re.compile(r"^\s*where\s+\w+\s+.*$", re.MULTILINE)
# A family's dataset clause, up to its "when": "dataset gtsrb 0 if N = 20, ...".
_DATASET = re.compile(r"^(\s*)dataset\s+(\w+)\s+(.*?)(?=^\s*when\b)", re.MULTILINE | re.DOTALL)
_ENTRY = re.compile(r"(\d+)\s+if\s+\w+\s*=\s*(\d+)")


def _restrict_dataset(block: str, allowed: set[int]) -> str:
    """Drop the dataset entries of family values that are no longer allowed."""
    match = _DATASET.search(block)
    if not match:
        return block
    indent, dataset, entries = match.group(1), match.group(2), match.group(3)
    kept = [f"{c} if N = {v}" for c, v in _ENTRY.findall(entries) if int(v) in allowed]
    clause = f"{indent}dataset {dataset} {', '.join(kept)}\n" if kept else ""
    return block[: match.start()] + clause + block[match.end():]


def split_declarations(text: str) -> tuple[str, list[tuple[str, str, str]]]:
    """Split a rule file into its header and (kind, name, block) declarations."""
    starts = [m.start() for m in _DECLARATION.finditer(text)]
    if not starts:
        return text, []
    header = text[: starts[0]]
    blocks = []
    for start, end in zip(starts, starts[1:] + [len(text)]):
        block = text[start:end]
        match = _DECLARATION.match(block)
        blocks.append((match.group(1), match.group(2), block))
    return header, blocks


def write_subset(source: Path, target: Path, keep: Iterable[str],
                 family_values: Mapping[str, Iterable[int]] | None = None) -> None:
    """Copy the rule set ``source`` to ``target`` keeping only the signs ``keep``.

    Every ``define`` is kept. ``family_values`` maps a family id (such as
    ``speed_limit_{N}``) to the values it may take, replacing its ``where``
    clause; a family not in ``keep`` is dropped. Exemplar folders are not copied.
    """
    keep = set(keep)
    family_values = dict(family_values or {})
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copyfile(source / "ruleset.yaml", target / "ruleset.yaml")

    for path in sorted(source.rglob("*.signs")):
        header, blocks = split_declarations(path.read_text(encoding="utf-8"))
        parts = [header]
        for kind, name, block in blocks:
            if kind == "define":
                parts.append(block)
            elif name in keep:
                if name in family_values:
                    allowed = sorted(family_values[name])
                    values = ", ".join(str(v) for v in allowed)
                    block = _WHERE.sub(f"    where N in {{{values}}}", block)
                    block = _restrict_dataset(block, set(allowed))
                parts.append(block)
        (target / path.relative_to(source)).write_text("".join(parts), encoding="utf-8")
