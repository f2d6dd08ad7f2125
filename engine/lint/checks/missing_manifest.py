"""missing-manifest: a ``.signs`` file lies outside every rule set.

A rule file belongs to the nearest folder above it that has a
``ruleset.yaml``. A file with no such folder is never loaded, so linting a
folder reports it. This check runs on the paths given to ``signrules lint``
rather than on one rule set.

Passing (``rules/de/ruleset.yaml`` exists)::

    rules/de/warning.signs

Failing (no ``ruleset.yaml`` in ``rules/fr/`` or above)::

    rules/fr/warning.signs
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from signrules.engine.manifest import MANIFEST_NAME
from signrules.engine.problems import Severity
from signrules.engine.syntax import Location

ID = "missing-manifest"
SEVERITY = Severity.ERROR
STAGE = "paths"


def check_orphans(orphans: Iterable[Path]) -> Iterator[tuple[Location, str]]:
    for path in orphans:
        yield Location(str(path), 1, 1), (
            f"rule file belongs to no rule set; add a {MANIFEST_NAME} to {path.parent}/ or a folder above it"
        )
