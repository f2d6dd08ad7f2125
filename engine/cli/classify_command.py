"""``signrules classify``: name the sign in each image and explain why."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from signrules.engine.cli.common import (
    add_model_options,
    find_images,
    load_classifier,
    show_progress,
)
from signrules.engine.cli.exit_codes import ExitCode
from signrules.engine.errors import ImageError
from tqdm import tqdm

# Images decoded and classified per step: one network batch.
CHUNK = 256

# Shown for a reader that was asked but gave no reading, by reader name.
_NO_READING = {"glyphs": "found no legend"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "classify",
        help="classify sign images",
        description="Classify cropped sign images (files or folders, searched recursively). "
        "Each answer names the sign, its score, the rule that matched and the attribute evidence. "
        "A file that cannot be read is reported and the others go on; the exit status is then 1.",
    )
    parser.add_argument("inputs", nargs="+", metavar="IMAGE_OR_DIR", help="image files or folders")
    add_model_options(parser)
    parser.add_argument("--json", action="store_true", help="write one JSON object per image (JSON lines)")
    parser.add_argument("--top-k", type=int, default=3, metavar="K", help="runner-up signs to list (default 3)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar on folders")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.top_k < 0:
        print(f"signrules classify: error: --top-k must be 0 or more, got {args.top_k}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    paths, missing = find_images(args.inputs)
    for source, message in missing:
        _report_failure(args, source, message)
    if not paths:
        if not missing:
            print(f"signrules classify: error: no images (png, jpg, ppm, ...) in {', '.join(args.inputs)}",
                  file=sys.stderr)
        return ExitCode.USAGE_ERROR

    classifier = load_classifier(args)
    failures = len(missing)
    folders = any(Path(p).is_dir() for p in args.inputs)
    bar = tqdm(total=len(paths), unit="img", file=sys.stderr,
               disable=not show_progress(folders and not args.no_progress))

    for start in range(0, len(paths), CHUNK):
        chunk = paths[start : start + CHUNK]
        decoded, sources = [], []
        errors: dict[int, str] = {}
        for position, path in enumerate(chunk):
            try:
                decoded.append(classifier.prepare([path])[0])
                sources.append(str(path))
            except ImageError as exc:
                errors[position] = str(exc)
        failures += len(errors)
        results = iter(classifier.classify_batch(np.stack(decoded), top_k=args.top_k, sources=sources)
                       if decoded else [])

        # Results and failures go out in input order, so that JSON lines
        # line up with the files as they were given.
        for position, path in enumerate(chunk):
            if position in errors:
                _report_failure(args, str(path), errors[position])
            else:
                _print_result(args, next(results))
        bar.update(len(chunk))
    bar.close()
    return ExitCode.PROBLEMS_FOUND if failures else ExitCode.OK


def _report_failure(args: argparse.Namespace, source: str, message: str) -> None:
    if args.json:
        print(json.dumps({"source": source, "error": message}), flush=True)
    print(f"signrules classify: error: {message}", file=sys.stderr)


def _print_result(args: argparse.Namespace, result) -> None:
    if args.json:
        print(json.dumps(result.to_dict()), flush=True)
        return

    if result.is_unknown:
        closest = f"; closest {result.best.sign_id} ({result.best.score:.3f})" if result.best else ""
        print(f"{result.source}: unknown (score {result.score:.3f} < threshold {result.threshold:.2f}{closest})")
    else:
        print(f"{result.source}: {result.sign_id} \"{result.name}\" (score {result.score:.3f})")
    if result.rule:
        print(f"  rule      {result.rule}")
    if result.zoom < 1.0:
        print(f"  zoom      centre {result.zoom:.0%} of the image: no rule matched the whole image")
    if result.evidence:
        parts = []
        for e in result.evidence:
            # Each test is printed as the rule writes it, so "not A" shows 1 - P(A).
            probability = 1.0 - e.probability if e.negated else e.probability
            parts.append(f"{'not ' if e.negated else ''}{e.predicate} {probability:.3f}")
        print(f"  evidence  {', '.join(parts)}")
    readings = ", ".join(f"{name}={r.value} ({r.probability:.2f})" for name, r in result.attributes.items())
    print(f"  read      {readings}")
    for name, reading in result.attributes.items():
        # With --glyphs, the digits are two readings pooled; each is shown
        # alone so that a reader can tell which one decided.
        if len(reading.readers) > 1:
            alone = ", ".join(f"{reader} {r.value} ({r.probability:.2f}"
                              + (f", weight {r.weight:.2f})" if r.weight is not None else ")") if r
                              else f"{reader} {_NO_READING.get(reader, 'gave no reading')}"
                              for reader, r in reading.readers.items())
            print(f"  {name:<9} {alone}")
    if result.runners_up:
        print(f"  runners-up {', '.join(f'{s.sign_id} {s.score:.3f}' for s in result.runners_up)}")
