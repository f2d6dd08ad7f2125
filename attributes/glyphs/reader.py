"""Reading a number glyph by glyph, as per-position posteriors of the digits attribute."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from signrules.attributes.glyphs.cutting import cut_glyphs, locate_legend
from signrules.attributes.glyphs.network import DIGITS, GlyphNet, load_glyph_net
from signrules.attributes.inference import at_precision, fuse_batch_norm, resolve_precision
from signrules.attributes.schema import StringAttribute

__all__ = ["DEFAULT_GLYPH_WEIGHTS_PATH", "GlyphReader", "GlyphReading"]

DEFAULT_GLYPH_WEIGHTS_PATH = Path(__file__).resolve().parent.parent / "weights" / "glyphs.pt"


class GlyphReading:
    """Per-position digit probabilities (N, max_length, 11) and which crops had their legend found (N,)."""

    def __init__(self, probs: np.ndarray, found: np.ndarray) -> None:
        self.probs = probs
        self.found = found

    def strings(self) -> list[str]:
        """Return the most likely digit string of each crop ("" where the legend was not found)."""
        symbols = DIGITS + "\0"
        return ["".join(symbols[k] for k in row.argmax(axis=1)).split("\0")[0] if found else ""
                for row, found in zip(self.probs, self.found)]


class GlyphReader:
    """A reader that finds the legend of a crop, cuts it into glyphs and names each with a GlyphNet.

    ``temperature`` divides the logits before the softmax (fitted like the
    attribute heads' temperatures). ``precision`` is as for
    ``AttributePredictor``: "auto" runs the network in bfloat16 where the
    CPU multiplies it natively.
    """

    def __init__(self, model: GlyphNet, attribute: StringAttribute, temperature: float = 1.0,
                 metadata: dict | None = None, precision: str = "auto") -> None:
        if attribute.alphabet != DIGITS:
            raise ValueError(f'invalid attribute "{attribute.name}": the glyph reader reads only the digits '
                             f'{DIGITS}, not the alphabet "{attribute.alphabet}"')
        self.model = fuse_batch_norm(model)
        #: Precision of the network, "float32" or "bfloat16".
        self.precision = resolve_precision(precision)
        self._network = at_precision(self.model, self.precision)
        self.attribute = attribute
        self.temperature = temperature
        self.metadata = dict(metadata or {})

    @classmethod
    def load(cls, path: str | Path, attribute: StringAttribute, precision: str = "auto") -> GlyphReader:
        model, metadata = load_glyph_net(path)
        return cls(model, attribute, float(metadata.get("temperature", 1.0)), metadata, precision)

    @torch.inference_mode()
    def classify_patches(self, patches: np.ndarray) -> np.ndarray:
        """Return digit probabilities (M, 10) for glyph patches (M, H, W)."""
        if not len(patches):
            return np.zeros((0, len(DIGITS)), np.float32)
        batch = torch.from_numpy(np.ascontiguousarray(patches, dtype=np.float32))
        if self.precision == "bfloat16":
            batch = batch.to(torch.bfloat16)
        logits = self._network(batch).float()
        return torch.softmax(logits / self.temperature, dim=1).numpy()

    def read(self, images: np.ndarray, lengths: Sequence[int]) -> GlyphReading:
        """Read the digits of uint8 crops (N, S, S, 3), each assumed to show a number of ``lengths[i]`` digits.

        A length of 0 (no number) or one above ``max_length``, and a crop
        whose legend is not found, give ``found`` False and all positions at
        the end symbol.
        """
        max_length, end = self.attribute.max_length, self.attribute.num_symbols - 1
        probs = np.zeros((len(images), max_length, self.attribute.num_symbols), np.float32)
        probs[:, :, end] = 1.0
        found = np.zeros(len(images), dtype=bool)
        patches, owners = [], []
        for index, (image, length) in enumerate(zip(images, lengths)):
            length = int(length)
            if not 1 <= length <= max_length:
                continue
            fit = locate_legend(image, length)
            if fit is None:
                continue
            found[index] = True
            patches.append(cut_glyphs(image, fit, length))
            owners.extend((index, position) for position in range(length))
        if patches:
            digit_probs = self.classify_patches(np.concatenate(patches))
            for (index, position), row in zip(owners, digit_probs):
                probs[index, position, :end] = row
                probs[index, position, end] = 0.0
        return GlyphReading(probs, found)
