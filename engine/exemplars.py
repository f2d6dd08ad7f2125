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

#: Maps uint8 images (N, S, S, 3) to unit embeddings (N, D).
EmbedFunction = Callable[[np.ndarray], np.ndarray]


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
    """Unit embeddings of one pictogram's exemplars, with where each came from.

    ``exemplars`` counts stored vectors and images. An image adds one
    embedding per view, so ``embeddings`` may have more rows.
    """

    name: str
    embeddings: np.ndarray
    sources: list[str] = field(default_factory=list)
    exemplars: int = 0


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
    ) -> None:
        self.weights_fingerprint = weights_fingerprint
        self.views = views
        self.calibration = calibration or SimilarityCalibration()
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
        if bank_path.exists():
            stored, stored_sources = self._read_bank_file(bank_path)
            embeddings.append(stored)
            sources.extend(stored_sources)

        images = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if images:
            image_embeddings, image_sources = self.embed_images(images)
            embeddings.append(image_embeddings)
            sources.extend(image_sources)

        if not sources:
            raise ExemplarError(
                f"{folder}: no exemplar images ({', '.join(IMAGE_SUFFIXES)}) or {BANK_FILE} "
                f'for pictogram "{name}"; add some with `signrules exemplars add {name} IMAGE...`'
            )
        count = (len(embeddings[0]) if bank_path.exists() else 0) + len(images)
        return ExemplarSet(name, np.concatenate(embeddings).astype(np.float32), sources, count)

    def _read_bank_file(self, path: Path) -> tuple[np.ndarray, list[str]]:
        try:
            with np.load(path, allow_pickle=False) as archive:
                embeddings = np.asarray(archive["embeddings"], dtype=np.float32)
                fingerprint = str(archive["weights_fingerprint"])
                sources = [str(s) for s in archive["sources"]] if "sources" in archive else []
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
        sources = sources if len(sources) == len(embeddings) else [f"{path}[{i}]" for i in range(len(embeddings))]
        return embeddings, sources

    def embed_images(self, images: Sequence[object]) -> tuple[np.ndarray, list[str]]:
        """Decode and embed exemplar images (paths, PIL images or arrays).

        Returns the embeddings and a source label for each. With views on,
        every image gives one embedding per view (``exemplar_views``).
        """
        decoded = [decode_pil(image) for image in images]
        names = [str(image) if isinstance(image, (str, Path)) else f"<{type(image).__name__}>" for image in images]
        if not self.views:
            batch = np.stack([resize_square(image, self._input_size) for image in decoded])
            return self._embed(batch), names
        batch = np.concatenate([exemplar_views(image, self._input_size) for image in decoded])
        sources = [name if view == "original" else f"{name} ({view})" for name in names for view in VIEW_NAMES]
        return self._embed(batch), sources

    def add(self, name: str, images: Sequence[object]) -> ExemplarSet:
        """Add exemplar images to set ``name`` in memory (creating it); return the set.

        Images are decoded first, so a bad image leaves the bank unchanged.
        """
        embeddings, sources = self.embed_images(images)
        count = len(images)
        current = self.sets.get(name)
        if current is not None:
            embeddings = np.concatenate([current.embeddings, embeddings])
            sources = current.sources + sources
            count += current.exemplars
        self.sets[name] = ExemplarSet(name, embeddings.astype(np.float32), sources, count)
        return self.sets[name]

    def similarity(self, embeddings: np.ndarray, names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """Return each set's nearest-exemplar cosine similarity, shape (N,) per name."""
        names = list(names) if names is not None else self.names
        missing = [name for name in names if name not in self.sets]
        if missing:
            raise ExemplarError(f"no exemplars loaded for pictogram(s): {', '.join(missing)}")
        return {name: (embeddings @ self.sets[name].embeddings.T).max(axis=1) for name in names}

    def probabilities(self, embeddings: np.ndarray, names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """Return P(pictogram ~ name) for each set, shape (N,) per name."""
        return {
            name: self.calibration.probability(similarity)
            for name, similarity in self.similarity(embeddings, names).items()
        }


def write_embeddings(folder: Path, embeddings: np.ndarray, sources: Sequence[str], weights_fingerprint: str) -> Path:
    """Write ``embeddings.npz`` into an exemplar folder atomically; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / BANK_FILE
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".npz", delete=False) as handle:
        np.savez_compressed(
            handle,
            embeddings=np.asarray(embeddings, dtype=np.float16),
            sources=np.asarray(list(sources)),
            weights_fingerprint=np.asarray(weights_fingerprint),
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


def probability_columns(bank: ExemplarBank, embeddings: np.ndarray, names: Iterable[str]) -> Mapping[str, np.ndarray]:
    """Return P(pictogram ~ name) for ``names``, an empty mapping when there are none."""
    names = list(names)
    return bank.probabilities(embeddings, names) if names else {}
