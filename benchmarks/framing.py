"""Accuracy on signs framed more loosely than GTSRB frames them, with and without zoom.

Run from the repository root:

    python benchmarks/framing.py ../shared/data/gtsrb/Final_Training

GTSRB crops a sign with a margin of about 10 % of its size on each side,
so the sign fills about 80 % of the crop, and the network learned that
framing. A detector or a person may crop more loosely. This script shrinks
each validation image inside its own frame, which keeps its size and
repeats its edge pixels outwards, so that the sign fills a given share of
what it filled. It then classifies the images with the shipped classifier (or
``--rules`` and ``--weights``), with and without the centre crops it tries
on unknown images (``Classifier(zoom=...)``), and reports accuracy and
the unknown rate.

``--every 8`` takes every eighth validation image (the default), which is
enough to see a trend; ``--every 1`` takes all of them. A test folder has
no tracks, so all of its images count. ``--json`` writes one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from signrules.attributes.errors import SignrulesError
from signrules.attributes.gtsrb import load_gtsrb
from signrules.engine.classifier import Classifier
from signrules.engine.evaluation import dataset_sign_ids

from degraded_images import add_classifier_options, chosen_images

# Side at which images are shrunk, before the classifier resizes them to
# its input: twice the network's, so that shrinking loses little.
_SIDE = 64


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="GTSRB folder in either official layout")
    parser.add_argument("--fills", default="1.0,0.8,0.65,0.5",
                        help="shares of its usual size that the sign fills, comma-separated (default 1.0,0.8,0.65,0.5)")
    add_classifier_options(parser, every=8)
    return parser.parse_args(argv)


def loosen(images: np.ndarray, fill: float) -> np.ndarray:
    """Shrink each image (N, S, S, 3) to ``fill`` of its side inside its own frame, repeating its edges."""
    side = images.shape[1]
    inner = max(1, int(round(side * fill)))
    before = (side - inner) // 2
    after = side - inner - before
    framed = np.empty_like(images)
    for index, image in enumerate(images):
        small = np.asarray(Image.fromarray(image).resize((inner, inner), Image.BICUBIC))
        framed[index] = np.pad(small, ((before, after), (before, after), (0, 0)), mode="edge")
    return framed


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        fills = [float(part) for part in args.fills.split(",") if part.strip()]
    except ValueError:
        print(f"framing: error: invalid --fills {args.fills!r}: expected numbers such as 1.0,0.5", file=sys.stderr)
        return 2
    if not fills or not all(0.0 < fill <= 1.0 for fill in fills) or args.every < 1:
        print("framing: error: --fills must be in (0, 1] and --every at least 1", file=sys.stderr)
        return 2
    try:
        data = load_gtsrb(args.data, size=_SIDE)
        classifiers = {"zoom": Classifier(args.rules, weights=args.weights, precision=args.precision),
                       "no zoom": Classifier(args.rules, weights=args.weights, zoom=False,
                                             precision=args.precision)}
    except (SignrulesError, OSError) as exc:
        print(f"framing: error: {exc}", file=sys.stderr)
        return 1

    index = chosen_images(data, args.every)
    expected = dataset_sign_ids(classifiers["zoom"].ruleset)
    truth = [expected.get(int(c), "") for c in data.class_ids[index]]
    rows = []
    for fill in fills:
        images = loosen(data.images[index], fill)
        row = {"fill": fill, "images": len(index)}
        for name, classifier in classifiers.items():
            results = classifier.classify_batch(images)
            row[name] = {"accuracy": float(np.mean([r.sign_id == t for r, t in zip(results, truth)])),
                         "unknown": float(np.mean([r.is_unknown for r in results]))}
        rows.append(row)

    if args.json:
        print(json.dumps({"dataset": str(args.data), "rows": rows}))
        return 0
    print(f"{'fill':>5} {'images':>6}  {'accuracy, zoom':>14} {'unknown':>8}  {'accuracy, no zoom':>17} {'unknown':>8}")
    for row in rows:
        print(f"{row['fill']:>5.2f} {row['images']:>6}  {row['zoom']['accuracy']:>14.1%} {row['zoom']['unknown']:>8.1%}"
              f"  {row['no zoom']['accuracy']:>17.1%} {row['no zoom']['unknown']:>8.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
