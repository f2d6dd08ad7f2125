"""unsatisfiable-rule: conditions that no image can meet."""

import pytest


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ("shape = circle and shape = triangle", "its condition contradicts itself"),
        ("fill = red and not fill in {red, blue}", "its condition contradicts itself"),
        ('text = "STOP" and text = none', "its condition contradicts itself"),
        ("pictogram ~ deer and pictogram ~ cow", "it requires two different pictograms at once"),
    ],
)
def test_unsatisfiable(lint, condition, reason):
    assert lint(f'sign x "X" when {condition}', "unsatisfiable-rule") == [
        ("unsatisfiable-rule", 1, 6, f'sign "x" can never match: {reason}')
    ]


def test_satisfiable(lint):
    assert lint('sign x "X" when shape = circle and not fill = red', "unsatisfiable-rule") == []
