"""Manifest: ruleset.yaml values and the problems each mistake gives."""

from __future__ import annotations

import pytest
from signrules.engine.manifest import DEFAULT_THRESHOLD, Manifest, parse_manifest


def test_full_manifest():
    manifest, problems = parse_manifest(
        "name: Germany\ncountry: DE\ncatalogue: StVO\nthreshold: 0.4\ndescription: German signs\n", "m.yaml"
    )

    assert problems == []
    assert manifest == Manifest("Germany", "DE", 0.4, "StVO", "German signs")


def test_threshold_defaults():
    manifest, _ = parse_manifest("name: A\ncountry: AT\n", "m.yaml")

    assert manifest.threshold == DEFAULT_THRESHOLD
    assert manifest.pictogram_match == "head"


def test_pictogram_match_read():
    manifest, problems = parse_manifest("name: A\ncountry: AT\npictogram_match: head+descriptor\n", "m.yaml")

    assert problems == []
    assert manifest.pictogram_match == "head+descriptor"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("name: A\ncountry: de\n", 2, '"country" must be a two-letter upper-case ISO 3166 code such as DE, got \'de\''),
        ("name: A\ncountry: DE\nthreshold: 2\n", 3, '"threshold" must be a number from 0 to 1, got 2'),
        ("name: A\ncountry: DE\nthreshold: yes\n", 3, '"threshold" must be a number from 0 to 1, got True'),
        ("name: A\ncountry: DE\ntreshold: 0.5\n", 3, 'unknown key "treshold"; did you mean "threshold"?'),
        ("country: DE\n", 1, 'missing key "name"'),
        ("name: ''\ncountry: DE\n", 1, '"name" must be a non-empty text'),
        ("name: A\ncountry: DE\ndescription: [a]\n", 3, "\"description\" must be a text, got ['a']"),
        ("name: A\ncountry: DE\npictogram_match: descriptor\n", 3,
         '"pictogram_match" must be one of head, head+descriptor, got \'descriptor\''),
        ("- a\n- b\n", 1, "expected a mapping with name and country at the top level"),
        ("name: [a\n", 2, "invalid YAML: expected ',' or ']', but got '<stream end>'"),
    ],
)
def test_invalid_manifest(text, line, message):
    manifest, problems = parse_manifest(text, "m.yaml")

    assert manifest is None
    assert [(p.line, p.message) for p in problems] == [(line, message)]
    assert problems[0].code == "invalid-manifest"
