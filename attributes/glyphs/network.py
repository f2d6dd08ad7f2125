"""The glyph network: a small CNN that names the digit on one glyph patch."""

from __future__ import annotations

import io
from pathlib import Path

import torch
from torch import nn

from signrules.attributes.errors import WeightsError
from signrules.attributes.glyphs.cutting import GLYPH_HEIGHT, GLYPH_WIDTH
from signrules.attributes.weights import read_archive

__all__ = ["DIGITS", "GlyphNet", "load_glyph_net", "save_glyph_net"]

#: Symbols the network names, in the order of its logits.
DIGITS = "0123456789"

_FORMAT = "signrules-glyph-net"
_FORMAT_VERSION = 1


def _conv(in_channels: int, out_channels: int) -> list[nn.Module]:
    return [nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False), nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True)]


class GlyphNet(nn.Module):
    """Three conv stages on a (1, 32, 24) patch, then two linear layers to digit logits.

    About 22 million multiply-adds per glyph, so a two-digit legend costs
    about as much as the attribute network's whole pass.
    """

    def __init__(self, dropout: float = 0.3) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            *_conv(1, 32), *_conv(32, 32), nn.MaxPool2d(2),
            *_conv(32, 64), *_conv(64, 64), nn.MaxPool2d(2),
            *_conv(64, 128), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(dropout),
            nn.Linear(128 * (GLYPH_HEIGHT // 8) * (GLYPH_WIDTH // 8), 128), nn.ReLU(inplace=True),
            nn.Linear(128, len(DIGITS)),
        )

    def forward(self, patches: torch.Tensor) -> torch.Tensor:
        """Map patches (N, H, W) or (N, 1, H, W), ink high in [0, 1], to logits (N, 10)."""
        if patches.dim() == 3:
            patches = patches[:, None]
        return self.layers(patches)


def save_glyph_net(path: str | Path, model: GlyphNet, metadata: dict) -> None:
    """Write ``model`` (as float16) and ``metadata`` to ``path`` atomically."""
    path = Path(path)
    state = {key: value.half() if value.is_floating_point() else value for key, value in model.state_dict().items()}
    buffer = io.BytesIO()
    torch.save({"format": _FORMAT, "format_version": _FORMAT_VERSION, "metadata": metadata, "state_dict": state},
               buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_bytes(buffer.getvalue())
    partial.replace(path)


def load_glyph_net(path: str | Path) -> tuple[GlyphNet, dict]:
    """Load a GlyphNet in eval mode with the file's metadata; raise WeightsError naming the file."""
    path = Path(path)
    archive = read_archive(path, "glyph-network weights file")
    if not isinstance(archive, dict) or archive.get("format") != _FORMAT:
        raise WeightsError(f"{path}: not a glyph-network weights file")
    if archive.get("format_version") != _FORMAT_VERSION:
        raise WeightsError(f"{path}: glyph-network format version {archive.get('format_version')} "
                           f"is not supported (expected {_FORMAT_VERSION}); retrain with `signrules train-glyphs`")
    model = GlyphNet()
    try:
        model.load_state_dict({key: value.float() if value.is_floating_point() else value
                               for key, value in archive["state_dict"].items()})
    except RuntimeError as error:
        raise WeightsError(f"{path}: parameters do not fit the glyph network: {error}") from None
    return model.eval(), dict(archive.get("metadata", {}), path=str(path))
