"""Parser of .signs files: the syntax tree it builds and every friendly syntax error."""

from __future__ import annotations

import re

import pytest
from signrules.engine.parser import (
    CHARACTER_HINTS,
    MAX_NESTING,
    RULE_SYNTAX_ERRORS,
    MessageTemplate,
    parse_rules,
)
from signrules.engine.syntax import (
    And,
    Comparison,
    Not,
    Or,
    RangeRestriction,
    Reference,
    SetRestriction,
    Similarity,
    ValueKind,
)


def test_parse_sign_with_metadata():
    source = parse_rules(
        'sign stop "Stop"\n'
        "    catalogue 206\n"
        "    dataset gtsrb 14\n"
        '    when shape = octagon and text = "STOP"\n',
        "stop.signs",
    )

    assert source.problems == ()
    (sign,) = source.signs
    assert sign.id == "stop"
    assert sign.name == "Stop"
    assert sign.catalogue == "206"
    assert [(c.dataset, c.class_id) for c in sign.classes] == [("gtsrb", 14)]
    assert (sign.location.path, sign.location.line, sign.location.column) == ("stop.signs", 1, 6)
    assert isinstance(sign.condition, And)
    assert [str(operand) for operand in sign.condition.operands] == ["shape = octagon", 'text = "STOP"']


def test_parse_family():
    source = parse_rules(
        'sign speed_limit_{N} "Speed limit {N} km/h"\n'
        "    dataset gtsrb 0 if N = 20, 1 if N = 30\n"
        "    when digits = N\n"
        "    where N from 5 to 130 step 5\n"
    )

    (sign,) = source.signs
    assert sign.parameter == "N"
    assert [(c.class_id, c.parameter, c.value) for c in sign.classes] == [(0, "N", 20), (1, "N", 30)]
    assert sign.restriction == RangeRestriction("N", 5, 130, 5, sign.restriction.location)
    assert list(sign.restriction.values())[:3] == [5, 10, 15]
    assert sign.restriction.values()[-1] == 130


def test_parse_value_set_restriction():
    source = parse_rules('sign s_{N} "S {N}" when digits = N where N in {30, 20, 30}')

    assert isinstance(source.signs[0].restriction, SetRestriction)
    assert source.signs[0].restriction.values() == (20, 30)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("shape = circle", Comparison),
        ("fill in {white, yellow}", Comparison),
        ("pictogram ~ wild_animals", Similarity),
        ("prohibitory", Reference),
        ("not shape = circle", Not),
        ("shape = circle and fill = white", And),
        ("shape = circle or fill = white", Or),
        ("(shape = circle)", Comparison),
    ],
)
def test_parse_condition_node(condition, expected):
    source = parse_rules(f'sign s "S" when {condition}')

    assert source.problems == ()
    assert isinstance(source.signs[0].condition, expected)


def test_parse_precedence_not_and_or():
    # "not" binds tighter than "and", which binds tighter than "or".
    condition = parse_rules('sign s "S" when not a = b and c = d or e = f').signs[0].condition

    assert isinstance(condition, Or)
    first, second = condition.operands
    assert isinstance(first, And)
    assert isinstance(first.operands[0], Not)
    assert str(second) == "e = f"


def test_parse_long_chain_stays_flat():
    chain = " and ".join(f"shape = circle{i}" for i in range(300))
    condition = parse_rules(f'sign s "S" when {chain}').signs[0].condition

    assert isinstance(condition, And)
    assert len(condition.operands) == 300


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        ("octagon", ValueKind.NAME, "octagon"),
        ('"STOP"', ValueKind.STRING, "STOP"),
        ("080", ValueKind.NUMBER, "080"),
        ("none", ValueKind.NAME, "none"),
    ],
)
def test_parse_value_kinds(value, kind, text):
    comparison = parse_rules(f'sign s "S" when digits = {value}').signs[0].condition

    assert comparison.values[0].kind is kind
    assert comparison.values[0].text == text


def test_parse_definition_and_comments():
    source = parse_rules(
        "# plates\n"
        "define prohibitory as  # trailing comment\n"
        "    shape = circle and border = red\n"
    )

    (definition,) = source.definitions
    assert definition.name == "prohibitory"
    assert definition.location.line == 2
    assert isinstance(definition.condition, And)


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n"])
def test_parse_empty_file(text):
    # An empty rule file must parse clean: CI lints new folders before their first rule lands.
    source = parse_rules(text)

    assert source.problems == ()
    assert source.signs == ()


def test_parse_catalogue_forms():
    source = parse_rules('sign a "A" catalogue 103-10 when x = y\nsign b "B" catalogue "R1-1" when x = y')

    assert [s.catalogue for s in source.signs] == ["103-10", "R1-1"]


# Every example of the friendly-error table must still produce its message.
@pytest.mark.parametrize(
    ("label", "example"),
    [(label, example) for label, examples in RULE_SYNTAX_ERRORS for example in examples],
)
def test_friendly_syntax_errors(label, example):
    source = parse_rules(example, "x.signs")

    assert len(source.problems) == 1
    problem = source.problems[0]
    assert problem.code == "syntax-error"
    if isinstance(label, MessageTemplate):
        # A field of the template may hold any text of the example.
        pieces = re.split(r"\{(?:found|sign|next)\}", label.text)
        assert re.fullmatch(".+".join(re.escape(piece) for piece in pieces), problem.message)
    else:
        assert problem.message.startswith(label)
    assert "expected " in problem.message


