"""The SMS log: every message out and in, one row each, with status and times."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, UTCDateTime, utcnow

OUT = "out"
IN = "in"
PART = "dlr"  # a delivery report for one part of a multipart message (not in the log)

# Outbound statuses
HELD = "held"  # waiting for quiet hours to end
SENDING = "sending"
ACCEPTED = "accepted"
REFUSED = "refused"
FAILED = "failed"
UNKNOWN = "unknown"  # the gateway may have taken it (no answer in time): never resent
PENDING = "pending"
DELIVERED = "delivered"
UNDELIVERED = "undelivered"
FINAL_OUT = frozenset({REFUSED, FAILED, DELIVERED, UNDELIVERED})
# Inbound statuses
PROCESSED = "processed"
UNMATCHED = "unmatched"
ATTACHED = "attached"  # an unmatched reply a planner attached to an order


class SmsMessage(Base):
    """One SMS. Outbound rows are unique by idempotency key, inbound by provider id."""

    __tablename__ = "sms_messages"
    __table_args__ = (
        UniqueConstraint("provider", "provider_id", "direction", name="uq_sms_provider_msg"),
        Index("ix_sms_issue_created", "issue_id", "created"),
        Index("ix_sms_direction_status", "direction", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int | None] = mapped_column(
        ForeignKey("issues.id", ondelete="SET NULL"), nullable=True)
    project_key: Mapped[str] = mapped_column(String(40), default="")
    direction: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    encoding: Mapped[str] = mapped_column(String(8), default="")
    segments: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str] = mapped_column(Text, default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True,
                                                        nullable=True)
    provider: Mapped[str] = mapped_column(String(20), default="")
    provider_id: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    send_after: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def to_json(self) -> dict[str, object]:
        """The API form of a log row."""
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": self.id, "direction": self.direction, "kind": self.kind,
            "phone": self.phone, "body": self.body, "encoding": self.encoding,
            "segments": self.segments, "status": self.status, "error": self.error,
            "idempotencyKey": self.idempotency_key, "provider": self.provider,
            "providerId": self.provider_id, "created": iso(self.created),
            "sendAfter": iso(self.send_after), "sentAt": iso(self.sent_at),
            "statusAt": iso(self.status_at),
        }
