"""Fixtures for the rule engine tests: rule sets on disk and hand-made posteriors."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest
from signrules.attributes.posteriors import Posteriors, SequencePosterior
from signrules.attributes.schema import Schema, default_schema

MANIFEST = "name: Test\ncountry: DE\nthreshold: 0.5\n"


@pytest.fixture
def schema() -> Schema:
    return default_schema()


@pytest.fixture
def write_ruleset(tmp_path):
    """Write a rule set folder from {file name: text} and return its path."""

    def write(files: Mapping[str, str], manifest: str = MANIFEST, name: str = "set") -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        (root / "ruleset.yaml").write_text(manifest, encoding="utf-8")
        for file_name, text in files.items():
            path = root / file_name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return root

    return write


def make_posteriors(schema: Schema, rows: list[Mapping[str, object]], *, confidence: float = 1.0) -> Posteriors:
    """Build posteriors for len(rows) images from readable per-image values.

    A categorical entry is a value name (certain) or a {value: probability}
    dict; a missing one is uniform. A string entry is the string read, each
    position with ``confidence`` on its symbol (or end) and the rest spread
    evenly; a missing one reads "" with that confidence.
    """
    count = len(rows)
    categorical = {}
    for name, attribute in schema.categorical.items():
        probs = np.full((count, len(attribute.values)), 1.0 / len(attribute.values))
        for i, row in enumerate(rows):
            entry = row.get(name)
            if entry is None:
                continue
            probs[i] = 0.0
            if isinstance(entry, str):
                probs[i, attribute.index(entry)] = 1.0
            else:
                for value, probability in entry.items():
                    probs[i, attribute.index(value)] = probability
        categorical[name] = probs

    strings = {}
    for name, attribute in schema.strings.items():
        rest = (1.0 - confidence) / (attribute.num_symbols - 1)
        probs = np.full((count, attribute.max_length, attribute.num_symbols), rest)
        for i, row in enumerate(rows):
            text = str(row.get(name, ""))
            for position in range(attribute.max_length):
                symbol = attribute.alphabet.index(text[position]) if position < len(text) else attribute.end_index
                probs[i, position, symbol] = confidence
        strings[name] = SequencePosterior(attribute, probs)

    embeddings = {name: np.zeros((count, a.dim)) for name, a in schema.embeddings.items()}
    return Posteriors(schema, categorical, strings, embeddings)


@pytest.fixture
def posteriors(schema):
    """Return make_posteriors bound to the default schema."""

    def build(rows: list[Mapping[str, object]], *, confidence: float = 1.0) -> Posteriors:
        return make_posteriors(schema, rows, confidence=confidence)

    return build
