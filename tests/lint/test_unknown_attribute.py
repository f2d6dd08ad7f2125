"""unknown-attribute: names outside the schema, with a suggestion."""

import pytest

KNOWN = "shape, fill, border, strike, digits, text, pictogram"


@pytest.mark.parametrize(
    ("condition", "column", "message"),
    [
        ("shap = octagon", 23, 'unknown attribute "shap"; did you mean "shape"?'),
        ("colour = red", 23, f'unknown attribute "colour"; expected one of {KNOWN}'),
        ("pictgram ~ deer", 23, 'unknown attribute "pictgram"; did you mean "pictogram"?'),
        ("shape = circle and rim in {red}", 42, f'unknown attribute "rim"; expected one of {KNOWN}'),
    ],
)
def test_unknown_attribute(lint, condition, column, message):
    problems = lint(f'sign stop "Stop" when {condition}', "unknown-attribute")

    assert problems == [("unknown-attribute", 1, column, message)]


def test_known_attributes(lint):
    text = (
        'sign stop "Stop" when shape = octagon and fill = red and border = white'
        ' and strike = none and digits = none and text = "STOP"'
    )

    assert lint(text, "unknown-attribute") == []


def test_unknown_attribute_in_definition(lint):
    problems = lint('define plate as shap = circle\nsign a "A" when plate', "unknown-attribute")

    assert [(line, column) for _, line, column, _ in problems] == [(1, 17)]
