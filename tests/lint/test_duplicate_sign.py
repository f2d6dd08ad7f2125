"""duplicate-sign: ids used twice, including family members, and the reserved id."""

import pytest


@pytest.mark.parametrize(
    ("text", "message_start"),
    [
        ('sign stop "Stop" when shape = octagon\nsign stop "Yield" when shape = triangle', 'duplicate sign "stop", first declared at '),
        (
            'sign speed_{N} "Speed {N}" when digits = N\nsign speed_40 "Forty" when digits = "40"',
            'sign "speed_40" is also a member of the family "speed_{N}" at ',
        ),
        (
            'sign speed_40 "Forty" when digits = "40"\nsign speed_{N} "Speed {N}" when digits = N where N in {30, 40}',
            'family "speed_{N}" also produces "speed_40", declared at ',
        ),
        (
            'sign a_{N} "A {N}" when digits = N where N in {15}\nsign a_1{N} "B {N}" when digits = N where N in {5}',
            'families "a_{N}" (',
        ),
    ],
)
def test_duplicate_ids(lint, text, message_start):
    ((code, line, column, message),) = lint(text, "duplicate-sign")

    assert line == 2
    assert message.startswith(message_start)


def test_reserved_unknown(lint):
    assert lint('sign unknown "Unknown" when shape = circle', "duplicate-sign") == [
        ("duplicate-sign", 1, 6, 'sign id "unknown" is reserved for images that match no sign')
    ]


def test_family_outside_restriction_is_no_duplicate(lint):
    text = 'sign speed_{N} "Speed {N}" when digits = N where N in {30}\nsign speed_40 "Forty" when digits = "40"'

    assert lint(text, "duplicate-sign") == []
