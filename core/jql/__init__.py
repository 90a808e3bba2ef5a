"""JQL, the Jira Query Language: parse text to an AST and compile it to SQL.

``parse(text)`` gives a :class:`~core.jql.ast.Query`; ``to_jql(query)`` writes
it back. Every problem is a :class:`~core.jql.errors.JqlError`.
"""

from .ast import Query
from .errors import JqlError
from .parser import parse
from .render import to_jql

__all__ = ["JqlError", "Query", "parse", "to_jql"]
