"""Train the attribute network (or the plain-softmax baseline) on GTSRB and synthetic signs.

Reads as phases, like a reference training script: ``get_args_parser()``,
``load_data()``, ``train_one_epoch()``, ``evaluate()``, ``main(args)``.
Training is seeded and resumable: each epoch draws its batch order and
augmentation from generators seeded by (seed, epoch), and a checkpoint is
written after every epoch, so a resumed run ends with the same weights as an
uninterrupted one.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import platform
import sys
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from signrules.attributes.augment import TrainAugment
from signrules.attributes.descriptor import with_descriptor
from signrules.attributes.gtsrb import attribute_records, load_gtsrb, split_by_track
from signrules.attributes.inference import images_to_tensor
from signrules.attributes.labels import IGNORE, concatenate_labels, encode_labels
from signrules.attributes.losses import AttributeLoss
from signrules.attributes.network import AttributeNet, NetConfig, PlainClassifier
from signrules.attributes.schema import Schema, default_schema
from signrules.attributes.synth import render_dataset
from signrules.attributes.synth.digit_swap import cached_swap_digits_batch
from signrules.attributes.train_args import get_args_parser
from signrules.attributes.weights import save_attribute_net
from tqdm import tqdm

__all__ = ["drop_colour_labels", "evaluate", "get_args_parser", "load_data", "main", "train_one_epoch"]

log = logging.getLogger(__name__)

#: Epochs of a full run, and real images used by --quick.
DEFAULT_EPOCHS = 14
QUICK_IMAGES = 3000

@dataclass
class TrainingData:
    """Images (uint8, N x H x W x 3) and labels for training and validation."""

    train_images: np.ndarray
    train_labels: dict[str, np.ndarray]
    train_class_ids: np.ndarray
    synthetic_images: np.ndarray
    synthetic_labels: dict[str, np.ndarray]
    val_images: np.ndarray
    val_labels: dict[str, np.ndarray]
    val_class_ids: np.ndarray
    heldout_images: np.ndarray
    heldout_labels: dict[str, np.ndarray]
    heldout_class_ids: np.ndarray


def parse_class_list(text: str) -> list[int]:
    """Parse "3,7,14" into [3, 7, 14]; raise ValueError naming the bad entry."""
    classes = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        if not part.isdigit() or not 0 <= int(part) <= 42:
            raise ValueError(f"invalid GTSRB class id {part!r}; expected an integer from 0 to 42")
        classes.append(int(part))
    return sorted(set(classes))


def load_data(args: argparse.Namespace, schema: Schema) -> TrainingData:
    """Load GTSRB, split it by track, drop excluded classes, and render synthetic signs."""
    progress = not args.no_progress
    data = load_gtsrb(args.data, progress=progress)
    train_index, val_index = split_by_track(data)
    excluded = parse_class_list(args.exclude_classes)
    is_excluded = np.isin(data.class_ids, excluded)

    # Excluded classes leave training entirely; all their images, which the
    # network never sees, measure how well it reads them from synthetic data.
    heldout_index = np.flatnonzero(is_excluded)
    train_index = train_index[~is_excluded[train_index]]
    val_index = val_index[~is_excluded[val_index]]

    rng = np.random.default_rng(args.seed)
    few_shot = parse_class_list(args.few_shot_classes)
    if set(few_shot) & set(excluded):
        raise ValueError(f"classes {sorted(set(few_shot) & set(excluded))} are both excluded and few-shot")
    if few_shot:
        train_index = keep_few_shots(train_index, data.class_ids, data.track_ids, few_shot, args.shots, rng)

    limit = args.max_images or (QUICK_IMAGES if args.quick else None)
    if limit:
        train_index = rng.choice(train_index, min(limit, len(train_index)), replace=False)
        val_index = rng.choice(val_index, min(limit // 3, len(val_index)), replace=False)
        heldout_index = heldout_index[: limit // 10]

    def labels_for(index: np.ndarray) -> dict[str, np.ndarray]:
        return encode_labels(attribute_records(data.class_ids[index]), schema)

    synthetic_count = 0 if args.model == "plain" else args.synthetic
    if limit:
        synthetic_count = min(synthetic_count, limit)
    if synthetic_count:
        synthetic = render_dataset(
            synthetic_count, seed=args.seed, size=data.images.shape[1],
            workers=args.workers, progress=progress,
        )
        synthetic_images, synthetic_labels = synthetic.images, synthetic.labels
    else:
        synthetic_images = np.zeros((0, *data.images.shape[1:]), dtype=np.uint8)
        synthetic_labels = encode_labels([], schema)

    swap_count = 0 if args.model == "plain" else args.digit_swaps
    if limit:
        swap_count = min(swap_count, limit)
    if swap_count:
        swap_images, swap_labels = make_digit_swaps(data, train_index, swap_count, args.seed, schema, progress,
                                                    args.transplant, args.blank_plates, args.derive_digits)
        synthetic_images = np.concatenate([synthetic_images, swap_images])
        synthetic_labels = concatenate_labels([synthetic_labels, swap_labels])

    train_labels = labels_for(train_index)
    if args.model != "plain" and args.ignore_real_digits:
        ignore_real_digits(train_labels, schema, args.ignore_real_digits, args.seed)

    return TrainingData(
        train_images=data.images[train_index],
        train_labels=train_labels,
        train_class_ids=data.class_ids[train_index],
        synthetic_images=synthetic_images,
        synthetic_labels=synthetic_labels,
        val_images=data.images[val_index],
        val_labels=labels_for(val_index),
        val_class_ids=data.class_ids[val_index],
        heldout_images=data.images[heldout_index],
        heldout_labels=labels_for(heldout_index),
        heldout_class_ids=data.class_ids[heldout_index],
    )


def ignore_real_digits(labels: dict[str, np.ndarray], schema: Schema, fraction: float, seed: int) -> int:
    """Mask the string labels of ``fraction`` of the real images that show a string; return how many.

    This is an experiment. A string reader trained on real plates may
    learn to recognise the few numbers GTSRB shows by the look of the
    plate, and then read an unseen real "60" as the "80" it was trained on.
    Without those labels it learns every number from synthetic signs and
    digit swaps only. With all of them masked it read real plates worse,
    seen numbers included, so ``signrules train`` masks none by default.
    The draw has its own generator, so the rest of the run is the same as
    without it.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"the fraction of real string labels to ignore must be in [0, 1], got {fraction}")
    rng = np.random.default_rng([seed, 7])
    masked = 0
    for name, attribute in schema.strings.items():
        showing = np.flatnonzero((labels[name][:, 0] != IGNORE) & (labels[name][:, 0] != attribute.end_index))
        chosen = showing[rng.random(len(showing)) < fraction]
        labels[name][chosen] = IGNORE
        log.info("ignoring the %s labels of %d of %d real images that show %s", name, len(chosen), len(showing), name)
        masked += len(chosen)
    return masked


