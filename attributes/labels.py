"""Attribute labels for training, as integer arrays aligned with the schema.

Both label sources, the GTSRB class table and the synthetic renderer, produce
one record per image: a mapping from attribute name to value, where a value
of ``None`` (or a missing key) means "unknown" and masks that head's loss.

- categorical: the value name, e.g. ``"circle"``;
- string: the string itself, ``""`` for none, e.g. ``"60"``;
- pictogram: an integer pictogram class; images of one class show the same
  symbol. GTSRB images use their class id (0-42); synthetic pictograms use
  ids from ``SYNTHETIC_PICTOGRAM_BASE`` on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from signrules.attributes.schema import Schema

__all__ = ["IGNORE", "SYNTHETIC_PICTOGRAM_BASE", "concatenate_labels", "encode_labels"]

#: Label value of an unknown attribute; such entries do not contribute to the loss.
IGNORE = -1

#: First pictogram class id used by synthetic signs, above every real class id.
SYNTHETIC_PICTOGRAM_BASE = 1000


def encode_labels(records: Sequence[Mapping[str, object]], schema: Schema) -> dict[str, np.ndarray]:
    """Turn label records into integer arrays, one per attribute.

    Categorical attributes become shape (N,) value indices; string attributes
    shape (N, max_length) symbol indices padded with the end symbol; the
    embedding attribute shape (N,) pictogram class ids. Unknown entries are
    ``IGNORE`` (a whole row of ``IGNORE`` for strings).
    """
    count = len(records)
    labels: dict[str, np.ndarray] = {}

    for name, attribute in schema.categorical.items():
        column = np.full(count, IGNORE, dtype=np.int64)
        for row, record in enumerate(records):
            value = record.get(name)
            if value is not None:
                column[row] = attribute.index(str(value))
        labels[name] = column

    for name, attribute in schema.strings.items():
        lookup = {symbol: i for i, symbol in enumerate(attribute.alphabet)}
        column = np.full((count, attribute.max_length), IGNORE, dtype=np.int64)
        for row, record in enumerate(records):
            value = record.get(name)
            if value is None:
                continue
            value = str(value)
            attribute.check(value)
            column[row, :] = attribute.end_index
            column[row, : len(value)] = [lookup[symbol] for symbol in value]
        labels[name] = column

    for name in schema.embeddings:
        column = np.full(count, IGNORE, dtype=np.int64)
        for row, record in enumerate(records):
            value = record.get(name)
            if value is not None:
                column[row] = int(value)
        labels[name] = column

    return labels


def concatenate_labels(parts: Sequence[Mapping[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Join label arrays of several sources attribute by attribute."""
    names = list(parts[0])
    return {name: np.concatenate([part[name] for part in parts]) for name in names}
