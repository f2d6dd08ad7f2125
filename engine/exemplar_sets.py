"""Building exemplar sets from a labelled dataset, and calibrating similarity.

The German rule set cannot ship GTSRB images, so its exemplar folders hold
``embeddings.npz`` files derived from them: for each pictogram, the k-means
centroids of the embeddings of its training-split images. Centroids keep the
file small and cover the pictogram's looks (lighting, blur, angle) better
than one mean.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
from signrules.engine.compiler import Not, PictogramTest, iter_predicates
from signrules.engine.exemplars import ExemplarBank, SimilarityCalibration, write_embeddings
from signrules.engine.ruleset import RuleSet
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression

__all__ = ["build_exemplar_sets", "fit_image_calibration", "fit_similarity_calibration",
           "fit_stored_descriptor_calibration", "pictogram_classes"]

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
    descriptors: np.ndarray | None = None,
) -> dict[str, int]:
    """Write one ``embeddings.npz`` per exemplar name; return the centroid count of each.

    ``embeddings`` and ``class_ids`` describe the dataset images to draw
    from (normally the training split). ``descriptors`` are the same
    images' descriptors, from a network with one; their centroids are
    stored beside the embeddings'. A name whose classes have no images is
    skipped with a warning.
    """
    written = {}
    for name, classes in sorted(classes_by_name.items()):
        members = np.isin(class_ids, classes)
        if not members.any():
            log.warning('no images of classes %s for pictogram "%s"; skipped', classes, name)
            continue
        centroids, sizes = _centroids(embeddings[members], per_class, seed)
        clusters = len(centroids)
        sources = [f"{source} classes {classes}: centroid {i} of {clusters} ({sizes[i]} images)"
                   for i in range(clusters)]
        stored_descriptors = None
        if descriptors is not None:
            stored_descriptors, _ = _centroids(descriptors[members], per_class, seed)
        write_embeddings(exemplars_dir / name, centroids, sources, weights_fingerprint, stored_descriptors)
        written[name] = clusters
        log.info('pictogram "%s": %d centroids from %d images', name, clusters, int(members.sum()))
    return written


def _centroids(vectors: np.ndarray, per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    # Unit k-means centroids and the number of vectors in each cluster.
    clusters = min(per_class, len(vectors))
    kmeans = KMeans(n_clusters=clusters, n_init=4, random_state=seed).fit(vectors)
    centroids = kmeans.cluster_centers_
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    return centroids, np.bincount(kmeans.labels_, minlength=clusters)


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
    # Only sets of precomputed embeddings live in the head's space.
    names = [name for name in classes_by_name if name in bank and len(bank.sets[name].embeddings)]
    similarity = bank.similarity(embeddings, names)
    return _fit_pairs(similarity, class_ids, classes_by_name)


def fit_stored_descriptor_calibration(
    bank: ExemplarBank,
    descriptors: np.ndarray,
    class_ids: np.ndarray,
    classes_by_name: Mapping[str, list[int]],
) -> tuple[SimilarityCalibration, dict]:
    """Fit the map of the descriptor centroids stored with precomputed embeddings, as above."""
    names = [name for name in classes_by_name
             if name in bank and bank.sets[name].stored_descriptors is not None]
    if not names:
        raise ValueError("no exemplar set stores descriptor centroids; rebuild them with `signrules exemplars build`")
    return _fit_pairs(bank.stored_descriptor_similarity(descriptors, names), class_ids, classes_by_name)


def _fit_pairs(similarity: Mapping[str, np.ndarray], class_ids: np.ndarray,
               classes_by_name: Mapping[str, list[int]]) -> tuple[SimilarityCalibration, dict]:
    names = list(similarity)
    features, targets = [], []
    for name in names:
        features.append(similarity[name])
        targets.append(np.isin(class_ids, classes_by_name[name]))
    features = np.concatenate(features)[:, None]
    targets = np.concatenate(targets).astype(int)

    return _fit_logistic(features, targets)


def fit_image_calibration(
    vectors: np.ndarray,
    embed_views: Callable[[np.ndarray], np.ndarray],
    images: np.ndarray,
    class_ids: np.ndarray,
    track_ids: np.ndarray,
    classes_by_name: Mapping[str, list[int]],
) -> tuple[SimilarityCalibration, dict]:
    """Fit the similarity map of exemplar images in one space (head or descriptor), one exemplar at a time.

    Such sets are mostly one or a few photos, so their similarities run far
    lower than those of centroids of hundreds. Each track of a pictogram's
    classes lends its middle image as a one-image set, whose views
    ``embed_views`` embeds. Its pairs are that set against every image of
    other tracks (``vectors``, in the same space): positive for the
    pictogram's classes, negative for the rest. The exemplar's own track is
    left out, because its images are near-copies of the exemplar.
    """
    features, targets = [], []
    for name, classes in classes_by_name.items():
        showing = np.isin(class_ids, classes)
        for track in np.unique(track_ids[showing]):
            members = np.flatnonzero(track_ids == track)
            exemplar = embed_views(images[members[len(members) // 2]])
            other = track_ids != track
            features.append((vectors[other] @ exemplar.T).max(axis=1))
            targets.append(showing[other])
    if not features:
        raise ValueError("no labelled track shows a pictogram the rule set names; cannot fit the exemplar image map")
    return _fit_logistic(np.concatenate(features)[:, None], np.concatenate(targets).astype(int))


def _fit_logistic(features: np.ndarray, targets: np.ndarray) -> tuple[SimilarityCalibration, dict]:
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
