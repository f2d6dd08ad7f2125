"""Building exemplar sets from a labelled dataset, and calibrating similarity.

The German rule set cannot ship GTSRB images, so its exemplar folders hold
``embeddings.npz`` files derived from them: for each pictogram, the k-means
centroids of the embeddings of its training-split images. Centroids keep the
file small and cover the pictogram's looks (lighting, blur, angle) better
than one mean.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from signrules.engine.compiler import Not, PictogramTest, iter_predicates
from signrules.engine.exemplars import ExemplarBank, SimilarityCalibration, write_embeddings
from signrules.engine.ruleset import RuleSet
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression

__all__ = ["build_exemplar_sets", "fit_similarity_calibration", "pictogram_classes"]

log = logging.getLogger(__name__)


def pictogram_classes(ruleset: RuleSet, dataset: str = "gtsrb") -> dict[str, list[int]]:
    """Map each exemplar name to the dataset classes of the signs that require it.

    Only ``pictogram ~ NAME`` tests outside a ``not`` count: a sign that
    excludes a pictogram tells nothing about what that pictogram looks like.
    """
    mapping: dict[str, list[int]] = {}
    for sign in ruleset.signs:
        negated = {id(p) for node in _walk(sign.condition) if isinstance(node, Not)
                   for p in iter_predicates(node.operand)}
        names = [p.exemplar for p in iter_predicates(sign.condition)
                 if isinstance(p, PictogramTest) and id(p) not in negated]
        classes = [entry.class_id for entry in sign.classes if entry.dataset == dataset]
        for name in names:
            mapping.setdefault(name, [])
            mapping[name].extend(c for c in classes if c not in mapping[name])
    return mapping


def _walk(node):
    yield node
    for child in getattr(node, "operands", ()):
        yield from _walk(child)
    if isinstance(node, Not):
        yield from _walk(node.operand)


def build_exemplar_sets(
    exemplars_dir: Path,
    embeddings: np.ndarray,
    class_ids: np.ndarray,
    classes_by_name: Mapping[str, list[int]],
    *,
    weights_fingerprint: str,
    per_class: int = 8,
    seed: int = 0,
    source: str = "gtsrb",
) -> dict[str, int]:
    """Write one ``embeddings.npz`` per exemplar name; return the centroid count of each.

    ``embeddings`` and ``class_ids`` describe the dataset images to draw
    from (normally the training split). A name whose classes have no images
    is skipped with a warning.
    """
    written = {}
    for name, classes in sorted(classes_by_name.items()):
        members = np.isin(class_ids, classes)
        if not members.any():
            log.warning('no images of classes %s for pictogram "%s"; skipped', classes, name)
            continue
        vectors = embeddings[members]
        clusters = min(per_class, len(vectors))
        kmeans = KMeans(n_clusters=clusters, n_init=4, random_state=seed).fit(vectors)
        centroids = kmeans.cluster_centers_
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
        sizes = np.bincount(kmeans.labels_, minlength=clusters)
        sources = [f"{source} classes {classes}: centroid {i} of {clusters} ({sizes[i]} images)"
                   for i in range(clusters)]
        write_embeddings(exemplars_dir / name, centroids, sources, weights_fingerprint)
        written[name] = clusters
        log.info('pictogram "%s": %d centroids from %d images', name, clusters, len(vectors))
    return written


def fit_similarity_calibration(
    bank: ExemplarBank,
    embeddings: np.ndarray,
    class_ids: np.ndarray,
    classes_by_name: Mapping[str, list[int]],
) -> tuple[SimilarityCalibration, dict]:
    """Fit P(pictogram ~ NAME) = sigmoid(slope * similarity + intercept) by logistic regression.

    Each (image, exemplar set) pair is one sample, positive when the image's
    class is one of the set's classes. Use held-out images (the validation
    split), never the images the sets were built from.
    """
    names = [name for name in classes_by_name if name in bank]
    similarity = bank.similarity(embeddings, names)
    features, targets = [], []
    for name in names:
        features.append(similarity[name])
        targets.append(np.isin(class_ids, classes_by_name[name]))
    features = np.concatenate(features)[:, None]
    targets = np.concatenate(targets).astype(int)

    # Balanced class weights: negatives outnumber positives by the number of
    # sets, and the fitted midpoint should separate the two, not track the ratio.
    model = LogisticRegression(class_weight="balanced").fit(features, targets)
    calibration = SimilarityCalibration(float(model.coef_[0, 0]), float(model.intercept_[0]))
    probabilities = calibration.probability(features[:, 0])
    details = {
        "pairs": len(targets),
        "positives": int(targets.sum()),
        "positive_mean_probability": float(probabilities[targets == 1].mean()),
        "negative_mean_probability": float(probabilities[targets == 0].mean()),
    }
    return calibration, details
