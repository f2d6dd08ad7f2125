"""Example images as rule tests: each listed image must yield its sign.

A rule set may hold ``examples.yaml``. Running ``signrules check`` classifies
every image in it and fails when one yields another sign, so a rule edit
that breaks a sign fails CI::

    # rules/de/examples.yaml
    datasets:
      gtsrb: ../../../shared/data/gtsrb/Final_Training   # relative to this file
    examples:
      stop:
        - gtsrb:Images/00014/00003_00029.ppm            # image inside a dataset
      speed_limit_40:
        - examples/speed_limit_40.png                   # image in the rule set

An image is ``DATASET:PATH`` (resolved under that dataset's root, for images
that cannot be shipped) or a path relative to the rule set folder. A
dataset root can be overridden per run, and an image under a root that does
not exist is reported as skipped, never as passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from signrules.engine.errors import ImageError, RuleSetError

__all__ = ["EXAMPLES_FILE", "ExampleResult", "check_examples", "read_examples"]

EXAMPLES_FILE = "examples.yaml"


@dataclass(frozen=True)
class Example:
    """One image and the sign it must yield."""

    sign_id: str
    image: str
    path: Path | None  # None when its dataset root is missing
    root: Path | None = None  # the dataset root tried, for DATASET:PATH images


@dataclass(frozen=True)
class ExampleResult:
    """Outcome of one example: "pass", "fail", "skipped" or "error"."""

    sign_id: str
    image: str
    status: str
    predicted: str | None = None
    score: float | None = None
    message: str = ""


def read_examples(ruleset_root: Path, dataset_roots: Mapping[str, Path] | None = None) -> list[Example]:
    """Read ``examples.yaml`` of a rule set; raise RuleSetError naming the file on a bad entry."""
    path = ruleset_root / EXAMPLES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise RuleSetError(f"{path}: cannot read examples: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise RuleSetError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("examples", {}), dict):
        raise RuleSetError(f'{path}: expected a mapping with "examples: {{SIGN_ID: [IMAGE, ...]}}"')

    roots = {name: (path.parent / root).resolve() for name, root in (data.get("datasets") or {}).items()}
    roots.update({name: Path(root) for name, root in (dataset_roots or {}).items()})

    examples = []
    for sign_id, images in (data.get("examples") or {}).items():
        if not isinstance(images, list) or not all(isinstance(i, str) for i in images):
            raise RuleSetError(f'{path}: examples of "{sign_id}" must be a list of image paths')
        for image in images:
            dataset, separator, relative = image.partition(":")
            if separator and dataset in roots:
                root = roots[dataset]
                examples.append(Example(str(sign_id), image, root / relative if root.is_dir() else None, root))
            elif separator and len(dataset) > 1:
                raise RuleSetError(f'{path}: image "{image}" names dataset "{dataset}", which "datasets" lacks')
            else:
                examples.append(Example(str(sign_id), image, ruleset_root / image))
    return examples


def check_examples(classifier, examples: list[Example]) -> list[ExampleResult]:
    """Classify every example with ``classifier``; return one result per example, in order."""
    results = []
    for example in examples:
        try:
            classifier.ruleset.sign(example.sign_id)
        except KeyError:
            results.append(ExampleResult(example.sign_id, example.image, "error",
                                         message=f'no sign "{example.sign_id}" in the rule set'))
            continue
        if example.path is None:
            dataset = example.image.partition(":")[0]
            results.append(ExampleResult(example.sign_id, example.image, "skipped",
                                         message=f"dataset root {example.root} not found; "
                                         f"pass --dataset {dataset}=PATH"))
            continue
        try:
            result = classifier.classify(example.path)
        except ImageError as exc:
            results.append(ExampleResult(example.sign_id, example.image, "error", message=str(exc)))
            continue
        status = "pass" if result.sign_id == example.sign_id else "fail"
        results.append(ExampleResult(example.sign_id, example.image, status, result.sign_id, result.score))
    return results
