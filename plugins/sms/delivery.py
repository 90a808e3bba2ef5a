"""Delivery reports: update the log; a final failure sends the order to follow-up.

Reports may come twice or out of order; a row in a final state never changes
again, so the second copy of a report (or a late 'sent') does nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.models import Issue
from plugins.sms.flows import LABEL, add_comment, try_transition
from plugins.sms.models import (
    DELIVERED,
    FINAL_OUT,
    OUT,
    PENDING,
    UNDELIVERED,
    SmsMessage,
)
from plugins.sms.providers.base import DeliveryReport, DeliveryState

if TYPE_CHECKING:
    from core.host import Amsflow


def _find(session: Session, provider: str, report: DeliveryReport) -> SmsMessage | None:
    clauses = []
    if report.ref:
        clauses.append(SmsMessage.idempotency_key == report.ref)
    if report.provider_id:
        clauses.append(SmsMessage.provider_id == report.provider_id)
    if not clauses:
        return None
    return session.scalar(select(SmsMessage).where(
        SmsMessage.direction == OUT, SmsMessage.provider == provider, or_(*clauses)))


def apply_report(host: Amsflow, session: Session, provider: str,
                 report: DeliveryReport) -> str:
    """Apply one report; returns 'updated', 'ignored' (final already) or 'unknown'."""
    row = _find(session, provider, report)
    if row is None:
        return "unknown"
    if row.status in FINAL_OUT:
        return "ignored"
    row.status_at = report.timestamp or host.now()
    if report.state is DeliveryState.PENDING:
        row.status = PENDING
        return "updated"
    if report.state is DeliveryState.DELIVERED:
        row.status = DELIVERED
        return "updated"
    row.status = UNDELIVERED
    row.error = f"Ikke levert (kode {report.code})"
    issue = session.get(Issue, row.issue_id) if row.issue_id else None
    if issue is not None:
        system = host.system_user(session)
        what = LABEL.get(row.kind, "SMS")
        add_comment(host, session, issue, f"{what} til {row.phone} ble ikke levert "
                    f"(kode {report.code}). Ordren trenger manuell oppfølging.", system)
        try_transition(host, session, issue, "follow_up", system)
    return "updated"
