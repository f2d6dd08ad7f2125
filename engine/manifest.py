"""The manifest of a rule set: ``ruleset.yaml`` at the root of its folder.

Example::

    name: Germany
    country: DE
    catalogue: StVO
    threshold: 0.5
    description: German signs of the GTSRB benchmark.

``name`` and ``country`` (an ISO 3166-1 alpha-2 code) are required.
``threshold`` is the default score below which an image is "unknown" (0.5
if absent). ``catalogue`` names the official catalogue that the signs'
``catalogue`` numbers refer to. ``pictogram_match`` says how exemplars
match: ``head`` (the default) by the network's pictogram head alone, or
``head+descriptor`` by both the head and the network's descriptor, which
finds new pictograms far more often at some cost to trained ones
(``engine.exemplars``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import yaml
from signrules.engine.problems import Problem, Severity

__all__ = ["DEFAULT_THRESHOLD", "INVALID_MANIFEST", "MANIFEST_NAME", "PICTOGRAM_MATCHES", "Manifest", "parse_manifest"]

MANIFEST_NAME = "ruleset.yaml"

#: Code of every problem this module reports.
INVALID_MANIFEST = "invalid-manifest"

#: Score below which an image is "unknown" when the manifest gives no threshold.
DEFAULT_THRESHOLD = 0.5

_KEYS = ("name", "country", "catalogue", "threshold", "description", "pictogram_match")

#: Ways exemplars may match, the first the default (see ``engine.exemplars``).
PICTOGRAM_MATCHES = ("head", "head+descriptor")
_COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class Manifest:
    """The settings of one rule set."""

    name: str
    country: str
    threshold: float = DEFAULT_THRESHOLD
    catalogue: str = ""
    description: str = ""
    pictogram_match: str = PICTOGRAM_MATCHES[0]


def parse_manifest(text: str, path: str) -> tuple[Manifest | None, list[Problem]]:
    """Read a manifest; return it, or None and the problems that make it invalid."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = getattr(exc, "problem", None) or "cannot be parsed"
        return None, [_problem(path, line, column, f"invalid YAML: {reason}")]

    if not isinstance(data, dict):
        return None, [_problem(path, 1, 1, "expected a mapping with name and country at the top level")]

    lines = _key_lines(node)
    problems = []

    def report(key: str, message: str) -> None:
        problems.append(_problem(path, lines.get(key, 1), 1, message))

    for key in data:
        if key not in _KEYS:
            hint = difflib.get_close_matches(str(key), _KEYS, n=1)
            suggestion = f'; did you mean "{hint[0]}"?' if hint else f"; expected one of {', '.join(_KEYS)}"
            report(key, f'unknown key "{key}"{suggestion}')

    for key in ("name", "country"):
        if key not in data:
            problems.append(_problem(path, 1, 1, f'missing key "{key}"'))

    name = data.get("name")
    if "name" in data and (not isinstance(name, str) or not name.strip()):
        report("name", '"name" must be a non-empty text')

    country = data.get("country")
    if "country" in data and not (isinstance(country, str) and _COUNTRY.fullmatch(country)):
        report("country", f'"country" must be a two-letter upper-case ISO 3166 code such as DE, got {country!r}')

    threshold = data.get("threshold", DEFAULT_THRESHOLD)
    valid_number = isinstance(threshold, int | float) and not isinstance(threshold, bool)
    if not valid_number or not 0.0 <= threshold <= 1.0:
        report("threshold", f'"threshold" must be a number from 0 to 1, got {threshold!r}')

    match = data.get("pictogram_match", PICTOGRAM_MATCHES[0])
    if match not in PICTOGRAM_MATCHES:
        report("pictogram_match", f'"pictogram_match" must be one of {", ".join(PICTOGRAM_MATCHES)}, got {match!r}')

    for key in ("catalogue", "description"):
        if key in data and not isinstance(data[key], str):
            report(key, f'"{key}" must be a text, got {data[key]!r}')

    if problems:
        return None, problems
    manifest = Manifest(
        name=name.strip(),
        country=country,
        threshold=float(threshold),
        catalogue=data.get("catalogue", ""),
        description=data.get("description", ""),
        pictogram_match=match,
    )
    return manifest, []


def _key_lines(node: yaml.Node | None) -> dict[str, int]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 1 for key, _ in node.value}


def _problem(path: str, line: int, column: int, message: str) -> Problem:
    return Problem(path, line, column, INVALID_MANIFEST, Severity.ERROR, message)
