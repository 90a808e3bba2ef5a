"""Configured (custom) fields in JQL, typed by the field's type.

Values live in ``field_values`` (one row per issue and field), so every test is
an ``Issue.id IN (SELECT issue_id ...)`` on the column of the field's type.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.visitors import replacement_traverse

from ..fields import FieldDef, FieldValueError
from ..models import FieldValue, Issue, User
from .context import EMPTY, Context, date_of, in_subquery, is_subquery, text_of
from .errors import JqlError, unknown_value
from .fulltext import like_all, words
from .handlers import EQUALITY, ORDERED, DateField, ScalarField

_TEXT_OPS = EQUALITY | {"~", "!~"}


class CustomMixin:
    """Lifts a test on a ``FieldValue`` column to ``Issue`` through an IN subquery, or,
    when the query runs on the search projection, to the field's ``issue_search`` column
    (``slot``)."""

    fdef: FieldDef
    column: Any
    slot: Any = None

    def wrap(self, cond: Any) -> Any:
        if self.slot is not None:
            # ``slot IS NOT NULL AND test``: false, never NULL, for an issue without the
            # value, as ``id IN (...)`` is, so NOT keeps meaning what it means on values.
            return and_(self.slot.isnot(None), on_slot(cond, self.slot))
        return Issue.id.in_(select(FieldValue.issue_id).where(
            FieldValue.field_id == self.fdef.id, cond))

    def empty(self) -> Any:
        if self.slot is not None:
            return self.slot.is_(None)
        return not_(self.wrap(self.column.isnot(None)))

    def not_empty(self) -> Any:
        # Plain ``slot IS NOT NULL`` (not ``NOT (slot IS NULL)``): SQLite then sees that
        # the slot's partial index applies.
        if self.slot is not None:
            return self.slot.isnot(None)
        return not_(self.empty())

    def order_keys(self) -> list[Any]:
        return self.sort()[0]

    def sort(self) -> tuple[list[Any], list[tuple[Any, Any]]]:
        """Sort on the value through a LEFT JOIN, so the field's index can drive it."""
        if self.slot is not None:
            return [self.slot], []
        value = aliased(FieldValue)
        on = and_(value.issue_id == Issue.id, value.field_id == self.fdef.id)
        return [getattr(value, self.column.key)], [(value, on)]

    def parsed(self, value: Any) -> Any:
        try:
            parsed = self.fdef.parse(text_of(value), strict=False)
        except FieldValueError:
            parsed = None
        if parsed is None:  # junk, or "" (no value; EMPTY is how JQL asks for that)
            raise unknown_value(text_of(value), self.label)  # type: ignore[attr-defined]
        return parsed


class CustomText(CustomMixin, ScalarField):
    """text, textarea, phone, select, user: stored in ``value_str``."""

    def __init__(self, fdef: FieldDef, label: str) -> None:
        super().__init__(label, FieldValue.value_str, _TEXT_OPS, fdef.id)
        self.fdef = fdef

    def convert(self, ctx: Context, value: Any) -> Any:
        if isinstance(value, User):
            return value.username
        if self.fdef.type == "select":
            return self.parsed(value)
        return text_of(value).strip()

    def equals(self, ctx: Context, value: Any) -> Any:
        return self.any_of(ctx, [value])

    def any_of(self, ctx: Context, values: list[Any]) -> Any:
        """``lower(value_str) IN (...)`` alone, served by ``ix_field_values_field_lower_str``."""
        subqueries = [in_subquery(self.column, v, self.label) for v in values if is_subquery(v)]
        lowered: set[str] = set()
        for value in values:
            if is_subquery(value):
                continue
            text = self.convert(ctx, value)
            if self.fdef.type == "phone":
                text = self.parsed(text)
            lowered.update(lower_forms(str(text)))
        parts = [func.lower(self.column).in_(sorted(lowered))] if lowered else []
        return or_(*parts, *subqueries)

    def text_match(self, ctx: Context, text: str) -> Any:
        column = FieldValue.value_text if self.fdef.type == "textarea" else self.column
        return self.wrap(like_all(func.coalesce(column, self.column), words(text), ctx.dialect))

    def history_tokens(self, ctx: Context, values: list[Any]) -> set[str]:
        return {self.convert(ctx, v) for v in values if v is not EMPTY and not is_subquery(v)}


