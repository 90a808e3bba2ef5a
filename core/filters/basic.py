"""The navigator's basic mode: a form of a few fields, turned into JQL and back.

Basic mode writes ``field in (...)`` clauses joined by AND (and ``>=``/``<=`` for
date ranges, ``~`` for text), so the URL always holds plain JQL. A query is shown
in basic mode only when it has exactly that shape; anything else stays advanced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..jql import JqlError, ast, parse, to_jql
from ..jql.render import word

if TYPE_CHECKING:
    from ..host import Amsflow

MAIN = ("project", "issuetype", "status", "assignee")
MORE_KEYS = ("stage", "municipality", "postcode")  # shown first in the *Mer* menu


@dataclass
class BasicSearch:
    """Chosen values per basic field; ``ranges`` hold (from, to) of date fields."""

    values: dict[str, list[str]] = field(default_factory=dict)
    ranges: dict[str, tuple[str, str]] = field(default_factory=dict)
    text: str = ""

    def chosen(self, name: str) -> list[str]:
        return self.values.get(name, [])


def more_fields(host: Amsflow) -> list[Any]:
    """Fields of the *Mer* menu: the planner's usual ones first, then other text,
    select and date fields."""
    first = [host.fields.get(k) for k in MORE_KEYS]
    out = [f for f in first if f is not None]
    out += [f for f in host.fields
            if f not in out and f.type in ("text", "select", "phone", "datetime", "date")]
    return out


def _jql_name(host: Amsflow, key: str) -> str:
    if key in MAIN:
        return key
    fdef = host.fields.get(key)
    return word(fdef.name) if fdef else key


def _value(v: str) -> str:
    if v == "EMPTY":
        return "EMPTY"
    if v.endswith("()") and v[:-2].isalnum():
        return v
    return word(v)


def to_query_text(host: Amsflow, basic: BasicSearch, order_by: str = "") -> str:
    parts = []
    for key, values in basic.values.items():
        values = [v for v in values if v.strip()]
        if not values:
            continue
        name = _jql_name(host, key)
        if len(values) == 1 and values[0] == "EMPTY":
            parts.append(f"{name} is EMPTY")
        elif len(values) == 1:
            parts.append(f"{name} = {_value(values[0])}")
        else:
            parts.append(f"{name} in ({', '.join(_value(v) for v in values)})")
    for key, (start, end) in basic.ranges.items():
        name = _jql_name(host, key)
        if start.strip():
            parts.append(f"{name} >= {word(start.strip())}")
        if end.strip():
            parts.append(f"{name} <= {word(end.strip())}")
    if basic.text.strip():
        parts.append(f"text ~ {word(basic.text.strip(), force_quotes=True)}")
    jql = " AND ".join(parts)
    if order_by:
        jql = f"{jql} {order_by}".strip()
    return jql


def order_text(jql: str) -> str:
    """The ``ORDER BY`` part of a query (empty when none or unparsable)."""
    try:
        query = parse(jql)
    except JqlError:
        return ""
    if not query.order_by:
        return ""
    return to_jql(ast.Query(None, query.order_by)).strip()


def _key_of(host: Amsflow, ref: ast.FieldRef) -> str | None:
    name = ref.name.casefold()
    if ref.cf_id is None and name in ("project", "status", "assignee"):
        return name
    if ref.cf_id is None and name in ("issuetype", "type"):
        return "issuetype"
    if ref.cf_id is None and name == "text":
        return "text"
    fdef = host.fields.get(f"customfield_{ref.cf_id}") if ref.cf_id else host.fields.get(ref.name)
    return fdef.key if fdef is not None else None


def _literals(operand: ast.Operand) -> list[str] | None:
    if isinstance(operand, ast.Literal):
        return [operand.value]
    if isinstance(operand, ast.Empty):
        return ["EMPTY"]
    if isinstance(operand, ast.FunctionCall) and not operand.args:
        return [f"{operand.name}()"]
    if isinstance(operand, ast.ListOperand):
        out: list[str] = []
        for item in operand.items:
            got = _literals(item)
            if got is None:
                return None
            out += got
        return out
    return None


def from_query_text(host: Amsflow, jql: str) -> BasicSearch | None:
    """The basic form for ``jql``, or None when basic mode cannot show it."""
    try:
        query = parse(jql)
    except JqlError:
        return None
    basic = BasicSearch()
    where = query.where
    clauses = () if where is None else where.clauses if isinstance(where, ast.And) else (where,)
    for clause in clauses:
        if not isinstance(clause, ast.Compare):
            return None
        key = _key_of(host, clause.field)
        values = _literals(clause.operand)
        if key is None or values is None:
            return None
        fdef = host.fields.get(key)
        if key == "text" and clause.operator == "~" and not basic.text:
            basic.text = values[0]
        elif fdef is not None and fdef.type in ("datetime", "date") \
                and clause.operator in (">=", "<="):
            start, end = basic.ranges.get(key, ("", ""))
            basic.ranges[key] = (values[0], end) if clause.operator == ">=" else (start, values[0])
        elif clause.operator in ("=", "in", "is") and key not in basic.values:
            basic.values[key] = values
        else:
            return None
    return basic
