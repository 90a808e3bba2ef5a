"""Running a bulk task: chunked, throttled, each order on its own savepoint.

Each order's change and its item's outcome commit together, so when a worker
dies mid-way and the task is run again, finished orders are skipped and nothing
happens twice. Between chunks the runner pauses in proportion to the time the
chunk took (``jobs.bulk_pause_ratio``) so other users' requests keep their speed.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from ..models import Comment, Issue, User, utcnow
from ..services.errors import ServiceError
from ..workflow.context import WorkflowAbort
from . import operations
from .models import BulkItem, BulkTask

if TYPE_CHECKING:
    from ..host import Amsflow

log = logging.getLogger("amsflow.bulk")
FINAL = ("COMPLETE", "CANCELLED", "FAILED")


def run_task(host: Amsflow, task_id: str) -> str:
    """The ``core.bulk`` job. Safe to run again for the same task at any time."""
    session = host.db.session()
    task = session.get(BulkTask, task_id)
    if task is None or task.status in FINAL:
        return task.status if task else "MISSING"
    if not task.cancel_requested:
        task.status = "RUNNING"
    task.started = task.started or utcnow()
    host.db.commit(session)
    user = session.get(User, task.owner_id)
    params = json.loads(task.params_json)
    chunk = int(host.config["jobs"].get("bulk_chunk", 25))
    ratio = float(host.config["jobs"].get("bulk_pause_ratio", 0.3))
    session.info["amsflow_silent"] = not task.notify
    try:
        while True:
            session.refresh(task)
            if task.cancel_requested:
                task.status = "CANCELLED"
                break
            items = list(session.scalars(select(BulkItem).where(
                BulkItem.task_id == task.id, BulkItem.state == "pending")
                .order_by(BulkItem.seq).limit(chunk)))
            if not items:
                task.status = "COMPLETE"
                break
            started = time.perf_counter()
            for item in items:
                _one(host, session, user, task, item, params)
            _count(session, task)
            host.db.commit(session)
            pause = (time.perf_counter() - started) * ratio
            if pause > 0:
                time.sleep(pause)
    except Exception as exc:
        session.rollback()
        log.exception("bulk task %s failed", task_id)
        task = session.get(BulkTask, task_id)
        task.status = "FAILED"
        task.error = str(exc)[:2000]
        _count(session, task)
        task.finished = utcnow()
        host.db.commit(session)
        raise
    finally:
        session.info.pop("amsflow_silent", None)
    _count(session, task)
    task.finished = utcnow()
    host.db.commit(session)
    return task.status


def _one(host: Amsflow, session, user: User, task: BulkTask, item: BulkItem,  # noqa: ANN001
         params: dict) -> None:
    savepoint = session.begin_nested()
    try:
        issue = session.get(Issue, item.issue_id)
        if issue is None:
            raise ServiceError("Saken finnes ikke lenger.")
        operations.apply(host, session, user, issue, task.operation, params)
        session.flush()
        savepoint.commit()
        item.state, item.message = "done", ""
    except WorkflowAbort as exc:
        savepoint.rollback()
        item.state, item.message = "failed", "; ".join(exc.messages) or str(exc)
        if exc.comment and exc.issue_id:
            now = host.now()
            session.add(Comment(issue_id=exc.issue_id, body=exc.comment,
                                author_id=exc.author_id, created=now, updated=now))
    except (ServiceError, StaleDataError) as exc:
        savepoint.rollback()
        message = "; ".join([*getattr(exc, "messages", []),
                             *(f"{k}: {v}" for k, v in getattr(exc, "errors", {}).items())])
        item.state, item.message = "failed", (message or str(exc))[:2000]


def _count(session, task: BulkTask) -> None:  # noqa: ANN001
    rows = dict(session.execute(select(BulkItem.state, func.count()).where(
        BulkItem.task_id == task.id).group_by(BulkItem.state)).all())
    task.done, task.failed = rows.get("done", 0), rows.get("failed", 0)
    task.skipped, task.updated = rows.get("skipped", 0), utcnow()
