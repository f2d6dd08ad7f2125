"""Write a rule set's examples.yaml from GTSRB validation images.

Picks, per GTSRB class, images from different validation tracks that the
current weights and rules classify correctly, and lists them as
``gtsrb:Images/...`` entries. The file then guards the rules against edits
that break a sign; it is not an accuracy measurement (``signrules eval`` is).

    python scripts/select_examples.py ../shared/data/gtsrb/Final_Training rules/de --per-class 2
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
from signrules.attributes.gtsrb import load_gtsrb, split_by_track
from signrules.engine.classifier import Classifier
from signrules.engine.evaluation import dataset_sign_ids
from signrules.engine.examples import EXAMPLES_FILE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path, help="GTSRB Final_Training folder")
    parser.add_argument("rules", type=Path, help="rule set folder")
    parser.add_argument("--per-class", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    classifier = Classifier(args.rules)
    expected = dataset_sign_ids(classifier.ruleset)
    data = load_gtsrb(args.dataset)
    _, val_index = split_by_track(data)
    rng = np.random.default_rng(args.seed)

    lines = [
        "# Example images that must yield their sign: `signrules check rules/de`.",
        "# GTSRB images may not be shipped, so they are named inside the dataset;",
        "# the root below is relative to this file (override with --dataset gtsrb=PATH).",
        "# Chosen by scripts/select_examples.py: correctly classified validation",
        "# images from different tracks, as a guard against rule edits that break a sign.",
        "datasets:",
        f"  gtsrb: {os.path.relpath(args.dataset.resolve(), args.rules.resolve())}",
        "examples:",
    ]
    for class_id in sorted(expected):
        members = val_index[data.class_ids[val_index] == class_id]
        members = rng.permutation(members)
        _, first = np.unique(data.track_ids[members], return_index=True)
        candidates = members[np.sort(first)]
        results = classifier.classify_batch([data.paths[i] for i in candidates])
        chosen = [i for i, r in zip(candidates, results) if r.sign_id == expected[class_id]][: args.per_class]
        lines.append(f"  {expected[class_id]}:")
        for index in chosen:
            relative = Path(data.paths[index]).relative_to(args.dataset.resolve())
            lines.append(f"    - gtsrb:{relative.as_posix()}")
    (args.rules / EXAMPLES_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.rules / EXAMPLES_FILE}")


if __name__ == "__main__":
    main()
