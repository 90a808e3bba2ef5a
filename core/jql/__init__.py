"""JQL, the Jira Query Language: parse text to an AST and compile it to SQL.

``parse(text)`` gives a :class:`~core.jql.ast.Query`; ``to_jql(query)`` writes
it back; ``compile_query(host, query, user)`` makes a ``select(Issue)``;
``search(host, session, jql, user, start_at, max_results)`` runs one page.
Every problem is a :class:`~core.jql.errors.JqlError`.
"""

from .ast import Query
from .compiler import compile_query, search
from .errors import JqlError
from .parser import parse
from .render import to_jql

__all__ = ["JqlError", "Query", "compile_query", "parse", "search", "to_jql"]
