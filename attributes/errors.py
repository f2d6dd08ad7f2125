"""Exceptions raised by signrules.

Every exception the library raises on purpose derives from ``SignrulesError``,
so a caller (the command line among them) can catch the whole family once::

    SignrulesError
    ├── SchemaError          the attribute schema file is invalid
    ├── ImageError           an image cannot be decoded or is out of range
    ├── DatasetError         a dataset folder or annotation file is invalid
    ├── WeightsError         network weights are missing or do not fit
    └── (engine errors, defined in signrules.engine.errors)

The tree's root lives here, on the ground floor, because ``attributes`` never
imports ``engine``.
"""

from __future__ import annotations

__all__ = [
    "DatasetError",
    "ImageError",
    "SchemaError",
    "SignrulesError",
    "WeightsError",
]


class SignrulesError(Exception):
    """Base class of every error signrules raises on purpose."""


class SchemaError(SignrulesError):
    """The attribute schema is invalid, or an attribute or value is not in it."""


class ImageError(SignrulesError):
    """An image could not be decoded, or its size or format is out of range."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class DatasetError(SignrulesError):
    """A dataset folder or its annotation files are missing or invalid."""


class WeightsError(SignrulesError):
    """Network weights are missing, corrupt or made for another schema."""
