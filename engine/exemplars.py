"""Exemplar bank: the embedding fallback behind ``pictogram ~ NAME``.

Each exemplar set is a folder ``<rule set>/exemplars/NAME/`` holding example
images of one pictogram and/or an ``embeddings.npz`` of precomputed
embeddings (derived from images that cannot be shipped, such as GTSRB). The
bank embeds the images with the attribute network and scores an image
against a set by its nearest exemplar:

    similarity(image, NAME) = max over exemplars e of cos(embedding(image), e)
    P(pictogram ~ NAME)     = sigmoid(slope * similarity + intercept)

The slope and intercept come from a calibration fitted on validation images
(``SimilarityCalibration``). Each set is scored on its own, so adding a set
never changes another set's probability.

Precomputed embeddings are centroids of hundreds of training photos of a
pictogram the network was trained on, embedded by its trained head. Exemplar
images are more often of a pictogram the network never saw, and a network
with a descriptor (``attributes.descriptor``) embeds them with that instead,
because the head discards what separates an unseen pictogram: it maps an
unseen pictogram close to a known one. A rule set with ``pictogram_match:
head+descriptor`` therefore matches images by the descriptor alone, and
precomputed embeddings, which carry the descriptors' centroids beside the
head's, only where both agree:

    P(pictogram ~ NAME) = P_head(similarity) * P_descriptor(similarity)

each by its own calibrated map. The head separates trained pictograms
finely, and the descriptor keeps it from claiming a pictogram it never saw. A
set with both centroids and images scores the better of the two matches.
With the default, ``head``, everything matches by the head alone.

Embeddings depend on the network weights. A stored ``embeddings.npz`` records
the weights fingerprint it was computed with; the bank rejects one made with
other weights instead of mixing incompatible vectors.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from signrules.attributes.decode import decode_image, decode_pil, resize_square
from signrules.engine.errors import ExemplarError, ImageError
from signrules.engine.exemplar_files import EMBEDDINGS_FILE, IMAGE_SUFFIXES
from signrules.engine.exemplar_views import VIEW_NAMES, exemplar_views

__all__ = [
    "BANK_FILE",
    "IMAGE_SUFFIXES",
    "ExemplarBank",
    "ExemplarSet",
    "SimilarityCalibration",
    "add_exemplar_images",
    "write_embeddings",
]

log = logging.getLogger(__name__)

#: File name of precomputed embeddings inside an exemplar folder.
BANK_FILE = EMBEDDINGS_FILE

#: Maps uint8 images (N, S, S, 3) to unit head embeddings (N, D) and, from a
#: network with a descriptor, unit descriptors (N, D) (else None).
EmbedFunction = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray | None]]


@dataclass(frozen=True)
class SimilarityCalibration:
    """Logistic map from nearest-exemplar cosine similarity to a probability."""

    slope: float = 20.0
    intercept: float = -14.0

    def probability(self, similarity: np.ndarray) -> np.ndarray:
        """Return sigmoid(slope * similarity + intercept), elementwise."""
        return 1.0 / (1.0 + np.exp(-(self.slope * similarity + self.intercept)))


@dataclass
class ExemplarSet:
    """Unit vectors of one pictogram's exemplars, with where each came from.

    ``embeddings`` are in the head's space (stored centroids, and images when
    the network has no descriptor), with ``stored_descriptors`` the stored
    centroids' counterparts in the descriptor's space, if stored. Images
    described by a network with a descriptor are ``descriptors`` instead.
    ``sources`` lists the embeddings, then the images.
    ``exemplars`` counts stored vectors and images. An image adds one vector
    per view, so there may be more rows.
    """

    name: str
    embeddings: np.ndarray
    sources: list[str] = field(default_factory=list)
    exemplars: int = 0
    descriptors: np.ndarray | None = None
    stored_descriptors: np.ndarray | None = None


class ExemplarBank:
    """Exemplar sets of one rule set, embedded with one version of the network."""

    def __init__(
        self,
        weights_fingerprint: str,
        embed: EmbedFunction,
        input_size: int,
        calibration: SimilarityCalibration | None = None,
        *,
        views: bool = True,
        descriptor_calibration: SimilarityCalibration | None = None,
        stored_descriptor_calibration: SimilarityCalibration | None = None,
        use_descriptor: bool = True,
    ) -> None:
        self.weights_fingerprint = weights_fingerprint
        self.views = views
        #: Whether exemplars match by the descriptor too where the network has
        #: one; False matches by the head alone, as before it existed.
        self.use_descriptor = use_descriptor
        self.calibration = calibration or SimilarityCalibration()
        self.descriptor_calibration = descriptor_calibration or SimilarityCalibration()
        self.stored_descriptor_calibration = stored_descriptor_calibration or SimilarityCalibration()
        self.sets: dict[str, ExemplarSet] = {}
        self._embed = embed
        self._input_size = input_size

    def __contains__(self, name: str) -> bool:
        return name in self.sets

    @property
    def names(self) -> list[str]:
        return sorted(self.sets)

    def load_folder(self, exemplars_dir: Path, names: Iterable[str]) -> None:
        """Load the sets ``names`` from ``exemplars_dir``; raise ExemplarError for any problem.

        Either every set loads or the bank is left unchanged.
        """
        loaded = {name: self._read_set(exemplars_dir / name, name) for name in names}
        self.sets.update(loaded)

    def _read_set(self, folder: Path, name: str) -> ExemplarSet:
        if not folder.is_dir():
            raise ExemplarError(f"{folder}: exemplar folder for pictogram \"{name}\" not found")

        embeddings: list[np.ndarray] = []
        sources: list[str] = []
        bank_path = folder / BANK_FILE
        stored_descriptors = None
        if bank_path.exists():
            stored, stored_sources, stored_descriptors = self._read_bank_file(bank_path)
            stored_descriptors = stored_descriptors if self.use_descriptor else None
            embeddings.append(stored)
            sources.extend(stored_sources)

        images = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        descriptors = None
        if images:
            image_embeddings, descriptors, image_sources = self.embed_images(images)
            if descriptors is None:
                embeddings.append(image_embeddings)
            sources.extend(image_sources)

        if not sources:
            raise ExemplarError(
                f"{folder}: no exemplar images ({', '.join(IMAGE_SUFFIXES)}) or {BANK_FILE} "
                f'for pictogram "{name}"; add some with `signrules exemplars add {name} IMAGE...`'
            )
        count = (len(embeddings[0]) if bank_path.exists() else 0) + len(images)
        return ExemplarSet(name, _stack(embeddings), sources, count, descriptors, stored_descriptors)

    def _read_bank_file(self, path: Path) -> tuple[np.ndarray, list[str], np.ndarray | None]:
        try:
            with np.load(path, allow_pickle=False) as archive:
                embeddings = np.asarray(archive["embeddings"], dtype=np.float32)
                fingerprint = str(archive["weights_fingerprint"])
                sources = [str(s) for s in archive["sources"]] if "sources" in archive else []
                descriptors = (np.asarray(archive["descriptors"], dtype=np.float32)
                               if "descriptors" in archive else None)
        except (OSError, KeyError, ValueError) as exc:
            raise ExemplarError(f"{path}: cannot read exemplar embeddings: {exc}") from None

        if fingerprint != self.weights_fingerprint:
            raise ExemplarError(
                f"{path}: embeddings were computed with other network weights "
                f"({fingerprint}, current {self.weights_fingerprint}); rebuild them with "
                "`signrules exemplars build` or replace them with exemplar images"
            )
        if embeddings.ndim != 2 or not len(embeddings):
            raise ExemplarError(f"{path}: expected a non-empty 2-D array 'embeddings', got {embeddings.shape}")
        if descriptors is not None and (descriptors.ndim != 2 or not len(descriptors)):
            raise ExemplarError(f"{path}: expected a non-empty 2-D array 'descriptors', got {descriptors.shape}")
        sources = sources if len(sources) == len(embeddings) else [f"{path}[{i}]" for i in range(len(embeddings))]
        return embeddings, sources, descriptors

    def embed_images(self, images: Sequence[object]) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
        """Decode and embed exemplar images (paths, PIL images or arrays).

        Returns the head embeddings, the descriptors (None from a network
        without one) and a source label for each row. With views on, every
        image gives one row per view (``exemplar_views``).
        """
        decoded = [decode_pil(image) for image in images]
        names = [str(image) if isinstance(image, (str, Path)) else f"<{type(image).__name__}>" for image in images]
        if self.views:
            batch = np.concatenate([exemplar_views(image, self._input_size) for image in decoded])
            names = [name if view == "original" else f"{name} ({view})" for name in names for view in VIEW_NAMES]
        else:
            batch = np.stack([resize_square(image, self._input_size) for image in decoded])
        embeddings, descriptors = self._embed(batch)
        return embeddings, descriptors if self.use_descriptor else None, names

    def add(self, name: str, images: Sequence[object]) -> ExemplarSet:
        """Add exemplar images to set ``name`` in memory (creating it); return the set.

        Images are decoded first, so a bad image leaves the bank unchanged.
        """
        embeddings, descriptors, sources = self.embed_images(images)
        if descriptors is not None:
            embeddings = embeddings[:0]
        count = len(images)
        current = self.sets.get(name)
        stored_descriptors = None
        if current is not None:
            embeddings = _stack([current.embeddings, embeddings])
            if current.descriptors is not None:
                descriptors = _stack([current.descriptors, descriptors])
            stored_descriptors = current.stored_descriptors
            sources = current.sources + sources
            count += current.exemplars
        self.sets[name] = ExemplarSet(name, embeddings.astype(np.float32), sources, count,
                                      None if descriptors is None else descriptors.astype(np.float32),
                                      stored_descriptors)
        return self.sets[name]

    def similarity(self, embeddings: np.ndarray, names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """Return each set's nearest-exemplar cosine similarity in the head's space, shape (N,) per name.

        A set without vectors in that space gets -1, the lowest cosine.
        """
        return {name: _nearest(embeddings, self._set(name).embeddings) for name in self._names(names)}

    def descriptor_similarity(self, descriptors: np.ndarray, names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """Return each set's nearest exemplar image's cosine similarity in the descriptor's space (-1 without any)."""
        return {name: _nearest(descriptors, self._set(name).descriptors) for name in self._names(names)}

    def stored_descriptor_similarity(self, descriptors: np.ndarray,
                                     names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """Return each set's nearest stored descriptor centroid's cosine similarity (-1 without any)."""
        return {name: _nearest(descriptors, self._set(name).stored_descriptors) for name in self._names(names)}

    def probabilities(self, embeddings: np.ndarray, names: Iterable[str] | None = None,
                      descriptors: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Return P(pictogram ~ name) for each set, shape (N,) per name.

        ``descriptors`` are the images' descriptors, needed when a set contains
        exemplars in the descriptor's space.
        """
        probabilities = {}
        for name in self._names(names):
            exemplar_set = self.sets[name]
            needs_descriptors = exemplar_set.stored_descriptors is not None or (
                exemplar_set.descriptors is not None and len(exemplar_set.descriptors))
            if needs_descriptors and descriptors is None:
                raise ExemplarError(f'pictogram "{name}" has exemplars in the descriptor\'s space, '
                                    "but the images to classify have no descriptors")
            probability = np.zeros(len(embeddings))
            if len(exemplar_set.embeddings):
                probability = self.calibration.probability(_nearest(embeddings, exemplar_set.embeddings))
                if exemplar_set.stored_descriptors is not None:
                    probability = probability * self.stored_descriptor_calibration.probability(
                        _nearest(descriptors, exemplar_set.stored_descriptors))
            if exemplar_set.descriptors is not None and len(exemplar_set.descriptors):
                # NOTE: this map is fitted on trained pictograms. Between an unseen
                # pictogram's exemplar and a similar trained sign it saturates near
                # 0.99, so new sets can take images of look-alike old signs.
                matched = self.descriptor_calibration.probability(_nearest(descriptors, exemplar_set.descriptors))
                probability = np.maximum(probability, matched)
            probabilities[name] = probability
        return probabilities

    def _names(self, names: Iterable[str] | None) -> list[str]:
        names = list(names) if names is not None else self.names
        missing = [name for name in names if name not in self.sets]
        if missing:
            raise ExemplarError(f"no exemplars loaded for pictogram(s): {', '.join(missing)}")
        return names

    def _set(self, name: str) -> ExemplarSet:
        return self.sets[name]


def _nearest(queries: np.ndarray, exemplars: np.ndarray | None) -> np.ndarray:
    # The largest cosine between each query and any exemplar (all unit vectors).
    if exemplars is None or not len(exemplars):
        return np.full(len(queries), -1.0, dtype=np.float32)
    return (queries @ exemplars.T).max(axis=1)


def _stack(parts: list[np.ndarray]) -> np.ndarray:
    # Empty parts may have no width (a set without vectors in one space).
    parts = [part for part in parts if part is not None and len(part)]
    return np.concatenate(parts).astype(np.float32) if parts else np.zeros((0, 0), np.float32)


def write_embeddings(folder: Path, embeddings: np.ndarray, sources: Sequence[str], weights_fingerprint: str,
                     descriptors: np.ndarray | None = None) -> Path:
    """Write ``embeddings.npz`` (with descriptor centroids, if given) into an exemplar folder atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / BANK_FILE
    arrays = {} if descriptors is None else {"descriptors": np.asarray(descriptors, dtype=np.float16)}
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".npz", delete=False) as handle:
        np.savez_compressed(
            handle,
            embeddings=np.asarray(embeddings, dtype=np.float16),
            sources=np.asarray(list(sources)),
            weights_fingerprint=np.asarray(weights_fingerprint),
            **arrays,
        )
    Path(handle.name).replace(path)
    return path


def add_exemplar_images(folder: Path, images: Sequence[Path]) -> list[Path]:
    """Copy exemplar image files into ``folder`` after checking that all decode.

    Nothing is copied unless every image decodes; existing files are never
    overwritten (a clashing name gets a numeric suffix). Returns the new paths.
    """
    problems = []
    for image in images:
        if Path(image).suffix.lower() not in IMAGE_SUFFIXES:
            problems.append(f"{image}: unsupported file type; use one of {', '.join(IMAGE_SUFFIXES)}")
            continue
        try:
            decode_image(image)
        except ImageError as exc:
            problems.append(str(exc))
    if problems:
        raise ExemplarError("no exemplars were added:\n  " + "\n  ".join(problems))

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for image in images:
        image = Path(image)
        target = folder / image.name
        counter = 1
        while target.exists():
            target = folder / f"{image.stem}-{counter}{image.suffix}"
            counter += 1
        shutil.copyfile(image, target)
        written.append(target)
    log.info("added %d exemplar image(s) to %s", len(written), folder)
    return written
