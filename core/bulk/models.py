"""A bulk-change task and its items: the selection is fixed when the task is
submitted, and each item's outcome is written in the same transaction as the
change itself, so a retried task never does an item twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base, UTCDateTime, utcnow


class BulkTask(Base):
    __tablename__ = "bulk_tasks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    operation: Mapped[str] = mapped_column(String(20))  # edit|transition|watch|unwatch|delete
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    notify: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), default="ENQUEUED")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class BulkItem(Base):
    __tablename__ = "bulk_items"
    __table_args__ = (Index("ix_bulk_items_task_state_seq", "task_id", "state", "seq"),)

    task_id: Mapped[str] = mapped_column(ForeignKey("bulk_tasks.id", ondelete="CASCADE"),
                                         primary_key=True)
    issue_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending|done|failed|skipped
    message: Mapped[str] = mapped_column(Text, default="")
