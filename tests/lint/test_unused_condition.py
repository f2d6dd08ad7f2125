"""unused-condition: definitions that no sign reaches."""


def test_unused(lint):
    problems = lint('define plate as shape = circle\nsign a "A" when shape = circle', "unused-condition")

    assert problems == [("unused-condition", 1, 8, 'condition "plate" is never used')]


def test_used_through_another_definition(lint):
    text = 'define plate as shape = circle\ndefine red_plate as plate and border = red\nsign a "A" when red_plate'

    assert lint(text, "unused-condition") == []


def test_used_only_by_unused_definition(lint):
    problems = lint('define a as shape = circle\ndefine b as a\nsign s "S" when fill = red', "unused-condition")

    assert [message for *_, message in problems] == ['condition "a" is never used', 'condition "b" is never used']
