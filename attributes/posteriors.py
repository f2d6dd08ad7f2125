"""Posteriors: the networks' output for a batch of images, in schema terms.

This is the one seam between ``attributes`` (which produces posteriors) and
``engine`` (which evaluates rules on them). Everything on either side can be
built and tested against it alone, for example the evaluator on hand-made
posteriors.

String attributes are read per position: position ``i`` holds a distribution
over the alphabet plus an end-of-string symbol, and the string is read left
to right up to the first end symbol. The positions are treated as
independent, so the probability of a string ``s`` of length ``n`` is

    P(s) = prod_{i < n} p_i(s[i]) * prod_{i >= n} p_i(end)

and "none" is the empty string, all positions at the end symbol.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from signrules.attributes.errors import SchemaError
from signrules.attributes.schema import Schema, StringAttribute

__all__ = ["Posteriors", "ReaderOutput", "SequencePosterior"]

# Probabilities are clipped before taking logs so that a head that is certain
# of a symbol does not turn every other string into -inf, which would make
# ranking among unlikely strings arbitrary.
_LOG_FLOOR = 1e-12


@dataclass(frozen=True)
class SequencePosterior:
    """Per-position symbol distributions of one string attribute.

    ``probs`` has shape (N, max_length, len(alphabet) + 1); the last symbol of
    the third axis is the end of the string.
    """

    attribute: StringAttribute
    probs: np.ndarray

    def __post_init__(self) -> None:
        expected = (self.attribute.max_length, self.attribute.num_symbols)
        if self.probs.ndim != 3 or self.probs.shape[1:] != expected:
            raise SchemaError(
                f'string attribute "{self.attribute.name}" expects probabilities of shape '
                f"(N, {expected[0]}, {expected[1]}), got {self.probs.shape}"
            )

    def __len__(self) -> int:
        return self.probs.shape[0]

    def encode(self, strings: Sequence[str]) -> np.ndarray:
        """Return symbol indices of shape (len(strings), max_length), padded with end."""
        attribute = self.attribute
        lookup = {symbol: i for i, symbol in enumerate(attribute.alphabet)}
        codes = np.full((len(strings), attribute.max_length), attribute.end_index, dtype=np.int64)
        for row, string in enumerate(strings):
            attribute.check(string)
            codes[row, : len(string)] = [lookup[symbol] for symbol in string]
        return codes

    def log_prob(self, strings: Sequence[str]) -> np.ndarray:
        """Return log P(string) for every image and string, shape (N, len(strings))."""
        codes = self.encode(strings)
        log_probs = np.log(np.clip(self.probs, _LOG_FLOOR, 1.0))
        positions = np.arange(self.attribute.max_length)

        # log_probs[:, positions, codes] gathers, for each string, the log
        # probability of its symbol at each position: shape (N, S, L).
        gathered = log_probs[:, positions[None, :], codes]
        return gathered.sum(axis=2)

    def prob(self, strings: Sequence[str]) -> np.ndarray:
        """Return P(string) for every image and string, shape (N, len(strings))."""
        return np.exp(self.log_prob(strings))

    def decode_with_prob(self) -> tuple[list[str], np.ndarray]:
        """Return the decoded strings (see ``decode``) and each one's probability, shape (N,)."""
        strings = self.decode()
        codes = self.encode(strings)
        rows = np.arange(len(self))[:, None]
        positions = np.arange(self.attribute.max_length)[None, :]
        return strings, self.probs[rows, positions, codes].prod(axis=1)

    def decode(self) -> list[str]:
        """Return the most likely symbol at each position, read up to the first end."""
        best = self.probs.argmax(axis=2)
        alphabet = self.attribute.alphabet
        strings = []
        for row in best:
            symbols = []
            for code in row:
                if code == self.attribute.end_index:
                    break
                symbols.append(alphabet[code])
            strings.append("".join(symbols))
        return strings


@dataclass(frozen=True)
class ReaderOutput:
    """One reader's own reading of a string attribute, before the readers were pooled.

    ``requested`` (N,) marks the images the reader was given (all, when
    None). The glyph reader, for one, gets only those the network reads a
    number on. ``read`` (N,) marks those it gave a reading for, which
    leaves out crops whose legend the glyph reader did not find. Elsewhere
    ``sequence`` has only end symbols. ``weight`` is the reader's exponent
    in the pooled geometric mean; the weights of a pooled reading sum to 1.
    """

    sequence: SequencePosterior
    read: np.ndarray
    requested: np.ndarray | None = None
    weight: float = 1.0

    def __post_init__(self) -> None:
        if self.requested is None:
            object.__setattr__(self, "requested", np.ones(len(self.read), dtype=bool))

    def __len__(self) -> int:
        return len(self.sequence)

    def select(self, index: slice | Sequence[int] | np.ndarray) -> ReaderOutput:
        return ReaderOutput(SequencePosterior(self.sequence.attribute, self.sequence.probs[index]), self.read[index],
                            self.requested[index], self.weight)


