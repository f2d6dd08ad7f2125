"""Scores of one pictogram's exemplar match on the images of every GTSRB class.

Run from the repository root, with the Python of the environment that
has signrules installed:

    .venv/bin/python benchmarks/pictogram_scores.py ../shared/data/gtsrb/Final_Training --pictogram blank

It prints, per class, how many images there are, the median and the
largest P(pictogram ~ NAME), and how many images score above 0.5. A rule
that relies on the pictogram alone is safe when its own class scores high
and every other class scores low. ``--split`` picks the images as
``signrules eval --split`` does: by default the validation tracks of the
training layout. ``--classes`` keeps only the given class ids, and
``--rules`` and ``--weights`` default to the shipped ones.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from signrules.attributes.errors import SignrulesError
from signrules.attributes.gtsrb import load_gtsrb
from signrules.engine.classifier import Classifier
from signrules.engine.evaluation import select_split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path, help="GTSRB folder of either layout")
    parser.add_argument("--pictogram", required=True, help="exemplar set to score, as a rule names it after ~")
    parser.add_argument("--rules", type=Path, default=None, help="rule set folder (default: the shipped one)")
    parser.add_argument("--weights", type=Path, default=None, help="weights file (default: the shipped one)")
    parser.add_argument("--split", choices=["auto", "validation", "train", "all"], default="auto")
    parser.add_argument("--classes", default=None, help="comma-separated class ids (default: all)")
    args = parser.parse_args()

    try:
        classes = None if args.classes is None else [int(c) for c in args.classes.split(",")]
    except ValueError:
        parser.error(f"invalid --classes {args.classes!r}: expected comma-separated class ids such as 1,15")

    try:
        classifier = Classifier(args.rules, weights=args.weights)
        if args.pictogram not in classifier.bank:
            parser.error(f'rule set {classifier.ruleset.root} has no exemplar set "{args.pictogram}"')
        data = load_gtsrb(args.dataset, classes=classes, size=classifier.input_size)
        data, split = select_split(data, args.split)
    except SignrulesError as error:
        parser.error(str(error))

    # The images are already at the network's input size, as in signrules eval.
    posteriors = classifier.predictor.predict(data.images)
    name = next(iter(posteriors.embeddings))
    embeddings, descriptors = posteriors.embeddings[name], posteriors.descriptors.get(name)
    scores = classifier.bank.probabilities(embeddings, [args.pictogram], descriptors)[args.pictogram]

    print(f"P(pictogram ~ {args.pictogram}) on {len(data)} images ({split} split)")
    print(f"{'class':>5}  {'images':>6}  {'median':>7}  {'largest':>7}  {'above 0.5':>9}")
    for class_id in np.unique(data.class_ids):
        own = scores[data.class_ids == class_id]
        above = int((own > 0.5).sum())
        print(f"{class_id:>5}  {len(own):>6}  {np.median(own):>7.3f}  {own.max():>7.3f}  {above:>9}")


if __name__ == "__main__":
    main()
