"""unreachable-rule: a sign that another covers can never score above it."""

import pytest


def test_covered_sign(lint):
    problems = lint('sign round "Round" when shape = circle\nsign no_entry "No entry" when shape = circle and fill = red')

    ((_, line, column, message),) = problems
    assert (line, column) == (2, 6)
    assert message.startswith('sign "no_entry" can never win: it is covered by "round" (')
    assert message.endswith('which matches every image that "no_entry" matches')


def test_equivalent_signs_report_the_later(lint):
    problems = lint('sign a "A" when shape = circle and fill = red\nsign b "B" when fill = red and shape = circle')

    ((_, line, _, message),) = problems
    assert line == 2
    assert "matches the same images as \"a\"" in message
    assert message.endswith("which is declared first and wins ties")


@pytest.mark.parametrize(
    ("text", "covered"),
    [
        # A literal inside a family's values is covered by the family.
        ('sign limit_{N} "L {N}" when digits = N where N in {30, 80}\nsign eighty "80" when digits = "80" and fill = white', ["eighty"]),
        # A literal outside the family's values is not.
        ('sign limit_{N} "L {N}" when digits = N where N in {30, 50}\nsign eighty "80" when digits = "80" and fill = white', []),
        # Two values can together beat the family's single best member, but
        # the family's best member never beats their sum.
        ('sign limit_{N} "L {N}" when digits = N where N in {30, 80}\nsign two "Two" when digits in {"30", "80"}', ["limit_{N}"]),
        # A smaller family is covered by a larger one.
        ('sign limit_{N} "L {N}" when digits = N\nsign round_{N} "R {N}" when digits = N and shape = circle where N in {5}', ["round_{N}"]),
        # Independent pictogram events: "not ~ b" does not cover "~ a".
        ('sign a "A" when pictogram ~ a\nsign not_b "Not B" when not pictogram ~ b', []),
    ],
)
def test_coverage_cases(lint, text, covered):
    messages = [message for *_, message in lint(text, "unreachable-rule")]

    assert [m.split('"')[1] for m in messages] == covered


def test_disjoint_signs_reachable(lint):
    assert lint('sign a "A" when shape = circle\nsign b "B" when shape = triangle', "unreachable-rule") == []


@pytest.mark.parametrize(
    "text",
    [
        'sign give_way "Give way" when shape = inverted_triangle\nsign give_way "Give way" when shape = inverted_triangle',
        'sign round "Round" when shape = circle\nsign round "Red round" when shape = circle and fill = red',
        # A family member declared again as a sign of its own.
        'sign speed_{N} "Speed {N}" when digits = N\nsign speed_40 "Forty" when digits = "40" and fill = white',
    ],
)
def test_same_id_left_to_duplicate_sign(lint, text):
    # duplicate-sign already reports the pair, so a second finding on it would be noise.
    codes = [code for code, *_ in lint(text)]

    assert codes == ["duplicate-sign"]


def test_same_id_still_covered_by_other_sign(lint):
    text = (
        'sign round "Round" when shape = circle\n'
        'sign no_entry "No entry" when shape = circle and fill = red\n'
        'sign no_entry "No entry" when fill = red and shape = circle\n'
    )

    messages = [(line, message) for _, line, _, message in lint(text, "unreachable-rule")]

    assert [line for line, _ in messages] == [2, 3]
    assert all('covered by "round"' in message for _, message in messages)
