"""The provider interface every SMS gateway implements, and the values it passes."""

from __future__ import annotations

import abc
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime


class SendStatus(enum.StrEnum):
    """Outcome of handing one message to the gateway."""

    ACCEPTED = "accepted"  # the gateway took it; a delivery report may follow
    REFUSED = "refused"  # the gateway said no (bad number, bad content): do not retry
    FAILED = "failed"  # not taken: every try answered 5xx/429 or found no connection
    UNKNOWN = "unknown"  # may have been taken (no answer in time): never send it again


class DeliveryState(enum.StrEnum):
    """Where a message is according to a delivery report."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class OutboundSms:
    """One message to send; idempotency_key is unique per message, stable across retries."""

    idempotency_key: str
    to: str
    text: str
    sender: str = ""


@dataclass(frozen=True)
class SendResult:
    """The gateway's answer for one message."""

    idempotency_key: str
    status: SendStatus
    provider_id: str | None = None
    error: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status is SendStatus.ACCEPTED


@dataclass(frozen=True)
class DeliveryReport:
    """A status callback for a message we sent (matched by ref or provider id)."""

    provider_id: str | None
    ref: str | None
    state: DeliveryState
    final: bool
    code: str = ""
    description: str = ""
    timestamp: datetime | None = None
    part: int | None = None  # which part of a multipart message (0-based), if one
    parts: int = 1  # how many parts the message has


@dataclass(frozen=True)
class InboundSms:
    """A message from a customer's phone."""

    provider_id: str
    sender: str
    recipient: str
    text: str
    received_at: datetime | None = None
    raw: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookRequest:
    """What a webhook view hands the provider: raw body, headers and query string."""

    body: bytes
    headers: Mapping[str, str]
    query: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        """Case-insensitive header lookup ('' when absent)."""
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return ""


class WebhookError(ValueError):
    """A webhook body that cannot be read; the view answers 400."""


class SmsProvider(abc.ABC):
    """A gateway: sends messages and reads its own callbacks."""

    name: str = ""

    @abc.abstractmethod
    def send(self, message: OutboundSms) -> SendResult:
        """Send one message; never raises for gateway trouble, reports it in the result."""

    def send_batch(self, messages: Sequence[OutboundSms]) -> list[SendResult]:
        """Send many; providers with a batch endpoint override this."""
        return [self.send(m) for m in messages]

    @abc.abstractmethod
    def verify_webhook(self, request: WebhookRequest) -> bool:
        """True when the callback really comes from this gateway."""

    @abc.abstractmethod
    def parse_delivery_report(self, request: WebhookRequest) -> list[DeliveryReport]:
        """Delivery reports in a callback body (raises WebhookError when unreadable)."""

    @abc.abstractmethod
    def parse_inbound(self, request: WebhookRequest) -> list[InboundSms]:
        """Customer messages in a callback body (raises WebhookError when unreadable)."""
