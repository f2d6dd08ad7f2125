"""``signrules calibrate``: fit calibrated probabilities for the network's outputs."""

from __future__ import annotations

import argparse
from pathlib import Path

from signrules.engine.cli.common import add_model_options, load_classifier, show_progress
from signrules.engine.cli.exit_codes import ExitCode


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "calibrate",
        help="fit head temperatures and the pictogram similarity map on validation images",
        description="Fit a temperature per attribute head and the map from exemplar similarity to "
        "P(pictogram ~ NAME) on the validation tracks of a GTSRB training folder, and store them "
        "beside the weights as <weights>.calibration.json. Run it after training or rebuilding exemplars.",
    )
    parser.add_argument("dataset", type=Path, metavar="DATASET_DIR", help="GTSRB Final_Training folder")
    add_model_options(parser, threshold=False, precision=False)
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from signrules.attributes.gtsrb import load_gtsrb
    from signrules.engine.calibration import fit_calibration, save_calibration
    from signrules.engine.evaluation import select_split
    from signrules.engine.exemplar_sets import pictogram_classes

    classifier = load_classifier(args)
    data = load_gtsrb(args.dataset, size=classifier.input_size, progress=show_progress(not args.no_progress))
    data, split = select_split(data, "validation")

    # The network's raw logits, not the classifier's current calibration.
    model = classifier.weights_model()
    calibration, details = fit_calibration(model, classifier.exemplar_bank(), pictogram_classes(classifier.ruleset),
                                           data.images, data.class_ids, data.track_ids)
    path = save_calibration(classifier.weights_path, classifier.weights_fingerprint, calibration,
                            {**details, "dataset": str(args.dataset), "split": split, "images": len(data.images)})

    temperatures = ", ".join(f"{name} {value:.2f}" for name, value in calibration.temperatures.items())
    print(f"wrote {path}")
    print(f"  temperatures  {temperatures}")
    maps = [("pictogram", calibration.similarity, details)]
    if "stored_descriptor" in details:
        maps.append(("descriptor", calibration.stored_descriptor_similarity, details["stored_descriptor"]))
    if "descriptor" in details:
        maps.append(("images", calibration.descriptor_similarity, details["descriptor"]))
    for label, fitted, fit in maps:
        print(f"  {label:<14}P = sigmoid({fitted.slope:.2f} * similarity {fitted.intercept:+.2f}) "
              f"from {fit['pairs']} pairs")
    return ExitCode.OK
