"""invalid-string: text the string attribute can never read."""

import pytest
from signrules.attributes.schema import Schema
from signrules.engine.lint import lint_ruleset


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ('text = "Stop"', 'text "Stop" has lower-case letters; the text attribute reads capitals: write "STOP"'),
        ('text = "Alto"', 'text "Alto" has lower-case letters; the text attribute reads capitals: write "ALTO"'),
        ('text = "STOPSTOP"', 'value "STOPSTOP" of attribute "text" is too long (8 > 6 symbols)'),
        ('text = "Stopping"', 'value "Stopping" of attribute "text" is too long (8 > 6 symbols)'),
        ("digits = 1000", 'value "1000" of attribute "digits" is too long (4 > 3 symbols)'),
        ("text = 12", 'value 12 has symbols not in the alphabet of "text" (A-Z): "1", "2"'),
        ('text = "Stop1"', 'value "Stop1" has symbols not in the alphabet of "text" (A-Z): "1", "o", "p", "t"'),
        ('text = "ÄRGER"', 'value "ÄRGER" has symbols not in the alphabet of "text" (A-Z): "Ä"'),
        # Upper-cased, "ß" becomes "SS", which is one letter too many.
        ('text = "straße"', 'value "straße" has symbols not in the alphabet of "text" (A-Z): "a", "e", "r", "s", "t", "ß"'),
        ('digits = "1o"', 'value "1o" has symbols not in the alphabet of "digits" (0-9): "o"'),
    ],
)
def test_invalid_string(lint, condition, message):
    (problem,) = lint(f'sign a "A" when {condition}', "invalid-string")

    assert problem[3] == message
    assert problem[2] == 17 + condition.index("=") + 2


@pytest.mark.parametrize("condition", ['text = "STOP"', "digits = 080", 'digits in {"5", 50}', 'text = ""'])
def test_valid_string(lint, condition):
    assert lint(f'sign a "A" when {condition}', "invalid-string") == []


def test_alphabet_without_runs_listed(ruleset_dir):
    # Only runs of three or more consecutive symbols are shortened to "first-last".
    schema = Schema.from_dict({"strings": {"plate": {"alphabet": "0123ABXZ-", "max_length": 4}}})
    root = ruleset_dir('sign a "A" when plate = "0Y"')

    (problem,) = lint_ruleset(root, schema=schema, check_exemplars=False)

    assert problem.message == 'value "0Y" has symbols not in the alphabet of "plate" (0-3, A, B, X, Z, -): "Y"'


def test_lower_case_hint_needs_letters_in_alphabet(ruleset_dir):
    # Upper-casing cannot help an attribute whose alphabet has no capitals.
    schema = Schema.from_dict({"strings": {"code": {"alphabet": "abc", "max_length": 4}}})
    root = ruleset_dir('sign a "A" when code = "AB"')

    (problem,) = lint_ruleset(root, schema=schema, check_exemplars=False)

    assert problem.message == 'value "AB" has symbols not in the alphabet of "code" (a-c): "A", "B"'
