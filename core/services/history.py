"""Writing change history: one group per change, an item per field.

History rows are written with Core statements, not ORM objects: nothing in a request
reads them back, and on PostgreSQL a group with its items is one round trip (the
group's INSERT ... RETURNING feeds the items' INSERT in one statement). A bulk chunk
that defers flushing (``DEFER_FLUSH``) keeps ORM objects instead, so its whole chunk
goes to the database in a few batched statements.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import Insert, Text, bindparam, func, insert, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from ..db import DEFER_FLUSH
from ..models import ChangeGroup, ChangeItem, Issue, User
from ..models.base import utcnow

HistoryItem = tuple[str, str | None, str | None, str | None, str | None]
ITEM_COLUMNS = ("field", "from_value", "from_string", "to_value", "to_string")
GROUPS, ITEMS = ChangeGroup.__table__, ChangeItem.__table__
COLLECTING = "amsflow_history_collecting"


@cache
def _pg_insert() -> Insert:
    """One statement for a group and its items; the items come as arrays, so its SQL
    is the same for any number of them (compiled once, prepared by psycopg)."""
    new = insert(GROUPS).values(issue_id=bindparam("issue_id"),
                                author_id=bindparam("author_id"),
                                created=bindparam("created", type_=GROUPS.c.created.type)) \
        .returning(GROUPS.c.id).cte("new_group")
    rows = func.unnest(*(bindparam(name, type_=ARRAY(Text)) for name in ITEM_COLUMNS)) \
        .table_valued(*ITEM_COLUMNS).render_derived(name="item")
    return insert(ITEMS).from_select(
        ["group_id", *ITEM_COLUMNS],
        select(new.c.id, *(rows.c[name] for name in ITEM_COLUMNS)).select_from(new)
        .join(rows, true())).add_cte(new)


@contextmanager
def collecting(session: Session, issue: Issue) -> Iterator[list[HistoryItem]]:
    """Changes recorded for ``issue`` inside the block are handed to the caller instead
    of written: a transition and the fields its post-functions set are one change
    group, as in Jira (and one statement fewer)."""
    stacks = session.info.setdefault(COLLECTING, {})
    stack = stacks.setdefault(issue.id, [])
    items: list[HistoryItem] = []
    stack.append(items)
    try:
        yield items
    finally:
        stack.pop()
        if not stack:  # a bulk task's session sees thousands of orders
            del stacks[issue.id]


def record(session: Session, issue: Issue, user: User | None, items: list[HistoryItem],
           when: Any = None) -> None:
    """Add a change group with its items (field, from, from_string, to, to_string)."""
    items = [i for i in items if (i[1], i[2]) != (i[3], i[4])]
    if not items:
        return
    stack = session.info.get(COLLECTING, {}).get(issue.id)
    if stack:
        stack[-1].extend(items)
        return
    author_id = user.id if user else None
    created = when if when is not None else utcnow()
    if session.info.get(DEFER_FLUSH):
        session.add(ChangeGroup(issue_id=issue.id, author_id=author_id, created=created,
                                items=[ChangeItem(**dict(zip(ITEM_COLUMNS, i, strict=True)))
                                       for i in items]))
        return
    if issue.id is None:
        session.flush()
    # On the session's connection, not through session.execute: no autoflush, so the
    # caller's pending changes still go to the database in one flush.
    conn = session.connection()
    group = {"issue_id": issue.id, "author_id": author_id, "created": created}
    if conn.dialect.name == "postgresql":
        columns = dict(zip(ITEM_COLUMNS, (list(c) for c in zip(*items, strict=True)),
                           strict=True))
        conn.execute(_pg_insert(), group | columns)
        return
    group_id = conn.execute(insert(GROUPS), group).inserted_primary_key[0]
    conn.execute(insert(ITEMS), [dict(zip(ITEM_COLUMNS, i, strict=True), group_id=group_id)
                                 for i in items])
