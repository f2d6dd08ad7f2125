"""``signrules descriptor``: fit the pictogram descriptor of a trained network."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from signrules.engine.cli.common import show_progress
from signrules.engine.cli.exit_codes import ExitCode


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "descriptor",
        help="fit the pictogram descriptor of a weights file on its training images",
        description="Fit the descriptor that embeds pictograms for exemplar matching (the network's "
        "shared features, centred and projected onto their principal components) on the training "
        "tracks of a GTSRB training folder, leaving out the classes the network was trained without, "
        "and write the weights with it. `signrules train --export` already does this; use it for "
        "weights made without. The weights change, so run `signrules exemplars build` and "
        "`signrules calibrate` again afterwards.",
    )
    parser.add_argument("dataset", type=Path, metavar="DATASET_DIR", help="GTSRB Final_Training folder")
    parser.add_argument("--weights", type=Path, default=None, metavar="FILE",
                        help="attribute-network weights (default: the shipped weights)")
    parser.add_argument("--output", type=Path, default=None, metavar="FILE",
                        help="where to write the weights with the descriptor (default: over --weights)")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np
    from signrules.attributes.descriptor import with_descriptor
    from signrules.attributes.gtsrb import load_gtsrb
    from signrules.attributes.weights import DEFAULT_WEIGHTS_PATH, load_attribute_net, save_attribute_net
    from signrules.engine.evaluation import select_split

    weights = args.weights or DEFAULT_WEIGHTS_PATH
    output = args.output or weights
    model, metadata = load_attribute_net(weights)
    progress = show_progress(not args.no_progress)
    data = load_gtsrb(args.dataset, size=model.config.input_size, progress=progress)
    data, _ = select_split(data, "train")

    # Classes the network never saw, or saw a few images of, stay out, so
    # that the descriptor is no better prepared for them than the network.
    unseen = sorted({int(c) for c in [*metadata.get("excluded_classes", []), *metadata.get("few_shot_classes", [])]})
    images = data.images[~np.isin(data.class_ids, unseen)]

    try:
        fitted, details = with_descriptor(model, images, progress)
    except ValueError as exc:
        print(f"signrules descriptor: {args.dataset}: {exc}; use a folder with more training images",
              file=sys.stderr)
        return ExitCode.USAGE_ERROR
    metadata = {k: v for k, v in metadata.items() if k not in ("weights_fingerprint", "path")}
    metadata["descriptor"] = {**details, "dataset": str(args.dataset), "left_out_classes": unseen}
    fingerprint = save_attribute_net(output, fitted, metadata)

    kept = ", ".join(f"{name} {100 * share:.1f} %" for name, share in details["variance_kept"].items())
    print(f"wrote {output} (weights {fingerprint})")
    print(f"  descriptor fitted on {details['images']} training images; feature variance kept: {kept}")
    print("  run `signrules exemplars build` and `signrules calibrate` for these weights next")
    return ExitCode.OK
