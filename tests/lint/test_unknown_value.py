"""unknown-value: categorical values outside the schema."""

import pytest


@pytest.mark.parametrize(
    ("condition", "column", "message"),
    [
        ("shape = circel", 32, 'unknown value "circel" for "shape"; did you mean "circle"?'),
        ("fill in {white, purple}", 40, 'unknown value "purple" for "fill"; expected one of white, yellow, orange, red, blue, green, black'),
        ("strike = yes", 33, 'unknown value "yes" for "strike"; expected one of none, diagonal'),
    ],
)
def test_unknown_value(lint, condition, column, message):
    assert lint(f'sign no_entry "X" when {condition}', "unknown-value") == [("unknown-value", 1, column, message)]


def test_none_is_a_border_value(lint):
    assert lint('sign a "A" when border = none and strike = none', "unknown-value") == []
