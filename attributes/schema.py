"""Attribute schema: which attributes the networks predict and which values
the rule language may name.

The schema is read from a YAML file (``schema.yaml`` beside this module by
default). Three kinds of attribute exist:

- categorical: one value out of a fixed list (shape, fill, border, strike);
- string: a sequence of up to ``max_length`` symbols from an alphabet, or the
  empty string for "none" (digits, text);
- embedding: an L2-normalised vector that is compared with exemplars
  (pictogram).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from signrules.attributes.errors import SchemaError

__all__ = [
    "DEFAULT_SCHEMA_PATH",
    "CategoricalAttribute",
    "EmbeddingAttribute",
    "Schema",
    "StringAttribute",
    "default_schema",
    "load_schema",
]

DEFAULT_SCHEMA_PATH = Path(__file__).with_name("schema.yaml")


@dataclass(frozen=True)
class CategoricalAttribute:
    """An attribute that takes one value out of a fixed list."""

    name: str
    values: tuple[str, ...]
    description: str = ""
    #: The values are colours, which a washed-out photograph no longer
    #: shows; training ignores this label on images it washes out.
    colour: bool = False

    def index(self, value: str) -> int:
        """Return the position of ``value`` in ``values``; raise SchemaError if absent."""
        try:
            return self.values.index(value)
        except ValueError:
            raise SchemaError(
                f'unknown value "{value}" for attribute "{self.name}"; '
                f"expected one of {', '.join(self.values)}"
            ) from None


@dataclass(frozen=True)
class StringAttribute:
    """An attribute whose value is a short string, or "" for none."""

    name: str
    alphabet: str
    max_length: int
    description: str = ""

    @property
    def end_index(self) -> int:
        """Index of the end-of-string symbol, which follows the alphabet."""
        return len(self.alphabet)

    @property
    def num_symbols(self) -> int:
        """Alphabet size plus one for the end-of-string symbol."""
        return len(self.alphabet) + 1

    def check(self, value: str) -> None:
        """Raise SchemaError unless ``value`` can be read by this attribute."""
        if len(value) > self.max_length:
            raise SchemaError(
                f'value "{value}" of attribute "{self.name}" is too long '
                f"({len(value)} > {self.max_length} symbols)"
            )
        bad = sorted(set(value) - set(self.alphabet))
        if bad:
            raise SchemaError(
                f'value "{value}" of attribute "{self.name}" has symbols outside '
                f'its alphabet "{self.alphabet}": {"".join(bad)}'
            )


@dataclass(frozen=True)
class EmbeddingAttribute:
    """An L2-normalised embedding, compared with exemplars by cosine similarity."""

    name: str
    dim: int
    description: str = ""


@dataclass(frozen=True)
class Schema:
    """The attributes of one schema file, in file order."""

    categorical: dict[str, CategoricalAttribute]
    strings: dict[str, StringAttribute]
    embeddings: dict[str, EmbeddingAttribute]
    version: int = 1
    source: str = field(default="<memory>", compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        """Every attribute name, categorical first."""
        return (*self.categorical, *self.strings, *self.embeddings)

    def fingerprint(self) -> str:
        """Return a short hash of the schema's content, stored with weights."""
        content = {
            "version": self.version,
            "categorical": {n: list(a.values) for n, a in self.categorical.items()},
            "strings": {n: [a.alphabet, a.max_length] for n, a in self.strings.items()},
            "embeddings": {n: a.dim for n, a in self.embeddings.items()},
        }
        encoded = json.dumps(content, sort_keys=True).encode()
        return hashlib.sha256(encoded).hexdigest()[:16]

    @classmethod
    def from_dict(cls, data: object, *, source: str = "<memory>") -> Schema:
        """Build a schema from parsed YAML; raise SchemaError naming the bad entry."""
        if not isinstance(data, dict):
            raise SchemaError(f"{source}: expected a mapping at the top level")

        unknown = set(data) - {"version", "categorical", "strings", "embedding"}
        if unknown:
            raise SchemaError(f"{source}: unknown top-level keys: {', '.join(sorted(unknown))}")

        categorical = {}
        for name, entry in _section(data, "categorical", source).items():
            values = entry.get("values") if isinstance(entry, dict) else None
            if not isinstance(values, list) or not values:
                raise SchemaError(f'{source}: categorical attribute "{name}" needs a list of values')
            values = tuple(str(v) for v in values)
            if len(set(values)) != len(values):
                raise SchemaError(f'{source}: categorical attribute "{name}" repeats a value')
            _check_keys(entry, _CATEGORICAL_KEYS, f'categorical attribute "{name}"', source)
            colour = entry.get("colour", False)
            if not isinstance(colour, bool):
                raise SchemaError(f'{source}: categorical attribute "{name}" has colour: {json.dumps(colour)}; '
                                  "expected true or false")
            categorical[name] = CategoricalAttribute(name, values, entry.get("description", ""), colour)

        strings = {}
        for name, entry in _section(data, "strings", source).items():
            if isinstance(entry, dict):
                _check_keys(entry, _STRING_KEYS, f'string attribute "{name}"', source)
            try:
                alphabet = str(entry["alphabet"])
                max_length = int(entry["max_length"])
            except (TypeError, KeyError, ValueError):
                raise SchemaError(
                    f'{source}: string attribute "{name}" needs "alphabet" and "max_length"'
                ) from None
            if not alphabet or len(set(alphabet)) != len(alphabet) or max_length < 1:
                raise SchemaError(f'{source}: string attribute "{name}" has an invalid alphabet or length')
            strings[name] = StringAttribute(name, alphabet, max_length, entry.get("description", ""))

        embeddings = {}
        for name, entry in _section(data, "embedding", source).items():
            if isinstance(entry, dict):
                _check_keys(entry, _EMBEDDING_KEYS, f'embedding "{name}"', source)
            try:
                dim = int(entry["dim"])
            except (TypeError, KeyError, ValueError):
                raise SchemaError(f'{source}: embedding "{name}" needs an integer "dim"') from None
            embeddings[name] = EmbeddingAttribute(name, dim, entry.get("description", ""))

        names = [*categorical, *strings, *embeddings]
        if len(set(names)) != len(names):
            raise SchemaError(f"{source}: an attribute name is used twice")
        return cls(categorical, strings, embeddings, int(data.get("version", 1)), source)


# The keys an entry of each section may have; a misspelt key, such as
# "color", would otherwise be ignored without a word.
_CATEGORICAL_KEYS = ("values", "description", "colour")
_STRING_KEYS = ("alphabet", "max_length", "description")
_EMBEDDING_KEYS = ("dim", "description")


def _check_keys(entry: dict, allowed: tuple[str, ...], attribute: str, source: str) -> None:
    unknown = [str(key) for key in entry if key not in allowed]
    if unknown:
        raise SchemaError(f"{source}: {attribute} has unknown key(s) {', '.join(unknown)}; "
                          f"expected {', '.join(allowed)}")


def _section(data: dict, key: str, source: str) -> dict:
    section = data.get(key) or {}
    if not isinstance(section, dict):
        raise SchemaError(f'{source}: "{key}" must be a mapping of attribute names')
    return section


def load_schema(path: str | Path) -> Schema:
    """Read a schema YAML file; raise SchemaError naming the file on any problem."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchemaError(f"{path}: cannot read schema: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SchemaError(f"{path}: invalid YAML: {exc}") from None
    return Schema.from_dict(data, source=str(path))


@cache
def default_schema() -> Schema:
    """Return the schema shipped with signrules."""
    return load_schema(DEFAULT_SCHEMA_PATH)
