"""Turn lark's parse exceptions into Jira-worded JqlErrors."""

from __future__ import annotations

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from .errors import JqlError, syntax_error

RESERVED_CHARS = set("{}*/%+^$#@?;[]")
OPERATORS_TEXT = (
    "'=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS', 'IS NOT', "
    "'WAS', 'WAS IN', 'WAS NOT', 'WAS NOT IN' and 'CHANGED'"
)
_KEYWORD_NAMES = {
    "AND_KW": "AND", "OR_KW": "OR", "NOT_KW": "NOT", "IN_KW": "IN", "IS_KW": "IS",
    "WAS_KW": "WAS", "CHANGED_KW": "CHANGED", "EMPTY_KW": "EMPTY", "NULL_KW": "NULL",
    "AFTER_KW": "AFTER", "BEFORE_KW": "BEFORE", "ON_KW": "ON", "DURING_KW": "DURING",
    "BY_KW": "BY", "FROM_KW": "FROM", "TO_KW": "TO", "ORDER_KW": "ORDER", "ASC_KW": "ASC",
    "DESC_KW": "DESC",
}
_VALUE_START = {"WORD", "STRING", "LPAR", "EMPTY_KW"}
_FIELD_START = {"WORD", "STRING", "CF_FIELD"}


def end_position(text: str) -> tuple[int, int]:
    """Line and character just past the end of ``text``."""
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


def translate(error: UnexpectedInput, text: str) -> JqlError:
    """The JqlError for a lark lexer or parser error on ``text``."""
    if isinstance(error, UnexpectedCharacters):
        return _bad_character(error, text)
    if isinstance(error, UnexpectedToken):
        return _bad_token(error, text)
    line, column = end_position(text)
    return syntax_error("The query could not be parsed.", line, column)


def _bad_character(error: UnexpectedCharacters, text: str) -> JqlError:
    char = text[error.pos_in_stream]
    line, column = error.line, error.column
    if char in "\"'":
        rest = text[error.pos_in_stream + 1 :]
        return syntax_error(f"The quoted string '{rest}' has not been completed.", line, column)
    if char in RESERVED_CHARS:
        escape = f"\\u{ord(char):04x}"
        return syntax_error(
            f"The character '{char}' is a reserved JQL character. You must enclose it in a "
            f"string or use the escape '{escape}' instead.",
            line,
            column,
        )
    if char == "\\":
        return syntax_error("The escape sequence '\\' at the end of the query is illegal.",
                            line, column)
    return syntax_error(f"The character '{char}' is not allowed here.", line, column)


def _bad_token(error: UnexpectedToken, text: str) -> JqlError:
    token = error.token
    expected = set(error.expected)
    at_end = token.type == "$END"
    if at_end:
        line, column = end_position(text)
        got = "reached the end of the query"
    else:
        line, column = token.line, token.column
        got = f"got '{token.value}'"
    if not at_end and token.type in _KEYWORD_NAMES and expected & (_VALUE_START | _FIELD_START):
        return syntax_error(
            f"'{token.value}' is a reserved JQL word. You must surround it in quotation marks "
            "to use it in a query.",
            line,
            column,
        )
    return syntax_error(_expecting(expected, _in_order_by(error)) + f" but {got}.", line, column)


def _in_order_by(error: UnexpectedToken) -> bool:
    """True when the parser had already read ORDER (LALR merges the field states)."""
    parser = getattr(error, "interactive_parser", None)
    stack = parser.parser_state.value_stack if parser is not None else []
    return any(isinstance(item, Token) and item.type == "ORDER_KW" for item in stack)


def _expecting(expected: set[str], in_order_by: bool) -> str:
    """Describe what the parser wanted, most telling alternative first."""
    if in_order_by:
        if "ASC_KW" in expected:
            return "Expecting either 'ASC', 'DESC' or ','"
        if "CF_FIELD" in expected:
            return "Expecting a field name"
    if "CMP_OP" in expected:
        return f"Expecting operator (one of {OPERATORS_TEXT})"
    if "CF_FIELD" in expected:
        return "Expecting a field name"
    if "AND_KW" in expected or "OR_KW" in expected:
        return "Expecting either 'OR' or 'AND'"
    if "EMPTY_KW" in expected and "LPAR" not in expected:
        return "Expecting either 'NOT', 'EMPTY' or 'NULL'"
    if _VALUE_START <= expected or "WORD" in expected:
        return "Expecting either a value, list or function"
    if "BY_KW" in expected:
        return "Expecting 'BY'"
    if expected == {"COMMA", "$END"}:
        return "Expecting either ',' or the end of the query"
    if expected == {"RPAR"}:
        return "Expecting ')'"
    if expected == {"COMMA", "RPAR"}:
        return "Expecting either ',' or ')'"
    names = sorted(_KEYWORD_NAMES.get(name, name) for name in expected)
    return "Expecting one of " + ", ".join(f"'{n}'" for n in names)
