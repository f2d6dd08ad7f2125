"""invalid-string: text the string attribute can never read."""

import pytest


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ('text = "Stop"', 'value "Stop" of attribute "text" has symbols outside its alphabet "ABCDEFGHIJKLMNOPQRSTUVWXYZ": opt'),
        ('text = "STOPSTOP"', 'value "STOPSTOP" of attribute "text" is too long (8 > 6 symbols)'),
        ("digits = 1000", 'value "1000" of attribute "digits" is too long (4 > 3 symbols)'),
        ("text = 12", 'value "12" of attribute "text" has symbols outside its alphabet "ABCDEFGHIJKLMNOPQRSTUVWXYZ": 12'),
    ],
)
def test_invalid_string(lint, condition, message):
    (problem,) = lint(f'sign a "A" when {condition}', "invalid-string")

    assert problem[3] == message
    assert problem[2] == 17 + condition.index("=") + 2


@pytest.mark.parametrize("condition", ['text = "STOP"', "digits = 080", 'digits in {"5", 50}', 'text = ""'])
def test_valid_string(lint, condition):
    assert lint(f'sign a "A" when {condition}', "invalid-string") == []