@pytest.mark.parametrize("earlier", ['sign first "First" when fill = red\n', "define first as fill = red\n"])
@pytest.mark.parametrize(
    "example",
    [
        example
        for _, examples in RULE_SYNTAX_ERRORS
        for example in examples
        if example.startswith(("sign ", "define"))
    ],
)
def test_friendly_errors_after_other_declarations(earlier, example):
    # The parser's stack is deeper after other declarations, and the label must not depend on its depth.
    (alone,) = parse_rules(example).problems
    (later,) = parse_rules(earlier + example).problems

    assert later.message == alone.message
    assert (later.line, later.column) == (alone.line + 1, alone.column)


def test_friendly_error_inside_parentheses():
    (problem,) = parse_rules('sign a "A" when (fill = red and (shape == octagon))').problems

    assert problem.message.startswith('use a single "=" to compare, ')


@pytest.mark.parametrize(
    "example",
    [
        example
        for label, examples in RULE_SYNTAX_ERRORS
        if isinstance(label, MessageTemplate) and label.at_sign
        for example in examples
    ],
)
def test_friendly_errors_at_sign_located(example):
    (problem,) = parse_rules(example).problems

    # Every such example declares the sign without "when" first, with its id at column 6.
    assert (problem.line, problem.column) == (1, 6)


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        (
            'sign stop "Stop" shape = octagon',
            18,
            'expected "when" and a condition after the sign\'s name and metadata but found "shape"',
        ),
        (
            'sign stop "Stop" dataset gtsrb 14 shape = octagon',
            35,
            'expected "when" and a condition after the sign\'s name and metadata but found "shape"',
        ),
        (
            'sign stop "Stop" (shape = octagon)',
            18,
            'expected "when" and a condition after the sign\'s name and metadata but found "("',
        ),
        (
            'sign stop "Stop" when shape = octagon fill = red',
            39,
            'missing "and" or "or" between two conditions, '
            'expected "and", "define", "or", "sign", "where" or end of file but found "fill"',
        ),
        (
            'sign stop "Stop" when shape == octagon',
            30,
            'use a single "=" to compare, expected a name, a whole number or text in quotes but found "="',
        ),
        (
            'sign stop "Stop" when',
            22,
            'missing condition after "when", expected "(", "not" or a name but found end of file',
        ),
        (
            'sign "Stop" when shape = octagon',
            6,
            'missing sign id after "sign", expected a sign id but found "Stop"',
        ),
        (
            'sign x "X" when fill in {white red}',
            32,
            'values in a set are separated by commas, expected "," or "}" but found "red"',
        ),
    ],
)
def test_syntax_error_message_and_column(text, column, message):
    (problem,) = parse_rules(text).problems

    assert problem.line == 1
    assert problem.column == column
    assert problem.message == message


@pytest.mark.parametrize(("character", "hint"), sorted(CHARACTER_HINTS.items()))
def test_character_hints(character, hint):
    text = f'sign x "X" when text = {character}STOP'
    (problem,) = parse_rules(text).problems

    assert problem.message.startswith(hint)
    assert problem.column == text.rindex(character) + 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('sign a "A"\n catalogue 1\n\nsign b "B" when shape = circle', 'sign "a" has no condition: expected "when" before the next sign'),
        ('sign a "A"\n  dataset gtsrb 3, 4\ndefine red as fill = red', 'sign "a" has no condition: expected "when" before the next definition'),
        ('sign a_{N} "A {N}"\n  dataset gtsrb 3 if N = 30\n', 'sign "a_{N}" has no condition: expected "when" before the end of the file'),
    ],
)
def test_sign_without_when_located_at_sign(text, message):
    # The parser notices the missing "when" only at what follows, which does not name the sign.
    (problem,) = parse_rules(text).problems

    assert (problem.line, problem.column) == (1, 6)
    assert problem.message == message


def test_sign_without_when_after_other_signs():
    (problem,) = parse_rules('sign a "A" when shape = circle\nsign b "B"\nsign c "C" when fill = red').problems

    assert (problem.line, problem.column) == (2, 6)
    assert problem.message == 'sign "b" has no condition: expected "when" before the next sign'


def test_syntax_error_on_later_line():
    (problem,) = parse_rules('sign a "A"\n  when shape = circle\nsign b "B"\n  when shape =\n').problems

    assert (problem.line, problem.column) == (4, 15)


def test_second_catalogue_is_an_error():
    (problem,) = parse_rules('sign a "A" catalogue 1 catalogue 2 when x = y', "a.signs").problems

    assert problem.column == 34
    assert problem.message == 'sign "a" has a second catalogue number; keep one'


def test_nesting_limit():
    deep = "not " * (MAX_NESTING + 1) + "shape = circle"
    (problem,) = parse_rules(f'sign a "A" when {deep}').problems

    assert problem.message == f"condition is nested too deeply ({MAX_NESTING + 1} > {MAX_NESTING} levels)"


def test_extreme_nesting_is_a_problem_not_a_crash():
    (problem,) = parse_rules('sign a "A" when ' + "not (" * 5000 + "x = y" + ")" * 5000).problems

    assert problem.code == "syntax-error"
    assert "nested too deeply" in problem.message


def test_unknown_character_without_hint():
    (problem,) = parse_rules('sign a "A" when x = y @').problems

    assert problem.message.startswith('unexpected character "@", expected "and", ')
    assert problem.column == 23
