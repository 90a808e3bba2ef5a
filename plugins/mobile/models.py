"""The phone's action ledger: one row per action a phone sent, by its client id.

It makes sync idempotent (an action sent again answers what it answered the first
time, and changes nothing) and keeps an installer's input that met a conflict
(the order was changed or cancelled while the phone was offline), for a planner.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, UTCDateTime, utcnow

APPLIED = "applied"
CONFLICT = "conflict"
DISCARDED = "discarded"  # a conflict the installer or a planner has dealt with


class MobileAction(Base):
    __tablename__ = "mobile_actions"
    __table_args__ = (
        UniqueConstraint("user_id", "client_id", name="uq_mobile_actions_user_client"),
        Index("ix_mobile_actions_issue_outcome", "issue_id", "outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    issue_id: Mapped[int | None] = mapped_column(
        ForeignKey("issues.id", ondelete="CASCADE"), nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[int] = mapped_column(Integer)
    # The installer's input as sent (photos without their bytes) and the answer given.
    payload: Mapped[str] = mapped_column(Text, default="{}")
    result: Mapped[str] = mapped_column(Text, default="{}")
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
