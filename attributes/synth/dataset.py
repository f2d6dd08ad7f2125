"""Datasets of synthetic signs: reproducible, parallel and cached on disk.

Image ``i`` of a dataset with seed ``s`` is rendered from a generator seeded
with ``(s, i)`` alone, so the images do not depend on how the work is split
among processes. Rendered datasets are stored under ``$SIGNRULES_CACHE``
(default ``~/.cache/signrules``) in ``synth/``, keyed by every parameter and
``RENDERER_VERSION``; bump the version whenever a change alters the images.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from signrules.attributes.labels import encode_labels
from signrules.attributes.schema import Schema, default_schema
from signrules.attributes.synth.render import render_sign
from signrules.attributes.synth.sampling import sample_spec

__all__ = ["RENDERER_VERSION", "SyntheticData", "cache_dir", "render_dataset", "render_range"]

logger = logging.getLogger(__name__)

#: Version of the renderer's output; part of every cache key.
RENDERER_VERSION = "3"

# Images per task sent to a worker process: at most this many, so that the
# progress bar moves, and at least a quarter of a worker's share, so that
# small datasets still spread over every worker.
_MAX_CHUNK = 256


@dataclass
class SyntheticData:
    """Rendered signs: images (N, size, size, 3) uint8, label records and encoded labels."""

    images: np.ndarray
    records: list[dict[str, object]]
    labels: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.records)


def cache_dir() -> Path:
    """Return the folder of cached synthetic datasets."""
    root = os.environ.get("SIGNRULES_CACHE")
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "signrules"
    return base / "synth"


def render_range(
    start: int, stop: int, seed: int, size: int, schema: Schema
) -> tuple[np.ndarray, list[dict[str, object]]]:
    """Render images ``start`` to ``stop`` (exclusive) of the dataset with ``seed``."""
    images = np.empty((stop - start, size, size, 3), np.uint8)
    records = []
    for row, index in enumerate(range(start, stop)):
        rng = np.random.default_rng([seed, index])
        spec = sample_spec(rng, schema)
        images[row], record = render_sign(rng, spec, size=size)
        records.append(record)
    return images, records


def _cache_path(count: int, seed: int, size: int, schema: Schema) -> Path:
    key = json.dumps(
        {
            "version": RENDERER_VERSION,
            "count": count,
            "seed": seed,
            "size": size,
            "schema": schema.fingerprint(),
        },
        sort_keys=True,
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    return cache_dir() / f"synth-v{RENDERER_VERSION}-{count}x{size}-seed{seed}-{digest}.npz"


def _load(path: Path, shape: tuple[int, ...]) -> tuple[np.ndarray, list[dict[str, object]]] | None:
    """Read a cached dataset; return None, after a warning, if it is unreadable or does not fit."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            images = archive["images"]
            records = json.loads(archive["records"].tobytes().decode("utf-8"))
    except (OSError, KeyError, ValueError) as exc:
        # A truncated or foreign file is rendered again and overwritten.
        logger.warning("ignoring unreadable synthetic cache %s: %s", path, exc)
        return None
    if images.shape != shape or len(records) != shape[0]:
        logger.warning(
            "ignoring synthetic cache %s: expected %d images of shape %s, found images %s and %d records",
            path,
            shape[0],
            shape[1:],
            images.shape,
            len(records),
        )
        return None
    return images, records


def _store(path: Path, images: np.ndarray, records: list[dict[str, object]]) -> None:
    """Write the cache file atomically, so a crash never leaves a half-written one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        encoded = np.frombuffer(json.dumps(records).encode("utf-8"), dtype=np.uint8)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
            np.savez(handle, images=images, records=encoded)
        os.replace(handle.name, path)
    except OSError as exc:
        # The cache only saves time; a read-only home must not stop training.
        logger.warning("could not write synthetic cache %s: %s", path, exc)


def _render(
    count: int, seed: int, size: int, schema: Schema, workers: int, progress: bool
) -> tuple[np.ndarray, list[dict[str, object]]]:
    chunk = max(1, min(_MAX_CHUNK, -(-count // (4 * workers))))
    chunks = [(start, min(start + chunk, count)) for start in range(0, count, chunk)]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=count, desc="rendering signs", unit="img")

    images = np.empty((count, size, size, 3), np.uint8)
    records: list[dict[str, object]] = []
    if workers == 1:
        results = (render_range(start, stop, seed, size, schema) for start, stop in chunks)
        executor = None
    else:
        # Fresh interpreters rather than forks: a training process may hold
        # torch threads and locks that a fork would copy in a locked state.
        executor = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))
        results = executor.map(render_range, *zip(*[(a, b, seed, size, schema) for a, b in chunks]))
    try:
        for (start, stop), (chunk_images, chunk_records) in zip(chunks, results):
            images[start:stop] = chunk_images
            records.extend(chunk_records)
            if bar is not None:
                bar.update(stop - start)
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
        if bar is not None:
            bar.close()
    return images, records


def render_dataset(
    count: int,
    *,
    seed: int,
    size: int = 32,
    workers: int = 1,
    progress: bool = False,
    cache: bool = True,
    schema: Schema | None = None,
) -> SyntheticData:
    """Render ``count`` synthetic signs of ``size`` x ``size`` pixels.

    The result depends only on ``count``, ``seed``, ``size``, the schema and
    the renderer version, never on ``workers``. With ``cache`` the dataset
    is read from, or written to, the cache folder (see ``cache_dir``).

    With ``workers`` > 1 the workers are new interpreters that import the
    caller's main module, so a script must call this under
    ``if __name__ == "__main__":``.
    """
    if count < 0:
        raise ValueError(f"count must be at least 0, got {count}")
    if seed < 0:
        raise ValueError(f"seed must be at least 0, got {seed}")
    if size < 8:
        raise ValueError(f"size must be at least 8 pixels, got {size}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    schema = schema or default_schema()

    path = _cache_path(count, seed, size, schema)
    loaded = _load(path, (count, size, size, 3)) if cache and path.exists() else None
    if loaded is not None:
        logger.info("loaded %d synthetic signs from %s", count, path)
        images, records = loaded
    else:
        logger.info(
            "rendering %d synthetic signs (size %d, seed %d, %d workers)",
            count,
            size,
            seed,
            workers,
        )
        images, records = _render(count, seed, size, schema, workers, progress)
        if cache:
            _store(path, images, records)

    return SyntheticData(images, records, encode_labels(records, schema))
