"""Keep an SMS log row when the transaction that sent (or tried to send) it rolls back.

A refused booking SMS must leave the order's status alone, yet the log must still
show the attempt. The row is written in a fresh transaction right after the
rollback, when the database no longer holds the failed transaction's locks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from plugins.sms.models import SmsMessage

if TYPE_CHECKING:
    from core.host import Amsflow

_KEY = "sms_keep_on_rollback"
_COLUMNS = [c.key for c in SmsMessage.__table__.columns if c.key != "id"]


def snapshot(row: SmsMessage) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _COLUMNS}


def keep_on_rollback(host: Amsflow, session: Session, row: SmsMessage) -> None:
    """Write this row (upsert by idempotency key) if the session's transaction rolls back."""
    pending = session.info.setdefault(_KEY, [])
    pending.append((host, snapshot(row)))
    if not event.contains(session, "after_soft_rollback", _after_rollback):
        event.listen(session, "after_soft_rollback", _after_rollback)
        event.listen(session, "after_commit", _after_commit)


def _after_commit(session: Session) -> None:
    session.info.pop(_KEY, None)


def _after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is not None:
        return
    for host, values in session.info.pop(_KEY, []):
        with host.db.new_session() as fresh:
            row = fresh.scalar(select(SmsMessage).where(
                SmsMessage.idempotency_key == values["idempotency_key"]))
            if row is None:
                fresh.add(SmsMessage(**values))
            else:
                for name, value in values.items():
                    setattr(row, name, value)
