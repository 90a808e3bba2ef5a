"""Tables of saved filters: the filter, who it is shared with, who favours it, and
who gets it by e-mail on a schedule."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import Base, Group, Project, User
from ..models.base import UTCDateTime, utcnow

SHARE_TYPES = ("global", "authenticated", "group", "project", "projectRole", "user")


class SavedFilter(Base):
    """A named JQL query; its owner sees it always, others through its shares."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    jql: Mapped[str] = mapped_column(Text, default="")
    # Navigator columns (comma-separated field ids) the filter was saved with.
    columns: Mapped[str] = mapped_column(String(1000), default="")
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    shares: Mapped[list[FilterShare]] = relationship(
        back_populates="filter", cascade="all, delete-orphan", lazy="selectin",
        order_by="FilterShare.id")


class FilterShare(Base):
    """One share permission, as Jira has them: global/authenticated (every signed-in
    user), a group, a project (its browsers), a project role, or one user."""

    __tablename__ = "filter_shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filter_id: Mapped[int] = mapped_column(ForeignKey("saved_filters.id", ondelete="CASCADE"),
                                           index=True)
    type: Mapped[str] = mapped_column(String(20))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"),
                                                 nullable=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=True)
    role: Mapped[str | None] = mapped_column(String(50), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                nullable=True)

    filter: Mapped[SavedFilter] = relationship(back_populates="shares")
    group: Mapped[Group | None] = relationship(lazy="joined")
    project: Mapped[Project | None] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship(lazy="joined")


class FilterFavourite(Base):
    """A user's star on a filter; the count of these is the filter's popularity."""

    __tablename__ = "filter_favourites"
    __table_args__ = (Index("ix_filter_favourites_user", "user_id"),)

    filter_id: Mapped[int] = mapped_column(ForeignKey("saved_filters.id", ondelete="CASCADE"),
                                           primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FilterSubscription(Base):
    """E-mail a filter's first results to a user (or each member of a group).

    ``kind`` is ``daily`` (every day at ``time``), ``weekly`` (``days`` such as
    ``mon,wed`` at ``time``) or ``cron`` (``cron`` string), all in Norwegian time.
    ``last_due`` is the due time last sent, so each due time is sent once.
    """

    __tablename__ = "filter_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filter_id: Mapped[int] = mapped_column(ForeignKey("saved_filters.id", ondelete="CASCADE"),
                                           index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                nullable=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"),
                                                 nullable=True)
    kind: Mapped[str] = mapped_column(String(10), default="daily")
    time: Mapped[str] = mapped_column(String(5), default="07:00")
    days: Mapped[str] = mapped_column(String(40), default="")
    cron: Mapped[str] = mapped_column(String(100), default="")
    email_on_empty: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_due: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")

    filter: Mapped[SavedFilter] = relationship(lazy="joined", innerjoin=True)
    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="joined")
    group: Mapped[Group | None] = relationship(lazy="joined")

