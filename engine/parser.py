"""Parser of ``.signs`` rule files, with friendly syntax errors.

The grammar lives in ``grammar/rules.lark``. ``parse_rules`` never raises on
bad input: it returns a SourceFile whose ``problems`` list the syntax errors,
each with the expected tokens in plain words. ``RULE_SYNTAX_ERRORS`` maps
typical mistakes to messages through lark's ``match_examples``, and the tests
check that every example in it still produces its message.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr
from signrules.engine.problems import Problem, Severity
from signrules.engine.syntax import (
    And,
    ClassEntry,
    Comparison,
    Condition,
    Definition,
    Location,
    Not,
    Or,
    RangeRestriction,
    Reference,
    SetRestriction,
    SignDeclaration,
    Similarity,
    SourceFile,
    Value,
    ValueKind,
)

__all__ = [
    "CHARACTER_HINTS",
    "MAX_NESTING",
    "RULE_SYNTAX_ERRORS",
    "SYNTAX_ERROR",
    "MessageTemplate",
    "parse_rules",
]

GRAMMAR_PATH = Path(__file__).with_name("grammar") / "rules.lark"

#: Code of every problem this module reports.
SYNTAX_ERROR = "syntax-error"

#: Deepest nesting of "not" and parentheses a condition may have. Real rules
#: stay far below it, and the limit keeps recursive walks over a condition
#: within Python's recursion limit.
MAX_NESTING = 32


@dataclass(frozen=True)
class MessageTemplate:
    """A label of RULE_SYNTAX_ERRORS that is the whole message, with no list of expected tokens.

    ``text`` may name the token found as {found} ('"shape"', 'end of file'),
    the id of the sign being declared as {sign}, and what follows as {next}
    ("the next sign", "the next definition" or "the end of the file"). With
    ``at_sign`` the problem is located at the id of the sign being declared
    instead of at the token, for mistakes that the next declaration reveals.
    """

    text: str
    at_sign: bool = False


#: Typical mistakes and the message each one gets. A plain label is followed
#: by the expected tokens and the token found; a MessageTemplate is the whole
#: message. A label applies to any error that leaves the parser in the same
#: state as one of its examples, so the examples are the documentation and the
#: test of each message. Within one parser state, an example with the same
#: token wins over one with the same kind of token, and otherwise the earlier
#: entry of the table (see _match_examples for ties).
RULE_SYNTAX_ERRORS: list[tuple[str | MessageTemplate, list[str]]] = [
    ('missing sign id after "sign"', [
        'sign "Stop" when shape = octagon',
        "sign 206 when shape = octagon",
    ]),
    ("missing display name in quotes after the sign id", [
        "sign stop when shape = octagon",
        "sign stop Stop when shape = octagon",
    ]),
    # One example per parser state that accepts "when": after the display
    # name, a catalogue number, a quoted catalogue number, a class number and
    # a class number with its "if" clause. This entry comes before the next
    # one, so that any other token in these states gets this message.
    (MessageTemplate("expected \"when\" and a condition after the sign's name and metadata but found {found}"), [
        'sign stop "Stop" shape = octagon',
        'sign stop "Stop" catalogue 206 shape = octagon',
        'sign stop "Stop" catalogue "R1" shape = octagon',
        'sign stop "Stop" dataset gtsrb 14 shape = octagon',
        'sign speed_{N} "Speed {N}" dataset gtsrb 1 if N = 30 digits = N',
    ]),
    # A sign without "when" is noticed only at the next declaration, which
    # never names the sign, so the message points at the sign itself.
    (MessageTemplate('sign "{sign}" has no condition: expected "when" before {next}', at_sign=True), [
        'sign stop "Stop"\nsign yield "Yield" when shape = inverted_triangle',
        'sign stop "Stop"\ndefine red as fill = red',
        'sign stop "Stop"',
        'sign stop "Stop" catalogue 206\nsign yield "Yield" when shape = inverted_triangle',
        'sign stop "Stop" catalogue 206\ndefine red as fill = red',
        'sign stop "Stop" catalogue 206',
        'sign stop "Stop" catalogue "R1"\nsign yield "Yield" when shape = inverted_triangle',
        'sign stop "Stop" catalogue "R1"\ndefine red as fill = red',
        'sign stop "Stop" catalogue "R1"',
        'sign stop "Stop" dataset gtsrb 14\nsign yield "Yield" when shape = inverted_triangle',
        'sign stop "Stop" dataset gtsrb 14\ndefine red as fill = red',
        'sign stop "Stop" dataset gtsrb 14',
        'sign speed_{N} "Speed {N}" dataset gtsrb 1 if N = 30\nsign stop "Stop" when shape = octagon',
        'sign speed_{N} "Speed {N}" dataset gtsrb 1 if N = 30\ndefine red as fill = red',
        'sign speed_{N} "Speed {N}" dataset gtsrb 1 if N = 30',
    ]),
    ('missing condition after "when"', [
        'sign stop "Stop" when',
        'sign stop "Stop" when sign yield "Yield" when shape = inverted_triangle',
    ]),
    ('missing condition after "and" or "or"', [
        'sign stop "Stop" when shape = octagon and',
        'sign stop "Stop" when shape = octagon or',
        'sign stop "Stop" when shape = octagon and sign yield "Yield" when shape = triangle',
    ]),
    ('missing value after "="', [
        'sign stop "Stop" when shape =',
        'sign stop "Stop" when shape = (octagon)',
    ]),
    ('use a single "=" to compare', [
        'sign stop "Stop" when shape == octagon',
    ]),
    ('missing "and" or "or" between two conditions', [
        'sign stop "Stop" when shape = octagon fill = red',
        'sign stop "Stop" when shape = octagon text = "STOP"',
        'sign no_vehicles "No vehicles" when prohibitory digits = none',
        'sign x "X" when pictogram ~ blank digits = none',
        'sign x "X" when fill in {red, white} shape = circle',
        'sign x "X" when (shape = circle) fill = red',
        "define round_red as shape = circle fill = red",
    ]),
    ('"catalogue" and "dataset" lines come before "when"', [
        'sign stop "Stop" when shape = octagon catalogue 206',
        'sign stop "Stop" when shape = octagon dataset gtsrb 14',
    ]),
    ('missing ")" to close the parenthesis', [
        'sign x "X" when (shape = circle',
        'sign x "X" when (shape = circle sign y "Y" when fill = red',
    ]),
    ('missing "}" to close the value set', [
        'sign x "X" when fill in {white, red',
        'sign x "X" when fill in {white, red sign y "Y" when fill = blue',
    ]),
    ("values in a set are separated by commas", [
        'sign x "X" when fill in {white red}',
    ]),
    ("a value set is written in braces, as in {white, yellow}", [
        'sign x "X" when fill in white',
        'sign x "X" when fill in (white, yellow)',
    ]),
    ('missing attribute name before "="', [
        'sign x "X" when = octagon',
    ]),
    ('missing "as" after the name of a definition', [
        "define prohibitory shape = circle",
        "define prohibitory is shape = circle",
    ]),
    ('missing name after "define"', [
        "define",
        'define "prohibitory" as shape = circle',
    ]),
    ('missing condition after "as"', [
        "define prohibitory as",
        'define prohibitory as sign x "X" when fill = red',
    ]),
    ("a catalogue number that starts with a letter is written in quotes", [
        'sign x "X" catalogue R1 when shape = octagon',
        'sign x "X" catalogue when shape = octagon',
    ]),
    ('missing dataset name after "dataset", as in: dataset gtsrb 14', [
        'sign x "X" dataset 14 when shape = octagon',
    ]),
    ("missing class number after the dataset name, as in: dataset gtsrb 14", [
        'sign x "X" dataset gtsrb when shape = octagon',
        'sign x "X" dataset gtsrb stop when shape = octagon',
    ]),
    ('write a parameter range as "where N from 5 to 130" or "where N in {20, 30}"', [
        'sign x_{N} "X" when digits = N where N 5 to 130',
        'sign x_{N} "X" when digits = N where N = 5',
    ]),
    ('missing "to" in the parameter range, as in "where N from 5 to 130"', [
        'sign x_{N} "X" when digits = N where N from 5 130',
    ]),
    ("a declaration starts with \"sign\" or \"define\"", [
        'shape = octagon',
        'stop "Stop" when shape = octagon',
    ]),
]

#: Messages for characters that the language never uses.
CHARACTER_HINTS: dict[str, str] = {
    '"': "unclosed quote: text must end with a second \" on the same line",
    "!": 'write "not shape = circle" instead of "!="',
    "&": 'write "and" instead of "&"',
    "|": 'write "or" instead of "|"',
    "'": 'text is written in double quotes, as in text = "STOP"',
    ":": 'the rule language has no colons: write "define NAME as ..." and "sign ID "Name" when ..."',
}

# Plain words for the named terminals; keywords and punctuation are quoted.
_TERMINAL_WORDS = {
    "SIGN_ID": "a sign id",
    "NAME": "a name",
    "STRING": "text in quotes",
    "INT": "a whole number",
    "CATALOGUE_NUMBER": "a catalogue number",
    "$END": "end of file",
}


@dataclass
class _ParseState:
    path: str
    problems: list[Problem] = field(default_factory=list)


# The file being parsed. The parser and its transformer are built once and
# shared, so the per-file state travels in a context variable, which keeps
# parsing in several threads safe.
_state: ContextVar[_ParseState] = ContextVar("signrules_parse_state")


@cache
def _lark() -> Lark:
    # The transformer runs while LALR parses, so no parse tree is built.
    return Lark(
        GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        transformer=_SyntaxBuilder(),
    )


def _parse(text: str, path: str):
    state = _ParseState(path)
    token = _state.set(state)
    try:
        return _lark().parse(text), state.problems
    finally:
        _state.reset(token)


@cache
def _terminal_words() -> dict[str, str]:
    words = dict(_TERMINAL_WORDS)
    for terminal in _lark().terminals:
        if isinstance(terminal.pattern, PatternStr):
            words[terminal.name] = f'"{terminal.pattern.value}"'
    return words


def parse_rules(text: str, path: str = "<string>") -> SourceFile:
    """Parse the text of one rule file; syntax errors are returned, not raised."""
    try:
        declarations, problems = _parse(text, path)
    except UnexpectedInput as error:
        return SourceFile(path, text, problems=(_syntax_problem(error, text, path),))
    except RecursionError:
        # Only a condition nested hundreds of levels deep gets here.
        problem = _problem(path, 1, 1, f"a condition is nested too deeply (more than {MAX_NESTING} levels)")
        return SourceFile(path, text, problems=(problem,))

    problems = list(problems)
    for declaration in declarations:
        depth = _nesting(declaration.condition)
        if depth > MAX_NESTING:
            location = declaration.condition.location
            problems.append(_problem(
                path, location.line, location.column,
                f"condition is nested too deeply ({depth} > {MAX_NESTING} levels)",
            ))

    if problems:
        return SourceFile(path, text, problems=tuple(problems))
    return SourceFile(
        path,
        text,
        definitions=tuple(d for d in declarations if isinstance(d, Definition)),
        signs=tuple(d for d in declarations if isinstance(d, SignDeclaration)),
    )


def _syntax_problem(error: UnexpectedInput, text: str, path: str) -> Problem:
    words = _terminal_words()
    label = None

    if isinstance(error, UnexpectedCharacters):
        character = text[error.pos_in_stream]
        found = f'the character "{character}"'
        line, column = error.line, error.column
        # The lexer's allowed set merges several parser states, so the
        # expected tokens come from the parser state. A character that starts
        # no token gives no clue to the intended token, so only the hint
        # table applies to it.
        expected = _accepted(error.state) if error.state is not None else set()
        label = CHARACTER_HINTS.get(character, "")
    else:
        token = error.token if isinstance(error, UnexpectedToken | UnexpectedEOF) else None
        expected = set(getattr(error, "expected", ()) or ())
        if isinstance(error, UnexpectedToken):
            expected = set(error.accepts or error.expected)
        line, column, found = _token_position(token, text)

    if label is None and error.state is not None:
        label = _match_examples(error)

    if isinstance(label, MessageTemplate):
        templated = _from_template(label, error, found, line, column)
        if templated is not None:
            return _problem(path, *templated)
        label = None

    listed = _join(sorted((words.get(name, name) for name in expected), key=_word_order))
    if not label:
        message = f"unexpected {found.removeprefix('the ')}, expected {listed}"
    elif listed:
        message = f"{label}, expected {listed} but found {found}"
    else:
        message = f"{label}, found {found}"
    return _problem(path, line, column, message)


# Phrases for a template's {next}, by the token that ends a sign without "when".
_FOLLOWING = {
    "SIGN": "the next sign",
    "DEFINE": "the next definition",
    "$END": "the end of the file",
}


def _from_template(
    template: MessageTemplate, error: UnexpectedInput, found: str, line: int, column: int
) -> tuple[int, int, str] | None:
    """Return the line, column and message that ``template`` gives, or None if it does not apply."""
    sign = _sign_being_declared(error)
    if sign is None and (template.at_sign or "{sign}" in template.text):
        return None

    token_type = error.token.type if isinstance(error, UnexpectedToken) else "$END"
    following = _FOLLOWING.get(token_type, found)
    message = template.text.format(found=found, sign=sign, next=following)
    if template.at_sign:
        return sign.line, sign.column, message
    return line, column, message


def _sign_being_declared(error: UnexpectedInput) -> Token | None:
    """Return the id token of the sign the parser was inside when it failed, or None."""
    state = getattr(error, "state", None)
    if state is None:
        return None
    # Finished declarations are already reduced to syntax objects, so the last
    # id token on the stack belongs to the sign still being read.
    for value in reversed(state.value_stack):
        if isinstance(value, Token) and value.type == "SIGN_ID":
            return value
    return None


def _match_examples(error: UnexpectedInput) -> str | MessageTemplate | None:
    """Return the label of the table example that failed like ``error``, or None.

    This follows lark's ``UnexpectedInput.match_examples`` with
    ``use_accepts`` and ``token_type_match_fallback``: the parser state must
    match, and the same token wins over the same kind of token, which wins
    over the state alone. It is reimplemented because lark 1.3.1 raises
    TypeError while logging a rejected match, and so that each example is
    parsed once per process.

    Unlike lark, it does not require the parser's stack to be as deep as the
    example's. The depth grows with every declaration before the error and
    with every open parenthesis, so with that rule a label would only apply
    to errors in a file's first declaration. Where examples tie on the token,
    the one whose stack ends in more of the same states wins, which
    distinguishes "when x y" from "and x y", and then the earlier entry of
    the table wins.
    """
    best = None
    best_rank: tuple[int, int] | None = None
    for label, example in _example_errors():
        if example.state is None or error.state is None:
            continue
        if example.state.position != error.state.position:
            continue
        both_tokens = isinstance(error, UnexpectedToken) and isinstance(example, UnexpectedToken)
        if both_tokens and example.accepts != error.accepts:
            continue

        token_match = 0
        if isinstance(error, UnexpectedToken | UnexpectedEOF) and isinstance(example, UnexpectedToken | UnexpectedEOF):
            if example.token == error.token:
                token_match = 2
            elif example.token.type == error.token.type:
                token_match = 1
        rank = (token_match, _shared_top(example.state.state_stack, error.state.state_stack))
        if best_rank is None or rank > best_rank:
            best, best_rank = label, rank
    return best


def _shared_top(first: list[int], second: list[int]) -> int:
    """Return how many states at the top of two parser stacks are the same."""
    shared = 0
    for a, b in zip(reversed(first), reversed(second)):
        if a != b:
            break
        shared += 1
    return shared


@cache
def _example_errors() -> list[tuple[str | MessageTemplate, UnexpectedInput]]:
    errors = []
    for label, examples in RULE_SYNTAX_ERRORS:
        for example in examples:
            try:
                _parse(example, "<example>")
            except UnexpectedInput as error:
                errors.append((label, error))
    return errors


def _accepted(state) -> set[str]:
    """Return the terminals that the parser state can take next.

    LALR merges lookaheads, so a row of the parse table can list terminals
    that fail after a few reductions. Feeding each terminal to a copy of the
    state keeps only those the parser accepts.
    """
    accepted = set()
    scratch = _state.set(_ParseState("<lookahead>"))
    try:
        for name in state.parse_conf.states[state.position]:
            if not (name.isupper() or name == "$END"):
                continue
            try:
                state.copy(deepcopy_values=False).feed_token(Token(name, ""), is_end=name == "$END")
            except UnexpectedInput:
                continue
            accepted.add(name)
    finally:
        _state.reset(scratch)
    return accepted


def _token_position(token: Token | None, text: str) -> tuple[int, int, str]:
    if token is None or token.type == "$END":
        # lark places the end token on the last real token; the error belongs
        # after it, at the end of the text.
        lines = text.splitlines() or [""]
        return len(lines), len(lines[-1]) + 1, "end of file"
    if token.type == "STRING":
        return token.line, token.column, str(token)
    return token.line, token.column, f'"{token}"'


def _word_order(word: str) -> tuple[int, str]:
    # Keywords and punctuation first, then kinds of token, end of file last.
    return (2 if word == "end of file" else int(not word.startswith('"')), word)


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"


def _problem(path: str, line: int, column: int, message: str) -> Problem:
    return Problem(path, line, column, SYNTAX_ERROR, Severity.ERROR, message)


def _nesting(condition: Condition) -> int:
    # Iterative, so that measuring a deep condition cannot itself overflow.
    deepest = 0
    stack: list[tuple[Condition, int]] = [(condition, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, Not):
            stack.append((node.operand, depth + 1))
        elif isinstance(node, And | Or):
            stack.extend((operand, depth + 1) for operand in node.operands)
    return deepest


@dataclass(frozen=True)
class _Catalogue:
    number: str
    location: Location


class _SyntaxBuilder(Transformer):
    """Builds the dataclasses of ``signrules.engine.syntax`` while the parser runs.

    Method names match the rule names and aliases in ``grammar/rules.lark``.
    """

    @staticmethod
    def _at(token: Token) -> Location:
        return Location(_state.get().path, token.line, token.column)

    def start(self, children):
        return children

    def definition(self, children):
        name, condition = children
        return Definition(str(name), condition, self._at(name))

    def sign(self, children):
        ident, name, *rest = children
        catalogue: _Catalogue | None = None
        classes: list[ClassEntry] = []
        restriction = None
        condition = None
        for item in rest:
            if isinstance(item, _Catalogue):
                if catalogue is not None:
                    _state.get().problems.append(_problem(
                        item.location.path, item.location.line, item.location.column,
                        f'sign "{ident}" has a second catalogue number; keep one',
                    ))
                catalogue = item
            elif isinstance(item, tuple):
                classes.extend(item)
            elif isinstance(item, RangeRestriction | SetRestriction):
                restriction = item
            else:
                condition = item

        return SignDeclaration(
            id=str(ident),
            name=str(name)[1:-1],
            condition=condition,
            location=self._at(ident),
            name_location=self._at(name),
            catalogue=catalogue.number if catalogue else None,
            classes=tuple(classes),
            restriction=restriction,
        )

    def catalogue(self, children):
        (token,) = children
        number = str(token)[1:-1] if token.type == "STRING" else str(token)
        return _Catalogue(number, self._at(token))

    def dataset(self, children):
        name, *entries = children
        return tuple(
            ClassEntry(str(name), class_id, location, parameter, value)
            for class_id, location, parameter, value in entries
        )

    def class_entry(self, children):
        class_id = children[0]
        if len(children) == 1:
            return int(class_id), self._at(class_id), None, None
        _, parameter, value = children
        return int(class_id), self._at(class_id), str(parameter), int(value)

    def where_range(self, children):
        parameter, start, stop, *step = children
        return RangeRestriction(
            str(parameter), int(start), int(stop), int(step[0]) if step else 1, self._at(parameter)
        )

    def where_set(self, children):
        parameter, *members = children
        return SetRestriction(str(parameter), tuple(int(m) for m in members), self._at(parameter))

    def disjunction(self, children):
        return Or(tuple(children), children[0].location)

    def conjunction(self, children):
        return And(tuple(children), children[0].location)

    def negation(self, children):
        keyword, operand = children
        return Not(operand, self._at(keyword))

    def equals(self, children):
        attribute, value = children
        return Comparison(str(attribute), (self._make_value(value),), False, self._at(attribute))

    def member(self, children):
        attribute, *values = children
        return Comparison(str(attribute), tuple(self._make_value(v) for v in values), True, self._at(attribute))

    def similar(self, children):
        attribute, exemplar = children
        return Similarity(str(attribute), str(exemplar), self._at(attribute), self._at(exemplar))

    def reference(self, children):
        (name,) = children
        return Reference(str(name), self._at(name))

    def _make_value(self, token: Token) -> Value:
        if token.type == "STRING":
            return Value(str(token)[1:-1], ValueKind.STRING, self._at(token))
        if token.type == "INT":
            return Value(str(token), ValueKind.NUMBER, self._at(token))
        return Value(str(token), ValueKind.NAME, self._at(token))
