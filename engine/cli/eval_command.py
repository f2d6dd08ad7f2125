"""``signrules eval``: accuracy of the classifier on a labelled GTSRB folder."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from signrules.engine.cli.common import add_model_options, load_classifier, show_progress
from signrules.engine.cli.exit_codes import ExitCode


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="measure accuracy on a labelled GTSRB folder",
        description="Classify every image of a GTSRB folder (the training layout with class folders, "
        "or the flat test folder with GT-final_test.csv) and report overall, per-class and "
        "per-attribute accuracy, accuracy by sign size (the mean side of the CSV's sign box, in pixels of "
        "the photo it was annotated on), the most confused pairs, the unknown rate and images per second. "
        "Each image is cropped to the sign's box in the annotation CSV, with a 10 % margin, as in "
        "training, so results can differ from `signrules classify` on the whole files. Where a file's "
        "size differs from the CSV's Width and Height, as in a resized copy, the box is scaled to it.",
    )
    parser.add_argument("dataset", type=Path, metavar="DATASET_DIR", help="GTSRB folder in either official layout")
    add_model_options(parser)
    parser.add_argument("--split", choices=["auto", "validation", "train", "all"], default="auto",
                        help="images to use: auto (default) takes the validation tracks of a training folder "
                        "and every image of a test folder")
    parser.add_argument("--baseline", type=Path, default=None, metavar="FILE",
                        help="also measure a plain softmax classifier (signrules train --model plain) "
                        "on the same images")
    parser.add_argument("--json", action="store_true", help="write the report as one JSON object")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from signrules.attributes.gtsrb import load_gtsrb
    from signrules.attributes.weights import load_plain_classifier
    from signrules.engine.evaluation import evaluate_classifier, select_split

    progress = show_progress(not args.no_progress)
    classifier = load_classifier(args)
    data = load_gtsrb(args.dataset, size=classifier.input_size, progress=progress)
    data, split = select_split(data, args.split)
    baseline = load_plain_classifier(args.baseline) if args.baseline else None

    report = evaluate_classifier(classifier, data, dataset_name=str(args.dataset), split=split,
                                 progress=progress, baseline=baseline)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        _print_report(report)
    return ExitCode.OK


def _print_report(report) -> None:
    out = sys.stdout
    scope = {"validation": "validation tracks", "train": "training tracks", "all": "every image"}
    images = f"{report.images} image" + ("" if report.images == 1 else "s")
    print(f"dataset   {report.dataset} ({scope.get(report.split, report.split)}, {images})", file=out)
    glyphs = f"{report.glyph_weights} (pool weight {report.glyph_pool_weight:g})" if report.glyph_weights else "off"
    print(f"model     {report.weights}, computed in {report.precision}, rules {report.rules}, "
          f"glyph reader {glyphs}", file=out)
    print(f"accuracy  {report.accuracy:.2%} through rules", file=out)
    if report.baseline_accuracy is not None:
        print(f"baseline  {report.baseline_accuracy:.2%} plain softmax on the same images", file=out)
    print(f"unknown   {report.unknown_rate:.2%} of images scored below the threshold {report.threshold:g}", file=out)
    print(f"calibration error {report.calibration_error:.4f} (expected calibration error of the best "
          "sign's score, 10 bins)", file=out)
    print(f"speed     {report.images_per_second:.0f} images/s (network and rules on images already decoded "
          "and cropped; signrules bench times decoding too)", file=out)

    print("\nper attribute", file=out)
    for name, value in report.per_attribute.items():
        print(f"  {name:<10} {value:.2%}", file=out)

    print("\nper class", file=out)
    print(f"  {'class':>5}  {'sign':<34} {'images':>6}  {'accuracy':>8}  {'unknown':>7} (count)"
          + ("  baseline" if report.baseline_per_class else ""), file=out)
    for entry in report.per_class:
        line = (f"  {entry.class_id:>5}  {entry.sign_id:<34} {entry.images:>6}  {entry.accuracy:>8.2%}"
                f"  {entry.unknown:>7}")
        if report.baseline_per_class:
            line += f"  {report.baseline_per_class.get(entry.class_id, float('nan')):>8.2%}"
        print(line, file=out)

    if report.per_size:
        print("\nper sign size (mean side of the CSV's sign box, in pixels of the photo it was annotated on; "
              "each bin includes its lower edge)", file=out)
        print(f"  {'size':<16} {'images':>6}  {'accuracy':>8}  {'unknown':>7} (count)", file=out)
        for entry in report.per_size:
            print(f"  {entry.label:<16} {entry.images:>6}  {entry.accuracy:>8.2%}  {entry.unknown:>7}", file=out)

    if report.threshold_sweep:
        print("\nother thresholds (accuracy, unknown)", file=out)
        for row in report.threshold_sweep:
            print(f"  {row['threshold']:>5.2f}  {row['accuracy']:>7.2%}  {row['unknown_rate']:>7.2%}", file=out)

    if report.confusions:
        listed_errors = sum(count for _, _, count in report.confusions)
        errors = report.images - round(report.accuracy * report.images)
        print(f"\nmost confused (true -> predicted; the {len(report.confusions)} most frequent pairs, "
              f"{listed_errors} of {errors} errors)", file=out)
        for true, predicted, count in report.confusions:
            print(f"  {count:>5}  {true} -> {predicted}", file=out)
