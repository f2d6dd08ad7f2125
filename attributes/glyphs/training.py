"""Train the glyph network on printed digits cut from GTSRB and on drawn ones.

Phases: ``load_glyphs`` (real patches from the training tracks, drawn
patches, derived 6s and 9s), ``train_one_epoch``, ``evaluate`` on the
validation tracks' patches, then a softmax temperature fitted on them and
the weights written with the command, counts and figures. Seeded: the
drawn patches, batch order, augmentation and initial weights all follow
``seed``.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import platform
import sys
import time
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from signrules.attributes.glyphs.network import GlyphNet, save_glyph_net
from signrules.attributes.glyphs.real import RealGlyphs, derive_missing, number_classes, real_glyphs
from signrules.attributes.glyphs.synthetic import synthetic_glyphs
from signrules.attributes.gtsrb import cache_root, load_gtsrb, split_by_track

__all__ = ["GlyphData", "evaluate", "load_glyphs", "main", "train_one_epoch"]

log = logging.getLogger(__name__)

#: Version of the cutting and drawing. It is part of the cache key of cut and drawn patches.
GLYPH_DATA_VERSION = 3

# Numbers drawn per worker task, so that progress moves and workers stay busy.
_CHUNK = 500

#: Crops with numbers kept from each side of the split by ``--quick``.
QUICK_CROPS = 600

# Temperatures tried when calibrating on the validation patches.
_TEMPERATURES = np.round(np.arange(0.5, 3.01, 0.05), 2)


@dataclass
class GlyphData:
    train_patches: np.ndarray
    train_digits: np.ndarray
    val: RealGlyphs
    #: Indices (into the loaded GTSRB data) of the validation crops that show a number.
    val_crops: np.ndarray
    counts: dict[str, int]


def _cache_path(name: str, parts: list) -> Path:
    key = hashlib.sha256(repr([GLYPH_DATA_VERSION, *parts]).encode()).hexdigest()[:16]
    return cache_root() / f"glyphs-{name}-{key}.npz"


def _cached(name: str, parts: list, make):
    """Return ``make()``'s arrays, read from or written to the cache under a key of ``parts``."""
    path = _cache_path(name, parts)
    if path.exists():
        with np.load(path) as archive:
            return {key: archive[key] for key in archive.files}
    arrays = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.npz")
    np.savez(partial, **arrays)
    partial.replace(path)
    return arrays


def _cut_real(data, indices: np.ndarray, workers: int, progress: bool) -> RealGlyphs:
    """Cut real glyphs of ``data.subset(indices)`` with ``workers`` processes."""
    chunks = [indices[start : start + 200] for start in range(0, len(indices), 200)]
    parts = []
    with get_context("spawn").Pool(workers) if workers > 1 else _Inline() as pool:
        bar = tqdm(total=len(indices), desc="cutting printed digits", disable=not progress, unit="crop")
        for chunk, part in zip(chunks, pool.imap(real_glyphs, (data.subset(chunk) for chunk in chunks))):
            parts.append((chunk, part))
            bar.update(len(chunk))
        bar.close()
    patches = [part.patches for _, part in parts]
    digits = [part.digits for _, part in parts]
    crops = [chunk[part.crops] for chunk, part in parts]
    found = np.zeros(len(data), dtype=bool)
    for chunk, part in parts:
        found[chunk] = part.found
    return RealGlyphs(np.concatenate(patches), np.concatenate(digits), np.concatenate(crops), found)


class _Inline:
    """A stand-in for a process pool that maps in this process."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    @staticmethod
    def imap(function, items):
        return map(function, items)


def _draw(task: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    count, seed = task
    return synthetic_glyphs(count, seed)


def load_glyphs(args: argparse.Namespace) -> GlyphData:
    """Cut the real patches, draw the synthetic ones and derive missing digits."""
    progress = not args.no_progress
    data = load_gtsrb(args.data, progress=progress)
    train_index, val_index = split_by_track(data)
    numbers = number_classes()
    excluded = set(args.exclude_classes)
    has_number = np.isin(data.class_ids, sorted(set(numbers) - excluded))
    train_index = train_index[has_number[train_index]]
    val_index = val_index[has_number[val_index]]
    if getattr(args, "quick", False):
        rng = np.random.default_rng(args.seed)
        train_index = np.sort(rng.permutation(train_index)[:QUICK_CROPS])
        val_index = np.sort(rng.permutation(val_index)[:QUICK_CROPS])
    identity = [str(Path(args.data).resolve()), len(data), sorted(excluded)]

    def cut(indices: np.ndarray, name: str) -> RealGlyphs:
        arrays = _cached(name, identity + [indices.tolist()],
                         lambda: _arrays_of(_cut_real(data, indices, args.workers, progress)))
        return RealGlyphs(arrays["patches"], arrays["digits"], arrays["crops"], arrays["found"])

    train = cut(train_index, "real")
    val = cut(val_index, "real")

    tasks = [(min(_CHUNK, args.synthetic - start), args.seed * 1_000_003 + start)
             for start in range(0, args.synthetic, _CHUNK)]

    def draw() -> dict:
        with get_context("spawn").Pool(args.workers) if args.workers > 1 else _Inline() as pool:
            results = list(tqdm(pool.imap(_draw, tasks), total=len(tasks), desc="drawing digits",
                                disable=not progress, unit="chunk"))
        return {"patches": np.concatenate([p for p, _ in results]), "digits": np.concatenate([d for _, d in results])}

    drawn = _cached("drawn", [args.synthetic, args.seed], draw) if args.synthetic else {
        "patches": np.zeros((0, *train.patches.shape[1:]), np.float32), "digits": np.zeros(0, np.int64)}
    derived_patches, derived_digits = derive_missing(train.patches, train.digits, seed=args.seed)

    patches = np.concatenate([train.patches, drawn["patches"], derived_patches])
    digits = np.concatenate([train.digits, drawn["digits"], derived_digits])
    counts = {"printed": len(train.digits), "drawn": len(drawn["digits"]), "derived": len(derived_digits),
              "validation": len(val.digits), "train_crops": int(len(train_index)),
              "train_crops_found": int(train.found[train_index].sum()) if len(train.found) else 0}
    log.info("glyphs: %d printed, %d drawn, %d derived; %d validation", counts["printed"], counts["drawn"],
             counts["derived"], counts["validation"])
    return GlyphData(patches, digits, val, val_index, counts)


def _arrays_of(glyphs: RealGlyphs) -> dict:
    return {"patches": glyphs.patches, "digits": glyphs.digits, "crops": glyphs.crops, "found": glyphs.found}


def _augment(patches: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Shift by up to 2 pixels, change the gamma and add noise: a fit is never exact, nor is a photo."""
    dy, dx = (int(v) for v in torch.randint(-2, 3, (2,), generator=generator))
    patches = torch.roll(patches, (dy, dx), (1, 2))
    gamma = torch.exp(torch.randn(len(patches), 1, 1, generator=generator) * 0.25)
    noise = torch.randn(patches.shape, generator=generator) * 0.05
    return (patches.clamp(0, 1) ** gamma + noise).clamp(0, 1)


