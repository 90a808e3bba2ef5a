"""JQL, the Jira Query Language: parse text to an AST and compile it to SQL.

``parse(text)`` gives a :class:`~core.jql.ast.Query`; ``to_jql(query)`` writes
it back; ``compile_query(host, query, user)`` makes a ``select(Issue)``;
``search(host, session, jql, user, start_at, max_results)`` runs one page;
``compile_search`` gives the parts, for ``page(session, compiled, ...)`` (ids
first, then the rows) and ``count(session, compiled)`` (no order, no joins).
Every problem is a :class:`~core.jql.errors.JqlError`.
"""

from .ast import Query
from .compiler import Compiled, compile_query, compile_search, count, page, search
from .errors import JqlError
from .parser import parse
from .render import to_jql

__all__ = ["Compiled", "JqlError", "Query", "compile_query", "compile_search", "count", "page",
           "parse", "search", "to_jql"]