def make_digit_swaps(data, train_index: np.ndarray, count: int, seed: int, schema: Schema,
                     progress: bool = False, transplant: float = 0.0,
                     blank: float = 0.0, derive: bool = False) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Replace the digits of real training speed-limit crops with random numbers.

    Only plates that show digits and no strike are used, and only from the
    training images, so excluded classes stay unseen. The labels are the
    source class's, with the new number (``""`` for a blank plate) and no
    pictogram class. A blank plate is not labelled as the "no vehicles"
    pictogram, because that class may be one a run excludes.
    """
    records = attribute_records(data.class_ids[train_index])
    usable = [i for i, r in zip(train_index, records) if r["digits"] and r["strike"] == "none"]
    if not usable:
        log.info("no speed-limit crops to swap digits in")
        return np.zeros((0, *data.images.shape[1:]), np.uint8), encode_labels([], schema)

    log.info("swapping digits in %d crops from %d speed-limit images", count, len(usable))
    usable = np.array(usable)
    # One lookup for all sources: the class table is read once per call.
    source_records = attribute_records(data.class_ids[usable])
    old_numbers = [str(record["digits"]) for record in source_records]
    images, numbers, sources = cached_swap_digits_batch(data.images[usable], old_numbers, count, seed, progress,
                                                        transplant, blank, derive)
    swapped_records = []
    for number, source in zip(numbers, sources):
        record = dict(source_records[source])
        record["digits"] = number
        record["pictogram"] = None
        swapped_records.append(record)
    return images, encode_labels(swapped_records, schema)


def pick_shots(train_index: np.ndarray, class_ids: np.ndarray, track_ids: np.ndarray,
               classes: list[int], shots: int, rng: np.random.Generator) -> dict[int, np.ndarray]:
    """Choose ``shots`` training images of each class in ``classes``, from different tracks first.

    Classes are drawn in the given order from one generator, so that a
    benchmark that calls this with the same arguments picks the same images.
    """
    if shots < 1:
        raise ValueError(f"--shots must be at least 1, got {shots}")
    chosen = {}
    for class_id in classes:
        members = train_index[class_ids[train_index] == class_id]
        # One image per track first, so that five shots are five physical signs.
        order = rng.permutation(members)
        _, first = np.unique(track_ids[order], return_index=True)
        chosen[class_id] = np.concatenate([order[np.sort(first)], np.setdiff1d(order, order[first])])[:shots]
    return chosen


def keep_few_shots(train_index: np.ndarray, class_ids: np.ndarray, track_ids: np.ndarray,
                   classes: list[int], shots: int, rng: np.random.Generator) -> np.ndarray:
    """Keep ``shots`` training images of each class in ``classes`` (see ``pick_shots``).

    The kept images are repeated up to the median size of the other classes,
    as one would oversample a rare class when retraining. Without that, a
    single image among thousands is never learned.
    """
    chosen = pick_shots(train_index, class_ids, track_ids, classes, shots, rng)
    others = train_index[~np.isin(class_ids[train_index], classes)]
    typical = int(np.median(np.bincount(class_ids[others])[np.unique(class_ids[others])]))
    kept = [others]
    for class_id, images in chosen.items():
        kept.append(np.resize(images, max(shots, typical)))
        log.info("class %d: %d shot(s) %s, repeated to %d", class_id, shots, images.tolist(), max(shots, typical))
    return np.concatenate(kept)


def epoch_batches(data: TrainingData, args: argparse.Namespace, epoch: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return this epoch's batches as (real indices, synthetic indices) pairs.

    The order depends only on (seed, epoch), which is what makes resuming exact.
    """
    rng = np.random.default_rng([args.seed, epoch])
    real_order = rng.permutation(len(data.train_images))
    synthetic_total = len(data.synthetic_images)
    synthetic_count = min(synthetic_total, int(round(len(real_order) * args.synthetic_ratio)))

    # Walk through the synthetic pool in epoch-sized slices of one fixed
    # permutation, so every synthetic sign is used before any repeats.
    if synthetic_count:
        pool = np.random.default_rng([args.seed, 7919]).permutation(synthetic_total)
        start = (epoch * synthetic_count) % synthetic_total
        synthetic_order = np.take(pool, np.arange(start, start + synthetic_count), mode="wrap")
        synthetic_order = rng.permutation(synthetic_order)
    else:
        synthetic_order = np.zeros(0, dtype=np.int64)

    steps = max(1, math.ceil((len(real_order) + len(synthetic_order)) / args.batch_size))
    return [
        (real_chunk, synthetic_chunk)
        for real_chunk, synthetic_chunk in zip(
            np.array_split(real_order, steps), np.array_split(synthetic_order, steps)
        )
    ]


