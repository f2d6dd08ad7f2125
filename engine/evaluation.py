"""Evaluating a classifier on a labelled GTSRB-style dataset.

Accepts both official GTSRB layouts (class folders of the training set, the
flat test folder with ``GT-final_test.csv``) through
``signrules.attributes.gtsrb.load_gtsrb``. Dataset class ids are mapped to
sign ids through the rule set's ``dataset gtsrb ...`` metadata, so a class
counts as correct only when its own rule wins.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np
from signrules.attributes.gtsrb import GTSRBData, attribute_records, class_attributes, split_by_track
from signrules.attributes.labels import IGNORE, encode_labels
from signrules.attributes.posteriors import Posteriors
from signrules.engine.errors import DatasetError
from signrules.engine.results import UNKNOWN
from signrules.engine.ruleset import RuleSet
from tqdm import tqdm

__all__ = ["ClassResult", "EvaluationReport", "SizeResult", "dataset_sign_ids", "evaluate_classifier", "select_split",
           "size_bins", "size_breakdown", "threshold_sweep"]

log = logging.getLogger(__name__)

DATASET = "gtsrb"

#: Thresholds at which a report also gives accuracy and unknown rate, so that
#: a rule set's threshold can be chosen from one run.
SWEEP_THRESHOLDS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)

#: Edges (pixels) of the bins of sign size by which a report breaks down
#: accuracy. The size is the sign's side in the photo the annotation
#: describes, which decides how much detail survives: GTSRB's signs
#: measure 16 to 195 pixels in it, half of them under 34.
SIZE_EDGES = (24, 32, 48, 96)


class _Tally:
    """Mixin for results that count ``images`` and how many were ``correct``."""

    images: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.images if self.images else float("nan")


@dataclass
class ClassResult(_Tally):
    """Accuracy on the images of one dataset class."""

    class_id: int
    sign_id: str
    images: int
    correct: int
    unknown: int


@dataclass
class SizeResult(_Tally):
    """Accuracy on the images whose sign's side in the photo (pixels) is in [min_side, max_side)."""

    min_side: float
    max_side: float
    images: int
    correct: int
    unknown: int

    @property
    def label(self) -> str:
        if self.min_side <= 0:
            return f"under {self.max_side:g} px"
        if np.isinf(self.max_side):
            return f"{self.min_side:g} px and over"
        return f"{self.min_side:g}-{self.max_side:g} px"

    def to_dict(self) -> dict:
        """Return a JSON-serialisable dict; ``side_to_px`` is None for the open last bin."""
        return {"side_from_px": float(self.min_side),
                "side_to_px": None if np.isinf(self.max_side) else float(self.max_side),
                "images": self.images, "correct": self.correct, "unknown": self.unknown, "accuracy": self.accuracy}


@dataclass
class EvaluationReport:
    """Figures of one evaluation run; ``to_dict`` gives the JSON form."""

    dataset: str
    split: str
    images: int
    accuracy: float
    unknown_rate: float
    per_class: list[ClassResult]
    per_attribute: dict[str, float]
    confusions: list[tuple[str, str, int]]
    images_per_second: float
    seconds: float
    #: The score below which an image counted as unknown.
    threshold: float = float("nan")
    #: Expected calibration error of the winning score against correctness (10 equal-width bins).
    calibration_error: float = float("nan")
    baseline_accuracy: float | None = None
    baseline_per_class: dict[int, float] = field(default_factory=dict)
    #: Accuracy and unknown rate had the threshold been each of SWEEP_THRESHOLDS.
    threshold_sweep: list[dict[str, float]] = field(default_factory=list)
    #: Accuracy by the sign's side in pixels of its photo (SIZE_EDGES).
    per_size: list[SizeResult] = field(default_factory=list)
    #: What was measured: the network's weights file, the rule set folder,
    #: and the glyph reader's weights file (None when it was off).
    weights: str = ""
    rules: str = ""
    glyph_weights: str | None = None
    #: The glyph reader's weight in pooling (None when it was off).
    glyph_pool_weight: float | None = None
    #: Precision of the network: "float32" or "bfloat16".
    precision: str = "float32"

    def to_dict(self) -> dict:
        data = asdict(self)
        data["per_class"] = [{**asdict(c), "accuracy": c.accuracy} for c in self.per_class]
        data["confusions"] = [{"true": t, "predicted": p, "count": n} for t, p, n in self.confusions]
        data["per_size"] = [size.to_dict() for size in self.per_size]
        return data


