"""missing-exemplar: ``pictogram ~ NAME`` names an exemplar set that does not exist.

Exemplars live in ``<rule set>/exemplars/NAME/``: a folder with at least one
readable image (png, jpg, jpeg, ppm, bmp, webp) or an ``embeddings.npz``
holding a 2-D float array ``embeddings``. This check reports a missing or
empty folder; unreadable-exemplar reports files that cannot be read.

Passing (with ``exemplars/wild_animals/deer.png`` present)::

    sign wild_animals "Wild animals" when shape = triangle and pictogram ~ wild_animals

Failing (with no ``exemplars/wild_animal/`` folder)::

    sign wild_animals "Wild animals" when shape = triangle and pictogram ~ wild_animal
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.lint.checks._exemplars import EMBEDDINGS_FILE, IMAGE_SUFFIXES, inspect_folder
from signrules.engine.lint.checks._words import did_you_mean
from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import Location, Similarity, iter_atoms

ID = "missing-exemplar"
SEVERITY = Severity.ERROR
STAGE = "source"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    embeddings = context.schema.embeddings
    folder_root = context.root / "exemplars"
    existing = sorted(p.name for p in folder_root.iterdir() if p.is_dir()) if folder_root.is_dir() else []

    for owned in context.conditions():
        for atom, _ in iter_atoms(owned.condition):
            if not isinstance(atom, Similarity) or atom.attribute not in embeddings:
                continue

            folder = context.exemplar_folder(atom.exemplar)
            report = inspect_folder(context, atom.exemplar, embeddings[atom.attribute].dim)
            if not report.exists:
                hint = did_you_mean(atom.exemplar, existing)
                yield atom.exemplar_location, (
                    f'missing exemplar "{atom.exemplar}": no folder {folder}/{hint}'
                    if hint
                    else f'missing exemplar "{atom.exemplar}": create {folder}/ with images or an {EMBEDDINGS_FILE}'
                )
            elif report.usable == 0 and not report.unreadable:
                kinds = ", ".join(s.lstrip(".") for s in IMAGE_SUFFIXES)
                yield atom.exemplar_location, (
                    f'exemplar folder {folder}/ holds no image ({kinds}) and no {EMBEDDINGS_FILE}'
                )
