"""Bookit's tables: an installer's profile (team, home base, skills, feed token), their
weekly pattern of working hours, and their absences. Orders are never copied here: an
order's place on the calendar is its assignee, *Planlagt starttid* and *Estimat*."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base
from core.models.base import UTCDateTime, utcnow


class InstallerProfile(Base):
    """What the calendar knows of an installer beyond the user: ``skills`` is a
    space-separated set of words (``trefase``); ``feed_token`` the secret of their
    iCalendar feed (None: no feed yet)."""

    __tablename__ = "bookit_installers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    team: Mapped[str] = mapped_column(String(100), default="")
    home_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    home_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    skills: Mapped[str] = mapped_column(String(500), default="")
    feed_token: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WeeklyHours(Base):
    """One weekday of an installer's own pattern, in minutes after local midnight.
    An installer with no rows works the instance's default week; with any rows, a
    weekday without one is a day off."""

    __tablename__ = "bookit_weekly_hours"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)  # ISO 1 (Mon)..7
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class AbsenceRow(Base):
    """Time an installer is away (holiday, illness, a course): nothing is planned in it."""

    __tablename__ = "bookit_absences"
    __table_args__ = (Index("ix_bookit_absences_user_start", "user_id", "start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                   nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