class CustomNumber(CustomMixin, ScalarField):
    """number, duration (seconds; ``1h 30m`` works) in ``value_num``."""

    def __init__(self, fdef: FieldDef, label: str) -> None:
        super().__init__(label, FieldValue.value_num, ORDERED, fdef.id)
        self.fdef = fdef

    def convert(self, ctx: Context, value: Any) -> Any:
        if isinstance(value, int | float):
            return float(value)
        return float(self.parsed(value))

    def history_tokens(self, ctx: Context, values: list[Any]) -> set[str]:
        out = set()
        for value in values:
            if value is not EMPTY and not is_subquery(value):
                number = self.convert(ctx, value)
                out.add(str(int(number)) if self.fdef.type == "duration" else str(number))
                out.add(self.fdef.to_history(self.parsed(value))[0] or "")
        return out


class CustomFlag(CustomMixin, ScalarField):
    """A yes/no flag; no value counts as no, so ``= Nei`` finds the unset ones too."""

    def __init__(self, fdef: FieldDef, label: str) -> None:
        super().__init__(label, FieldValue.value_num, EQUALITY, fdef.id)
        self.fdef = fdef

    def equals(self, ctx: Context, value: Any) -> Any:
        if self.parsed(value):
            return self.column == 1.0
        return self.column != 1.0

    def condition(self, ctx: Context, op: str, operand: Any) -> Any:
        if op in ("=", "!=", "in", "not in"):
            self.check(op)
            values = ctx.values(operand, self.label)
            wanted = {bool(self.parsed(v)) for v in values if v is not EMPTY}
            if any(v is EMPTY for v in values):
                wanted.add(False)
            yes = self.wrap(self.column == 1.0)
            match = or_(*(yes if w else not_(yes) for w in wanted))
            return match if op in ("=", "in") else not_(match)
        return super().condition(ctx, op, operand)

    def history_tokens(self, ctx: Context, values: list[Any]) -> set[str]:
        return {"1" if self.parsed(v) else "0" for v in values if v is not EMPTY}


class CustomDate(CustomMixin, DateField):
    def __init__(self, fdef: FieldDef, label: str) -> None:
        DateField.__init__(self, label, FieldValue.value_date, fdef.id)
        self.fdef = fdef

    def history_tokens(self, ctx: Context, values: list[Any]) -> set[str]:
        out = set()
        for value in values:
            if value is not EMPTY:
                at = date_of(value, ctx.now, self.label).at
                out.add(self.fdef.to_history(at)[0] or "")
        return out


class CustomPosition(CustomMixin, ScalarField):
    """Only ``IS [NOT] EMPTY``: a map layer asks which orders have a position."""

    def __init__(self, fdef: FieldDef, label: str) -> None:
        super().__init__(label, FieldValue.value_num, frozenset({"is", "is not"}), fdef.id)
        self.fdef = fdef


_VALUE_COLUMNS = frozenset({"value_str", "value_text", "value_num", "value_num2", "value_date"})


def on_slot(cond: Any, slot: Any) -> Any:
    """``cond`` on a ``field_values`` value column, rewritten to test ``slot``."""
    table = FieldValue.__table__

    def swap(element: Any) -> Any:
        if getattr(element, "table", None) is table and element.key in _VALUE_COLUMNS:
            return slot
        return None

    return replacement_traverse(cond, {}, swap)


def lower_forms(text: str) -> set[str]:
    """What the database's ``lower()`` may make of ``text`` as typed or as names are written.

    PostgreSQL folds all letters; SQLite's ``lower()`` (and PostgreSQL's under the C
    locale) folds ASCII only, so ``Ødegård`` stays ``Ødegård``. Folding the spellings
    a stored value may have (as typed, capitalised, title case, upper case) that way
    too lets ``ødegård`` find ``Ødegård`` with one ``IN`` on the expression index.
    """
    spellings = {text, text.lower(), text.capitalize(), text.title(), text.upper()}
    ascii_only = {"".join(c.lower() if c.isascii() else c for c in s) for s in spellings}
    return {text.lower()} | ascii_only


_KINDS = {"number": CustomNumber, "duration": CustomNumber, "flag": CustomFlag,
          "datetime": CustomDate, "date": CustomDate, "position": CustomPosition}


def custom_handler(fdef: FieldDef, label: str) -> ScalarField:
    """The handler for a configured field, named in messages as the query named it."""
    kind = _KINDS.get(fdef.type, CustomText)
    return kind(fdef, label)


def find_custom(host: Any, name: str, cf_id: int | None) -> FieldDef | None:
    """A configured field by name, key, ``customfield_N`` or ``cf[N]``."""
    registry = getattr(host, "fields", None)
    if registry is None:
        return None
    if cf_id is not None:
        found = registry.get(f"customfield_{cf_id}")
        if found is None:
            raise JqlError(f"Field '{name}' does not exist or you do not have permission "
                           "to view it.")
        return found
    return registry.get(name)
