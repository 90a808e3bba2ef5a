"""Sending an SMS to an order's customer: compose, log, hold for quiet hours, send.

The caller owns the transaction. ``send_to_order`` leaves a failed row in the
session; callers that must undo their other work raise ``SmsNotSent`` (a
WorkflowAbort), and the row and a comment survive the rollback. ``begin_send``
leaves the answer to be settled later: in a bulk chunk the messages are collected
and go to the gateway as one batch when the chunk is flushed (a booking's
transition is written meanwhile, and undone if the gateway says no).
"""

from __future__ import annotations

import os
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from core.i18n import _
from core.models import Issue, User
from core.services.errors import InvalidInput
from core.services.issues import values_of
from core.workflow.context import WorkflowAbort
from plugins.sms import templates as tpl
from plugins.sms.encoding import analyse
from plugins.sms.gateway import provider_for, quiet_hours
from plugins.sms.keep import keep_on_rollback, outbox, sendings
from plugins.sms.models import ACCEPTED, FAILED, HELD, OUT, REFUSED, SENDING, SmsMessage
from plugins.sms.providers.base import OutboundSms, SendResult, SendStatus, SmsProvider
from plugins.sms.store import by_key, ensure_reply_code, order_phone, settings_for

if TYPE_CHECKING:
    from core.host import Amsflow

SENT_STATES = frozenset({ACCEPTED, "pending", "delivered", HELD})
SENDER_THREADS = 4  # gateway calls in flight at once per process


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
            send_outbox(session)  # this one may still wait there with its chunk's
            self.result, self.answered = self.answer.result(), host.now()
            self.answer = None
        if self.row not in session:
            session.add(self.row)
        for name, value in self.fields.items():
            setattr(self.row, name, value)
        if self.result is not None:
            _apply(self.row, self.result, self.answered)
        return self.row


_senders: tuple[int, ThreadPoolExecutor] | None = None


def _sender_pool() -> ThreadPoolExecutor:
    """This process's sending threads (a forked process makes its own)."""
    global _senders
    if _senders is None or _senders[0] != os.getpid():
        _senders = (os.getpid(), ThreadPoolExecutor(SENDER_THREADS, "sms-send"))
    return _senders[1]


def _queue(session: Session, provider: SmsProvider,
           outbound: OutboundSms) -> Future[SendResult]:
    """Put a bulk chunk's message in its outbox, which goes to the gateway as one batch
    on a sending thread when the chunk is flushed (a batch takes one round trip to a
    gateway that is far away, where single sends take one each)."""
    answer: Future[SendResult] = Future()
    outbox(session).append((provider, outbound, answer))
    if not event.contains(session, "before_flush", _send_before_flush):
        event.listen(session, "before_flush", _send_before_flush)
    return answer


def _send_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    send_outbox(session)


def send_outbox(session: Session) -> None:
    """Hand the collected messages to their gateways, a batch per gateway, on the
    sending threads; each message's answer arrives in its own future."""
    waiting = outbox(session)
    if not waiting:
        return
    batches: dict[int, list[tuple[SmsProvider, OutboundSms, Future[SendResult]]]] = {}
    for item in waiting:
        batches.setdefault(id(item[0]), []).append(item)
    waiting.clear()
    for batch in batches.values():
        _sender_pool().submit(_send_batch, batch)


def _send_batch(batch: list[tuple[SmsProvider, OutboundSms, Future[SendResult]]]) -> None:
    try:
        results = batch[0][0].send_batch([outbound for _, outbound, _ in batch])
    except BaseException as exc:  # handed to whoever waits for an answer
        for _, _, answer in batch:
            answer.set_exception(exc)
        return
    by_key = {result.idempotency_key: result for result in results}
    for _, outbound, answer in batch:
        answer.set_result(by_key.get(outbound.idempotency_key) or SendResult(
            outbound.idempotency_key, SendStatus.FAILED, None, "no answer in the batch"))


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
        if host.db.deferring(session):
            sending.answer = _queue(session, provider, outbound)
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
