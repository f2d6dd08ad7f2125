"""Evaluator: exact scores on hand-made posteriors, decisions, evidence and input checks."""

from __future__ import annotations

import numpy as np
import pytest
from signrules.engine import UNKNOWN, load_ruleset
from signrules.engine.errors import ClassifierError

# Shape and fill probabilities of one image, used by the exact-score tests.
SHAPE = {"circle": 0.6, "triangle": 0.3, "octagon": 0.1}
FILL = {"white": 0.7, "red": 0.2, "blue": 0.1}


def load(write_ruleset, text: str, **kwargs):
    return load_ruleset(write_ruleset({"rules.signs": text}), check_exemplars=False, **kwargs)


def single_score(ruleset, posteriors, pictogram_probs=None) -> dict[str, float]:
    matrix = ruleset.score(posteriors, pictogram_probs or {})
    return {rule: float(matrix.scores[0, r]) for r, rule in enumerate(matrix.rule_ids)}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("shape = circle", 0.6),
        ("shape = circle and fill = white", 0.6 * 0.7),
        # Values of one attribute exclude each other: no product term.
        ("shape = circle or shape = triangle", 0.6 + 0.3),
        ("shape in {circle, triangle}", 0.6 + 0.3),
        # Different attributes are independent: inclusion and exclusion.
        ("shape = circle or fill = white", 0.6 + 0.7 - 0.6 * 0.7),
        ("not shape = circle", 0.4),
        ("not (shape = circle and fill = white)", 1 - 0.6 * 0.7),
        ("shape = circle and not fill in {white, red}", 0.6 * 0.1),
        ("(shape = circle or fill = red) and (shape = triangle or fill = white)", 0.6 * 0.7 + 0.3 * 0.2),
        ("shape = circle and shape = triangle", 0.0),
        ("shape = circle or not shape = circle", 1.0),
    ],
)
def test_exact_categorical_scores(write_ruleset, posteriors, condition, expected):
    ruleset = load(write_ruleset, f'sign x "X" when {condition}')

    scores = single_score(ruleset, posteriors([{"shape": SHAPE, "fill": FILL}]))

    assert scores["x"] == pytest.approx(expected)


def test_overlapping_and_disjoint_signs_scored_independently(write_ruleset, posteriors):
    ruleset = load(
        write_ruleset,
        'sign round "Round" when shape = circle\n'
        'sign round_white "Round white" when shape = circle and fill = white\n'
        'sign triangle "Triangle" when shape = triangle\n',
    )

    scores = single_score(ruleset, posteriors([{"shape": SHAPE, "fill": FILL}]))

    assert scores == pytest.approx({"round": 0.6, "round_white": 0.42, "triangle": 0.3})


def test_string_scores(write_ruleset, posteriors, schema):
    ruleset = load(
        write_ruleset,
        'sign stop "Stop" when text = "STOP"\n'
        'sign not_stop "Not stop" when not text = "STOP"\n'
        'sign either "Either" when text in {"STOP", "HALT"}\n'
        'sign blank "Blank" when text = none\n',
    )
    images = posteriors([{"text": "STOP"}, {"text": ""}], confidence=0.9)
    read = images.strings["text"].prob(["STOP", "HALT", ""])

    matrix = ruleset.score(images, {})

    # Each of the 6 positions puts 0.9 on the right symbol: P("STOP") = 0.9**6.
    assert read[0, 0] == pytest.approx(0.9**6)
    np.testing.assert_allclose(matrix.scores[:, 0], read[:, 0])
    np.testing.assert_allclose(matrix.scores[:, 1], 1 - read[:, 0])
    np.testing.assert_allclose(matrix.scores[:, 2], read[:, 0] + read[:, 1])
    np.testing.assert_allclose(matrix.scores[:, 3], read[:, 2])


def test_family_reads_most_likely_allowed_value(write_ruleset, posteriors):
    ruleset = load(
        write_ruleset,
        'sign speed_limit_{N} "Speed limit {N} km/h"\n'
        "    dataset gtsrb 0 if N = 20, 1 if N = 30\n"
        "    when shape = circle and digits = N\n"
        "    where N in {20, 30, 50}\n",
    )
    images = posteriors(
        [{"shape": "circle", "digits": "30"}, {"shape": "circle", "digits": "50"}, {"shape": "circle", "digits": "40"}],
        confidence=0.8,
    )

    matrix = ruleset.score(images, {})

    np.testing.assert_array_equal(matrix.values["speed_limit_{N}"][:2], ["30", "50"])
    assert matrix.scores[0, 0] == pytest.approx(0.8**3)
    assert matrix.sign_id(0, 0) == "speed_limit_30"
    # "40" is not allowed: the family reads the best allowed value instead.
    assert matrix.values["speed_limit_{N}"][2] in {"20", "30", "50"}
    assert matrix.scores[2, 0] < 0.1


