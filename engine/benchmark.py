"""Speed of classification: decoding, network and rules timed separately.

Batched throughput runs each stage over the whole batch; single-image
latency times ``Classifier.classify(path)`` from file to result. Both are
measured on image files, so decoding is included as a user would see it.
"""

from __future__ import annotations

import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from signrules.attributes.decode import decode_image, prepare_batch
from torch.utils.flop_counter import FlopCounterMode

__all__ = ["SpeedReport", "measure_speed", "network_flops"]


@dataclass
class SpeedReport:
    """Timings of one benchmark run; per-image figures are in milliseconds."""

    images: int
    batch_size: int
    repeats: int
    decode_ms_per_image: float
    network_ms_per_image: float
    #: Whether the classifier reads numbers glyph by glyph as well.
    glyph_reader: bool
    #: Reading numbers glyph by glyph (0 without a glyph reader), per image of the whole batch.
    glyphs_ms_per_image: float
    #: Images of the batch whose number the glyph reader read.
    glyph_images: int
    rules_ms_per_image: float
    batched_images_per_second: float
    latency_median_ms: float
    latency_p95_ms: float
    network_mflops_per_image: float
    threads: int
    #: Precision of the network: "float32" or "bfloat16".
    precision: str
    machine: str

    def to_dict(self) -> dict:
        return asdict(self)


def network_flops(model: torch.nn.Module, input_size: int) -> float:
    """Return the floating-point operations of one forward pass on one image."""
    with FlopCounterMode(display=False) as counter, torch.inference_mode():
        model.eval()(torch.zeros(1, 3, input_size, input_size))
    return float(counter.get_total_flops())


def _median_seconds(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def measure_speed(classifier, paths: list[Path], *, batch_size: int = 256, repeats: int = 5,
                  latency_images: int = 200) -> SpeedReport:
    """Time decoding, network and rules over ``paths`` in batches, then single-image latency.

    Each batched figure is the median over ``repeats`` passes; latency takes
    the median and 95th percentile over ``latency_images`` single calls.
    """
    paths = list(paths)[:batch_size]
    if not paths:
        raise ValueError("no images to benchmark")
    size = classifier.input_size
    ruleset, bank = classifier.ruleset, classifier.bank

    def decode():
        return prepare_batch([decode_image(p) for p in paths], size=size)

    batch = decode()
    predictor = classifier.predictor
    reader = predictor.glyph_reader
    posteriors = predictor.predict(batch)
    lengths = []
    if reader is not None:
        lengths = [len(number) for number in predictor.predict(batch, read_glyphs=False).strings["digits"].decode()]

    def network():
        # The glyph reader is timed on its own below.
        predictor.predict(batch, read_glyphs=False)

    def glyphs():
        if reader is not None:
            reader.read(batch, lengths)

    def rules():
        name = next(iter(posteriors.embeddings))
        embeddings, descriptors = posteriors.embeddings[name], posteriors.descriptors.get(name)
        pictograms = (bank.probabilities(embeddings, ruleset.pictogram_names, descriptors)
                      if ruleset.pictogram_names else {})
        ruleset.classify(posteriors, pictograms, runners_up=3)

    network()  # warm-up: the first call allocates and picks kernels
    decode_s = _median_seconds(decode, repeats)
    network_s = _median_seconds(network, repeats)
    glyphs_s = _median_seconds(glyphs, repeats) if reader is not None else 0.0
    rules_s = _median_seconds(rules, repeats)
    count = len(paths)

    singles = (paths * (latency_images // count + 1))[:latency_images]
    classifier.classify(singles[0])
    latencies = []
    for path in singles:
        started = time.perf_counter()
        classifier.classify(path)
        latencies.append((time.perf_counter() - started) * 1000)

    return SpeedReport(
        images=count,
        batch_size=batch_size,
        repeats=repeats,
        decode_ms_per_image=decode_s / count * 1000,
        network_ms_per_image=network_s / count * 1000,
        glyph_reader=reader is not None,
        glyphs_ms_per_image=glyphs_s / count * 1000,
        glyph_images=sum(1 for length in lengths if length),
        rules_ms_per_image=rules_s / count * 1000,
        batched_images_per_second=count / (decode_s + network_s + glyphs_s + rules_s),
        latency_median_ms=float(np.median(latencies)),
        latency_p95_ms=float(np.percentile(latencies, 95)),
        network_mflops_per_image=network_flops(classifier.predictor.model, size) / 1e6,
        threads=torch.get_num_threads(),
        precision=classifier.predictor.precision,
        machine=f"{platform.machine()} {platform.processor() or ''}".strip(),
    )
