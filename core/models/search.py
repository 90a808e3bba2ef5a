"""Search projections of the change history, so JQL's WAS and CHANGED read one index.

Jira answers history searches from its own index; here two narrow tables, kept in step
with ``change_items`` by database triggers (``core.jql.projection``), play that part:

- ``search_history_values``: every value a field has held on an issue according to
  its history (the ``from`` and ``to`` value of each change item, never NULL). ``status
  WAS X`` with no time window is "X now, or X in here".
- ``search_history_changes``: per issue and field, the time of the latest change.
  ``status CHANGED AFTER t`` is "the latest change is after t".

Both are derived data: ``core.jql.projection.fill`` rebuilds them from the history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class SearchHistoryValue(Base):
    __tablename__ = "search_history_values"
    __table_args__ = (Index("ix_search_history_values_issue", "issue_id"),)

    # Key order (field, value, issue_id): ``WAS`` is an index-only range of ids.
    field: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(255), primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"),
                                          primary_key=True)


class SearchHistoryChange(Base):
    __tablename__ = "search_history_changes"
    __table_args__ = (Index("ix_search_history_changes_field_last", "field", "last_changed",
                            "issue_id"),)

    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"),
                                          primary_key=True)
    field: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_changed: Mapped[datetime] = mapped_column(UTCDateTime)


# Slots of the per-issue search row: configured fields are given one by type, so the
# table's shape does not depend on the configuration (``search_slots`` maps them).
TEXT_SLOTS = tuple(f"t{i}" for i in range(1, 13))
DATE_SLOTS = tuple(f"d{i}" for i in range(1, 5))
NUMBER_SLOTS = tuple(f"n{i}" for i in range(1, 7))


class SearchSlot(Base):
    """Which column of ``issue_search`` holds which configured field."""

    __tablename__ = "search_slots"

    field_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    slot: Mapped[str] = mapped_column(String(8), unique=True)


class IssueSearch(Base):
    """One row per issue: the columns searches filter and sort on, in one table.

    Like Jira's index, this answers a query on configured fields without joining one
    ``field_values`` row per field and issue: each slot column is indexed with the
    project (``(slot, project_id)``), so combinations are bitmap ANDs, ranges and
    orderings are index walks, and counts are index-only. Kept in step by triggers
    (``core.jql.projection``) in the writing transaction.
    """

    __tablename__ = "issue_search"

    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"),
                                          primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer)
    status_id: Mapped[int] = mapped_column(Integer)
    issue_type_id: Mapped[int] = mapped_column(Integer)
    resolution_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    assignee_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime)


for _slot in TEXT_SLOTS:
    setattr(IssueSearch, _slot, mapped_column(_slot, String(255), nullable=True))
for _slot in DATE_SLOTS:
    setattr(IssueSearch, _slot, mapped_column(_slot, UTCDateTime, nullable=True))
for _slot in NUMBER_SLOTS:
    setattr(IssueSearch, _slot, mapped_column(_slot, Float, nullable=True))

# Carrying the dates: "these statuses, ordered by planned start" sorts the index's
# entries, not table rows (50,000 orders: 110 -> 10 ms on PostgreSQL).
Index("ix_issue_search_project_status", IssueSearch.project_id, IssueSearch.status_id,
      postgresql_include=["issue_id", "created", *DATE_SLOTS])
_cols = IssueSearch.__table__.c


def _slot_index(slot: str, key: Any) -> Index:
    """``(value, project_id)`` over the issues that have a value (a slot test in a query
    always says ``slot IS NOT NULL``, so the partial index serves it; an empty slot
    costs no index entry). On PostgreSQL the index also carries ``created`` and the id:
    a page in the default order, or a count, needs no row of the table."""
    present = _cols[slot].isnot(None)
    return Index(f"ix_issue_search_{slot}", key, _cols.project_id,
                 postgresql_include=["created", "issue_id"], postgresql_where=present,
                 sqlite_where=present)


for _slot in TEXT_SLOTS:  # JQL's case-insensitive ``=`` is ``lower(value) IN (...)``
    _slot_index(_slot, func.lower(_cols[_slot]))
for _slot in DATE_SLOTS + NUMBER_SLOTS:
    _slot_index(_slot, _cols[_slot])
