"""``signrules lint``: check rule sets for errors and likely mistakes.

Exit status: 0 when no errors were found (warnings alone pass unless
``--strict``), 1 when there were errors (or warnings under ``--strict``), 2
when a path is missing or unreadable; those messages go to stderr.
"""

from __future__ import annotations

import argparse
import sys

from signrules.engine.cli.exit_codes import ExitCode
from signrules.engine.lint import lint_paths
from signrules.engine.lint.formats import FORMATS


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="check rule files for errors and likely mistakes",
        description=(
            "Check every rule set (a folder with a ruleset.yaml) at or below the given paths. "
            "Errors stop a rule set from loading; warnings point at rules that probably do not "
            "do what was meant."
        ),
    )
    parser.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help=(
            "rule set folder, .signs file or folder to search (default: the current folder). "
            "The search skips hidden folders, virtual environments, build, dist and site-packages "
            "unless they are named"
        ),
    )
    parser.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default="text",
        help="output format: text (default), json, or github for GitHub Actions annotations",
    )
    parser.add_argument("--strict", action="store_true", help="exit with status 1 on warnings too")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    report = lint_paths(args.paths)
    if not report.rulesets and not report.problems:
        searched = ", ".join(args.paths)
        print(
            f"signrules lint: no rule sets (ruleset.yaml) or .signs files under {searched}. "
            "Hidden folders, virtual environments, build, dist and site-packages are searched "
            "only when named on the command line",
            file=sys.stderr,
        )
        return ExitCode.USAGE_ERROR

    sys.stdout.write(FORMATS[args.format](report))
    if report.errors or (args.strict and report.warnings):
        return ExitCode.PROBLEMS_FOUND
    return ExitCode.OK
