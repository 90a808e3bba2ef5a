"""Running a bulk task: chunked, throttled, each order on its own savepoint.

Each order's change and its item's outcome commit together, so when a worker
dies mid-way and the task is run again, finished orders are skipped and nothing
happens twice. Between chunks the runner pauses in proportion to the time the
chunk took (``jobs.bulk_pause_ratio``) so other users' requests keep their speed.
A chunk's orders are read in one query, not one each.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..db import DEFER_FLUSH
from ..models import Comment, Issue, User, utcnow
from ..services.errors import ServiceError
from ..workflow.context import WorkflowAbort
from . import operations
from .hooks import task_finished, task_starting
from .models import BulkItem, BulkTask

if TYPE_CHECKING:
    from ..host import Amsflow

log = logging.getLogger("amsflow.bulk")
FINAL = ("COMPLETE", "CANCELLED", "FAILED")
DEFAULT_CHUNK = 100
DEFAULT_PAUSE_RATIO = 0.2


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
    jobs = host.config["jobs"]
    chunk = max(1, int(jobs.get("bulk_chunk", DEFAULT_CHUNK)))
    ratio = float(jobs.get("bulk_pause_ratio", DEFAULT_PAUSE_RATIO))
    projects: list[str] = []
    session.info["amsflow_silent"] = not task.notify
    try:
        projects = task_starting(host, session, task, params)
        _loop(host, session, user, task, params, chunk, ratio)
    except Exception as exc:
        session.rollback()
        log.exception("bulk task %s failed", task_id)
        task = session.get(BulkTask, task_id)
        task.status = "FAILED"
        task.error = str(exc)[:2000]
        _finish(host, session, task)
        task_finished(host, task, projects)
        raise
    finally:
        session.info.pop("amsflow_silent", None)
    _finish(host, session, task)
    task_finished(host, task, projects)
    return task.status


def _loop(host: Amsflow, session: Session, user: User, task: BulkTask, params: dict[str, Any],
          chunk: int, ratio: float) -> None:
    _count(session, task)
    batchable = _batchable(host, task, params)
    while True:
        session.refresh(task)
        if task.cancel_requested:
            task.status = "CANCELLED"
            return
        ids = list(session.scalars(select(BulkItem.issue_id).where(
            BulkItem.task_id == task.id, BulkItem.state == "pending")
            .order_by(BulkItem.seq).limit(chunk)))
        if not ids:
            task.status = "COMPLETE"
            return
        started = time.perf_counter()
        issues = {i.id: i for i in session.scalars(
            select(Issue).where(Issue.id.in_(ids))).unique()}
        results = (_chunk_at_once(host, session, user, task, issues, ids, params)
                   if batchable else None)
        if results is None:  # something failed: each order on its own savepoint
            results = [_one(host, session, user, task, issues.get(i), params) for i in ids]
        outcomes = [{"task_id": task.id, "issue_id": issue_id, **result}
                    for issue_id, result in zip(ids, results, strict=True)]
        # The items' outcomes commit with the chunk's changes: one statement, not one each.
        session.execute(update(BulkItem), outcomes)
        task.done += sum(1 for o in outcomes if o["state"] == "done")
        task.failed += sum(1 for o in outcomes if o["state"] == "failed")
        task.updated = utcnow()
        host.db.commit(session)
        pause = (time.perf_counter() - started) * ratio
        if pause > 0:
            time.sleep(pause)


def _finish(host: Amsflow, session: Session, task: BulkTask) -> None:
    _count(session, task)
    task.finished = utcnow()
    host.db.commit(session)


def _batchable(host: Amsflow, task: BulkTask, params: dict[str, Any]) -> bool:
    """Can a whole chunk be tried at once? Only when nothing in it reaches outside
    the database before commit (no SMS sent, no letter written): field edits, and
    transitions whose post-functions are all the core's own."""
    if task.operation == "edit":
        return True
    if task.operation != "transition":
        return False
    registry = host.plugins.workflow_functions.post_functions
    for workflow in host.workflows.values():
        transition = workflow.by_ref(params["transition"])
        if transition is not None and any(registry.get(ref.name).plugin != "core"
                                          for ref in transition.post_functions):
            return False
    return True


def _chunk_at_once(host: Amsflow, session: Session, user: User, task: BulkTask,
                   issues: dict[int, Issue], ids: list[int],
                   params: dict[str, Any]) -> list[dict[str, str]] | None:
    """The fast path: the chunk's orders on one savepoint with one flush, so the
    statements go out in batches. Any failure rolls the chunk back (None): the
    caller then does each order on its own savepoint, so outcomes are the same."""
    mark = host.db.after_commit_mark(session)
    savepoint = session.begin_nested()
    session.info[DEFER_FLUSH] = True
    try:
        with session.no_autoflush:
            for issue_id in ids:
                issue = issues.get(issue_id)
                if issue is None:
                    raise ServiceError("Saken finnes ikke lenger.")
                operations.apply(host, session, user, issue, task.operation, params)
        session.info.pop(DEFER_FLUSH, None)
        session.flush()
        savepoint.commit()
    except (ServiceError, StaleDataError):
        session.info.pop(DEFER_FLUSH, None)
        savepoint.rollback()
        host.db.after_commit_reset(session, mark)
        return None
    return [{"state": "done", "message": ""} for _ in ids]


def _one(host: Amsflow, session: Session, user: User, task: BulkTask, issue: Issue | None,
         params: dict[str, Any]) -> dict[str, str]:
    """Change one order on its own savepoint; returns the item's state and message."""
    mark = host.db.after_commit_mark(session)
    savepoint = session.begin_nested()
    try:
        if issue is None:
            raise ServiceError("Saken finnes ikke lenger.")
        operations.apply(host, session, user, issue, task.operation, params)
        session.flush()
        savepoint.commit()
        return {"state": "done", "message": ""}
    except WorkflowAbort as exc:
        savepoint.rollback()
        host.db.after_commit_reset(session, mark)
        if exc.comment and exc.issue_id:
            now = host.now()
            session.add(Comment(issue_id=exc.issue_id, body=exc.comment,
                                author_id=exc.author_id, created=now, updated=now))
        return {"state": "failed", "message": "; ".join(exc.messages) or str(exc)}
    except (ServiceError, StaleDataError) as exc:
        savepoint.rollback()
        host.db.after_commit_reset(session, mark)
        message = "; ".join([*getattr(exc, "messages", []),
                             *(f"{k}: {v}" for k, v in getattr(exc, "errors", {}).items())])
        return {"state": "failed", "message": (message or str(exc))[:2000]}


def _count(session: Session, task: BulkTask) -> None:
    rows = dict(session.execute(select(BulkItem.state, func.count()).where(
        BulkItem.task_id == task.id).group_by(BulkItem.state)).all())
    task.done, task.failed = rows.get("done", 0), rows.get("failed", 0)
    task.skipped, task.updated = rows.get("skipped", 0), utcnow()
