"""The German rule set (rules/de): complete, lint-clean apart from exemplars, and right on the table."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from signrules.attributes.schema import DEFAULT_SCHEMA_PATH
from signrules.engine import lint_paths, load_ruleset
from signrules.rules import DEFAULT_RULESET, RULES_ROOT

TABLE = yaml.safe_load(DEFAULT_SCHEMA_PATH.with_name("gtsrb_classes.yaml").read_text())["classes"]


@pytest.fixture(scope="module")
def german():
    # Exemplar folders are computed after training, so they may be absent here.
    return load_ruleset(DEFAULT_RULESET, check_exemplars=False)


def test_lint_reports_only_missing_exemplars():
    report = lint_paths([RULES_ROOT])

    assert DEFAULT_RULESET in report.rulesets
    assert {p.code for p in report.problems} <= {"missing-exemplar"}


def test_every_gtsrb_class_has_one_sign(german):
    claimed = []
    for sign in german.signs:
        claimed += [entry.class_id for entry in sign.classes if entry.dataset == "gtsrb"]

    assert sorted(claimed) == list(range(43))


def test_pictogram_names_match_table(german):
    expected = {row["pictogram"] for row in TABLE.values() if row["pictogram"]}

    assert set(german.pictogram_names) == expected


def _member_for_class(german, class_id):
    for sign in german.signs:
        for entry in sign.classes:
            if entry.dataset == "gtsrb" and entry.class_id == class_id:
                return sign, entry.value
    raise AssertionError(f"no sign for class {class_id}")


@pytest.mark.parametrize("class_id", sorted(TABLE))
def test_catalogue_number_matches_table(german, class_id):
    sign, _ = _member_for_class(german, class_id)

    assert sign.catalogue == TABLE[class_id]["stvo"]


def test_table_attributes_classified_as_their_class(german, posteriors):
    # Feed each class's attributes from the table as certain readings, and
    # its pictogram as certain: every class must come out as its own sign.
    ids = sorted(TABLE)
    rows = [
        {name: TABLE[i][name] for name in ("shape", "fill", "border", "strike", "digits", "text")}
        for i in ids
    ]
    images = posteriors(rows)
    pictogram_probs = {
        name: np.array([1.0 if TABLE[i]["pictogram"] == name else 0.0 for i in ids])
        for name in german.pictogram_names
    }

    decisions = german.classify(images, pictogram_probs)

    for class_id, decision in zip(ids, decisions, strict=True):
        sign, value = _member_for_class(german, class_id)
        assert decision.label == sign.member_id(value), f"class {class_id}: {TABLE[class_id]['name']}"
        assert decision.score == pytest.approx(1.0)
        assert decision.runners_up[0].score == pytest.approx(0.0, abs=1e-9)


def test_speed_limit_family_reads_unseen_limit(german, posteriors):
    image = posteriors([{"shape": "circle", "fill": "white", "border": "red", "strike": "none", "digits": "40"}])

    (decision,) = german.classify(image, {name: np.zeros(1) for name in german.pictogram_names})

    assert decision.label == "speed_limit_40"
    assert decision.best.name == "Speed limit 40 km/h"
    assert german.sign("speed_limit_40").class_id("gtsrb", 40) is None
