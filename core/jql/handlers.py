"""How a field turns ``operator operand`` into SQL: the kinds every field is built from.

A handler knows its column, which operators it takes, how to read a value, how
to sort, and (for WAS/CHANGED) which change-history strings stand for a value.
Jira's semantics are kept: ``!=`` and ``NOT IN`` never match an empty field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, false, not_, or_

from . import ast
from .context import EMPTY, Context, date_of, in_subquery, is_subquery, text_of
from .errors import JqlError, bad_operator

EQUALITY = frozenset({"=", "!=", "in", "not in", "is", "is not"})
ORDERED = EQUALITY | {">", ">=", "<", "<="}
TEXT = frozenset({"~", "!~", "is", "is not"})
_CMP: dict[str, Callable[[Any, Any], Any]] = {
    ">": lambda c, v: c > v, ">=": lambda c, v: c >= v,
    "<": lambda c, v: c < v, "<=": lambda c, v: c <= v,
}


class FieldHandler:
    """Base: a field as JQL sees it."""

    label = ""
    operators: frozenset[str] = EQUALITY
    history_field: str | None = None

    def check(self, op: str) -> None:
        if op not in self.operators:
            raise bad_operator(op.upper(), self.label)

    def condition(self, ctx: Context, op: str, operand: ast.Operand) -> Any:
        raise NotImplementedError

    def order_keys(self) -> list[Any]:
        raise JqlError(f"Field '{self.label}' does not support sorting.")

    def sort(self) -> tuple[list[Any], list[tuple[Any, Any]]]:
        """Sort expressions, and the outer joins ``(target, on)`` they read from."""
        return self.order_keys(), []

    def history_tokens(self, ctx: Context, values: list[Any]) -> set[str]:
        """Strings a change item's value or display string holds for these values."""
        return {text_of(v) for v in values if v is not EMPTY and not is_subquery(v)}


class ScalarField(FieldHandler):
    """A field with one value in one column; ``wrap`` lifts a column test to ``Issue``."""

    def __init__(self, label: str, column: Any, operators: frozenset[str] = EQUALITY,
                 history_field: str | None = None) -> None:
        self.label = label
        self.column = column
        self.operators = operators
        self.history_field = history_field

    # -- hooks for subclasses ------------------------------------------------------
    def wrap(self, cond: Any) -> Any:
        return cond

    def empty(self) -> Any:
        return self.column.is_(None)

    def not_empty(self) -> Any:
        return not_(self.empty())

    def convert(self, ctx: Context, value: Any) -> Any:
        return text_of(value)

    def equals(self, ctx: Context, value: Any) -> Any:
        if is_subquery(value):
            return in_subquery(self.column, value, self.label)
        return self.column == self.convert(ctx, value)

    def any_of(self, ctx: Context, values: list[Any]) -> Any:
        """Equal to one of ``values`` (none EMPTY); one ``IN`` keeps an index usable."""
        return or_(*(self.equals(ctx, v) for v in values))

    def compare(self, ctx: Context, op: str, value: Any) -> Any:
        return _CMP[op](self.column, self.convert(ctx, value))

    def text_match(self, ctx: Context, text: str) -> Any:
        raise bad_operator("~", self.label)

    def order_keys(self) -> list[Any]:
        return [self.column]

    def unwrapped(self, ctx: Context, op: str, operand: ast.Operand) -> Any | None:
        """A comparison's column test before ``wrap`` (None when not a comparison or
        no value), so ``f >= a AND f < b`` can share one lookup of ``f``."""
        if op not in _CMP:
            return None
        self.check(op)
        parts = [self.compare(ctx, op, v) for v in ctx.values(operand, self.label)
                 if v is not EMPTY]
        return or_(*parts) if parts else None

    # -- the operator logic --------------------------------------------------------
    def condition(self, ctx: Context, op: str, operand: ast.Operand) -> Any:
        self.check(op)
        if op == "is":
            return self.empty()
        if op == "is not":
            return self.not_empty()
        values = ctx.values(operand, self.label)
        if op in ("~", "!~"):
            match = self.text_match(ctx, " ".join(text_of(v) for v in values))
            return match if op == "~" else and_(self.not_empty(), not_(match))
        if op in _CMP:
            parts = [self.compare(ctx, op, v) for v in values if v is not EMPTY]
            return self.wrap(or_(*parts)) if parts else false()
        has_empty = any(v is EMPTY for v in values)
        rest = [v for v in values if v is not EMPTY]
        positive = self.wrap(self.any_of(ctx, rest)) if rest else false()
        if op in ("=", "in"):
            return or_(positive, self.empty()) if has_empty else positive
        return and_(not_(positive), self.not_empty()) if rest else self.not_empty()


class DateField(ScalarField):
    """Datetime columns: ``=`` with a whole day (``2024-05-01``) matches that day."""

    def __init__(self, label: str, column: Any, history_field: str | None = None) -> None:
        super().__init__(label, column, ORDERED, history_field)

    def convert(self, ctx: Context, value: Any) -> Any:
        return date_of(value, ctx.now, self.label).at

    def equals(self, ctx: Context, value: Any) -> Any:
        parsed = date_of(value, ctx.now, self.label)
        if parsed.whole_day:
            return and_(self.column >= parsed.at, self.column < parsed.day_end)
        return self.column == parsed.at

    def history_tokens(self, ctx: Context, values: list[Any]) -> set[str]:
        from .dates import OSLO

        return {date_of(v, ctx.now, self.label).at.astimezone(OSLO).isoformat()
                for v in values if v is not EMPTY}
