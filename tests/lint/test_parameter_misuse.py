"""parameter-misuse: families whose parameter has no clear meaning."""

import pytest

FAMILY = 'sign speed_{N} "Speed {N}"'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"{FAMILY} when not digits = N", 'parameter N must not be used under "not"'),
        (f"{FAMILY} when digits = N or digits = N", "parameter N is used 2 times; a family may use it once"),
        (f"{FAMILY} when digits in {{N, 5}}", 'parameter N is compared with "=", not inside a value set'),
        (f"{FAMILY} when shape = circle", "family \"speed_{N}\" never uses its parameter N; compare an attribute with it, as in digits = N"),
        (f"{FAMILY} when text = N", 'parameter N needs an attribute that shows numbers; "text" cannot show 0-9'),
        (f'{FAMILY} when digits = N and not digits = "50"', 'family "speed_{N}" compares "digits" with its parameter N, so it cannot compare it with anything else'),
        (f"{FAMILY} when digits = N where N from 10 to 5", "empty range: 10 > 5"),
        (f"{FAMILY} when digits = N where N from 0 to 50 step 0", "step must be at least 1, got 0"),
        (f"{FAMILY} when digits = N where N in {{5, 1000}}", "1000 has more digits than the attribute can show (largest is 999)"),
        (f"{FAMILY} when digits = N where M in {{5}}", '"where" restricts M but the parameter is N'),
        (f"{FAMILY} dataset gtsrb 1 when digits = N", "a family gives a class id per value, as in: dataset gtsrb 1 if N = 20"),
        (f"{FAMILY} dataset gtsrb 1 if M = 5 when digits = N", "class id is given for M but the parameter is N"),
        (f"{FAMILY} dataset gtsrb 1 if N = 7 when digits = N where N in {{5}}", 'N = 7 is not an allowed value of "speed_{N}"'),
        ('sign a_{N}_{M} "A" when digits = N', 'sign id "a_{N}_{M}" has 2 parameters; a family has one'),
        ('sign a_{N} "A {M}" when digits = N', "display name uses {M} but the family's parameter is N"),
        ('sign a "A {N}" when digits = none', 'display name uses {N} but sign "a" has no parameter'),
        ('sign a "A" when digits = none where N in {5}', 'sign "a" has a "where" line but no parameter; put {N} in its id'),
        ('sign a "A" dataset gtsrb 1 if N = 5 when digits = none', 'sign "a" has no parameter; drop "if N = 5"'),
    ],
)
def test_parameter_misuse(lint, text, message):
    assert [m for *_, m in lint(text, "parameter-misuse")] == [message]


def test_parameter_attribute_in_definition(lint):
    text = 'define blank as digits = none\nsign speed_{N} "Speed {N}" when blank or digits = N'

    assert [(line, column) for _, line, column, _ in lint(text, "parameter-misuse")] == [(1, 17)]


def test_valid_family(lint):
    text = (
        'sign speed_{N} "Speed {N} km/h"\n'
        "    dataset gtsrb 0 if N = 20, 1 if N = 30\n"
        "    when shape = circle and text = none and digits = N\n"
        "    where N from 5 to 130 step 5\n"
    )

    assert lint(text, "parameter-misuse") == []
