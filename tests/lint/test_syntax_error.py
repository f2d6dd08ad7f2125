"""syntax-error: located at file, line and column, with a caret excerpt."""

from signrules.engine.lint import lint_ruleset


def test_syntax_error_located(ruleset_dir):
    root = ruleset_dir('sign stop "Stop"\n    when shape = octagon text = "STOP"\n')

    (problem,) = lint_ruleset(root)

    assert (problem.code, problem.line, problem.column) == ("syntax-error", 2, 26)
    assert problem.path == str(root / "rules.signs")
    assert problem.excerpt == '    when shape = octagon text = "STOP"\n                         ^'


def test_valid_file_has_no_syntax_error(lint):
    assert lint('sign stop "Stop" when shape = octagon and text = "STOP"\n', "syntax-error") == []


def test_one_error_per_file(lint):
    problems = lint("sign a when\n", "syntax-error", files={"b.signs": "define x\n"})

    # Sorted by path: b.signs before rules.signs.
    assert [(line, column) for _, line, column, _ in problems] == [(1, 9), (1, 8)]
