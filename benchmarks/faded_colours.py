"""Accuracy on signs whose colours are faded or overexposed.

Run from the repository root:

    python benchmarks/faded_colours.py ../shared/data/gtsrb/Final_Training

Signs bleached by the sun, shot against it, or seen by a camera with poor
colour keep their shape, legend and pictogram but lose the colour of rim
and plate. This script degrades each validation image in turn:

- ``colour C``: Pillow's ``ImageEnhance.Color`` with factor C, which keeps
  the share C of each pixel's colour (0 is grey);
- ``exposure M``: every channel multiplied so that the image's mean
  brightness is M (0 to 1), then clipped at white, as a sensor clips;

then classifies them with the shipped classifier (or ``--rules`` and
``--weights``) and reports accuracy, the unknown rate and the lowest
classes. Rules that name a colour cannot match where the colour is gone,
so a grey image of a blue sign is expected to be unknown or wrong. Signs
that differ by pictogram, digits or shape need not be.

``--every N`` takes every N-th validation image (default 1: all). A test
folder has no tracks, so all of its images count. ``--json`` writes one
JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance
from signrules.attributes.errors import SignrulesError
from signrules.attributes.gtsrb import load_gtsrb
from signrules.engine.classifier import Classifier
from signrules.engine.evaluation import dataset_sign_ids

from degraded_images import add_classifier_options, chosen_images

#: Classes listed per condition, lowest accuracy first.
LOWEST = 5


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="GTSRB folder in either official layout")
    parser.add_argument("--colour", default="1,0.5,0.25,0",
                        help="shares of colour to keep, from 0 (grey) to 1 (unchanged), comma-separated "
                             "(default 1,0.5,0.25,0; empty for none)")
    parser.add_argument("--exposure", default="0.7,0.8",
                        help="mean brightness from 0 to 1 to brighten each image to before clipping at white, "
                             "comma-separated; images already brighter stay as they are "
                             "(default 0.7,0.8; empty for none)")
    add_classifier_options(parser, every=1)
    return parser.parse_args(argv)


def keep_colour(images: np.ndarray, share: float) -> np.ndarray:
    """Return uint8 images (N, S, S, 3) keeping ``share`` of their colour."""
    return np.stack([np.asarray(ImageEnhance.Color(Image.fromarray(image)).enhance(share)) for image in images])


def overexpose(images: np.ndarray, mean: float) -> np.ndarray:
    """Return uint8 images scaled to a mean brightness of ``mean`` (0 to 1) and clipped at white.

    Images already brighter than that are left as they are.
    """
    values = images.astype(np.float32) / 255.0
    gain = np.maximum(mean / np.maximum(values.mean(axis=(1, 2, 3)), 1e-3), 1.0)
    return (np.clip(values * gain[:, None, None, None], 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def _numbers(text: str, option: str, low: float, high: float) -> list[float]:
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"invalid {option} {text!r}: expected numbers such as 0.5,0") from None
    if not all(low <= value <= high for value in values):
        raise ValueError(f"{option} values must be in [{low}, {high}], got {text!r}")
    return values


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        colours = _numbers(args.colour, "--colour", 0.0, 1.0)
        exposures = _numbers(args.exposure, "--exposure", 0.0, 1.0)
    except ValueError as exc:
        print(f"faded_colours: error: {exc}", file=sys.stderr)
        return 2
    if args.every < 1:
        print(f"faded_colours: error: --every must be at least 1, got {args.every}", file=sys.stderr)
        return 2
    if not colours + exposures:
        print("faded_colours: error: --colour and --exposure are both empty; give at least one value",
              file=sys.stderr)
        return 2
    try:
        data = load_gtsrb(args.data)
        classifier = Classifier(args.rules, weights=args.weights, precision=args.precision)
    except (SignrulesError, OSError) as exc:
        print(f"faded_colours: error: {exc}", file=sys.stderr)
        return 1

    index = chosen_images(data, args.every)
    expected = dataset_sign_ids(classifier.ruleset)
    truth = [expected.get(int(c), "") for c in data.class_ids[index]]
    conditions = [(f"colour {share:g}", lambda images, s=share: keep_colour(images, s)) for share in colours]
    conditions += [(f"exposure {mean:g}", lambda images, m=mean: overexpose(images, m)) for mean in exposures]

    rows = []
    for name, degrade in conditions:
        results = classifier.classify_batch(degrade(data.images[index]))
        right = np.array([r.sign_id == t for r, t in zip(results, truth)])
        per_class = Counter(truth)
        correct = Counter(t for t, ok in zip(truth, right) if ok)
        lowest = sorted(per_class, key=lambda sign: (correct[sign] / per_class[sign], sign))[:LOWEST]
        rows.append({"condition": name, "images": len(index), "accuracy": float(right.mean()),
                     "unknown": float(np.mean([r.is_unknown for r in results])),
                     "lowest": [{"sign_id": sign, "images": per_class[sign],
                                 "accuracy": correct[sign] / per_class[sign]} for sign in lowest]})

    if args.json:
        print(json.dumps({"dataset": str(args.data), "weights": str(classifier.weights_path),
                          "rules": str(classifier.ruleset.root), "rows": rows}))
        return 0
    print(f"dataset {args.data} ({len(index)} images), weights {classifier.weights_path}, "
          f"rules {classifier.ruleset.root}")
    print(f"{'condition':<14} {'images':>6} {'accuracy':>9} {'unknown':>8}  lowest classes")
    for row in rows:
        lowest = ", ".join(f"{c['sign_id']} {c['accuracy']:.0%} of {c['images']}" for c in row["lowest"])
        print(f"{row['condition']:<14} {row['images']:>6} {row['accuracy']:>9.1%} {row['unknown']:>8.1%}  {lowest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
