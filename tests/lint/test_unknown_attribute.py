"""unknown-attribute: names outside the schema, with a suggestion."""

import pytest
from signrules.attributes.schema import Schema, default_schema
from signrules.engine.lint import lint_ruleset
from signrules.engine.lint.checks.unknown_attribute import SYNONYMS

KNOWN = "shape, fill, border, strike, digits, text, pictogram"


@pytest.mark.parametrize(
    ("condition", "column", "message"),
    [
        ("shap = octagon", 23, 'unknown attribute "shap"; did you mean "shape"?'),
        ("colour = red", 23, 'unknown attribute "colour"; did you mean "fill" or "border"?'),
        ("pictgram ~ deer", 23, 'unknown attribute "pictgram"; did you mean "pictogram"?'),
        ("shape = circle and rim in {red}", 42, 'unknown attribute "rim"; did you mean "border"?'),
        ("plate_size = large", 23, f'unknown attribute "plate_size"; expected one of {KNOWN}'),
    ],
)
def test_unknown_attribute(lint, condition, column, message):
    problems = lint(f'sign stop "Stop" when {condition}', "unknown-attribute")

    assert problems == [("unknown-attribute", 1, column, message)]


def test_known_attributes(lint):
    text = (
        'sign stop "Stop" when shape = octagon and fill = red and border = white'
        ' and strike = none and digits = none and text = "STOP"'
    )

    assert lint(text, "unknown-attribute") == []


def test_unknown_attribute_in_definition(lint):
    problems = lint('define plate as shap = circle\nsign a "A" when plate', "unknown-attribute")

    assert [(line, column) for _, line, column, _ in problems] == [(1, 17)]


@pytest.mark.parametrize(
    ("word", "message"),
    [
        ("Colour", 'unknown attribute "Colour"; did you mean "fill" or "border"?'),
        ("color", 'unknown attribute "color"; did you mean "fill" or "border"?'),
        ("edge", 'unknown attribute "edge"; did you mean "border"?'),
        ("outline", 'unknown attribute "outline"; did you mean "border"?'),
        ("background", 'unknown attribute "background"; did you mean "fill"?'),
        ("form", 'unknown attribute "form"; did you mean "shape"?'),
        ("number", 'unknown attribute "number"; did you mean "digits"?'),
        ("letters", 'unknown attribute "letters"; did you mean "text"?'),
        # Closest in spelling to "shape" and "border", which would mislead.
        ("speed", 'unknown attribute "speed"; did you mean "digits"?'),
        ("word", 'unknown attribute "word"; did you mean "text"?'),
    ],
)
def test_unknown_attribute_synonym(lint, word, message):
    ((*_, found),) = lint(f'sign a "A" when {word} = x', "unknown-attribute")

    assert found == message


def test_synonym_for_pictogram(lint):
    ((*_, message),) = lint('sign a "A" when icon ~ deer', "unknown-attribute")

    assert message == 'unknown attribute "icon"; did you mean "pictogram"?'


def test_synonyms_name_schema_attributes():
    names = set(default_schema().names)

    for word, meant in SYNONYMS.items():
        assert set(meant) <= names, word


def test_synonym_skips_names_outside_schema(ruleset_dir):
    # A schema without "border" must not have it suggested.
    schema = Schema.from_dict({"categorical": {"fill": {"values": ["red", "white"]}}})
    root = ruleset_dir('sign a "A" when colour = red and rim = red')

    problems = lint_ruleset(root, schema=schema, check_exemplars=False)

    assert [p.message for p in problems] == [
        'unknown attribute "colour"; did you mean "fill"?',
        'unknown attribute "rim"; expected one of fill',
    ]
