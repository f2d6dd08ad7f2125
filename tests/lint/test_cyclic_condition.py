"""cyclic-condition: definitions that refer to themselves."""


def test_two_definition_cycle(lint):
    problems = lint(
        "define plate as prohibitory and fill = white\n"
        "define prohibitory as plate and border = red\n"
        'sign a "A" when prohibitory\n',
        "cyclic-condition",
    )

    assert problems == [("cyclic-condition", 1, 8, 'condition "plate" refers to itself: plate -> prohibitory -> plate')]


def test_self_reference(lint):
    problems = lint('define plate as plate\nsign a "A" when plate', "cyclic-condition")

    assert problems == [("cyclic-condition", 1, 8, 'condition "plate" refers to itself: plate -> plate')]


def test_chain_without_cycle(lint):
    text = "define a as shape = circle\ndefine b as a\ndefine c as a and b\nsign s \"S\" when c"

    assert lint(text, "cyclic-condition") == []
