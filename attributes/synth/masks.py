"""The coverage masks of one plate, drawn on a single grey-level sheet.

Each layer of a sign (plate, rim, fill, legend, accent, strike) is a
grey-level mask. They share one tall image, stacked with a gap between
them, so that one reduce and one array conversion serve them all. Drawing
on a layer only shifts coordinates down to its slot.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

__all__ = ["LAYERS", "MaskSheet"]

#: Layers in the order of the sheet.
LAYERS = ("plate", "rim", "fill", "legend", "accent", "strike")


class MaskSheet:
    """Grey-level masks of ``canvas`` x ``canvas`` pixels, one per layer.

    Shapes may reach up to a quarter of the canvas past its edges before
    they spill into the next layer's slot.
    """

    def __init__(self, canvas: int, supersampling: int) -> None:
        # The gap is a multiple of the reduce factor so that every slot
        # starts on a whole output pixel.
        gap = -(-canvas // 4 // supersampling) * supersampling
        self.canvas = canvas
        self.supersampling = supersampling
        self.pitch = canvas + gap
        self.image = Image.new("L", (canvas, len(LAYERS) * self.pitch), 0)
        self.draw = ImageDraw.Draw(self.image)
        self._origins = {
            layer: np.array([0.0, index * self.pitch]) for index, layer in enumerate(LAYERS)
        }

    def polygon(self, layer: str, points: np.ndarray, value: int = 255) -> None:
        if len(points) >= 3:
            self.draw.polygon((points + self._origins[layer]).ravel().tolist(), fill=value)

    def line(
        self,
        layer: str,
        points: np.ndarray,
        width: float,
        value: int = 255,
        *,
        round_caps: bool = False,
    ) -> None:
        """Draw a polyline with round joins, and round ends if ``round_caps``."""
        shifted = points + self._origins[layer]
        pixels = max(1, round(width))
        self.draw.line(shifted.ravel().tolist(), fill=value, width=pixels, joint="curve")
        if round_caps:
            radius = pixels / 2
            for x, y in (shifted[0], shifted[-1]):
                self.draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=value)

    def paste(
        self, layer: str, corner: tuple[int, int], mask: Image.Image, value: int = 255
    ) -> None:
        """Blend ``value`` into the layer through ``mask``, whose top left goes to ``corner``."""
        x, y = corner
        self.image.paste(value, (x, y + int(self._origins[layer][1])), mask)

    def coverage(self) -> dict[str, np.ndarray]:
        """Reduce every layer to the output size, as (size, size, 1) float32 coverage in [0, 1]."""
        reduced = np.asarray(self.image.reduce(self.supersampling), dtype=np.float32) / 255
        size = self.canvas // self.supersampling
        pitch = self.pitch // self.supersampling
        return {
            layer: reduced[index * pitch : index * pitch + size, :, None]
            for index, layer in enumerate(LAYERS)
        }
