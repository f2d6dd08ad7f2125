"""unreadable-exemplar: a file in an exemplar folder cannot be read.

Every image in ``exemplars/NAME/`` must decode, and an ``embeddings.npz``
must hold a 2-D float array ``embeddings`` whose width is the schema's
embedding size (64) and whose values are finite. Each bad file is reported at
every ``pictogram ~ NAME`` that uses the folder.

Passing (``exemplars/snow/flake.png`` is a valid PNG)::

    sign snow "Ice or snow" when shape = triangle and pictogram ~ snow

Failing (``exemplars/snow/flake.png`` contains text, not an image)::

    sign snow "Ice or snow" when shape = triangle and pictogram ~ snow
"""

from __future__ import annotations

from collections.abc import Iterator

from signrules.engine.lint.checks._exemplars import inspect_folder
from signrules.engine.lint.context import LintContext
from signrules.engine.problems import Severity
from signrules.engine.syntax import Location, Similarity, iter_atoms

ID = "unreadable-exemplar"
SEVERITY = Severity.ERROR
STAGE = "source"


def check(context: LintContext) -> Iterator[tuple[Location, str]]:
    embeddings = context.schema.embeddings
    for owned in context.conditions():
        for atom, _ in iter_atoms(owned.condition):
            if not isinstance(atom, Similarity) or atom.attribute not in embeddings:
                continue
            report = inspect_folder(context, atom.exemplar, embeddings[atom.attribute].dim)
            for path, reason in report.unreadable:
                yield atom.exemplar_location, f"unreadable exemplar file {path}: {reason}"