def _batch(data: TrainingData, real: np.ndarray, synthetic: np.ndarray) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    images = np.concatenate([data.train_images[real], data.synthetic_images[synthetic]])
    labels = concatenate_labels([
        {name: values[real] for name, values in data.train_labels.items()},
        {name: values[synthetic] for name, values in data.synthetic_labels.items()},
    ])
    return images_to_tensor(images), {name: torch.from_numpy(values) for name, values in labels.items()}


def drop_colour_labels(labels: dict[str, torch.Tensor], washed: torch.Tensor, schema: Schema) -> None:
    """Set the colour attributes' labels of the ``washed`` images (bool (N,)) to IGNORE, in place.

    Shape, legend and pictogram keep their labels: a washed-out sign still
    shows them.
    """
    if not bool(washed.any()):
        return
    for name, attribute in schema.categorical.items():
        if attribute.colour:
            labels[name][washed] = IGNORE


def train_one_epoch(model, criterion, optimizer, scheduler, augment, data, args, epoch, pictogram_index):
    """Run one epoch; return the mean of each loss term."""
    model.train()
    generator = torch.Generator().manual_seed(args.seed * 1000 + epoch)
    torch.manual_seed(args.seed * 1000 + epoch)  # dropout draws from the global generator
    batches = epoch_batches(data, args, epoch)
    sums: dict[str, float] = {}

    bar = tqdm(batches, desc=f"epoch {epoch + 1}/{args.epochs}", disable=args.no_progress,
               leave=False, file=sys.stderr)
    for real, synthetic in bar:
        images, labels = _batch(data, real, synthetic)
        images = augment(images, generator=generator)
        images, washed = augment.wash_out(images, generator=generator)
        images = images.contiguous(memory_format=torch.channels_last)

        if args.model == "plain":
            targets = torch.from_numpy(data.train_class_ids[real])
            loss = F.cross_entropy(model(images), targets)
            terms = {"class": float(loss.detach())}
        else:
            drop_colour_labels(labels, washed, model.schema)
            for name in model.schema.embeddings:
                labels[name] = pictogram_index(labels[name])
            loss, terms = criterion(model(images), labels)

        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()

        for name, value in terms.items():
            sums[name] = sums.get(name, 0.0) + value
        bar.set_postfix(loss=f"{float(loss.detach()):.3f}")
    return {name: total / len(batches) for name, total in sums.items()}


