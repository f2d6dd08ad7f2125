"""``signrules bench``: classification speed on this machine."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from signrules.engine.cli.common import add_model_options, find_images, load_classifier
from signrules.engine.cli.exit_codes import ExitCode

DEFAULT_IMAGES = Path("../shared/data/gtsrb/Final_Training/Images")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="measure classification speed",
        description="Measure batched throughput (images/s) and single-image latency (ms, from file "
        "to answer), with decoding, the network, the glyph reader and the rule evaluation timed separately.",
    )
    parser.add_argument("images", nargs="?", type=Path, default=DEFAULT_IMAGES, metavar="IMAGE_DIR",
                        help="folder of sign images (default: %(default)s)")
    add_model_options(parser)
    parser.add_argument("--batch-size", type=int, default=1024, help="images per batch (default 1024)")
    parser.add_argument("--repeats", type=int, default=5, help="timed passes per stage; the median counts (default 5)")
    parser.add_argument("--latency-images", type=int, default=300, help="single-image calls to time (default 300)")
    parser.add_argument("--json", action="store_true", help="write the report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from signrules.engine.benchmark import measure_speed

    for option in ("batch_size", "repeats", "latency_images"):
        if getattr(args, option) < 1:
            print(f"signrules bench: error: --{option.replace('_', '-')} must be at least 1, "
                  f"got {getattr(args, option)}", file=sys.stderr)
            return ExitCode.USAGE_ERROR
    if not args.images.is_dir():
        print(f"signrules bench: error: folder not found: {args.images}; pass a folder of sign images "
              "as IMAGE_DIR", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    paths, _ = find_images([str(args.images)])
    if not paths:
        print(f"signrules bench: error: no images (png, jpg, ppm, ...) in {args.images}", file=sys.stderr)
        return ExitCode.USAGE_ERROR

    # Spread the sample over the folder rather than taking one class's files.
    step = max(1, len(paths) // args.batch_size)
    sample = paths[::step][: args.batch_size]
    classifier = load_classifier(args)
    report = measure_speed(classifier, sample, batch_size=args.batch_size, repeats=args.repeats,
                           latency_images=args.latency_images)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
        return ExitCode.OK

    print(f"machine   {report.machine}, {report.threads} threads, {os.cpu_count()} CPUs")
    print(f"network   {report.network_mflops_per_image:.1f} MFLOPs per image, computed in {report.precision}")
    print(f"batched   {report.batched_images_per_second:.0f} images/s over {report.images} images "
          f"(median of {report.repeats})")
    print(f"  decode  {report.decode_ms_per_image:.3f} ms/image")
    print(f"  network {report.network_ms_per_image:.3f} ms/image")
    if report.glyph_reader:
        print(f"  glyphs  {report.glyphs_ms_per_image:.3f} ms/image (numbers read digit by digit on "
              f"{report.glyph_images} of {report.images} images)")
    print(f"  rules   {report.rules_ms_per_image:.3f} ms/image")
    print(f"latency   median {report.latency_median_ms:.2f} ms, p95 {report.latency_p95_ms:.2f} ms "
          "(one image, file to answer)")
    return ExitCode.OK
