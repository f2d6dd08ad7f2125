"""Exceptions raised by the rule engine.

The tree continues the one rooted in ``signrules.attributes.errors``::

    SignrulesError
    ├── SchemaError, ImageError, DatasetError, WeightsError   (attributes)
    ├── RuleSetError           a rule set failed to load; carries all problems
    │   └── RuleSyntaxError    a rule file does not parse
    ├── ExemplarError          an exemplar bank is missing, unreadable or stale
    └── ClassifierError        the classifier was called with invalid input

The command line catches ``SignrulesError`` in one place.
"""

from __future__ import annotations

from signrules.attributes.errors import (
    DatasetError,
    ImageError,
    SchemaError,
    SignrulesError,
    WeightsError,
)

__all__ = [
    "ClassifierError",
    "DatasetError",
    "ExemplarError",
    "ImageError",
    "RuleSetError",
    "RuleSyntaxError",
    "SchemaError",
    "SignrulesError",
    "WeightsError",
]


class RuleSetError(SignrulesError):
    """A rule set failed to load; ``problems`` lists every error found."""

    def __init__(self, message: str, problems: list | None = None) -> None:
        self.problems = list(problems or [])
        super().__init__(message)


class RuleSyntaxError(RuleSetError):
    """A rule file does not parse."""


class ExemplarError(SignrulesError):
    """An exemplar bank or exemplar image is missing, unreadable or stale."""


class ClassifierError(SignrulesError):
    """The classifier was called with invalid input."""
