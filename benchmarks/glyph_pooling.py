"""Exact digit reading against the glyph reader's pool weight, for numbers the network saw and never saw.

Run from the repository root, with a network and glyph reader trained
without the held-out classes, and a rule set whose calibration matches the
network (``benchmarks/add_sign.py heldout6 --glyphs`` makes all three):

    python benchmarks/glyph_pooling.py runs/add-sign/heldout6-g2/rules-1shot/attributes.pt \\
        runs/add-sign/heldout6-g2/glyphs.pt ../shared/data/gtsrb/Final_Training \\
        --rules runs/add-sign/heldout6-g2/rules-1shot/after --held-out 3,7

For each pool weight (``Classifier(glyph_pool_weight=...)``), it reads the
digits of every speed-limit image and prints the share read exactly: per
held-out class over all its images, and over the validation images of the
other speed limits. Weight 0 is the network alone and 1 the glyph reader
alone, with the network's number of digits. The network's calibrated
temperatures apply, as in classification. Without ``--held-out`` it
measures the seen numbers only, for example of the shipped pair:

    python benchmarks/glyph_pooling.py attributes/weights/attributes.pt \\
        attributes/weights/glyphs.pt ../shared/data/gtsrb/Final_Training
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from signrules.attributes.errors import SignrulesError
from signrules.attributes.glyphs.real import number_classes
from signrules.attributes.gtsrb import load_gtsrb, split_by_track
from signrules.attributes.inference import pool_digits
from signrules.engine.classifier import Classifier

sys.path.insert(0, str(Path(__file__).resolve().parent))
from glyph_reading import without_numbers
from heldout_reading import class_list

DEFAULT_POOL_WEIGHTS = (0.0, 0.5, 0.6, 0.7, 0.8, 1.0)


def weight_list(text: str) -> list[float]:
    """Parse comma-separated pool weights from 0 to 1."""
    try:
        weights = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid weight list {text!r}: expected numbers such as 0.5,0.7") from None
    if not weights or any(not 0.0 <= weight <= 1.0 for weight in weights):
        raise argparse.ArgumentTypeError(f"invalid weight list {text!r}: expected numbers from 0 to 1")
    return weights


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("weights", type=Path, help="attribute-network weights (.pt), calibrated for best results")
    parser.add_argument("glyphs", type=Path, help="glyph-reader weights (.pt)")
    parser.add_argument("data", type=Path, help="GTSRB folder in either official layout")
    parser.add_argument("--rules", type=Path, default=None,
                        help="rule set whose exemplars match the weights (default: the shipped German set)")
    parser.add_argument("--held-out", type=class_list, default=[],
                        help="comma-separated speed-limit class ids (0-5, 7, 8) that the network and reader never "
                             "saw; all their images count")
    parser.add_argument("--pool-weights", type=weight_list, default=list(DEFAULT_POOL_WEIGHTS),
                        help="comma-separated pool weights to try (default 0,0.5,0.6,0.7,0.8,1)")
    parser.add_argument("--json", action="store_true", help="write the figures as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    numbers = number_classes()
    if without_numbers("glyph_pooling", args.held_out, numbers):
        return 2
    try:
        # float32, as the figures in docs/benchmarks.md were measured, on any CPU.
        classifier = Classifier(args.rules, weights=args.weights, glyph_weights=args.glyphs, precision="float32")
        data = load_gtsrb(args.data, classes=sorted(numbers))
    except (SignrulesError, OSError) as exc:
        print(f"glyph_pooling: error: {exc}", file=sys.stderr)
        return 1

    # Seen classes count on validation tracks only; a test folder has no tracks.
    has_tracks = bool((data.track_ids >= 0).all())
    seen = split_by_track(data)[1] if has_tracks else np.arange(len(data))
    held_out = np.flatnonzero(np.isin(data.class_ids, args.held_out))
    seen = seen[~np.isin(data.class_ids[seen], args.held_out)]
    index = np.concatenate([held_out, seen])
    truth = np.array([numbers[int(class_id)] for class_id in data.class_ids[index]])
    groups = {f"class {c} ({numbers[c]})": data.class_ids[index] == c for c in args.held_out}
    groups["seen numbers (validation)" if has_tracks else "seen numbers"] = ~np.isin(data.class_ids[index],
                                                                                 args.held_out)

    # The network and the reader run once; only their pooling changes with the weight.
    print(f"glyph_pooling: reading {len(index)} images", file=sys.stderr, flush=True)
    images = data.images[index]
    network = classifier.predictor.predict(images, read_glyphs=False).strings["digits"]
    reading = classifier.predictor.glyph_reader.read(images, [len(number) for number in network.decode()])
    rows = []
    for weight in args.pool_weights:
        read = np.array(pool_digits(network, reading.probs, reading.found, weight).decode())
        exact = read == truth
        rows.append({"pool_weight": weight,
                     **{name: float(exact[members].mean()) for name, members in groups.items() if members.any()}})

    if args.json:
        print(json.dumps({"weights": str(args.weights), "glyphs": str(args.glyphs), "rows": rows}))
        return 0
    names = [name for name, members in groups.items() if members.any()]
    print("read exactly, by the glyph reader's pool weight ("
          + ", ".join(f"{name}: {int(groups[name].sum())} images" for name in names) + ")")
    print(f"{'weight':>6}  " + "  ".join(f"{name:>26}" for name in names))
    for row in rows:
        print(f"{row['pool_weight']:>6.2f}  " + "  ".join(f"{row[name]:>26.2%}" for name in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
