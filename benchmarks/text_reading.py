"""How often an attribute network reads the words on synthetic signs it was not trained on.

Run from the repository root:

    python benchmarks/text_reading.py attributes/weights/attributes.pt --seed 1 --count 100000

Renders ``--count`` synthetic signs with ``--seed``. The training pool of
the shipped weights is seed 0, so any other seed gives signs the network
never saw, drawn from the same distribution. For each stop word of
``STOP_WORDS`` it reports the share of signs showing it that the text head
reads exactly, on all plates and on octagons alone. The other words (half sign
words such as YIELD, half random letters) are reported together. GTSRB has
no text but STOP, so this is the only measure of reading other words. It
does not measure real photos of them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from signrules.attributes.errors import SignrulesError
from signrules.attributes.inference import AttributePredictor
from signrules.attributes.synth import render_dataset
from signrules.attributes.synth.sampling import STOP_WORDS
from signrules.attributes.weights import load_attribute_net


def get_args_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("weights", type=Path, help="attribute-network weights file")
    parser.add_argument("--seed", type=int, default=1,
                        help="seed of the rendered signs; use one the network was not trained on (default 1)")
    parser.add_argument("--count", type=int, default=20_000, help="synthetic signs rendered (default 20,000)")
    parser.add_argument("--workers", type=int, default=2, help="processes that render (default 2)")
    parser.add_argument("--json", action="store_true", help="write the figures as one JSON object")
    return parser


def read_words(predictor: AttributePredictor, images: np.ndarray, words: list[str],
               octagon: np.ndarray) -> dict:
    """Return exact-reading rates of ``words`` on ``images``, overall and on octagons."""
    read = predictor.predict(images).strings["text"].decode() if len(images) else []
    exact = np.array([r == w for r, w in zip(read, words, strict=True)], dtype=bool)
    return {
        "signs": len(words),
        "exact": float(exact.mean()) if len(exact) else float("nan"),
        "octagons": int(octagon.sum()),
        "exact_on_octagons": float(exact[octagon].mean()) if octagon.any() else float("nan"),
        "common_readings": Counter(read).most_common(3),
    }


def main(args: argparse.Namespace) -> dict:
    if args.count < 1 or args.workers < 1:
        raise ValueError(f"--count and --workers must be at least 1, got {args.count} and {args.workers}")
    model, metadata = load_attribute_net(args.weights)
    trained_seed = metadata.get("arguments", {}).get("seed")
    if trained_seed is not None and str(args.seed) == str(trained_seed):
        print(f"warning: seed {args.seed} is the one the network was trained with; "
              "its signs are training data", file=sys.stderr)
    # float32, as the figures in docs/benchmarks.md were measured, on any CPU.
    predictor = AttributePredictor(model, precision="float32")
    data = render_dataset(args.count, seed=args.seed, size=model.config.input_size,
                          workers=args.workers, progress=not args.json)
    texts = [record.get("text") or "" for record in data.records]
    octagons = np.array([record.get("shape") == "octagon" for record in data.records])

    report: dict = {"weights": str(args.weights), "seed": args.seed, "count": args.count, "words": {}}
    for word in STOP_WORDS:
        index = np.array([i for i, text in enumerate(texts) if text == word], dtype=np.int64)
        report["words"][word] = read_words(predictor, data.images[index], [word] * len(index), octagons[index])

    index = np.array([i for i, text in enumerate(texts) if text and text not in STOP_WORDS], dtype=np.int64)
    report["other_words"] = read_words(predictor, data.images[index], [texts[i] for i in index], octagons[index])
    return report


def print_report(report: dict) -> None:
    print(f"{report['weights']}: {report['count']} synthetic signs of seed {report['seed']}")
    rows = [*report["words"].items(), ("other words", report["other_words"])]
    for name, row in rows:
        common_readings = ", ".join(f"{text or 'none'} {count}" for text, count in row["common_readings"])
        print(f"  {name:12s} {row['exact'] * 100:5.1f} % of {row['signs']:5d} read exactly, "
              f"{row['exact_on_octagons'] * 100:5.1f} % of {row['octagons']} octagons; common readings: {common_readings}")


if __name__ == "__main__":
    arguments = get_args_parser().parse_args()
    try:
        result = main(arguments)
    except (SignrulesError, ValueError) as error:
        print(f"text_reading: error: {error}", file=sys.stderr)
        sys.exit(2)
    if arguments.json:
        print(json.dumps(result))
    else:
        print_report(result)
