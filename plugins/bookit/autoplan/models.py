"""Auto-planning's tables: plan proposals (a solve's result until it is applied) and
the customers' self-service links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, UTCDateTime, utcnow


class PlanProposal(Base):
    """One auto-planning run: what was asked, how far the solve is, what it found.

    ``status``: queued, solving, ready, failed, cancelled, applied. The result is JSON
    (routes per installer-day with their visits, the orders left out and why) so the
    calendar and the map can show it as ghost blocks and route lines.
    """

    __tablename__ = "bookit_plan_proposals"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    project_key: Mapped[str] = mapped_column(String(40))
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    request_json: Mapped[str] = mapped_column(Text, default="{}")
    result_json: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    bulk_task_id: Mapped[str | None] = mapped_column(String(32), nullable=True)


class SelfServiceLink(Base):
    """A customer's link to one order: ``nonce`` is the random half of the token, the
    other half is its HMAC. Used once: ``used_at`` and ``choice`` record what the
    customer did."""

    __tablename__ = "bookit_selfservice_links"

    nonce: Mapped[str] = mapped_column(String(16), primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"),
                                          index=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    choice: Mapped[str] = mapped_column(String(20), default="")
