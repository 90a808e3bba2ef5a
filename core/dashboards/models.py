"""Tables of dashboards: the dashboard, its gadgets, who it is shared with, who
favours it, and which one each user used last (where they land after login)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import Base, Group, Project, User
from ..models.base import UTCDateTime, utcnow


class Dashboard(Base):
    """A page of gadgets in 1-3 columns. Predefined dashboards (from config) have no
    owner and a ``system_key`` (``ELV:ukentlig``) by which ``db upgrade`` keeps them."""

    __tablename__ = "dashboards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                 nullable=True, index=True)
    columns: Mapped[int] = mapped_column(Integer, default=2)
    system_key: Mapped[str | None] = mapped_column(String(80), nullable=True, unique=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User | None] = relationship(lazy="joined")
    shares: Mapped[list[DashboardShare]] = relationship(
        back_populates="dashboard", cascade="all, delete-orphan", lazy="selectin",
        order_by="DashboardShare.id")
    gadgets: Mapped[list[DashboardGadget]] = relationship(
        back_populates="dashboard", cascade="all, delete-orphan", lazy="selectin",
        order_by="(DashboardGadget.column, DashboardGadget.position, DashboardGadget.id)")


class DashboardGadget(Base):
    """One gadget on a dashboard: its type, place, and settings (JSON text)."""

    __tablename__ = "dashboards_gadgets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dashboard_id: Mapped[int] = mapped_column(ForeignKey("dashboards.id", ondelete="CASCADE"),
                                              index=True)
    type: Mapped[str] = mapped_column(String(80))
    column: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    config: Mapped[str] = mapped_column(Text, default="{}")

    dashboard: Mapped[Dashboard] = relationship(back_populates="gadgets")


class DashboardShare(Base):
    """One share, as for filters: global/authenticated, a group, a project, a project
    role, or one user."""

    __tablename__ = "dashboards_shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dashboard_id: Mapped[int] = mapped_column(ForeignKey("dashboards.id", ondelete="CASCADE"),
                                              index=True)
    type: Mapped[str] = mapped_column(String(20))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"),
                                                 nullable=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=True)
    role: Mapped[str | None] = mapped_column(String(50), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                nullable=True)

    dashboard: Mapped[Dashboard] = relationship(back_populates="shares")
    group: Mapped[Group | None] = relationship(lazy="joined")
    project: Mapped[Project | None] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship(lazy="joined")


class DashboardFavourite(Base):
    """A user's star on a dashboard: the left menu, and the dashboard's popularity."""

    __tablename__ = "dashboards_favourites"

    dashboard_id: Mapped[int] = mapped_column(ForeignKey("dashboards.id", ondelete="CASCADE"),
                                              primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DashboardLastUsed(Base):
    """The dashboard a user looked at last: the logo and *Dashbord* go back to it."""

    __tablename__ = "dashboards_last_used"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    dashboard_id: Mapped[int] = mapped_column(ForeignKey("dashboards.id", ondelete="CASCADE"))
    used: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
