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

from sqlalchemy import ForeignKey, Index, String
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