def dataset_sign_ids(ruleset: RuleSet, dataset: str = DATASET) -> dict[int, str]:
    """Map each dataset class id named in the rules to the sign id that should win."""
    mapping: dict[int, str] = {}
    for sign in ruleset.signs:
        for entry in sign.classes:
            if entry.dataset == dataset:
                mapping[entry.class_id] = sign.member_id(entry.value)
    return mapping


def select_split(data: GTSRBData, split: str) -> tuple[GTSRBData, str]:
    """Return the images of ``split``: "all", "validation", "train" or "auto".

    "auto" takes the validation tracks of a training-layout folder (its
    other tracks trained the shipped weights) and everything in a test folder.
    """
    has_tracks = bool(len(data.track_ids)) and (data.track_ids >= 0).all()
    if split == "auto":
        split = "validation" if has_tracks else "all"
    if split == "all":
        return data, split
    if not has_tracks:
        raise DatasetError(f'split "{split}" needs track ids, which only the training layout has; use --split all')
    train_index, val_index = split_by_track(data)
    return data.subset(val_index if split == "validation" else train_index), split


def evaluate_classifier(classifier, data: GTSRBData, *, dataset_name: str, split: str,
                        batch_size: int = 512, progress: bool = False, baseline=None) -> EvaluationReport:
    """Classify every image of ``data`` and compare with its class label."""
    expected = dataset_sign_ids(classifier.ruleset)
    missing = sorted(set(np.unique(data.class_ids).tolist()) - set(expected))
    if missing:
        log.warning("rule set has no sign for GTSRB classes %s; their images count as wrong", missing)

    predicted: list[str] = []
    scores: list[float] = []
    best_ids: list[str] = []
    parts: list[Posteriors] = []
    started = time.perf_counter()
    for start in tqdm(range(0, len(data.images), batch_size), disable=not progress, unit="batch"):
        batch = data.images[start : start + batch_size]
        sources = data.paths[start : start + batch_size]
        results, posteriors = classifier.classify_prepared(batch, sources=sources, top_k=1)
        predicted.extend(result.sign_id for result in results)
        scores.extend(result.best.score if result.best else 0.0 for result in results)
        best_ids.extend(result.best.sign_id if result.best else UNKNOWN for result in results)
        parts.append(posteriors)
    seconds = time.perf_counter() - started
    threshold = results[0].threshold if predicted else float("nan")

    truth = [expected.get(int(c), f"<class {int(c)}>") for c in data.class_ids]
    correct = np.array([p == t for p, t in zip(predicted, truth, strict=True)])
    unknown = np.array([p == UNKNOWN for p in predicted])

    per_class = []
    for class_id in np.unique(data.class_ids).tolist():
        members = data.class_ids == class_id
        per_class.append(ClassResult(class_id, expected.get(class_id, "-"), int(members.sum()),
                                     int(correct[members].sum()), int(unknown[members].sum())))

    confusions = Counter((t, p) for t, p, ok in zip(truth, predicted, correct, strict=True) if not ok)
    report = EvaluationReport(
        dataset=dataset_name,
        split=split,
        images=len(predicted),
        accuracy=float(correct.mean()) if len(correct) else float("nan"),
        unknown_rate=float(unknown.mean()) if len(unknown) else float("nan"),
        per_class=per_class,
        per_attribute=attribute_accuracy(Posteriors.concatenate(parts), data.class_ids) if parts else {},
        confusions=[(t, p, n) for (t, p), n in confusions.most_common(10)],
        images_per_second=len(predicted) / seconds if seconds else float("nan"),
        seconds=seconds,
        threshold=threshold,
        calibration_error=calibration_error(
            np.array(scores), np.array([b == t for b, t in zip(best_ids, truth, strict=True)])
        ),
        threshold_sweep=threshold_sweep(np.array(scores), np.array(best_ids), np.array(truth)),
        per_size=size_breakdown(data.sign_sizes, correct, unknown),
        weights=str(classifier.weights_path),
        rules=str(classifier.ruleset.root),
        glyph_weights=str(classifier.glyph_weights_path) if classifier.glyph_reader else None,
        glyph_pool_weight=classifier.predictor.glyph_weight if classifier.glyph_reader else None,
        precision=classifier.predictor.precision,
    )
    if baseline is not None:
        report.baseline_accuracy, report.baseline_per_class = baseline_accuracy(baseline, data)
    return report


