"""Loading: a rule set loads completely or not at all."""

from __future__ import annotations

import pytest
from signrules.engine import RuleSetError, RuleSyntaxError, load_ruleset

GOOD = 'sign stop "Stop" catalogue 206 dataset gtsrb 14 when shape = octagon and text = "STOP"\n'


def test_load_builds_signs_with_metadata(write_ruleset):
    ruleset = load_ruleset(write_ruleset({"priority.signs": GOOD}))

    (sign,) = ruleset.signs
    assert (ruleset.name, ruleset.country, ruleset.threshold) == ("Test", "DE", 0.5)
    assert (sign.id, sign.name, sign.country, sign.catalogue) == ("stop", "Stop", "DE", "206")
    assert sign.class_id("gtsrb") == 14
    assert sign.class_id("other") is None
    assert sign.location.path.endswith("priority.signs")


def test_load_family_members(write_ruleset):
    ruleset = load_ruleset(write_ruleset({
        "speed.signs": 'sign speed_limit_{N} "Speed limit {N} km/h" dataset gtsrb 1 if N = 30 '
        "when digits = N where N from 10 to 30 step 10\n",
    }))

    sign = ruleset.sign("speed_limit_20")
    assert sign.is_family
    assert sign.parameter.values == (10, 20, 30)
    assert sign.member_id(30) == "speed_limit_30"
    assert sign.member_name("30") == "Speed limit 30 km/h"
    assert sign.class_id("gtsrb", 30) == 1
    assert sign.class_id("gtsrb", 20) is None


def test_load_reads_files_in_subfolders(write_ruleset):
    root = write_ruleset({"a.signs": GOOD, "more/b.signs": 'sign give_way "Give way" when shape = inverted_triangle\n'})

    assert load_ruleset(root).rule_ids == ("stop", "give_way")


def test_nested_ruleset_files_not_loaded(write_ruleset):
    root = write_ruleset({"a.signs": GOOD, "nested/ruleset.yaml": "name: N\ncountry: AT\n", "nested/b.signs": "nonsense"})

    assert load_ruleset(root).rule_ids == ("stop",)


def test_load_raises_with_every_error(write_ruleset):
    root = write_ruleset({
        "a.signs": GOOD + 'sign bad "Bad" when shap = octagon\n',
        "b.signs": 'sign worse "Worse" when fill = purple and text = "stop"\n',
    })

    with pytest.raises(RuleSetError) as caught:
        load_ruleset(root)

    codes = sorted(p.code for p in caught.value.problems)
    assert codes == ["invalid-string", "unknown-attribute", "unknown-value"]
    assert type(caught.value) is RuleSetError
    assert "3 error(s)" in str(caught.value)


def test_syntax_error_raises_rule_syntax_error(write_ruleset):
    root = write_ruleset({"a.signs": GOOD, "b.signs": 'sign x "X" shape = circle\n'})

    with pytest.raises(RuleSyntaxError) as caught:
        load_ruleset(root)

    (problem,) = caught.value.problems
    assert problem.path.endswith("b.signs")
    assert (problem.line, problem.column) == (1, 12)


def test_warnings_do_not_block_loading(write_ruleset):
    root = write_ruleset({"a.signs": GOOD + 'sign stop_again "Stop" when shape = octagon and text = "STOP"\n'})

    assert load_ruleset(root).rule_ids == ("stop", "stop_again")


def test_missing_exemplar_blocks_loading_unless_skipped(write_ruleset):
    root = write_ruleset({"a.signs": 'sign deer "Deer" when shape = triangle and pictogram ~ deer\n'})

    with pytest.raises(RuleSetError, match="missing exemplar"):
        load_ruleset(root)
    assert load_ruleset(root, check_exemplars=False).pictogram_names == ("deer",)


def test_failed_reload_leaves_old_ruleset_working(write_ruleset, posteriors):
    root = write_ruleset({"a.signs": GOOD})
    current = load_ruleset(root)
    (root / "a.signs").write_text(GOOD + 'sign broken "Broken" when\n', encoding="utf-8")

    with pytest.raises(RuleSyntaxError):
        current = load_ruleset(root)

    assert current.rule_ids == ("stop",)
    assert current.classify(posteriors([{"shape": "octagon", "text": "STOP"}]), {})[0].label == "stop"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "ruleset.yaml is missing"),
    ],
)
def test_not_a_ruleset(tmp_path, files, message):
    with pytest.raises(RuleSetError, match=message):
        load_ruleset(tmp_path)


def test_rule_set_path_mistakes_named(tmp_path):
    with pytest.raises(RuleSetError, match="missing: rule set folder not found"):
        load_ruleset(tmp_path / "missing")

    (tmp_path / "rules.signs").write_text("", encoding="utf-8")
    with pytest.raises(RuleSetError, match="rules.signs: not a folder; give the rule set's folder"):
        load_ruleset(tmp_path / "rules.signs")

    # The parent of rule sets, as `rules` is of `rules/de`, points to them.
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "ruleset.yaml").write_text("name: Germany\ncountry: DE\n", encoding="utf-8")
    with pytest.raises(RuleSetError, match="not a rule set, but it contains rule sets: .*de$"):
        load_ruleset(tmp_path)


def test_invalid_manifest_blocks_loading(write_ruleset):
    root = write_ruleset({"a.signs": GOOD}, manifest="name: Test\ncountry: Germany\n")

    with pytest.raises(RuleSetError) as caught:
        load_ruleset(root)

    assert [p.code for p in caught.value.problems] == ["invalid-manifest"]


def test_invalid_utf8_is_a_syntax_error(write_ruleset):
    root = write_ruleset({})
    (root / "a.signs").write_bytes(b'sign a "A\xff" when shape = circle\n')

    with pytest.raises(RuleSyntaxError) as caught:
        load_ruleset(root)

    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (1, 10)
    assert "invalid UTF-8 byte 0xff" in problem.message
