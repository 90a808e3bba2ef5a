"""Write an AST back as JQL text, e.g. to save a filter built from the simple search.

``parse(to_jql(q)) == q`` holds for every query the parser produces.
"""

from __future__ import annotations

import re

from . import ast

KEYWORDS = frozenset(
    "and or not in is was changed empty null after before on during by from to order asc desc"
    .split()
)
BARE_RE = re.compile(r"[^\s\"'(),=!<>~&|\[\]{}*/%+^$#@?;\\]+")


def quote(text: str) -> str:
    """``text`` as a JQL double-quoted string."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def word(text: str, force_quotes: bool = False) -> str:
    """``text`` bare when JQL allows it, quoted otherwise."""
    bare_ok = BARE_RE.fullmatch(text) and text.lower() not in KEYWORDS
    return text if bare_ok and not force_quotes else quote(text)


def render_operand(operand: ast.Operand) -> str:
    if isinstance(operand, ast.Literal):
        return word(operand.value, operand.quoted)
    if isinstance(operand, ast.Empty):
        return "EMPTY"
    if isinstance(operand, ast.FunctionCall):
        return f"{operand.name}({', '.join(quote(a) for a in operand.args)})"
    return "(" + ", ".join(render_operand(item) for item in operand.items) + ")"


def render_field(field: ast.FieldRef) -> str:
    if field.cf_id is not None and field.name.lower().startswith("cf["):
        return f"cf[{field.cf_id}]"
    return word(field.name, field.quoted)


def render_clause(clause: ast.Clause, parent: type | None = None) -> str:
    """A clause, parenthesised where the parent binds tighter."""
    if isinstance(clause, ast.Or):
        text = " OR ".join(render_clause(c, ast.Or) for c in clause.clauses)
        return f"({text})" if parent in (ast.And, ast.Not, ast.Or) else text
    if isinstance(clause, ast.And):
        text = " AND ".join(render_clause(c, ast.And) for c in clause.clauses)
        return f"({text})" if parent in (ast.Not, ast.And) else text
    if isinstance(clause, ast.Not):
        return "NOT " + render_clause(clause.clause, ast.Not)
    field = render_field(clause.field)
    if isinstance(clause, ast.Changed):
        return " ".join([f"{field} CHANGED", *map(_predicate, clause.predicates)])
    if isinstance(clause, ast.Was):
        parts = [f"{field} {clause.operator.upper()} {render_operand(clause.operand)}"]
        return " ".join(parts + [_predicate(p) for p in clause.predicates])
    return f"{field} {clause.operator.upper()} {render_operand(clause.operand)}"


def _predicate(predicate: ast.Predicate) -> str:
    return f"{predicate.name.upper()} {render_operand(predicate.operand)}"


def to_jql(query: ast.Query) -> str:
    """The query as canonical JQL text."""
    parts = []
    if query.where is not None:
        parts.append(render_clause(query.where))
    if query.order_by:
        keys = []
        for key in query.order_by:
            direction = "" if key.descending is None else (" DESC" if key.descending else " ASC")
            keys.append(render_field(key.field) + direction)
        parts.append("ORDER BY " + ", ".join(keys))
    return " ".join(parts)
