"""WAS and CHANGED over the change history (``change_groups`` / ``change_items``).

A value held by an issue during a time window is found from two facts: the value
at the window's start (the ``from`` of the first change after it, or the current
value when nothing changed since), and every change *to* the value inside the
window. Issues are created without history rows, so the first change's ``from``
is the value the issue was created with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, not_, or_, select, union

from ..models import ChangeGroup, ChangeItem, Issue, User
from ..models.search import SearchHistoryChange, SearchHistoryValue
from . import ast
from .context import EMPTY, Context, date_of, is_subquery, text_of
from .errors import JqlError
from .handlers import FieldHandler
from .projection import COMPLETE_FIELDS


@dataclass
class Window:
    after: datetime | None = None
    before: datetime | None = None
    by: Any = None  # a condition on ChangeGroup.author_id

    def on_group(self) -> list[Any]:
        conds = []
        if self.after is not None:
            conds.append(ChangeGroup.created > self.after)
        if self.before is not None:
            conds.append(ChangeGroup.created <= self.before)
        if self.by is not None:
            conds.append(self.by)
        return conds


def _window(ctx: Context, predicates: tuple[ast.Predicate, ...], label: str) -> Window:
    window = Window()
    for pred in predicates:
        values = ctx.values(pred.operand, label)
        if pred.name == "by":
            window.by = ChangeGroup.author_id.in_(_user_ids(ctx, values))
            continue
        if pred.name in ("from", "to"):
            continue
        dates = [date_of(v, ctx.now, label) for v in values if v is not EMPTY]
        if pred.name == "during":
            if len(dates) != 2:
                raise JqlError("The predicate 'DURING' needs two dates.")
            start, end = dates
            _narrow(window, start.at, end.day_end if end.whole_day else end.at)
        elif len(dates) != 1:
            raise JqlError(f"The predicate '{pred.name.upper()}' needs one date.")
        elif pred.name == "on":
            _narrow(window, dates[0].at, dates[0].day_end)
        elif pred.name == "after":
            _narrow(window, dates[0].at, None)
        else:
            _narrow(window, None, dates[0].at)
    return window


def _narrow(window: Window, after: datetime | None, before: datetime | None) -> None:
    if after is not None:
        window.after = after if window.after is None else max(window.after, after)
    if before is not None:
        window.before = before if window.before is None else min(window.before, before)


def _user_ids(ctx: Context, values: list[Any]) -> Any:
    ids: list[Any] = []
    names: list[str] = []
    for value in values:
        if isinstance(value, User):
            ids.append(value.id)
        elif is_subquery(value):
            return select(User.id).where(User.username.in_(value))
        elif value is not EMPTY:
            names.append(text_of(value))
    if names:
        found = ctx.session.execute(select(User.id, User.username, User.display_name).where(
            or_(User.username.in_(names), User.display_name.in_(names)))).all()
        known = {u for _, u, _ in found} | {d for _, _, d in found}
        missing = [n for n in names if n not in known]
        if missing:
            raise JqlError(f"The user '{missing[0]}' does not exist.")
        ids.extend(i for i, _, _ in found)
    return ids


def _matches(column: Any, tokens: set[str], has_empty: bool) -> Any:
    """One column tested with one ``IN``, so the ``(field, to/from_value)`` index serves it.

    History items keep the canonical value (status id, username, ISO time) in
    ``*_value``; the tokens a handler gives include that form.
    """
    parts = [column.in_(sorted(tokens))] if tokens else []
    if has_empty:
        parts.append(column.is_(None))
    return or_(*parts) if parts else column.in_([])


def _field_id(handler: FieldHandler) -> str:
    if handler.history_field is None:
        raise JqlError(f"History searches are not supported for the '{handler.label}' field.")
    return handler.history_field


def _changes(field_id: str, *conds: Any) -> Any:
    return select(ChangeGroup.issue_id).join(ChangeItem, ChangeItem.group_id == ChangeGroup.id) \
        .where(ChangeItem.field == field_id, *conds)


def _recent_changes(field_id: str, window: Window) -> Any:
    """Issues with a change of the field in the window, found from the window's groups.

    A field like status has a change item on almost every group, so reading the
    groups in the window (``ix_change_groups_created``) and probing their items
    beats reading every change of the field; SQLite would pick the latter.
    """
    of_field = select(ChangeItem.id).where(ChangeItem.group_id == ChangeGroup.id,
                                           ChangeItem.field == field_id)
    return select(ChangeGroup.issue_id).where(*window.on_group(), exists(of_field))


# One table alias each for every WAS subquery: an ORM ``aliased()`` per term cost
# ~20 ms a term to adapt its columns (100 ``WAS ... BEFORE`` terms: 2.3 s).
_FIRST_ITEM = ChangeItem.__table__.alias("first_item")
_FIRST_GROUP = ChangeGroup.__table__.alias("first_group")


def was(ctx: Context, handler: FieldHandler, clause: ast.Was) -> Any:
    field_id = _field_id(handler)
    values = ctx.values(clause.operand, handler.label)
    tokens = handler.history_tokens(ctx, values)
    has_empty = any(v is EMPTY for v in values)
    window = _window(ctx, clause.predicates, handler.label)
    to_match = _matches(ChangeItem.to_value, tokens, has_empty)
    changed_to = _changes(field_id, to_match, *window.on_group())
    if window.by is not None:
        result = Issue.id.in_(changed_to)
    elif window.after is None and window.before is None and not has_empty:
        result = _was_ever(ctx, handler, clause, field_id, tokens)
    elif window.before is None:
        result = _was_since(ctx, handler, clause, field_id, changed_to, window,
                            _matches(ChangeItem.from_value, tokens, has_empty))
    else:
        item, group = _FIRST_ITEM.c, _FIRST_GROUP.c
        later = [group.created > window.after] if window.after is not None else []
        first_id = (select(item.id).select_from(_FIRST_ITEM.join(
                    _FIRST_GROUP, item.group_id == group.id))
                    .where(group.issue_id == Issue.id, item.field == field_id, *later)
                    .order_by(group.created, item.id).limit(1)
                    .correlate(Issue).scalar_subquery())
        from_match = _matches(ChangeItem.from_value, tokens, has_empty)
        held_then = exists(select(ChangeItem.id).where(ChangeItem.id == first_id, from_match))
        at_start = or_(held_then, and_(first_id.is_(None), _current(ctx, handler, clause)))
        at_start = and_(at_start, Issue.created <= window.before)
        result = or_(at_start, Issue.id.in_(changed_to))
    return not_(result) if clause.operator.startswith("was not") else result


def _current(ctx: Context, handler: FieldHandler, clause: ast.Was) -> Any:
    """The field holds the value now."""
    listed = isinstance(clause.operand, ast.ListOperand | ast.FunctionCall)
    return handler.condition(ctx, "in" if listed else "=", clause.operand)


def _was_ever(ctx: Context, handler: FieldHandler, clause: ast.Was, field_id: str,
              tokens: set[str]) -> Any:
    """WAS with no window: the value now, or a value the history holds (a change to or
    from it), the latter from ``search_history_values`` in one index-only range.

    An ``OR`` of the current value and the hashed id list: a page walks the orders in
    its order and stops at 50 (26 ms at 1,000,000 orders); a union of two id lists
    needed every current order's row for its id, and a sort (440 ms).
    """
    held = select(SearchHistoryValue.issue_id).where(
        SearchHistoryValue.field == field_id, SearchHistoryValue.value.in_(sorted(tokens)))
    if field_id in COMPLETE_FIELDS and not _has_subquery(ctx, clause):
        return ctx.id_list(held)  # the current value is among the held ones
    current = _current(ctx, handler, clause)
    result = or_(current, Issue.id.in_(held))
    # Counted alone (nothing else in the query), it is the union of two id lists.
    ctx.id_lists[id(result)] = union(select(Issue.id).where(current), held)
    return result


def _has_subquery(ctx: Context, clause: ast.Was) -> bool:
    """Whether the operand gives an id list (a function), not values the tokens hold."""
    return any(is_subquery(v) for v in ctx.values(clause.operand, "status"))


def _was_since(ctx: Context, handler: FieldHandler, clause: ast.Was, field_id: str,
               changed_to: Any, window: Window, from_match: Any) -> Any:
    """WAS with no upper bound: the value now, or a change after the start to or from it.

    Held at the start means the first later change came *from* it (or none came and
    it is the value now); held later means a change went *to* it. Any change from it
    after the start also proves it was held then, so no per-issue "first change"
    lookup is needed: two index-served ``IN`` lists and the current value.
    """
    changed_from = _changes(field_id, from_match, *window.on_group())
    return or_(_current(ctx, handler, clause), Issue.id.in_(union(changed_to, changed_from)))


def changed(ctx: Context, handler: FieldHandler, clause: ast.Changed) -> Any:
    field_id = _field_id(handler)
    window = _window(ctx, clause.predicates, handler.label)
    plain = not any(p.name in ("from", "to") for p in clause.predicates)
    if plain and window.after is not None and window.before is None and window.by is None:
        # The latest change of the field is after t: one range of the projection.
        return ctx.id_list(select(SearchHistoryChange.issue_id).where(
            SearchHistoryChange.field == field_id, SearchHistoryChange.last_changed > window.after))
    if plain and window.after is not None:
        return Issue.id.in_(_recent_changes(field_id, window))
    conds = window.on_group()
    for pred in clause.predicates:
        if pred.name in ("from", "to"):
            values = ctx.values(pred.operand, handler.label)
            tokens = handler.history_tokens(ctx, values)
            has_empty = any(v is EMPTY for v in values)
            if pred.name == "from":
                conds.append(_matches(ChangeItem.from_value, tokens, has_empty))
            else:
                conds.append(_matches(ChangeItem.to_value, tokens, has_empty))
    return Issue.id.in_(_changes(field_id, *conds))
