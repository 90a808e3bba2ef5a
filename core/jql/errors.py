"""The one exception every JQL problem becomes, worded the way Jira words it."""

from __future__ import annotations

PARSE_PREFIX = "Error in the JQL Query: "


class JqlError(ValueError):
    """A query that cannot be parsed or run, with a message for the user.

    ``message`` is the full text to show (Jira-like, with ``(line L, character
    C)`` appended when the position is known); ``line`` and ``column`` are
    1-based, or None for errors found after parsing (unknown field, value...).
    """

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        if line is not None and column is not None:
            message = f"{message} (line {line}, character {column})"
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def syntax_error(detail: str, line: int | None, column: int | None) -> JqlError:
    """A parse error: Jira prefixes these with 'Error in the JQL Query:'."""
    return JqlError(PARSE_PREFIX + detail, line, column)


def unknown_field(name: str) -> JqlError:
    return JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")


def unknown_value(value: str, field: str) -> JqlError:
    return JqlError(f"The value '{value}' does not exist for the field '{field}'.")


def unknown_function(name: str) -> JqlError:
    return JqlError(f"Unable to find JQL function '{name}()'.")


def bad_operator(operator: str, field: str) -> JqlError:
    return JqlError(f"The operator '{operator}' is not supported by the '{field}' field.")
