"""undefined-condition: bare names that no definition gives."""

import pytest

PLATE = "define prohibitory as shape = circle and border = red\n"


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("prohibitry", 'undefined condition "prohibitry"; did you mean "prohibitory"?'),
        ("circle", 'undefined condition "circle"; did you mean "shape = circle"?'),
        ("shape", 'undefined condition "shape"; an attribute needs a comparison, as in "shape = ..."'),
        ("zebra", 'undefined condition "zebra"'),
    ],
)
def test_undefined_condition(lint, condition, message):
    assert lint(PLATE + f'sign a "A" when prohibitory and {condition}', "undefined-condition") == [
        ("undefined-condition", 2, 33, message)
    ]


def test_definition_in_other_file(lint):
    assert lint('sign a "A" when prohibitory', "undefined-condition", files={"plates.signs": PLATE}) == []