def size_bins(edges: tuple[float, ...] = SIZE_EDGES) -> list[tuple[float, float]]:
    """Return the (lower, upper) sides in pixels of each size bin, the last one open."""
    bounds = (0.0, *map(float, edges), float("inf"))
    return list(zip(bounds[:-1], bounds[1:]))


def size_breakdown(sizes: np.ndarray, correct: np.ndarray, unknown: np.ndarray,
                   edges: tuple[float, ...] = SIZE_EDGES) -> list[SizeResult]:
    """Return accuracy and unknown count per bin of sign size; bins without images are left out."""
    results = []
    for low, high in size_bins(edges):
        members = (sizes >= low) & (sizes < high)
        if members.any():
            results.append(SizeResult(low, high, int(members.sum()), int(correct[members].sum()),
                                      int(unknown[members].sum())))
    return results


def threshold_sweep(scores: np.ndarray, best_ids: np.ndarray, truth: np.ndarray) -> list[dict[str, float]]:
    """Accuracy and unknown rate at each of SWEEP_THRESHOLDS, from the best sign per image."""
    if not len(scores):
        return []
    right = best_ids == truth
    return [{"threshold": t, "accuracy": float((right & (scores >= t)).mean()),
             "unknown_rate": float((scores < t).mean())} for t in SWEEP_THRESHOLDS]


def calibration_error(scores: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: mean |accuracy - mean score| over score bins, weighted by size.

    Each image counts with the score of its best sign, whether or not that
    sign passed the unknown threshold.
    """
    if not len(scores):
        return float("nan")
    edges = np.linspace(0.0, 1.0, bins + 1)
    bin_of = np.clip(np.digitize(scores, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        members = bin_of == b
        if members.any():
            error += members.mean() * abs(correct[members].mean() - scores[members].mean())
    return float(error)


def attribute_accuracy(posteriors: Posteriors, class_ids: np.ndarray) -> dict[str, float]:
    """Accuracy of each categorical head and exact-match rate of each string head.

    Only images of classes in the GTSRB class table count: the table gives
    the attribute labels, and a dataset may add classes of its own.
    """
    table = class_attributes()
    labelled = np.isin(class_ids, list(table))
    if not labelled.all():
        count = int((~labelled).sum())
        log.warning("per-attribute accuracy leaves out %d image%s of classes %s, which have no attribute labels "
                    "in the GTSRB class table", count, "" if count == 1 else "s",
                    sorted(set(class_ids[~labelled].tolist())))
    if not labelled.any():
        return {}
    posteriors = posteriors.select(np.flatnonzero(labelled))
    class_ids = class_ids[labelled]
    schema = posteriors.schema
    labels = encode_labels(attribute_records(class_ids, table=table), schema)
    accuracy = {}
    for name in schema.categorical:
        known = labels[name] != IGNORE
        predicted = posteriors.categorical[name].argmax(axis=1)
        accuracy[name] = float((predicted[known] == labels[name][known]).mean())
    for name, sequence in posteriors.strings.items():
        known = (labels[name] != IGNORE).all(axis=1)
        predicted = sequence.encode(sequence.decode())
        accuracy[name] = float((predicted == labels[name]).all(axis=1)[known].mean())
    return accuracy


def baseline_accuracy(model, data: GTSRBData) -> tuple[float, dict[int, float]]:
    """Accuracy of a plain softmax classifier on the same images, overall and per class."""
    from signrules.attributes.train import predict_outputs

    logits = predict_outputs(model, data.images)["class"]
    predicted = logits.argmax(dim=1).numpy()
    correct = predicted == data.class_ids
    per_class = {int(c): float(correct[data.class_ids == c].mean()) for c in np.unique(data.class_ids)}
    return float(correct.mean()), per_class
