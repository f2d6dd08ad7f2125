"""Synthetic traffic signs: a renderer, a sign distribution and cached datasets.

``sample_spec`` draws a ``SignSpec`` (what the sign shows), ``render_sign``
photographs it, and ``render_dataset`` renders many, reproducibly and with
an on-disk cache. Labels follow ``signrules.attributes.labels``.
"""

from __future__ import annotations

from signrules.attributes.synth.dataset import RENDERER_VERSION, SyntheticData, render_dataset
from signrules.attributes.synth.pictograms import BLANK_PICTOGRAM, NUM_PICTOGRAMS, pictogram_ids
from signrules.attributes.synth.render import render_sign
from signrules.attributes.synth.sampling import sample_spec
from signrules.attributes.synth.spec import SignSpec, SignStyle

__all__ = [
    "BLANK_PICTOGRAM",
    "NUM_PICTOGRAMS",
    "RENDERER_VERSION",
    "SignSpec",
    "SignStyle",
    "SyntheticData",
    "pictogram_ids",
    "render_dataset",
    "render_sign",
    "sample_spec",
]
