"""The plugin's tables: which Quant order an issue is, the message log (whose
outbound rows are the transactional outbox) and the answers to signed messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, UTCDateTime, utcnow

# validation_status values
NOT_SENT = ""
PENDING = "pending"        # closed; the validation request waits in the outbox
SENT = "sent"              # Quant has the request; no answer yet
SEND_FAILED = "send_failed"  # the request is dead (retries spent or refused)
ACCEPTED = "accepted"
REJECTED = "rejected"

# QuantMessage.direction
IN, OUT = "in", "out"
# QuantMessage.status, inbound: what we did with the message
PROCESSED = "processed"    # applied (also a no-op repeat with "changed": false)
DUPLICATE = "duplicate"    # a webhook-id seen before: answered with the first result
REFUSED = "refused"        # a defined refusal (409, 400, 404): nothing changed
WAITING = "waiting"        # a cancellation for an order we do not have yet
STALE = "stale"            # an update older than the last one applied: ignored
# QuantMessage.status, outbound: where the outbox row is
QUEUED = "pending"         # waiting for its first attempt
SENDING = "sending"        # claimed by a delivery job (``due_at`` is the lease's end)
RETRYING = "failed"        # an attempt failed; the next is due at ``due_at``
DELIVERED = "delivered"
DEAD = "dead"              # retries spent or refused by Quant: needs a person
UNDELIVERED = (QUEUED, SENDING, RETRYING, DEAD)


class QuantOrderRef(Base):
    """One row per issue that Quant knows of.

    ``external_id`` is Quant's order id, unique within a project (NULL for orders a
    person created; they are still sent for validation and get a row then).
    ``message_at`` is the ``webhook-timestamp`` of the last order update applied, so
    an older update arriving late is recognised as stale.
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
    message_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class QuantMessage(Base):
    """One message in or out, per order where there is one (the log on the panel and
    the admin page). Outbound rows are the outbox: written in the transaction that
    decides to send, delivered by jobs in ``id`` order per order.
    """

    __tablename__ = "quant_messages"
    __table_args__ = (
        Index("ix_quant_messages_issue", "issue_id", "id"),
        Index("ix_quant_messages_due", "direction", "status", "due_at"),
        Index("ix_quant_messages_project_external", "project_key", "external_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))
    message_id: Mapped[str] = mapped_column(String(100))  # webhook-id
    element: Mapped[int | None] = mapped_column(Integer, nullable=True)  # in a batch
    kind: Mapped[str] = mapped_column(String(40))
    project_key: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    issue_id: Mapped[int | None] = mapped_column(
        ForeignKey("issues.id", ondelete="CASCADE"), nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class QuantInbox(Base):
    """The first answer to each signed message, by sender scope and ``webhook-id``:
    a message sent again gets the same answer and is not processed again."""

    __tablename__ = "quant_inbox"

    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    http_status: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)
    received: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
