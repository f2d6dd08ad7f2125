"""missing-manifest: rule files outside every rule set."""

from signrules.engine.lint import lint_paths


def test_orphan_rule_file(tmp_path):
    (tmp_path / "fr").mkdir()
    (tmp_path / "fr" / "warning.signs").write_text('sign a "A" when shape = triangle\n')

    report = lint_paths([tmp_path])

    ((problem),) = report.problems
    assert (problem.code, problem.line, problem.column) == ("missing-manifest", 1, 1)
    assert problem.message == f"rule file belongs to no rule set; add a ruleset.yaml to {tmp_path / 'fr'}/ or a folder above it"


def test_file_inside_ruleset(ruleset_dir):
    root = ruleset_dir('sign a "A" when shape = triangle\n')

    assert lint_paths([root.parent]).problems == ()