@torch.inference_mode()
def predict_outputs(model, images: np.ndarray, batch_size: int = 512) -> dict[str, torch.Tensor]:
    """Run ``model`` in eval mode over uint8 images; concatenate its outputs."""
    model.eval()
    parts: list = []
    for start in range(0, len(images), batch_size):
        batch = images_to_tensor(images[start : start + batch_size]).contiguous(memory_format=torch.channels_last)
        parts.append(model(batch))
    if isinstance(parts[0], torch.Tensor):
        return {"class": torch.cat(parts)}
    return {name: torch.cat([part[name] for part in parts]) for name in parts[0]}


def head_accuracy(outputs: dict[str, torch.Tensor], labels: dict[str, np.ndarray], schema: Schema) -> dict[str, float]:
    """Accuracy of each categorical head and exact-string accuracy of each string head."""
    metrics = {}
    for name in schema.categorical:
        known = labels[name] != IGNORE
        predicted = outputs[name].argmax(dim=1).numpy()
        metrics[name] = float((predicted[known] == labels[name][known]).mean()) if known.any() else math.nan
    for name in schema.strings:
        known = (labels[name] != IGNORE).all(axis=1)
        predicted = outputs[name].argmax(dim=2).numpy()
        exact = (predicted == labels[name]).all(axis=1)
        metrics[name] = float(exact[known].mean()) if known.any() else math.nan

        # Also report images that show a string: most signs show none, which
        # would flatter the exact-match figure.
        end = schema.strings[name].end_index
        shown = known & (labels[name][:, 0] != end)
        metrics[f"{name}_shown"] = float(exact[shown].mean()) if shown.any() else math.nan
    return metrics


def evaluate(model, data: TrainingData, args: argparse.Namespace) -> dict[str, float]:
    """Compute per-head validation accuracy and, with excluded classes, held-out reading."""
    if args.model == "plain":
        logits = predict_outputs(model, data.val_images)["class"]
        return {"class": float((logits.argmax(dim=1).numpy() == data.val_class_ids).mean())}

    schema = model.schema
    outputs = predict_outputs(model, data.val_images)
    metrics = head_accuracy(outputs, data.val_labels, schema)

    # Pictogram embedding: nearest class mean of training embeddings, from
    # at most 100 images per class to keep evaluation cheap.
    rng = np.random.default_rng(args.seed)
    reference = np.concatenate([
        rng.permutation(np.flatnonzero(data.train_class_ids == c))[:100]
        for c in np.unique(data.train_class_ids)
    ])
    train_outputs = predict_outputs(model, data.train_images[reference])
    for name in schema.embeddings:
        metrics[name] = nearest_mean_accuracy(
            train_outputs[name], data.train_class_ids[reference], outputs[name], data.val_class_ids
        )

    if len(data.heldout_images):
        heldout = head_accuracy(predict_outputs(model, data.heldout_images), data.heldout_labels, schema)
        metrics.update({f"heldout_{name}": value for name, value in heldout.items()})
    return metrics


