"""type-mismatch: values and operators that do not fit the attribute's kind."""

import pytest


@pytest.mark.parametrize(
    ("condition", "column", "message"),
    [
        ("digits = circle", 26, 'wrong value type: "digits" expects text in quotes, a number or none but found the name "circle"'),
        ('shape = "octagon"', 25, 'wrong value type: "shape" expects a value name such as circle but found the text "octagon"'),
        ("shape = 8", 25, 'wrong value type: "shape" expects a value name such as circle but found the number 8'),
        ("pictogram = deer", 17, 'wrong operator: "pictogram" is compared with exemplars by "~", as in pictogram ~ wild_animals'),
        ("shape ~ octagon", 17, 'wrong operator: "~" compares a pictogram with exemplars, compare "shape" with "=" instead'),
        (
            "digits = N",
            26,
            'wrong value type: "digits" expects text in quotes, a number or none but found the name "N"; '
            "to read any number, make the sign a family with {N} in its id",
        ),
    ],
)
def test_type_mismatch(lint, condition, column, message):
    assert lint(f'sign a "A" when {condition}', "type-mismatch") == [("type-mismatch", 1, column, message)]


@pytest.mark.parametrize(
    "text",
    [
        'sign a "A" when shape = octagon and digits = none and text = "STOP" and pictogram ~ deer',
        'sign a_{N} "A {N}" when digits = N',
    ],
)
def test_types_fit(lint, text):
    assert lint(text, "type-mismatch") == []


def test_parameter_not_visible_in_definitions(lint):
    problems = lint('define reads as digits = N\nsign a_{N} "A {N}" when reads', "type-mismatch")

    assert [(line, column) for _, line, column, _ in problems] == [(1, 26)]
