"""Inspection of exemplar folders, shared by the two exemplar checks."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image
from signrules.engine.exemplar_files import EMBEDDINGS_FILE, IMAGE_SUFFIXES
from signrules.engine.lint.context import LintContext


@dataclass
class FolderReport:
    exists: bool
    usable: int = 0
    unreadable: list[tuple[Path, str]] = field(default_factory=list)


def inspect_folder(context: LintContext, name: str, dim: int) -> FolderReport:
    """Inspect ``exemplars/<name>/`` once per lint run and return what it holds."""
    cache = context.cache.setdefault("exemplars", {})
    if (name, dim) not in cache:
        cache[(name, dim)] = _inspect(context.exemplar_folder(name), dim)
    return cache[(name, dim)]


def _inspect(folder: Path, dim: int) -> FolderReport:
    if not folder.is_dir():
        return FolderReport(exists=False)

    report = FolderReport(exists=True)
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.name == EMBEDDINGS_FILE:
            reason = _embeddings_problem(path, dim)
        elif path.suffix.lower() in IMAGE_SUFFIXES:
            reason = _image_problem(path)
        else:
            continue

        if reason is None:
            report.usable += 1
        else:
            report.unreadable.append((path, reason))
    return report


def _image_problem(path: Path) -> str | None:
    try:
        with Image.open(path) as image:
            image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        return f"not a readable image ({exc})"
    return None


def _embeddings_problem(path: Path, dim: int) -> str | None:
    try:
        with np.load(path, allow_pickle=False) as archive:
            if "embeddings" not in archive.files:
                return f'no array "embeddings" in the archive (found: {", ".join(archive.files) or "none"})'
            embeddings = archive["embeddings"]
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        return f"not a readable numpy archive ({exc})"

    if embeddings.ndim != 2 or embeddings.shape[0] == 0 or embeddings.shape[1] != dim:
        return f"embeddings have shape {embeddings.shape}, expected (N, {dim}) with N >= 1"
    if embeddings.dtype.kind != "f":
        return f"embeddings have dtype {embeddings.dtype}, expected a float type"
    if not np.isfinite(embeddings).all():
        return "embeddings contain NaN or infinite values"
    return None