def nearest_mean_accuracy(train_embeddings, train_classes, val_embeddings, val_classes) -> float:
    """Accuracy of assigning each validation embedding to the nearest class-mean embedding."""
    classes = np.unique(train_classes)
    means = torch.stack([train_embeddings[torch.from_numpy(train_classes == c)].mean(dim=0) for c in classes])
    means = F.normalize(means, dim=1)
    predicted = classes[(val_embeddings @ means.T).argmax(dim=1).numpy()]
    return float((predicted == val_classes).mean())


class PictogramIndex:
    """Maps pictogram class ids (GTSRB 0-42, synthetic 1000+) to prototype rows."""

    def __init__(self, *label_arrays: np.ndarray) -> None:
        ids = np.unique(np.concatenate([labels[labels != IGNORE] for labels in label_arrays]))
        self.ids = ids
        self.lookup = np.full(int(ids.max()) + 1 if len(ids) else 1, IGNORE, dtype=np.int64)
        self.lookup[ids] = np.arange(len(ids))

    def __len__(self) -> int:
        return len(self.ids)

    def __call__(self, labels: torch.Tensor) -> torch.Tensor:
        mapped = torch.full_like(labels, IGNORE)
        known = labels != IGNORE
        mapped[known] = torch.from_numpy(self.lookup)[labels[known]]
        return mapped


def _environment() -> dict:
    return {
        "python": platform.python_version(),
        "torch": str(torch.__version__),
        "machine": platform.machine(),
        "processor": platform.processor() or "unknown",
        "threads": torch.get_num_threads(),
    }


