"""What of the SMS sent in a transaction outlives its rollback.

A refused booking SMS must leave the order's status alone, yet the log must still
show the attempt: ``keep_on_rollback`` writes the row again after the rollback.
When a savepoint rolled back (a bulk order on its own savepoint) the row is written
in the transaction that goes on; when the whole transaction rolled back, in a
fresh one, when the database no longer holds the failed transaction's locks.

``sendings`` holds the messages handed to the gateway in the current transaction
by idempotency key, so a savepoint that rolls back and is tried again (a bulk chunk
tried at once, then order by order) sends nothing twice; ``codes_made`` the reply
codes made in it, taken before they are written; ``spare_codes`` and ``known_keys``
what a bulk chunk read for all its orders at once (the outbox of ``plugins.sms.outbox``
is scoped the same way).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from plugins.sms.models import SmsMessage

if TYPE_CHECKING:
    from core.host import Amsflow

_KEY = "sms_keep_on_rollback"
_SENDINGS = "sms_sendings"
_CODES = "sms_codes_made"
_SPARE = "sms_spare_codes"
_KNOWN = "sms_known_keys"
OUTBOX = "sms_outbox"  # plugins.sms.outbox
_SCOPED = (_SENDINGS, _CODES, _SPARE, _KNOWN, OUTBOX)  # for the transaction only
_COLUMNS = [c.key for c in SmsMessage.__table__.columns if c.key != "id"]


def snapshot(row: SmsMessage) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _COLUMNS}


def _listen(session: Session) -> None:
    if not event.contains(session, "after_soft_rollback", _after_rollback):
        event.listen(session, "after_soft_rollback", _after_rollback)
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_transaction_end", _after_end)


def keep_on_rollback(host: Amsflow, session: Session, row: SmsMessage) -> None:
    """Write this row (upsert by idempotency key) if the session's transaction, or the
    savepoint it is in, rolls back."""
    session.info.setdefault(_KEY, []).append((host, row, snapshot(row)))
    _listen(session)


def scoped(session: Session, name: str, factory: Callable[[], Any]) -> Any:
    """``session.info[name]``, made by ``factory`` and dropped when the transaction ends."""
    _listen(session)
    if name not in session.info:
        session.info[name] = factory()
    return session.info[name]


def sendings(session: Session) -> dict[str, Any]:
    """The current transaction's messages handed to the gateway, by idempotency key."""
    return scoped(session, _SENDINGS, dict)


def codes_made(session: Session) -> set[str]:
    """Reply codes made (or set aside) in the current transaction: taken, also before
    they are flushed (a bulk chunk writes all its orders' codes in one flush)."""
    return scoped(session, _CODES, set)


def spare_codes(session: Session) -> list[str]:
    """Reply codes a bulk chunk found free in one query, for its orders to take."""
    return scoped(session, _SPARE, list)


def known_keys(session: Session) -> dict[str, Any]:
    """Log rows (or None) by idempotency key, read for a whole bulk chunk at once."""
    return scoped(session, _KNOWN, dict)


def _after_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # a released savepoint commits nothing yet
        session.info.pop(_KEY, None)


def _after_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        for name in _SCOPED:
            session.info.pop(name, None)


def _after_rollback(session: Session, previous_transaction: Any) -> None:
    kept = session.info.pop(_KEY, [])
    if previous_transaction.nested:
        # A savepoint: the transaction it was in goes on, and the row goes in it. The
        # same object, so a Sending that holds it (tried again) does not add a second.
        for _host, row, values in kept:
            if row not in session:  # new in the savepoint: expunged by its rollback
                session.add(row)
            for name, value in values.items():
                setattr(row, name, value)
        return
    for host, _row, values in kept:
        with host.db.new_session() as fresh:
            row = fresh.scalar(select(SmsMessage).where(
                SmsMessage.idempotency_key == values["idempotency_key"]))
            if row is None:
                fresh.add(SmsMessage(**values))
            else:
                for name, value in values.items():
                    setattr(row, name, value)
