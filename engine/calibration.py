"""Calibration stored beside the network weights.

Two maps turn network outputs into calibrated probabilities, both fitted on
the validation split by ``signrules calibrate``:

- a temperature per categorical and string head (temperature scaling: the
  logits are divided by T before the softmax, T chosen to minimise the
  negative log-likelihood of the validation labels);
- the logistic map from nearest-exemplar similarity to P(pictogram ~ NAME),
  one for precomputed embeddings and one for exemplar images matched by the
  network's descriptor (fitted with one exemplar per validation track).

Both depend on the network, not on any rule set, so they are stored as
``<weights>.calibration.json`` keyed by the weights fingerprint.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from signrules.attributes.labels import IGNORE
from signrules.engine.exemplars import SimilarityCalibration

__all__ = ["Calibration", "calibration_path", "fit_temperature", "load_calibration", "save_calibration"]

log = logging.getLogger(__name__)

# Temperatures searched, log-spaced. Softening (T > 1) may go far, but
# sharpening stops at T = 0.5: GTSRB validation shows few values of some
# heads (text is STOP or none), and its likelihood keeps rising as such a
# head grows surer, which would make every other reading overconfident.
_TEMPERATURE_GRID = np.exp(np.linspace(np.log(0.5), np.log(20.0), 161))


@dataclass(frozen=True)
class Calibration:
    """Head temperatures and the pictogram similarity map of one weights file."""

    temperatures: dict[str, float] = field(default_factory=dict)
    similarity: SimilarityCalibration = field(default_factory=SimilarityCalibration)
    #: The map for exemplar images matched by the network's descriptor.
    descriptor_similarity: SimilarityCalibration = field(default_factory=SimilarityCalibration)
    #: The map for the descriptor centroids stored with precomputed embeddings.
    stored_descriptor_similarity: SimilarityCalibration = field(default_factory=SimilarityCalibration)


def calibration_path(weights_path: str | Path) -> Path:
    """Return the calibration file that belongs to a weights file."""
    weights_path = Path(weights_path)
    return weights_path.with_name(weights_path.stem + ".calibration.json")


def fit_temperature(logits: torch.Tensor, labels: np.ndarray) -> float:
    """Return the temperature that minimises the NLL of ``labels`` (IGNORE entries skipped).

    ``logits`` has the classes on its last axis; ``labels`` has the shape of
    the other axes.
    """
    flat_logits = logits.reshape(-1, logits.shape[-1]).float()
    flat_labels = torch.from_numpy(labels.reshape(-1))
    known = flat_labels != IGNORE
    if not known.any():
        return 1.0
    flat_logits, flat_labels = flat_logits[known], flat_labels[known]
    losses = [float(F.cross_entropy(flat_logits / t, flat_labels)) for t in _TEMPERATURE_GRID]
    return float(_TEMPERATURE_GRID[int(np.argmin(losses))])


def load_calibration(weights_path: str | Path, weights_fingerprint: str) -> Calibration:
    """Read the calibration for these weights, or fall back to no calibration.

    A missing file or one made for other weights logs a warning: scores are
    then uncalibrated, and rankings may differ slightly.
    """
    path = calibration_path(weights_path)
    if not path.exists():
        log.warning("no calibration file %s; run `signrules calibrate` for calibrated scores", path)
        return Calibration()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["weights_fingerprint"] != weights_fingerprint:
            log.warning("calibration %s was fitted for other weights (%s, current %s); ignoring it",
                        path, data["weights_fingerprint"], weights_fingerprint)
            return Calibration()
        return Calibration(
            temperatures={str(k): float(v) for k, v in data.get("temperatures", {}).items()},
            similarity=_read_map(data["pictogram"]),
            descriptor_similarity=_read_map(data.get("pictogram_descriptor")),
            stored_descriptor_similarity=_read_map(data.get("pictogram_stored_descriptor")),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("cannot read calibration %s (%s); ignoring it", path, exc)
        return Calibration()


def _read_map(entry: dict | None) -> SimilarityCalibration:
    # Files written before a map existed lack it; the default map is used then.
    if entry is None:
        return SimilarityCalibration()
    return SimilarityCalibration(float(entry["slope"]), float(entry["intercept"]))


def save_calibration(weights_path: str | Path, weights_fingerprint: str, calibration: Calibration,
                     details: dict) -> Path:
    """Write the calibration file for a weights file atomically; return its path."""
    path = calibration_path(weights_path)
    data = {
        "weights_fingerprint": weights_fingerprint,
        "temperatures": calibration.temperatures,
        "pictogram": asdict(calibration.similarity),
        "pictogram_descriptor": asdict(calibration.descriptor_similarity),
        "pictogram_stored_descriptor": asdict(calibration.stored_descriptor_similarity),
        **details,
    }
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
    return path


def fit_calibration(model, bank, classes_by_name: dict[str, list[int]], images: np.ndarray,
                    class_ids: np.ndarray, track_ids: np.ndarray | None = None) -> tuple[Calibration, dict]:
    """Fit head temperatures and the pictogram similarity maps on labelled images.

    ``model`` is the AttributeNet, ``bank`` an ExemplarBank of the rule set's
    exemplars, and ``images`` (uint8, network input size) with their GTSRB
    ``class_ids`` should be held-out images, normally the validation split.
    The descriptor's map needs the images' ``track_ids`` and a network with
    a descriptor; otherwise it keeps its default.
    """
    from PIL import Image
    from signrules.attributes.gtsrb import attribute_records
    from signrules.attributes.inference import images_to_tensor
    from signrules.attributes.labels import encode_labels
    from signrules.attributes.network import DESCRIPTOR_PREFIX
    from signrules.engine.exemplar_sets import (
        fit_image_calibration,
        fit_similarity_calibration,
        fit_stored_descriptor_calibration,
    )
    from signrules.engine.exemplar_views import exemplar_views

    model.eval()

    def run(batch: np.ndarray) -> dict[str, torch.Tensor]:
        with torch.inference_mode():
            parts = [model(images_to_tensor(batch[i : i + 512])) for i in range(0, len(batch), 512)]
        return {name: torch.cat([part[name] for part in parts]) for name in parts[0]}

    outputs = run(images)
    labels = encode_labels(attribute_records(class_ids), model.schema)

    heads = [*model.schema.categorical, *model.schema.strings]
    temperatures = {name: fit_temperature(outputs[name], labels[name]) for name in heads}
    embedding_name = next(iter(model.schema.embeddings))
    embeddings = outputs[embedding_name].numpy()
    similarity, details = fit_similarity_calibration(bank, embeddings, class_ids, classes_by_name)

    descriptor_key = DESCRIPTOR_PREFIX + embedding_name
    descriptor_similarity = stored_descriptor_similarity = SimilarityCalibration()
    if descriptor_key in outputs and any(s.stored_descriptors is not None for s in bank.sets.values()):
        stored_descriptor_similarity, details["stored_descriptor"] = fit_stored_descriptor_calibration(
            bank, outputs[descriptor_key].numpy(), class_ids, classes_by_name)
    if descriptor_key in outputs and track_ids is not None:
        size = images.shape[1]

        def describe_views(image: np.ndarray) -> np.ndarray:
            return run(exemplar_views(Image.fromarray(image), size))[descriptor_key].numpy()

        descriptor_similarity, details["descriptor"] = fit_image_calibration(
            outputs[descriptor_key].numpy(), describe_views, images, class_ids, track_ids, classes_by_name)
    return Calibration(temperatures, similarity, descriptor_similarity, stored_descriptor_similarity), details
