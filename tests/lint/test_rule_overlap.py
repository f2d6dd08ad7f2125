"""rule-overlap: two signs that can match one image, with a witness."""

import pytest


def test_overlap_with_witness(lint):
    problems = lint(
        'sign no_entry "No entry" when shape = circle and fill = red\n'
        'sign stop "Stop" when fill = red and text = "STOP"\n',
        "rule-overlap",
    )

    ((_, line, column, message),) = problems
    assert (line, column) == (2, 6)
    assert message.startswith('sign "stop" overlaps "no_entry" (')
    assert message.endswith('both match fill = red, shape = circle, text = "STOP"')


def test_family_overlaps_literal(lint):
    problems = lint(
        'sign speed_{N} "Speed {N}" when shape = circle and digits = N and strike = none\n'
        'sign eighty "Eighty" when digits = "80" and fill = white\n',
        "rule-overlap",
    )

    assert problems[0][3].endswith('both match fill = white, shape = circle, strike = none, digits = "80"')


@pytest.mark.parametrize(
    "text",
    [
        # Different pictograms: an image shows one pictogram.
        'sign curve "Curve" when shape = triangle and pictogram ~ curve\nsign deer "Deer" when shape = triangle and pictogram ~ deer',
        # Prohibitory and end signs differ in their strike.
        'sign limit_{N} "Limit {N}" when shape = circle and strike = none and digits = N\n'
        'sign end_{N} "End {N}" when shape = circle and strike = diagonal and digits = N',
        # A family never reads "none".
        'sign limit_{N} "Limit {N}" when shape = circle and digits = N\nsign blank "Blank" when shape = circle and digits = none',
        # Different literals.
        'sign stop "Stop" when text = "STOP"\nsign halt "Halt" when text = "HALT"',
    ],
)
def test_disjoint_signs(lint, text):
    assert lint(text, "rule-overlap") == []


def test_covered_sign_reported_as_unreachable_only(lint):
    problems = lint('sign round "Round" when shape = circle\nsign no_entry "No entry" when shape = circle and fill = red')

    assert [code for code, *_ in problems] == ["unreachable-rule"]


def test_other_strings_overlap(lint):
    problems = lint(
        'sign a "A" when shape = circle and not text = "STOP"\nsign b "B" when fill = red and not text = "HALT"',
        "rule-overlap",
    )

    assert problems[0][3].endswith("both match fill = red, shape = circle, text = none")


def test_same_id_left_to_duplicate_sign(lint):
    # duplicate-sign already reports the pair, so a second finding on it would be noise.
    problems = lint('sign a "A" when shape = circle and fill = red\nsign a "B" when fill = red and text = "STOP"')

    assert [code for code, *_ in problems] == ["duplicate-sign"]


def test_same_id_still_overlaps_other_sign(lint):
    text = (
        'sign a "A" when shape = circle and fill = red\n'
        'sign a "B" when fill = red and text = "STOP"\n'
        'sign b "C" when fill = red and digits = "30"\n'
    )

    pairs = [message.split('"')[1::2][:2] for *_, message in lint(text, "rule-overlap")]

    assert pairs == [["b", "a"], ["b", "a"]]
