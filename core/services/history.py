"""Writing change history: one group per change, an item per field."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..models import ChangeGroup, ChangeItem, Issue, User

HistoryItem = tuple[str, str | None, str | None, str | None, str | None]


def record(session: Session, issue: Issue, user: User | None, items: list[HistoryItem],
           when: Any = None) -> ChangeGroup | None:
    """Add a change group with its items (field, from, from_string, to, to_string)."""
    items = [i for i in items if (i[1], i[2]) != (i[3], i[4])]
    if not items:
        return None
    group = ChangeGroup(issue_id=issue.id, author_id=user.id if user else None)
    if when is not None:
        group.created = when
    group.items = [ChangeItem(field=f, from_value=fv, from_string=fs, to_value=tv,
                              to_string=ts) for f, fv, fs, tv, ts in items]
    session.add(group)
    return group
