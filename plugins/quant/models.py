"""The plugin's own table: which Quant order an issue is, and how validation went."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, UTCDateTime, utcnow

# validation_status values
NOT_SENT = ""
PENDING = "pending"        # closed; the validation request is queued
SENT = "sent"              # Quant has the request; no answer yet
SEND_FAILED = "send_failed"
ACCEPTED = "accepted"
REJECTED = "rejected"


class QuantOrderRef(Base):
    """One row per issue that Quant knows of.

    ``external_id`` is Quant's order id, unique within a project (NULL for orders a
    person created; they are still sent for validation and get a row then).
    """

    __tablename__ = "quant_order_refs"
    __table_args__ = (UniqueConstraint("project_key", "external_id",
                                       name="uq_quant_order_refs_project_external"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"),
                                          unique=True)
    project_key: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    validation_status: Mapped[str] = mapped_column(String(20), default=NOT_SENT)
    validation_reason: Mapped[str] = mapped_column(Text, default="")
    validation_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
