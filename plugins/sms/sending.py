"""Sending an SMS to an order's customer: compose, log, hold for quiet hours, send.

The caller owns the transaction. ``send_to_order`` leaves a failed row in the
session; callers that must undo their other work raise ``SmsNotSent`` (a
WorkflowAbort), and the row and a comment survive the rollback. ``begin_send``
leaves the answer to be settled later: in a bulk chunk the messages are collected
and go to the gateway as one batch when the chunk is flushed (a booking's
transition is written meanwhile, and undone if the gateway says no).
"""

from __future__ import annotations

import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
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
from plugins.sms.keep import keep_on_rollback, sendings
from plugins.sms.models import (
    ACCEPTED,
    FAILED,
    HELD,
    OUT,
    REFUSED,
    SENDING,
    UNKNOWN,
    SmsMessage,
)
from plugins.sms.outbox import outbox_of, send_waiting
from plugins.sms.providers.base import OutboundSms, SendResult, SendStatus
from plugins.sms.store import by_key, ensure_reply_code, order_phone, settings_for

if TYPE_CHECKING:
    from core.host import Amsflow

# A key whose row is in one of these is never sent again (UNKNOWN: it may have gone out).
SENT_STATES = frozenset({ACCEPTED, "pending", "delivered", HELD, UNKNOWN})
_FOUR_BYTE = "\U00010000"


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
    wanted = tpl.names_used(source) - context.keys()
    if wanted:  # variables other plugins give (Bookit's selfservice_link): only if used
        given = host.plugins.message_values(host, session, issue, kind)
        context.update({name: given[name] for name in wanted if name in given})
    return tpl.render(kind, context, settings.get("templates"))


def check_text(text: str) -> None:
    """Refuse a text the gateway cannot carry: Link takes UTF-8 2-byte characters only
    ("Unicode 4-byte characters are not supported"), so no emoji."""
    bad = sorted({ch for ch in text if ch >= _FOUR_BYTE})
    if bad:
        raise InvalidInput(errors={"text": _(
            "SMS kan ikke inneholde emoji eller andre tegn utenfor det vanlige tegnsettet "
            "(%(chars)s). Fjern dem og prøv igjen.", chars=" ".join(bad))})


_STATUS = {SendStatus.ACCEPTED: ACCEPTED, SendStatus.REFUSED: REFUSED,
           SendStatus.FAILED: FAILED, SendStatus.UNKNOWN: UNKNOWN}


def _apply(row: SmsMessage, result: SendResult, now: Any) -> None:
    row.status_at, row.status = now, _STATUS[result.status]
    if result.status is SendStatus.ACCEPTED:
        row.provider_id, row.sent_at, row.error = result.provider_id, now, ""
    else:
        row.error = result.error or row.status


@dataclass
class Sending:
    """An SMS handed to the gateway (or held, or found sent already) whose answer may
    not be in yet. ``settle`` waits for it and puts the row in the session, so a new
    row is inserted once, with its outcome, instead of inserted and then updated.

    It outlives a rollback of its savepoint (a bulk chunk tried at once and then
    order by order): ``begin_send`` hands the same Sending back for the same key, and
    ``settle`` writes the row's fields and the gateway's answer again, so the message
    is not sent twice and the order gets back the reply code its text carries."""

    row: SmsMessage
    answer: Future[SendResult] | None = None
    result: SendResult | None = None
    answered: datetime | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    reply_code: str = ""

    def settle(self, host: Amsflow, session: Session) -> SmsMessage:
        if self.answer is not None:
            send_waiting(session)  # in case no flush has sent the chunk's outbox yet
            self.result, self.answered = self.answer.result(), host.now()
            self.answer = None
        if self.row not in session:
            session.add(self.row)
        for name, value in self.fields.items():
            setattr(self.row, name, value)
        if self.result is not None:
            _apply(self.row, self.result, self.answered)
        return self.row


def begin_send(host: Amsflow, session: Session, issue: Issue, kind: str, *,
               user: User | None = None, text: str | None = None, key: str | None = None,
               body: str | None = None) -> Sending:
    """Log one SMS to the order's mobile and hand it to the gateway (in a bulk chunk:
    to the chunk's batch; or hold it until quiet hours end); the caller settles it
    when it needs the answer.

    Raises NoMobile when the order cannot get SMS. A key already sent is not sent
    again: the existing row is returned, settled; a key sent in this transaction
    before a savepoint rolled back gets its Sending back.
    """
    phone, reason = order_phone(host, issue)
    if phone is None:
        raise NoMobile(reason)
    settings = settings_for(host, issue.project.key)
    key = key or f"{kind}:{issue.key}:{uuid.uuid4().hex}"
    carried = sendings(session).get(key)
    if carried is not None:  # its savepoint rolled back: its row's fields again
        for name, value in carried.fields.items():
            setattr(carried.row, name, value)
        if carried.reply_code:
            ensure_reply_code(host, session, issue, user, code=carried.reply_code)
        return carried
    with session.no_autoflush:  # the caller's pending changes are flushed once, below
        row = by_key(session, key)
    if row is not None and row.status in SENT_STATES:
        return Sending(row)
    message = body if body is not None else compose(host, session, issue, kind, text, user)
    check_text(message)
    info = analyse(message)
    provider = provider_for(host, issue.project.key)
    now = host.now()
    fields: dict[str, Any] = {
        "issue_id": issue.id, "project_key": issue.project.key, "direction": OUT,
        "kind": kind, "phone": phone, "body": message, "encoding": info.encoding,
        "segments": info.segments, "provider": provider.name,
        "author_id": user.id if user else None, "status": SENDING, "error": ""}
    allowed = quiet_hours(settings).next_allowed(now)
    if allowed > now:
        fields.update(status=HELD, send_after=allowed, status_at=now)
    sending = Sending(row if row is not None else SmsMessage(idempotency_key=key, created=now),
                      fields=fields, reply_code=values_of(host, issue).get("reply_code") or "")
    for name, value in fields.items():
        setattr(sending.row, name, value)
    if allowed <= now:
        outbound = OutboundSms(key, phone, message, settings["sender"])
        if host.db.deferring(session):  # a bulk chunk: with its batch (plugins.sms.outbox)
            sending.answer = outbox_of(session).add(provider, outbound)
        else:  # one message: sent now, in this thread (a thread of its own costs more)
            sending.result, sending.answered = provider.send(outbound), host.now()
    sendings(session)[key] = sending
    return sending


def send_to_order(host: Amsflow, session: Session, issue: Issue, kind: str, *,
                  user: User | None = None, text: str | None = None, key: str | None = None,
                  body: str | None = None) -> SmsMessage:
    """``begin_send`` and wait for the gateway's answer. A failed row is left in the
    session, flushed with the caller's other changes."""
    return begin_send(host, session, issue, kind, user=user, text=text, key=key,
                      body=body).settle(host, session)


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