def main(args: argparse.Namespace) -> dict[str, float]:
    """Train as configured by ``args``; return the final validation metrics."""
    started = time.perf_counter()
    torch.manual_seed(args.seed)
    if args.epochs is None:
        args.epochs = 1 if args.quick else DEFAULT_EPOCHS
    schema = default_schema()
    args.output_dir.mkdir(parents=True, exist_ok=True)
    checkpoint_path = args.output_dir / "checkpoint.pt"
    metrics_path = args.output_dir / "metrics.jsonl"

    # Keep a log file beside the checkpoint: long runs go to the background.
    handler = logging.FileHandler(args.output_dir / "train.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logging.getLogger("signrules").addHandler(handler)
    try:
        return _run(args, schema, checkpoint_path, metrics_path, started)
    finally:
        logging.getLogger("signrules").removeHandler(handler)
        handler.close()


def _check_options(args: argparse.Namespace) -> None:
    """Raise ValueError for an out-of-range option before minutes of loading and rendering."""
    for option, value in (("--ignore-real-digits", args.ignore_real_digits), ("--exposure", args.exposure),
                          ("--stains", args.stains), ("--occlusion", args.occlusion), ("--washout", args.washout),
                          ("--transplant", args.transplant), ("--blank-plates", args.blank_plates)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{option} must be in [0, 1], got {value}")
    if not 0.3 <= args.min_scale <= 1.0:
        raise ValueError(f"--min-scale must be in [0.3, 1], got {args.min_scale}")
    if args.derive_digits and not args.transplant:
        raise ValueError("--derive-digits needs --transplant above 0, because derived digits are used only "
                         "in transplants; add --transplant 0.5, for example")
    if args.column_reader and not args.string_reader:
        raise ValueError("--column-reader reads the string branch, so it cannot be combined with --no-string-reader")


def _run(args, schema, checkpoint_path, metrics_path, started) -> dict[str, float]:
    _check_options(args)
    log.info("Loading data from %s", args.data)
    data = load_data(args, schema)
    log.info("train %d real + %d synthetic, validation %d, held out %d",
             len(data.train_images), len(data.synthetic_images), len(data.val_images), len(data.heldout_images))

    log.info("Creating model %s", args.model)
    config = NetConfig(input_size=data.train_images.shape[1], string_reader=args.string_reader,
                       column_reader=args.column_reader)
    if args.model == "plain":
        model = PlainClassifier(43, config)
        criterion = None
        pictogram_index = None
    else:
        model = AttributeNet(schema, config)
        embedding_labels = [data.train_labels[n] for n in schema.embeddings]
        embedding_labels += [data.synthetic_labels[n] for n in schema.embeddings]
        pictogram_index = PictogramIndex(*embedding_labels)
        embedding_dim = next(iter(schema.embeddings.values())).dim
        criterion = AttributeLoss(schema, len(pictogram_index), embedding_dim)
    model = model.to(memory_format=torch.channels_last)

    parameters = list(model.parameters()) + (list(criterion.parameters()) if criterion else [])
    optimizer = torch.optim.AdamW(parameters, lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = len(epoch_batches(data, args, 0))
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch, pct_start=0.15
    )
    augment = TrainAugment(strength=args.augment_strength, scale=(args.min_scale, 1.15), exposure=args.exposure,
                           stains=args.stains, occlusion=args.occlusion, washout=args.washout)

    start_epoch = 0
    if args.resume and checkpoint_path.exists():
        log.info("Resuming from %s", checkpoint_path)
        checkpoint = torch.load(checkpoint_path, map_location="cpu", weights_only=False)
        model.load_state_dict(checkpoint["model"])
        if criterion is not None:
            criterion.load_state_dict(checkpoint["criterion"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        scheduler.load_state_dict(checkpoint["scheduler"])
        start_epoch = checkpoint["epoch"] + 1
    elif metrics_path.exists():
        metrics_path.unlink()

    log.info("Start training for %d epochs", args.epochs)
    metrics: dict[str, float] = {}
    end_epoch = min(args.epochs, args.stop_after) if args.stop_after else args.epochs
    for epoch in range(start_epoch, end_epoch):
        epoch_started = time.perf_counter()
        losses = train_one_epoch(model, criterion, optimizer, scheduler, augment, data, args, epoch, pictogram_index)
        metrics = evaluate(model, data, args)
        seconds = time.perf_counter() - epoch_started

        record = {"epoch": epoch + 1, "seconds": round(seconds, 1),
                  "loss": {k: round(v, 4) for k, v in losses.items()},
                  "val": {k: round(v, 5) for k, v in metrics.items()}}
        with metrics_path.open("a") as stream:
            stream.write(json.dumps(record) + "\n")
        log.info("epoch %d/%d %.0fs loss %s val %s", epoch + 1, args.epochs, seconds,
                 json.dumps(record["loss"]), json.dumps(record["val"]))

        # Write the checkpoint atomically: a run killed while saving resumes
        # from the previous epoch instead of failing on a truncated file.
        state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                 "scheduler": scheduler.state_dict(), "epoch": epoch, "args": vars(args)}
        if criterion is not None:
            state["criterion"] = criterion.state_dict()
        partial = checkpoint_path.with_suffix(".partial")
        torch.save(state, partial)
        partial.replace(checkpoint_path)

    if not metrics:
        metrics = evaluate(model, data, args)
    minutes = (time.perf_counter() - started) / 60
    log.info("Training finished in %.1f min", minutes)

    if args.export is not None and args.model == "attributes":
        descriptor = None
        if args.descriptor:
            # Fitted on the real training images of classes the network saw
            # in full, so that it is no better prepared for the others.
            few_shot = parse_class_list(args.few_shot_classes)
            seen = ~np.isin(data.train_class_ids, few_shot)
            model, descriptor = with_descriptor(model, data.train_images[seen], not args.no_progress)
        metadata = {
            "command": " ".join(["signrules", "train", *sys.argv[2:]]) if sys.argv[1:2] == ["train"] else " ".join(sys.argv),
            "arguments": {k: str(v) for k, v in vars(args).items() if k != "func"},
            "validation": metrics,
            "train_minutes": round(minutes, 1),
            "environment": _environment(),
            "excluded_classes": parse_class_list(args.exclude_classes),
            "few_shot_classes": parse_class_list(args.few_shot_classes),
        }
        if descriptor is not None:
            metadata["descriptor"] = descriptor
        fingerprint = save_attribute_net(args.export, model, metadata)
        log.info("Wrote %s (weights %s)", args.export, fingerprint)
    elif args.export is not None:
        torch.save({"config": model.config.to_dict(), "state_dict": model.state_dict(), "validation": metrics},
                   args.export)
        log.info("Wrote %s", args.export)
    return metrics
