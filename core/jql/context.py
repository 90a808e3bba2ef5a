"""What compiling one query needs: host, session, searcher, now; operands as values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from ..models import User
from . import ast
from .dates import DateValue, parse_date
from .errors import JqlError
from .functions import FunctionContext, call


class EmptyValue:
    """``EMPTY`` among an operand's values."""

    def __repr__(self) -> str:
        return "EMPTY"


EMPTY = EmptyValue()


@dataclass
class Context:
    host: Any
    session: Session
    user: User | None
    now: datetime
    # field id -> ``issue_search`` column when the query runs on the search projection
    slots: dict[str, Any] | None = None
    # ``Issue.id IN (ids)`` clauses by id(): their id list, for a count without a join
    id_lists: dict[int, Any] = field(default_factory=dict)
    # lookups a handler repeats within one query (project ids by key ...)
    cache: dict[str, Any] = field(default_factory=dict)

    def id_list(self, ids: Any) -> Any:
        """``Issue.id IN (ids)``, remembered as an id list of distinct existing issues."""
        from ..models import Issue

        clause = Issue.id.in_(ids)
        self.id_lists[id(clause)] = ids
        return clause

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def values(self, operand: ast.Operand, field: str) -> list[Any]:
        """An operand as a flat list: ``Literal``s, ``EMPTY``, and function results."""
        if isinstance(operand, ast.Empty):
            return [EMPTY]
        if isinstance(operand, ast.Literal):
            return [operand]
        if isinstance(operand, ast.FunctionCall):
            fctx = FunctionContext(self.host, self.session, self.user, self.now, field)
            return call(fctx, operand)
        out: list[Any] = []
        for item in operand.items:
            out.extend(self.values(item, field))
        return out


def text_of(value: Any) -> str:
    """The text of a literal or a plain function result."""
    if isinstance(value, ast.Literal):
        return value.value
    if isinstance(value, User):
        return value.username
    return str(value)


def is_subquery(value: Any) -> bool:
    return isinstance(value, Select)


def in_subquery(column: Any, subquery: Select, field: str) -> Any:
    """``column IN (subquery)`` when both hold the same kind of value; a function that
    lists orders (``watchedIssues()``) used on a text field is a query error, not SQL
    PostgreSQL refuses (``character varying = integer``)."""
    wanted = column.type._type_affinity
    given = subquery.selected_columns[0].type._type_affinity
    if wanted is not given:
        raise JqlError(f"The function gives values of another kind than the field '{field}' "
                       "holds.")
    return column.in_(subquery)


def date_of(value: Any, now: datetime, field: str) -> DateValue:
    """A date operand value, or Jira's error for a value that is no date."""
    if isinstance(value, datetime):
        return DateValue(value)
    parsed = parse_date(text_of(value), now)
    if parsed is None:
        raise JqlError(
            f"Date value '{text_of(value)}' for field '{field}' is invalid. Valid formats "
            "include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', "
            "or a period format e.g. '-5d', '4w 2d'."
        )
    return parsed
