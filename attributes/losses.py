"""Training losses of the attribute network, masked where a label is unknown."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from signrules.attributes.labels import IGNORE
from signrules.attributes.schema import Schema
from torch import nn

__all__ = ["AttributeLoss", "CosineSoftmaxLoss"]


class CosineSoftmaxLoss(nn.Module):
    """Normalised-softmax metric loss with an additive cosine margin (CosFace).

    Each pictogram class has a learned unit prototype; an embedding is pushed
    towards its class prototype and away from the others by a softmax over
    ``scale * (cosine - margin on the true class)``. Unlike pair or triplet
    losses it needs no special batch sampling, which suits batches that mix
    43 real and hundreds of synthetic pictogram classes.
    """

    def __init__(self, num_classes: int, dim: int, *, scale: float = 16.0, margin: float = 0.2) -> None:
        super().__init__()
        if num_classes < 2:
            raise ValueError(f"need at least 2 pictogram classes, got {num_classes}")
        self.prototypes = nn.Parameter(torch.randn(num_classes, dim) * 0.1)
        self.scale = scale
        self.margin = margin

    def cosine(self, embeddings: torch.Tensor) -> torch.Tensor:
        """Cosine similarity of unit embeddings to every prototype, shape (N, classes)."""
        return embeddings @ F.normalize(self.prototypes, dim=1).T

    def forward(self, embeddings: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        known = targets != IGNORE
        if not known.any():
            return embeddings.sum() * 0.0
        cosine = self.cosine(embeddings[known])
        margin = F.one_hot(targets[known], cosine.shape[1]) * self.margin
        return F.cross_entropy(self.scale * (cosine - margin), targets[known])


class AttributeLoss(nn.Module):
    """Sum of per-attribute losses; returns the total and each term."""

    def __init__(self, schema: Schema, num_pictogram_classes: int, embedding_dim: int) -> None:
        super().__init__()
        self.schema = schema
        self.metric = nn.ModuleDict(
            {name: CosineSoftmaxLoss(num_pictogram_classes, embedding_dim) for name in schema.embeddings}
        )

    def forward(
        self, outputs: dict[str, torch.Tensor], labels: dict[str, torch.Tensor]
    ) -> tuple[torch.Tensor, dict[str, float]]:
        terms: dict[str, torch.Tensor] = {}
        for name in self.schema.categorical:
            terms[name] = _masked_cross_entropy(outputs[name], labels[name])
        for name in self.schema.strings:
            logits = outputs[name]
            terms[name] = _masked_cross_entropy(logits.reshape(-1, logits.shape[-1]), labels[name].reshape(-1))
        for name in self.schema.embeddings:
            terms[name] = self.metric[name](outputs[name], labels[name])
        total = torch.stack(list(terms.values())).sum()
        return total, {name: float(value.detach()) for name, value in terms.items()}


def _masked_cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    # cross_entropy with ignore_index returns NaN when every target is
    # ignored; a batch without any label for a head contributes zero instead.
    if not (targets != IGNORE).any():
        return logits.sum() * 0.0
    return F.cross_entropy(logits, targets, ignore_index=IGNORE)
