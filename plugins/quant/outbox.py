"""The transactional outbox: outbound messages are rows written in the transaction
that decides to send them (the close with ``Ok``, the refused cancellation), so a
message exists exactly when that change committed.

Delivery jobs (``delivery``) claim due rows in ``id`` order, only the oldest
undelivered row of each order (strict order per order: a later message waits while
an earlier one is retrying or dead), under a lease so a worker killed mid-delivery
leaves rows that another claims once the lease ends. Each message keeps its
``webhook-id`` on every attempt, so Quant can drop a repeat (Standard Webhooks).
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from core.db import AFTER_COMMIT
from core.models import JobRecord

from .models import (
    DEAD,
    DELIVERED,
    OUT,
    PENDING,
    QUEUED,
    RETRYING,
    SEND_FAILED,
    SENDING,
    SENT,
    QuantMessage,
    QuantOrderRef,
)

if TYPE_CHECKING:
    from core.host import Amsflow

DRAIN_JOB = "quant.deliver"
VALIDATION_REQUEST = "order.validation_requested"
CANCEL_REFUSED = "order.cancel_refused"
_KICK = "quant_outbox_kick"
M = QuantMessage


def add(host: Amsflow, session: Session, kind: str, issue: Any, external_id: str | None,
        body: dict[str, Any]) -> QuantMessage:
    """Write one outbound message in the caller's transaction; a delivery job is
    queued once it commits (one per transaction)."""
    now = host.now()
    row = QuantMessage(direction=OUT, message_id=f"msg_{uuid.uuid4().hex}", kind=kind,
                       project_key=issue.project.key, external_id=external_id,
                       issue_id=issue.id, status=QUEUED, attempts=0,
                       payload=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                       created=now, updated=now, due_at=now, last_error="")
    session.add(row)
    pending = session.info.get(AFTER_COMMIT) or []
    mine = session.info.get(_KICK)
    if mine is None or not any(cb is mine for cb in pending):
        # Not yet queued in this transaction (or a rolled-back savepoint dropped it).
        def after() -> None:
            kick(host, issue.project.key)

        session.info[_KICK] = after
        host.db.after_commit(session, after)
    return row


def kick(host: Amsflow, project: str | None = None) -> str | None:
    """Queue a delivery job unless one is already waiting to start (it will see every
    row committed before it starts); returns the job id queued."""
    with host.db.new_session() as s:
        if s.scalar(select(JobRecord.id).where(JobRecord.name == DRAIN_JOB,
                                               JobRecord.status == "queued").limit(1)):
            return None
    project = project or next(iter(host.plugins.projects_enabling("quant")), None)
    settings = host.plugins.plugin_settings(project, "quant") if project else {}
    background = bool(settings.get("send_in_background", True))
    return host.jobs.enqueue(DRAIN_JOB, job_id=f"quant-deliver-{uuid.uuid4().hex[:20]}",
                             background=background)


@dataclass
class Claimed:
    id: int
    message_id: str
    kind: str
    project_key: str
    issue_id: int | None
    payload: str
    attempts: int


def claim(host: Amsflow, limit: int, lease_seconds: float) -> list[Claimed]:
    """Lease up to ``limit`` due messages, each the head of its order's queue."""
    now = host.now()
    earlier = aliased(QuantMessage)
    blocked = exists().where(earlier.direction == OUT, earlier.issue_id == M.issue_id,
                             earlier.id < M.id, earlier.status != DELIVERED)
    due = (select(M.id).where(M.direction == OUT, M.status.in_((QUEUED, RETRYING, SENDING)),
                              M.due_at <= now, ~blocked)
           .order_by(M.id).limit(limit).with_for_update(skip_locked=True, of=M))
    with host.db.new_session() as s:
        ids = list(s.scalars(due))
        if not ids:
            return []
        rows = s.execute(
            update(M).where(M.id.in_(ids), M.status.in_((QUEUED, RETRYING, SENDING)),
                            M.due_at <= now)
            .values(status=SENDING, attempts=M.attempts + 1, updated=now,
                    due_at=now + timedelta(seconds=lease_seconds))
            .returning(M.id, M.message_id, M.kind, M.project_key, M.issue_id, M.payload,
                       M.attempts)
            .execution_options(synchronize_session=False)).all()
    return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)


@dataclass
class Outcome:
    message: Claimed
    http_status: int | None = None
    error: str = ""
    retry: bool = True  # False: Quant refused it for good (a 4xx other than 408/429)

    @property
    def ok(self) -> bool:
        return not self.error


def backoff(settings: dict[str, Any], attempts: int) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones."""
    base = float(settings.get("retry_backoff_seconds", 10.0))
    cap = float(settings.get("retry_backoff_max_seconds", 600.0))
    return min(cap, base * math.pow(2, max(attempts - 1, 0)))


def record(host: Amsflow, outcomes: list[Outcome]) -> None:
    """Write how the attempts went, in one transaction."""
    if not outcomes:
        return
    now = host.now()
    done = [o for o in outcomes if o.ok]
    dead_issues: list[int] = []
    with host.db.new_session() as s:
        if done:
            for code in {o.http_status for o in done}:
                ids = [o.message.id for o in done if o.http_status == code]
                s.execute(update(M).where(M.id.in_(ids)).values(
                    status=DELIVERED, delivered_at=now, updated=now, http_status=code,
                    last_error="", due_at=None).execution_options(synchronize_session=False))
        for o in outcomes:
            if o.ok:
                continue
            settings = host.plugins.plugin_settings(o.message.project_key, "quant")
            spent = o.message.attempts > int(settings.get("retries", 20))
            dead = spent or not o.retry
            s.execute(update(M).where(M.id == o.message.id).values(
                status=DEAD if dead else RETRYING, updated=now, http_status=o.http_status,
                last_error=o.error[:2000],
                due_at=None if dead else now + timedelta(
                    seconds=backoff(settings, o.message.attempts)))
                .execution_options(synchronize_session=False))
            if dead and o.message.issue_id is not None:
                dead_issues.append(o.message.issue_id)
        sent = [o.message.issue_id for o in done
                if o.message.kind == VALIDATION_REQUEST and o.message.issue_id is not None]
        _mark_refs(s, sent, SENT, (PENDING, SEND_FAILED), now)
        _mark_refs(s, dead_issues, SEND_FAILED, (PENDING, SENT), now)


def _mark_refs(s: Session, issue_ids: list[int], status: str, when_in: tuple[str, ...],
               now: datetime) -> None:
    """The panel's validation state follows the request, unless Quant already answered."""
    if issue_ids:
        s.execute(update(QuantOrderRef).where(
            QuantOrderRef.issue_id.in_(issue_ids),
            QuantOrderRef.validation_status.in_(when_in))
            .values(validation_status=status, validation_at=now)
            .execution_options(synchronize_session=False))


def retry(host: Amsflow, session: Session, message_ids: list[int]) -> int:
    """An admin's retry: dead or retrying messages are due now with fresh attempts."""
    now = host.now()
    result = session.execute(update(M).where(
        M.id.in_(message_ids), M.direction == OUT, M.status.in_((DEAD, RETRYING)))
        .values(status=QUEUED, attempts=0, due_at=now, updated=now)
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


def due_count(host: Amsflow) -> int:
    with host.db.new_session() as s:
        return s.scalar(select(func.count()).select_from(M).where(and_(
            M.direction == OUT, M.status.in_((QUEUED, RETRYING, SENDING)),
            M.due_at <= host.now()))) or 0