def train_one_epoch(model, optimizer, scheduler, data: GlyphData, args, epoch: int) -> float:
    model.train()
    generator = torch.Generator().manual_seed(args.seed * 1000 + epoch)
    order = torch.randperm(len(data.train_digits), generator=generator)
    patches = torch.from_numpy(data.train_patches)
    digits = torch.from_numpy(data.train_digits)
    steps = range(0, len(order) - args.batch_size + 1, args.batch_size)
    total = 0.0
    bar = tqdm(steps, desc=f"epoch {epoch + 1}/{args.epochs}", disable=args.no_progress, unit="batch")
    for start in bar:
        batch = order[start : start + args.batch_size]
        loss = F.cross_entropy(model(_augment(patches[batch], generator)), digits[batch], label_smoothing=0.05)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item()
    return total / max(len(steps), 1)


@torch.no_grad()
def _logits(model, patches: np.ndarray) -> torch.Tensor:
    model.eval()
    return torch.cat([model(torch.from_numpy(patches[start : start + 1024]))
                      for start in range(0, len(patches), 1024)]) if len(patches) else torch.zeros(0, 10)


def evaluate(model, data: GlyphData) -> dict[str, float]:
    """Return the validation glyph accuracy and the share of crops whose whole number is read exactly."""
    val = data.val
    if not len(val.digits):
        return {}
    correct = _logits(model, val.patches).argmax(1).numpy() == val.digits
    exact = sum(bool(correct[val.crops == crop].all()) for crop in np.unique(val.crops))
    found = int(val.found[data.val_crops].sum())
    return {"glyph_accuracy": float(correct.mean()), "legend_found": found / len(data.val_crops),
            "number_exact_found": exact / max(found, 1), "number_exact": exact / len(data.val_crops)}


def fit_temperature(model, data: GlyphData) -> float:
    """Return the softmax temperature that minimises the validation patches' negative log-likelihood."""
    if not len(data.val.digits):
        return 1.0
    logits = _logits(model, data.val.patches)
    targets = torch.from_numpy(data.val.digits)
    losses = [F.cross_entropy(logits / float(t), targets).item() for t in _TEMPERATURES]
    return float(_TEMPERATURES[int(np.argmin(losses))])


def main(args: argparse.Namespace) -> dict[str, float]:
    started = time.time()
    torch.manual_seed(args.seed)
    data = load_glyphs(args)
    if not len(data.train_digits):
        raise ValueError("no training glyphs: every class with a number is excluded and --synthetic is 0; "
                         "keep a speed-limit class or draw numbers with --synthetic")

    model = GlyphNet()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps = max(args.epochs * (len(data.train_digits) // args.batch_size), 1)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, args.lr, total_steps=steps)
    metrics: dict[str, float] = {}
    for epoch in range(args.epochs):
        loss = train_one_epoch(model, optimizer, scheduler, data, args, epoch)
        metrics = {"loss": loss, **evaluate(model, data)}
        log.info("epoch %d/%d: loss %.4f, validation glyphs %.4f, numbers read exactly %.4f (%.0f s)",
                 epoch + 1, args.epochs, loss, metrics.get("glyph_accuracy", float("nan")),
                 metrics.get("number_exact_found", float("nan")), time.time() - started)

    temperature = fit_temperature(model, data)
    metadata = {
        "command": " ".join(["signrules", "train-glyphs", *sys.argv[2:]]) if sys.argv[1:2] == ["train-glyphs"]
        else " ".join(sys.argv),
        "seed": args.seed, "epochs": args.epochs, "synthetic": args.synthetic,
        "exclude_classes": sorted(args.exclude_classes), "temperature": temperature,
        "glyph_data_version": GLYPH_DATA_VERSION, "counts": data.counts, "validation": metrics,
        "minutes": round((time.time() - started) / 60, 1), "machine": platform.machine(),
        "torch": str(torch.__version__),
    }
    save_glyph_net(args.output, model, metadata)
    log.info("wrote %s (temperature %.2f) in %.1f minutes", args.output, temperature, metadata["minutes"])
    return metrics
