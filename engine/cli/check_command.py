"""``signrules check``: every example image of a rule set must yield its sign."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from signrules.engine.cli.exit_codes import ExitCode
from signrules.rules import DEFAULT_RULESET


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check that a rule set's example images yield their signs",
        description="Classify every image listed in the rule set's examples.yaml and fail when one "
        "yields another sign. Exit status 0 when all pass, 1 when any fails or cannot be read, "
        "2 when the rule set or its examples.yaml cannot be loaded.",
    )
    parser.add_argument("rules", nargs="?", type=Path, default=DEFAULT_RULESET, metavar="RULESET_DIR",
                        help="rule set folder (default: the shipped German set)")
    parser.add_argument("--weights", type=Path, default=None, metavar="FILE",
                        help="attribute-network weights (default: the shipped weights)")
    parser.add_argument("--dataset", action="append", default=[], metavar="NAME=PATH",
                        help="root folder of a dataset the examples refer to, e.g. gtsrb=/data/GTSRB/Final_Training")
    parser.add_argument("--require-all", action="store_true",
                        help="fail when any example is skipped because its dataset root is missing "
                        "(when all are skipped the check always fails)")
    parser.add_argument("--json", action="store_true", help="write one JSON object per example")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from signrules.engine.classifier import Classifier
    from signrules.engine.examples import check_examples, read_examples

    roots = {}
    for entry in args.dataset:
        name, separator, path = entry.partition("=")
        if not separator or not name or not path:
            print(f"signrules check: error: --dataset expects NAME=PATH, got {entry!r}", file=sys.stderr)
            return ExitCode.USAGE_ERROR
        roots[name] = Path(path)

    examples = read_examples(args.rules, roots)
    classifier = Classifier(args.rules, weights=args.weights)
    results = check_examples(classifier, examples)

    for result in results:
        if args.json:
            print(json.dumps(result.__dict__))
        elif result.status != "pass":
            got = f" but got {result.predicted} ({result.score:.3f})" if result.predicted else ""
            reason = f"; {result.message}" if result.message else ""
            print(f"{result.status.upper()}: {result.image}: expected {result.sign_id}{got}{reason}")
    counts = Counter(result.status for result in results)
    summary = ", ".join(f"{counts[s]} {s}" for s in ("pass", "fail", "error", "skipped") if counts[s])
    print(f"{len(results)} examples: {summary or 'none'}", file=sys.stderr if args.json else sys.stdout)

    # A check that tested nothing must not pass silently in CI.
    if results and counts["skipped"] == len(results):
        print("signrules check: error: every example was skipped; no dataset root was found", file=sys.stderr)
        return ExitCode.PROBLEMS_FOUND
    failed = counts["fail"] or counts["error"] or (args.require_all and counts["skipped"])
    return ExitCode.PROBLEMS_FOUND if failed else ExitCode.OK