def test_unrestricted_family_reads_any_number(write_ruleset, posteriors):
    ruleset = load(write_ruleset, 'sign speed_{N} "Speed {N}" when digits = N')
    images = posteriors([{"digits": "130"}, {"digits": "7"}], confidence=0.9)

    decisions = ruleset.classify(images, {})

    assert [d.label for d in decisions] == ["speed_130", "speed_7"]
    assert decisions[0].best.name == "Speed 130"
    assert decisions[0].best.value == "130"
    assert decisions[0].best.rule_id == "speed_{N}"


def test_family_value_never_none(write_ruleset, posteriors):
    # The empty string is not a number, so a family never matches a blank sign.
    ruleset = load(write_ruleset, 'sign speed_{N} "Speed {N}" when digits = N')

    decision = ruleset.classify(posteriors([{"digits": ""}]), {})[0]

    assert decision.label == UNKNOWN
    # log_prob floors each position at 1e-12, so the score is tiny, not 0.
    assert decision.best.score < 1e-9


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("shape = triangle and pictogram ~ a", 0.3 * 0.8),
        ("pictogram ~ a and pictogram ~ b", 0.8 * 0.4),
        ("pictogram ~ a or pictogram ~ b", 0.8 + 0.4 - 0.8 * 0.4),
        ("not pictogram ~ b", 0.6),
    ],
)
def test_pictogram_tests_are_independent_events(write_ruleset, posteriors, condition, expected):
    ruleset = load(write_ruleset, f'sign x "X" when {condition}')

    scores = single_score(ruleset, posteriors([{"shape": SHAPE}]), {"a": np.array([0.8]), "b": np.array([0.4])})

    assert scores["x"] == pytest.approx(expected)


def test_new_exemplar_sign_changes_no_other_score(write_ruleset, posteriors, tmp_path):
    # The zero-churn promise: adding a sign with its own exemplar set leaves
    # every existing sign's score unchanged.
    before_text = (
        'sign curve "Curve" when shape = triangle and pictogram ~ curve\n'
        'sign stop "Stop" when shape = octagon\n'
    )
    before = load_ruleset(write_ruleset({"rules.signs": before_text}, name="before"), check_exemplars=False)
    after = load_ruleset(
        write_ruleset({"rules.signs": before_text + 'sign deer "Deer" when shape = triangle and pictogram ~ deer\n'}, name="after"),
        check_exemplars=False,
    )
    rng = np.random.default_rng(0)
    images = posteriors([{"shape": SHAPE}, {"shape": "triangle"}, {"shape": "octagon"}])
    probs = {"curve": rng.random(3), "deer": rng.random(3)}

    old = before.score(images, probs).scores
    new = after.score(images, probs).scores

    np.testing.assert_array_equal(new[:, :2], old)


def test_unknown_below_threshold(write_ruleset, posteriors):
    ruleset = load(write_ruleset, 'sign round "Round" when shape = circle')
    images = posteriors([{"shape": SHAPE}, {"shape": {"circle": 0.4, "triangle": 0.6}}])

    decisions = ruleset.classify(images, {})

    assert [d.label for d in decisions] == ["round", UNKNOWN]
    assert decisions[1].is_unknown
    assert decisions[1].best.sign_id == "round"
    assert decisions[1].score == pytest.approx(0.4)
    assert decisions[1].threshold == 0.5


def test_threshold_argument_overrides_manifest(write_ruleset, posteriors):
    ruleset = load(write_ruleset, 'sign round "Round" when shape = circle')
    images = posteriors([{"shape": SHAPE}])

    assert ruleset.classify(images, {}, threshold=0.7)[0].label == UNKNOWN
    assert ruleset.classify(images, {}, threshold=0.6)[0].label == "round"


def test_evidence_lists_each_predicate(write_ruleset, posteriors):
    ruleset = load(
        write_ruleset,
        "define plate as shape = circle and fill = white\n"
        'sign end_{N} "End {N}" when plate and not strike = none and digits = N\n',
    )
    images = posteriors([{"shape": SHAPE, "fill": FILL, "strike": "diagonal", "digits": "80"}])

    (decision,) = ruleset.classify(images, {}, threshold=0.0)

    assert [(e.predicate, e.negated, e.definition) for e in decision.evidence] == [
        ("shape = circle", False, "plate"),
        ("fill = white", False, "plate"),
        ("strike = none", True, None),
        ("digits = 80", False, None),
    ]
    assert [e.probability for e in decision.evidence] == pytest.approx([0.6, 0.7, 0.0, 1.0])
    assert decision.evidence[0].location.line == 1
    assert decision.evidence[2].location.line == 2
    assert decision.best.location.line == 2


