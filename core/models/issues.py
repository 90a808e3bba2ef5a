"""Work orders and everything hanging off one: field values, comments, attachments,
links, watchers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .catalog import IssueType, Project, Resolution, Status
from .history import ChangeGroup
from .search import SearchHistoryChange, SearchHistoryValue  # noqa: F401 (registers them)
from .users import User


class Issue(Base):
    __tablename__ = "issues"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        Index("ix_issues_project_status", "project_id", "status_id"),
        Index("ix_issues_assignee_status", "assignee_id", "status_id"),
        # The usual planner lists in their usual order: ``status = X`` newest first, open
        # orders by last update. Walking these gives a page without sorting the matches.
        Index("ix_issues_status_created", "status_id", "created"),
        Index("ix_issues_resolution_updated", "resolution_id", "updated"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    number: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    issue_type_id: Mapped[int] = mapped_column(ForeignKey("issue_types.id"), index=True)
    summary: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    status_id: Mapped[int] = mapped_column(ForeignKey("statuses.id"))
    resolution_id: Mapped[int | None] = mapped_column(ForeignKey("resolutions.id"),
                                                      nullable=True)
    resolution_date: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Optimistic lock: a stale edit is refused with 409 instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1)

    project: Mapped[Project] = relationship(lazy="joined", innerjoin=True)
    issue_type: Mapped[IssueType] = relationship(lazy="joined", innerjoin=True)
    status: Mapped[Status] = relationship(lazy="joined", innerjoin=True)
    resolution: Mapped[Resolution | None] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id], lazy="joined")
    values: Mapped[list[FieldValue]] = relationship(
        back_populates="issue", cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}


class FieldValue(Base):
    """One configured (custom) field's value on one issue, stored by type.

    text/select/user/phone: value_str (long text also in value_text); number,
    duration (seconds) and flag (0/1): value_num; datetime/date: value_date;
    position: value_num (lat) and value_num2 (lon).
    """

    __tablename__ = "field_values"
    __table_args__ = (
        Index("ix_field_values_field_str", "field_id", "value_str"),
        Index("ix_field_values_field_num", "field_id", "value_num"),
        Index("ix_field_values_field_date", "field_id", "value_date"),
    )

    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"),
                                          primary_key=True)
    field_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    value_str: Mapped[str | None] = mapped_column(String(255), nullable=True)
    value_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    value_num: Mapped[float | None] = mapped_column(Float, nullable=True)
    value_num2: Mapped[float | None] = mapped_column(Float, nullable=True)
    value_date: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    issue: Mapped[Issue] = relationship(back_populates="values")


# JQL's case-insensitive ``field = value`` is ``lower(value_str) IN (...)``: this serves it.
Index("ix_field_values_field_lower_str", FieldValue.field_id, func.lower(FieldValue.value_str))
# JQL's ``CHANGED AFTER -7d`` / ``WAS ... AFTER``: the few recent change groups, not
# every change of the field (declared here with the other search indexes).
Index("ix_change_groups_created", ChangeGroup.created)


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"),
                                          index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")


class Attachment(Base):
    """A file stored under a generated name in the configured folder, never by its
    own name, so a name like ``../../x`` cannot escape it."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"),
                                          index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    mime_type: Mapped[str] = mapped_column(String(100))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")


class IssueLink(Base):
    __tablename__ = "issue_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    link_type: Mapped[str] = mapped_column(String(50))
    outward_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"),
                                            index=True)
    inward_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"),
                                           index=True)

    outward: Mapped[Issue] = relationship(foreign_keys=[outward_id])
    inward: Mapped[Issue] = relationship(foreign_keys=[inward_id])


class Watcher(Base):
    __tablename__ = "watchers"

    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)

    user: Mapped[User] = relationship(lazy="joined")
