"""Wording helpers shared by the checks."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from signrules.engine.syntax import Location


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return '; did you mean "x"?' for the closest candidate, or "" if none is close."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f'; did you mean "{matches[0]}"?' if matches else ""


def where(location: Location) -> str:
    """Return "file:line" for a message that points at another place."""
    return f"{location.path}:{location.line}"