def test_runners_up_sorted_and_limited(write_ruleset, posteriors):
    ruleset = load(
        write_ruleset,
        'sign a "A" when shape = circle\n'
        'sign b "B" when shape = triangle\n'
        'sign c "C" when shape = octagon\n'
        'sign d "D" when shape = diamond\n',
    )
    images = posteriors([{"shape": SHAPE}])

    (decision,) = ruleset.classify(images, {}, runners_up=2)

    assert decision.label == "a"
    assert [(r.sign_id, r.score) for r in decision.runners_up] == [("b", pytest.approx(0.3)), ("c", pytest.approx(0.1))]


def test_ties_go_to_first_sign(write_ruleset, posteriors):
    ruleset = load(write_ruleset, 'sign first "First" when shape = circle\nsign second "Second" when shape = circle\n')

    (decision,) = ruleset.classify(posteriors([{"shape": "circle"}]), {})

    assert decision.label == "first"
    assert decision.runners_up[0].sign_id == "second"


def test_same_answer_alone_and_in_batch(write_ruleset, posteriors):
    ruleset = load(
        write_ruleset,
        'sign a_{N} "A {N}" when shape = circle and digits = N\n'
        'sign b "B" when shape = triangle and pictogram ~ x\n',
    )
    rows = [{"shape": SHAPE, "digits": "50"}, {"shape": "triangle"}, {"shape": "octagon", "digits": "7"}]
    batch = posteriors(rows, confidence=0.7)
    probs = np.array([0.2, 0.9, 0.5])

    together = ruleset.classify(batch, {"x": probs})
    alone = [ruleset.classify(batch.select([i]), {"x": probs[i : i + 1]})[0] for i in range(3)]

    assert together == alone


def test_score_matrix_labels_and_best(write_ruleset, posteriors):
    ruleset = load(write_ruleset, 'sign a "A" when shape = circle\nsign b_{N} "B {N}" when shape = triangle and digits = N\n')
    images = posteriors([{"shape": SHAPE}, {"shape": "triangle", "digits": "12"}, {"shape": "octagon"}])

    matrix = ruleset.score(images, {})
    index, score = matrix.best()

    assert matrix.scores.shape == (3, 2)
    assert index.tolist() == [0, 1, 0]
    assert score[:2] == pytest.approx([0.6, 1.0])
    assert matrix.labels(0.5) == ["a", "b_12", UNKNOWN]


def test_empty_ruleset_answers_unknown(write_ruleset, posteriors):
    ruleset = load(write_ruleset, "# no signs yet\n")

    (decision,) = ruleset.classify(posteriors([{}]), {})

    assert decision.label == UNKNOWN
    assert decision.best is None


@pytest.mark.parametrize(
    ("probs", "message"),
    [
        ({}, 'pictogram_probs has no entry for exemplar "x"'),
        ({"x": np.array([0.5, 0.5])}, r'pictogram_probs\["x"\] has shape \(2,\), expected \(1,\)'),
        ({"x": np.array([1.5])}, "outside"),
        ({"x": np.array([np.nan])}, "outside"),
    ],
)
def test_invalid_pictogram_probs(write_ruleset, posteriors, probs, message):
    ruleset = load(write_ruleset, 'sign b "B" when pictogram ~ x')

    with pytest.raises(ClassifierError, match=message):
        ruleset.score(posteriors([{}]), probs)


def test_posteriors_of_another_schema_rejected(write_ruleset, posteriors, schema):
    from dataclasses import replace

    from signrules.attributes.schema import CategoricalAttribute

    other = replace(schema, categorical={**schema.categorical, "strike": CategoricalAttribute("strike", ("none",))})
    ruleset = load(write_ruleset, 'sign a "A" when shape = circle', schema=other)

    with pytest.raises(ClassifierError, match="schema"):
        ruleset.score(posteriors([{}]), {})


@pytest.mark.parametrize(("keyword", "value"), [("threshold", 1.5), ("runners_up", -1)])
def test_invalid_classify_arguments(write_ruleset, posteriors, keyword, value):
    ruleset = load(write_ruleset, 'sign a "A" when shape = circle')

    with pytest.raises(ClassifierError, match=keyword):
        ruleset.classify(posteriors([{}]), {}, **{keyword: value})
