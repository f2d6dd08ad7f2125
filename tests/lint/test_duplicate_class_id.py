"""duplicate-class-id: a class id claimed twice in one dataset."""


def test_two_signs_one_class(lint):
    problems = lint(
        'sign stop "Stop" dataset gtsrb 14 when shape = octagon\n'
        'sign no_entry "No entry" dataset gtsrb 14 when fill = red',
        "duplicate-class-id",
    )

    ((_, line, column, message),) = problems
    assert (line, column) == (2, 40)
    assert message.startswith('gtsrb class 14 is already given to sign "stop" at ')


def test_one_sign_two_classes(lint):
    problems = lint('sign stop "Stop" dataset gtsrb 14, 15 when shape = octagon', "duplicate-class-id")

    assert [m for *_, m in problems] == ['sign "stop" has two gtsrb class ids, 14 and 15']


def test_family_values_share_class(lint):
    problems = lint('sign s_{N} "S {N}" dataset gtsrb 0 if N = 20, 0 if N = 30 when digits = N', "duplicate-class-id")

    assert [m for *_, m in problems][0].startswith('gtsrb class 0 is already given to "s_{N}" with N = 20 at ')


def test_different_datasets_may_share_numbers(lint):
    text = 'sign stop "Stop" dataset gtsrb 14 dataset other 14 when shape = octagon'

    assert lint(text, "duplicate-class-id") == []
