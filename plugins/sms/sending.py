"""Sending an SMS to an order's customer: compose, log, hold for quiet hours, send.

The caller owns the transaction. ``send_to_order`` leaves a failed row in the
session; callers that must undo their other work raise ``SmsNotSent`` (a
WorkflowAbort), and the row and a comment survive the rollback.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from core.i18n import _
from core.models import Issue, User
from core.services.errors import InvalidInput
from core.services.issues import values_of
from core.workflow.context import WorkflowAbort
from plugins.sms import templates as tpl
from plugins.sms.encoding import analyse
from plugins.sms.gateway import provider_for, quiet_hours
from plugins.sms.keep import keep_on_rollback
from plugins.sms.models import ACCEPTED, FAILED, HELD, OUT, REFUSED, SENDING, SmsMessage
from plugins.sms.providers.base import OutboundSms, SendResult, SendStatus
from plugins.sms.store import by_key, ensure_reply_code, order_phone, settings_for

if TYPE_CHECKING:
    from core.host import Amsflow

SENT_STATES = frozenset({ACCEPTED, "pending", "delivered", HELD})


class NoMobile(InvalidInput):
    """The order cannot get SMS (no valid mobile number, or opt-out)."""


class SmsNotSent(WorkflowAbort):
    """The gateway refused or failed: undo the caller's work, keep log row and comment."""


def compose(host: Amsflow, session: Session, issue: Issue, kind: str,
            text: str | None = None, user: User | None = None) -> str:
    """The text of an SMS of kind for this order (reply code made when the text needs it)."""
    settings = settings_for(host, issue.project.key)
    values = values_of(host, issue)
    source = tpl.template_source(kind, settings.get("templates"))
    code = ensure_reply_code(host, session, issue, user) if "reply_code" in source else ""
    context = tpl.build_context(
        customer=values.get("customer_name"),
        address=", ".join(str(v) for v in (values.get("address"), values.get("postcode"))
                          if v),
        start=values.get("planned_start"),
        installer=issue.assignee.display_name if issue.assignee else "",
        reply_code=code, reply_number=settings.get("reply_number"),
        instructions=settings.get("instructions"), text=text, tz=settings["timezone"])
    return tpl.render(kind, context, settings.get("templates"))


def _apply(row: SmsMessage, result: SendResult, now: Any) -> None:
    row.status_at = now
    if result.status is SendStatus.ACCEPTED:
        row.status, row.provider_id, row.sent_at, row.error = (
            ACCEPTED, result.provider_id, now, "")
    else:
        row.status = REFUSED if result.status is SendStatus.REFUSED else FAILED
        row.error = result.error or row.status


def send_to_order(host: Amsflow, session: Session, issue: Issue, kind: str, *,
                  user: User | None = None, text: str | None = None, key: str | None = None,
                  body: str | None = None) -> SmsMessage:
    """Log and send (or hold until quiet hours end) one SMS to the order's mobile.

    Raises NoMobile when the order cannot get SMS. A key already sent is not sent
    again: the existing row is returned. A failed row is left in the session.
    """
    phone, reason = order_phone(host, issue)
    if phone is None:
        raise NoMobile(reason)
    settings = settings_for(host, issue.project.key)
    key = key or f"{kind}:{issue.key}:{uuid.uuid4().hex}"
    with session.no_autoflush:  # the caller's pending changes are flushed once, below
        row = by_key(session, key)
    if row is not None and row.status in SENT_STATES:
        return row
    message = body if body is not None else compose(host, session, issue, kind, text, user)
    info = analyse(message)
    provider = provider_for(host, issue.project.key)
    now = host.now()
    if row is None:
        row = SmsMessage(idempotency_key=key, created=now)
        session.add(row)
    row.issue_id, row.project_key, row.direction, row.kind = issue.id, issue.project.key, OUT, kind
    row.phone, row.body, row.encoding, row.segments = phone, message, info.encoding, info.segments
    row.provider, row.author_id, row.status, row.error = (
        provider.name, user.id if user else None, SENDING, "")
    allowed = quiet_hours(settings).next_allowed(now)
    if allowed > now:
        row.status, row.send_after, row.status_at = HELD, allowed, now
        return row
    outbound = OutboundSms(key, phone, message, settings["sender"])
    _apply(row, provider.send(outbound), host.now())
    return row  # flushed with the caller's other changes


def abort_unsent(host: Amsflow, session: Session, issue: Issue, row: SmsMessage,
                 user: User | None, what: str) -> SmsNotSent:
    """The error to raise for a refused/failed send; the log row outlives the rollback."""
    keep_on_rollback(host, session, row)
    comment = f"{what} kunne ikke sendes til {row.phone}: {row.error}"
    return SmsNotSent(_("SMS ble ikke sendt: %(error)s", error=row.error), comment, issue.id,
                      status=502, author_id=user.id if user else None)


def describe_sent(row: SmsMessage, what: str) -> str:
    """The comment that records a sent (or held) SMS with its text."""
    if row.status == HELD and row.send_after:
        when = tpl.norwegian_datetime(row.send_after)
        return f"{what} til {row.phone} sendes {when} (stilletid):\n\n{row.body}"
    return f"{what} sendt til {row.phone}:\n\n{row.body}"
