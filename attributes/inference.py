"""Running the attribute network on decoded images, fast on a CPU.

For inference the batch-norm layers are folded into the convolutions and the
network runs in channels-last memory layout in chunks of 64 images; on a
2-core x86 CPU this roughly doubles throughput over the training-time module
(see docs/benchmarks.md).

On a CPU that multiplies bfloat16 numbers natively (x86 with AVX-512 BF16
or AMX), the network runs in bfloat16 by default, about twice as fast
again. Its outputs go back to float32 before the softmaxes and
temperatures, and the embeddings are normalised again in float32.
``precision="float32"`` turns this off. Other CPUs would emulate
bfloat16, most likely slower, so "auto" keeps float32 there.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import torch
from signrules.attributes.network import DESCRIPTOR_PREFIX, AttributeNet, outputs_to_posteriors
from signrules.attributes.posteriors import Posteriors, ReaderOutput, SequencePosterior
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

if TYPE_CHECKING:
    # The glyph reader itself imports this module, for fuse_batch_norm.
    from signrules.attributes.glyphs.reader import GlyphReader

__all__ = ["GLYPH_WEIGHT", "PRECISIONS", "AttributePredictor", "at_precision", "fuse_batch_norm", "images_to_tensor",
           "native_bfloat16", "pool_digits", "resolve_precision"]

#: Numeric precisions of inference; "auto" is bfloat16 where the CPU has it natively.
PRECISIONS = ("auto", "float32", "bfloat16")

#: Weight of the glyph reader's reading when it is pooled with the
#: network's. At 0.5 the shipped network and reader read the validation
#: speed limits best. More weight reads numbers the network never saw more
#: often and seen ones less often (docs/benchmarks.md).
GLYPH_WEIGHT = 0.5

# Probabilities are floored before pooling in log space, so that one
# reader's zero cannot veto the other's reading.
_FLOOR = 1e-6

# Chunk size for batched inference: large enough to amortise per-call
# overhead, small enough that activations stay in the CPU caches.
CHUNK_SIZE = 64


def native_bfloat16() -> bool:
    """Return whether this CPU multiplies bfloat16 numbers natively (AVX-512 BF16 or AMX)."""
    capabilities = torch.cpu.get_capabilities()
    return bool(capabilities.get("avx512_bf16") or capabilities.get("amx_bf16"))


def resolve_precision(precision: str) -> str:
    """Return "float32" or "bfloat16" for a name of ``PRECISIONS``; raise ValueError for another."""
    if precision not in PRECISIONS:
        raise ValueError(f"invalid precision {precision!r}: expected one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        return "bfloat16" if native_bfloat16() else "float32"
    return precision


def at_precision(model: nn.Module, precision: str) -> nn.Module:
    """Return ``model`` itself for "float32", or a bfloat16 copy of it for "bfloat16".

    The copy is made once, so that a call on one image does not pay for
    converting the weights again, as autocast would.
    """
    return model if precision == "float32" else copy.deepcopy(model).to(torch.bfloat16)


def images_to_tensor(images: np.ndarray) -> torch.Tensor:
    """Convert uint8 images (N, H, W, 3) to a float tensor (N, 3, H, W) in [0, 1]."""
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[3] != 3:
        raise ValueError(f"expected uint8 images of shape (N, H, W, 3), got {images.dtype} {images.shape}")
    tensor = torch.from_numpy(images).permute(0, 3, 1, 2)
    return tensor.float().div_(255.0)


def fuse_batch_norm(model: nn.Module) -> nn.Module:
    """Return an eval-mode copy of ``model`` with each Conv2d+BatchNorm2d pair folded."""
    model = copy.deepcopy(model).eval()
    for module in model.modules():
        if not isinstance(module, nn.Sequential):
            continue
        children = list(module)
        fused: list[nn.Module] = []
        index = 0
        while index < len(children):
            current = children[index]
            following = children[index + 1] if index + 1 < len(children) else None
            if isinstance(current, nn.Conv2d) and isinstance(following, nn.BatchNorm2d):
                fused.append(fuse_conv_bn_eval(current, following))
                index += 2
            else:
                fused.append(current)
                index += 1
        if len(fused) != len(children):
            for name in list(module._modules):
                del module._modules[name]
            for position, child in enumerate(fused):
                module.add_module(str(position), child)
    return model


def pool_digits(network: SequencePosterior, glyph_probs: np.ndarray, found: np.ndarray,
                glyph_weight: float) -> SequencePosterior:
    """Pool the glyph reader's per-position distributions into the network's (see ``AttributePredictor``).

    ``glyph_probs`` has the network's shape; only rows where ``found`` is set
    are pooled. Where the pooled number is neither reader's own, the
    network's reading stays.
    """
    probs = network.probs.copy()
    if found.any():
        pooled = (np.log(np.maximum(glyph_probs[found], _FLOOR)) * glyph_weight
                  + np.log(np.maximum(probs[found], _FLOOR)) * (1.0 - glyph_weight))
        pooled = np.exp(pooled - pooled.max(axis=2, keepdims=True))
        probs[found] = pooled / pooled.sum(axis=2, keepdims=True)
        glyphs_alone = SequencePosterior(network.attribute, glyph_probs).decode()
        read_alone = zip(SequencePosterior(network.attribute, probs).decode(), network.decode(), glyphs_alone)
        invented = np.array([mixed not in (own, glyphs) for mixed, own, glyphs in read_alone]) & found
        probs[invented] = network.probs[invented]
    return SequencePosterior(network.attribute, probs)


class AttributePredictor:
    """Turns uint8 image batches into Posteriors with an AttributeNet.

    With a ``glyph_reader`` (``signrules.attributes.glyphs``), the digits of
    each image that the network reads a number on are also read one glyph at
    a time, with the network's number of digits. Where the reader finds the
    legend, each position's distribution becomes the normalised geometric
    mean ``glyph ** glyph_weight * network ** (1 - glyph_weight)``. Where
    the two agree it stays as sure as they are. An arithmetic mixture
    flattened it and pushed speed limits below the rule threshold (0.9 %
    unknown on the validation split instead of 0.3 %).

    Pooling only arbitrates between the two readings. Where the pooled
    number is neither the network's nor the reader's, as when the network
    reads a "100" as "10" and the reader cuts the legend as "00", the
    network's reading stays: positions pooled one by one can otherwise
    add up to a number that neither read, such as "80".
    """

    def __init__(self, model: AttributeNet, temperatures: Mapping[str, float] | None = None,
                 glyph_reader: GlyphReader | None = None, glyph_weight: float = GLYPH_WEIGHT,
                 precision: str = "auto") -> None:
        self.schema = model.schema
        self.input_size = model.config.input_size
        self.model = fuse_batch_norm(model).to(memory_format=torch.channels_last)
        #: Temperature of each head's softmax; see ``outputs_to_posteriors``.
        self.temperatures = dict(temperatures or {})
        if not 0.0 <= glyph_weight <= 1.0:
            raise ValueError(f"glyph_weight must be between 0 and 1, got {glyph_weight}")
        self.glyph_reader = glyph_reader
        self.glyph_weight = glyph_weight
        #: Precision of the network, "float32" or "bfloat16" (see the module docstring).
        self.precision = resolve_precision(precision)
        self._network = at_precision(self.model, self.precision)

    @torch.inference_mode()
    def predict(self, images: np.ndarray, *, read_glyphs: bool = True) -> Posteriors:
        """Return posteriors for uint8 images of shape (N, input_size, input_size, 3).

        ``read_glyphs=False`` skips the glyph reader, for callers that need
        the network alone, such as pictogram embeddings.
        """
        if images.shape[1:3] != (self.input_size, self.input_size):
            raise ValueError(
                f"expected {self.input_size}x{self.input_size} images, got {images.shape[1]}x{images.shape[2]}"
            )
        parts = []
        for start in range(0, len(images), CHUNK_SIZE):
            batch = images_to_tensor(images[start : start + CHUNK_SIZE])
            outputs = self._run(batch.contiguous(memory_format=torch.channels_last))
            posteriors = outputs_to_posteriors(outputs, self.schema, self.temperatures)
            if read_glyphs and self.glyph_reader is not None:
                posteriors = self._read_glyphs(images[start : start + CHUNK_SIZE], posteriors)
            parts.append(posteriors)
        if not parts:
            empty = np.zeros((0, self.input_size, self.input_size, 3), dtype=np.uint8)
            return outputs_to_posteriors(self._run(images_to_tensor(empty)), self.schema, self.temperatures)
        return parts[0] if len(parts) == 1 else Posteriors.concatenate(parts)

    def _run(self, batch: torch.Tensor) -> dict[str, torch.Tensor]:
        """Run the network in ``self.precision``; return float32 outputs with unit embeddings."""
        if self.precision == "float32":
            return self.model(batch)
        outputs = {name: value.float() for name, value in self._network(batch.to(torch.bfloat16)).items()}
        # bfloat16 keeps about three significant digits, so the unit vectors
        # come out up to a few tenths of a percent off unit length.
        for name in self.schema.embeddings:
            for key in (name, DESCRIPTOR_PREFIX + name):
                if key in outputs:
                    outputs[key] = torch.nn.functional.normalize(outputs[key], dim=1)
        return outputs

    def _read_glyphs(self, images: np.ndarray, posteriors: Posteriors) -> Posteriors:
        """Pool the glyph reader's digit distributions into ``posteriors`` where it finds a legend."""
        name = "digits"
        if name not in posteriors.strings:
            return posteriors
        network = posteriors.strings[name]
        lengths = [len(number) for number in network.decode()]
        reading = self.glyph_reader.read(images, lengths)
        found = reading.found
        strings = {**posteriors.strings, name: pool_digits(network, reading.probs, found, self.glyph_weight)}

        # Every batch records both readers, even where the reader found no
        # legend, so that batches concatenate and results can show both.
        requested = np.array([length > 0 for length in lengths])
        readers = {**posteriors.readers, name: {
            "network": ReaderOutput(network, np.ones(len(images), dtype=bool), weight=1.0 - self.glyph_weight),
            "glyphs": ReaderOutput(SequencePosterior(network.attribute, reading.probs), found, requested,
                                   weight=self.glyph_weight),
        }}
        return dataclasses.replace(posteriors, strings=strings, readers=readers)
