"""Delivery reports: update the log; a final failure sends the order to follow-up.

Reports may come twice or out of order; a row in a final state never changes
again, so the second copy of a report (or a late 'sent') does nothing. Only final
result codes move an order. A multipart message gets one report per part (Link:
id ``{id}${n}``); each part's latest state is kept in a row of its own (direction
``dlr``, not shown in the log), and the message is delivered when every part is,
not delivered as soon as one part finally fails. A report for a message not (yet)
in the log is 'unknown': the webhook answers so that Link sends it again, which
covers a report that overtakes the commit of its own send.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.models import Issue
from plugins.sms.flows import LABEL, add_comment, try_transition
from plugins.sms.models import (
    DELIVERED,
    FINAL_OUT,
    OUT,
    PART,
    PENDING,
    UNDELIVERED,
    UNKNOWN,
    SmsMessage,
)
from plugins.sms.providers.base import DeliveryReport, DeliveryState

if TYPE_CHECKING:
    from core.host import Amsflow

_PART_STATE = {DeliveryState.PENDING: PENDING, DeliveryState.DELIVERED: DELIVERED,
               DeliveryState.FAILED: UNDELIVERED}


def _find(session: Session, provider: str, report: DeliveryReport,
          project_key: str | None) -> SmsMessage | None:
    clauses = []
    if report.ref:
        clauses.append(SmsMessage.idempotency_key == report.ref)
    if report.provider_id:
        clauses.append(SmsMessage.provider_id == report.provider_id)
    if not clauses:
        return None
    stmt = select(SmsMessage).where(SmsMessage.direction == OUT,
                                    SmsMessage.provider == provider, or_(*clauses))
    if project_key is not None:  # the webhook's project: only its messages
        stmt = stmt.where(SmsMessage.project_key == project_key.upper())
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()  # parts of one message are counted one at a time
    return session.scalar(stmt)


def _note_part(host: Amsflow, session: Session, provider: str,
               report: DeliveryReport) -> None:
    """Keep the part's latest state (a final one is never overwritten). Written before
    the message is looked up, so on SQLite the report holds the write lock at once."""
    state = _PART_STATE[report.state]
    conn = session.connection()
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    table = SmsMessage.__table__
    stmt = dialect_insert(table).values(
        direction=PART, provider=provider, provider_id=f"{report.provider_id}${report.part}",
        status=state, error=report.code, kind="part", project_key="", phone="", body="",
        encoding="", segments=report.parts, idempotency_key=None, created=host.now())
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.provider, table.c.provider_id, table.c.direction],
        set_={"status": state, "error": report.code},
        where=table.c.status == PENDING)
    conn.execute(stmt)


def _parts_state(session: Session, provider: str, row: SmsMessage,
                 report: DeliveryReport) -> DeliveryState:
    """The whole message's state from its parts' rows."""
    states = list(session.scalars(select(SmsMessage.status).where(
        SmsMessage.direction == PART, SmsMessage.provider == provider,
        SmsMessage.provider_id.like(f"{report.provider_id}$%"))))
    if UNDELIVERED in states:
        return DeliveryState.FAILED
    expected = report.parts if report.parts > 1 else (row.segments or 1)  # Link's count
    if states.count(DELIVERED) >= expected:
        return DeliveryState.DELIVERED
    return DeliveryState.PENDING


def apply_report(host: Amsflow, session: Session, provider: str, report: DeliveryReport,
                 project_key: str | None = None) -> str:
    """Apply one report that came to ``project_key``'s webhook (None: any project);
    returns 'updated', 'ignored' (final already) or 'unknown'."""
    if report.part is not None and report.provider_id:
        _note_part(host, session, provider, report)
    row = _find(session, provider, report, project_key)
    if row is None:
        return "unknown"
    if row.status in FINAL_OUT:
        return "ignored"
    was_unknown = row.status == UNKNOWN
    state = report.state
    if report.part is not None and report.provider_id:
        if row.provider_id is None:
            row.provider_id = report.provider_id  # a send whose answer never came
        state = _parts_state(session, provider, row, report)
    row.status_at = report.timestamp or host.now()
    issue = session.get(Issue, row.issue_id) if row.issue_id else None
    system = host.system_user(session)
    what = LABEL.get(row.kind, "SMS")
    if state is DeliveryState.FAILED:
        row.status = UNDELIVERED
        row.error = f"Ikke levert (kode {report.code})"
        if issue is not None:
            add_comment(host, session, issue, f"{what} til {row.phone} ble ikke levert "
                        f"(kode {report.code}). Ordren trenger manuell oppfølging.", system)
            try_transition(host, session, issue, "follow_up", system)
        return "updated"
    row.status = DELIVERED if state is DeliveryState.DELIVERED else PENDING
    if was_unknown:
        row.error = ""
        if issue is not None:
            add_comment(host, session, issue, f"SMS-status avklart: {what} til {row.phone} "
                        "ble tatt imot av Link Mobility (leveringsrapport).", system)
    return "updated"