@dataclass(frozen=True)
class Posteriors:
    """Network output for N images: one entry per schema attribute.

    - ``categorical[name]``: probabilities of shape (N, len(values));
    - ``strings[name]``: a SequencePosterior;
    - ``embeddings[name]``: L2-normalised vectors of shape (N, dim);
    - ``descriptors[name]``: the same images' unit descriptors for matching
      new pictograms, shape (N, dim), from networks that have one
      (``attributes.descriptor``), else empty;
    - ``readers[name][reader]``: where ``strings[name]`` pools several
      readers (the network and the glyph reader), what each read alone, so
      that a result can show where its reading came from; else empty.
    """

    schema: Schema
    categorical: Mapping[str, np.ndarray]
    strings: Mapping[str, SequencePosterior]
    embeddings: Mapping[str, np.ndarray]
    descriptors: Mapping[str, np.ndarray] = field(default_factory=dict)
    readers: Mapping[str, Mapping[str, ReaderOutput]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [n for n in self.schema.categorical if n not in self.categorical]
        missing += [n for n in self.schema.strings if n not in self.strings]
        missing += [n for n in self.schema.embeddings if n not in self.embeddings]
        if missing:
            raise SchemaError(f"posteriors lack schema attributes: {', '.join(missing)}")

        sizes = {len(p) for p in self.categorical.values()}
        sizes |= {len(p) for p in self.strings.values()}
        sizes |= {len(e) for e in self.embeddings.values()}
        sizes |= {len(d) for d in self.descriptors.values()}
        sizes |= {len(output) for outputs in self.readers.values() for output in outputs.values()}
        if len(sizes) > 1:
            raise SchemaError(f"posteriors disagree on the number of images: {sorted(sizes)}")

        for name, attribute in self.schema.categorical.items():
            shape = self.categorical[name].shape
            if len(shape) != 2 or shape[1] != len(attribute.values):
                raise SchemaError(
                    f'attribute "{name}" expects probabilities of shape '
                    f"(N, {len(attribute.values)}), got {shape}"
                )
        for name, attribute in self.schema.embeddings.items():
            shape = self.embeddings[name].shape
            if len(shape) != 2 or shape[1] != attribute.dim:
                raise SchemaError(
                    f'embedding "{name}" expects shape (N, {attribute.dim}), got {shape}'
                )

    def __len__(self) -> int:
        for probs in self.categorical.values():
            return len(probs)
        for sequence in self.strings.values():
            return len(sequence)
        for vectors in self.embeddings.values():
            return len(vectors)
        return 0

    def select(self, index: slice | Sequence[int] | np.ndarray) -> Posteriors:
        """Return the posteriors of a subset of the images, in the given order."""
        return Posteriors(
            schema=self.schema,
            categorical={n: p[index] for n, p in self.categorical.items()},
            strings={
                n: SequencePosterior(s.attribute, s.probs[index]) for n, s in self.strings.items()
            },
            embeddings={n: e[index] for n, e in self.embeddings.items()},
            descriptors={n: d[index] for n, d in self.descriptors.items()},
            readers={n: {r: output.select(index) for r, output in outputs.items()}
                     for n, outputs in self.readers.items()},
        )

    @classmethod
    def concatenate(cls, parts: Sequence[Posteriors]) -> Posteriors:
        """Join the posteriors of several batches made with the same schema."""
        if not parts:
            raise ValueError("cannot concatenate an empty list of posteriors")
        schema = parts[0].schema
        if any(part.schema != schema for part in parts):
            raise SchemaError("cannot concatenate posteriors made with different schemas")
        weights = {n: {r: output.weight for r, output in outputs.items()} for n, outputs in parts[0].readers.items()}
        if any({n: {r: output.weight for r, output in outputs.items()} for n, outputs in part.readers.items()} != weights
               for part in parts):
            raise SchemaError("cannot concatenate posteriors read by different readers or pooled with other weights")
        return cls(
            schema=schema,
            categorical={
                n: np.concatenate([p.categorical[n] for p in parts]) for n in schema.categorical
            },
            strings={
                n: SequencePosterior(
                    schema.strings[n], np.concatenate([p.strings[n].probs for p in parts])
                )
                for n in schema.strings
            },
            embeddings={
                n: np.concatenate([p.embeddings[n] for p in parts]) for n in schema.embeddings
            },
            descriptors={
                n: np.concatenate([p.descriptors[n] for p in parts]) for n in parts[0].descriptors
            },
            readers={
                n: {
                    r: ReaderOutput(
                        SequencePosterior(schema.strings[n], np.concatenate([p.readers[n][r].sequence.probs for p in parts])),
                        np.concatenate([p.readers[n][r].read for p in parts]),
                        np.concatenate([p.readers[n][r].requested for p in parts]),
                        parts[0].readers[n][r].weight,
                    )
                    for r in pooled
                }
                for n, pooled in weights.items()
            },
        )

    def most_likely(self) -> list[dict[str, str]]:
        """Return, per image, the most likely value of every categorical and string attribute."""
        rows: list[dict[str, str]] = [{} for _ in range(len(self))]
        for name, attribute in self.schema.categorical.items():
            for row, index in zip(rows, self.categorical[name].argmax(axis=1)):
                row[name] = attribute.values[index]
        for name, sequence in self.strings.items():
            for row, string in zip(rows, sequence.decode()):
                row[name] = string
        return rows
