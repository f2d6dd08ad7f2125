"""duplicate-condition: one name defined twice across the set."""


def test_duplicate_across_files(lint, ruleset_dir):
    problems = lint(
        'define plate as shape = circle\nsign a "A" when plate',
        "duplicate-condition",
        files={"z.signs": "define plate as shape = triangle\n"},
    )

    ((code, line, column, message),) = problems
    assert (line, column) == (1, 8)
    assert message.startswith('duplicate condition "plate", first defined at ')
    assert message.endswith("rules.signs:1")


def test_distinct_names(lint):
    assert lint('define a as shape = circle\ndefine b as shape = triangle\nsign s "S" when a or b', "duplicate-condition") == []
