"""Reading a speed-limit number one digit at a time.

``cutting`` finds the legend and cuts it into glyph patches, ``network``
names the digit on a patch, ``reader`` turns a crop into per-position
posteriors of the digits attribute, and ``training`` (with ``real`` and
``synthetic`` patches) trains the network.
"""

from __future__ import annotations

from signrules.attributes.glyphs.cutting import cut_glyphs, locate_legend
from signrules.attributes.glyphs.reader import DEFAULT_GLYPH_WEIGHTS_PATH, GlyphReader, GlyphReading

__all__ = ["DEFAULT_GLYPH_WEIGHTS_PATH", "GlyphReader", "GlyphReading", "cut_glyphs", "locate_legend"]
