"""A bulk chunk's SMS, sent to the gateway as one batch while the chunk is written.

A bulk chunk books many orders in one transaction and writes them in one flush.
Sending each booking SMS on its own would cost one gateway round trip per order;
instead each message waits in the transaction's ``Outbox``, and the whole outbox goes
out, one batch per gateway, on a sending thread when the chunk's flush begins. The
database writes and the gateway's round trip then overlap. Each message's answer
arrives in its own ``Future``; ``Sending.settle`` (after the flush) waits for it.

Whoever needs an answer before any flush calls ``send_now`` itself; sending an
outbox twice sends nothing twice, as a sent message leaves the outbox.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from plugins.sms.keep import OUTBOX, scoped
from plugins.sms.providers.base import OutboundSms, SendResult, SendStatus, SmsProvider

SENDER_THREADS = 4  # gateway calls in flight at once per process


@dataclass
class _Waiting:
    """One message in the outbox and the future its answer goes into."""

    outbound: OutboundSms
    answer: Future[SendResult] = field(default_factory=Future)


@dataclass
class Outbox:
    """The messages of one transaction that wait to go out, by gateway."""

    by_provider: dict[int, tuple[SmsProvider, list[_Waiting]]] = field(default_factory=dict)

    def add(self, provider: SmsProvider, outbound: OutboundSms) -> Future[SendResult]:
        """Queue one message; its answer will be in the returned future."""
        waiting = _Waiting(outbound)
        self.by_provider.setdefault(id(provider), (provider, []))[1].append(waiting)
        return waiting.answer

    def send_now(self) -> None:
        """Hand every waiting message to its gateway, one batch per gateway, on the
        sending threads; the outbox is empty afterwards."""
        batches, self.by_provider = list(self.by_provider.values()), {}
        for provider, waiting in batches:
            _pool().submit(_send_batch, provider, waiting)


def outbox_of(session: Session) -> Outbox:
    """The current transaction's outbox; it is sent when the session next flushes."""
    if not event.contains(session, "before_flush", _send_on_flush):
        event.listen(session, "before_flush", _send_on_flush)
    return scoped(session, OUTBOX, Outbox)


def send_waiting(session: Session) -> None:
    """Send the transaction's outbox now, if it has anything."""
    box = session.info.get(OUTBOX)
    if box is not None:
        box.send_now()


def _send_on_flush(session: Session, _context: Any, _instances: Any) -> None:
    """SQLAlchemy ``before_flush`` listener: the chunk's writes start, so do its sends."""
    send_waiting(session)


def _send_batch(provider: SmsProvider, waiting: list[_Waiting]) -> None:
    """On a sending thread: one batch call, each answer to its future."""
    try:
        results = provider.send_batch([w.outbound for w in waiting])
    except BaseException as exc:  # handed to whoever waits for an answer
        for w in waiting:
            w.answer.set_exception(exc)
        return
    by_key = {result.idempotency_key: result for result in results}
    for w in waiting:
        key = w.outbound.idempotency_key
        w.answer.set_result(by_key.get(key) or SendResult(
            key, SendStatus.UNKNOWN, None, "no answer for this message in the batch"))


_threads: tuple[int, ThreadPoolExecutor] | None = None


def _pool() -> ThreadPoolExecutor:
    """This process's sending threads (a forked process makes its own)."""
    global _threads
    if _threads is None or _threads[0] != os.getpid():
        _threads = (os.getpid(), ThreadPoolExecutor(SENDER_THREADS, "sms-send"))
    return _threads[1]
