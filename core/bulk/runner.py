"""Running a bulk task: chunked, throttled, each order on its own savepoint, on
one or several runners at once.

Each order's change and its item's outcome commit together, so when a worker
dies mid-way and the task is run again, finished orders are skipped and nothing
happens twice. Between chunks the runner pauses in proportion to the time the
chunk took (``jobs.bulk_pause_ratio``) so other users' requests keep their speed.
A chunk's orders are read in one query, not one each, and their field values in one
more only if the chunk's work reads any (a plain transition does not).

Several runners (``jobs.bulk_workers`` rq jobs, PostgreSQL only) work one task:
each claims a chunk of pending items with ``FOR UPDATE SKIP LOCKED`` and holds
those row locks until the chunk commits. A runner that dies takes its locks with
it (its transaction rolls back), so the chunk is pending and free again at once,
with no claim columns and no timeout. Counters are incremented in SQL in the
chunk's transaction. When nothing is left to claim a runner waits for the other
runners' chunks in flight (the same claim without SKIP LOCKED), and the task is
finished by a conditional update, so it ends exactly once and
``bulk_task_finished`` fires once. Runner ``k`` of ``n`` starts at the ``k``-th
share of the pending items (and wraps around), so runners rarely meet and a
plugin preparing work ahead (letters) prepares mostly its own runner's orders.
Runners run at a lower CPU priority (``jobs.bulk_nice``) on a thread of their own.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.exc import StaleDataError

from ..analyze import LARGE_TASK, analyze
from ..db import DEFER_FLUSH, SETTLE_LATER
from ..i18n import _
from ..models import Issue, User, utcnow
from ..services.comments import keep_abort_comment
from ..services.errors import ServiceError
from ..services.issues import values_together
from ..workflow.context import WorkflowAbort
from . import operations
from .hooks import chunk_starting, task_finished, task_starting
from .models import BulkItem, BulkTask
from .together import update_together

if TYPE_CHECKING:
    from ..host import Amsflow

log = logging.getLogger("amsflow.bulk")
FINAL = ("COMPLETE", "CANCELLED", "FAILED")
DEFAULT_CHUNK = 100
DEFAULT_PAUSE_RATIO = 0.2
DEFAULT_WORKERS = 1
DEFAULT_NICE = 10
_T = TypeVar("_T")


def runner_count(host: Amsflow) -> int:
    """How many runner jobs a task gets: ``jobs.bulk_workers`` on PostgreSQL with
    rq workers; one in process or on SQLite (no row locks to share a task by)."""
    if host.jobs.in_process or host.db.dialect != "postgresql":
        return 1
    return max(1, int(host.config["jobs"].get("bulk_workers", DEFAULT_WORKERS)))


def enqueue_runners(host: Amsflow, task_id: str, tag: str = "") -> list[str]:
    """Queue the task's runner jobs (``tag`` makes the ids of a resume new)."""
    n = runner_count(host)
    return [host.jobs.enqueue("core.bulk", job_id=f"bulk-{task_id}{tag}" + (f"-{k}" if k else ""),
                              background=True, task_id=task_id, runner=k, runners=n)
            for k in range(n)]


def run_task(host: Amsflow, task_id: str, runner: int = 0, runners: int = 1) -> str:
    """The ``core.bulk`` job (runner ``runner`` of ``runners``). Safe to run again for
    the same task at any time, and next to other runners of it. Returns the task's
    status as this runner left it."""
    return run_runner(host, task_id, runner, runners)[0]


def run_runner(host: Amsflow, task_id: str, runner: int = 0,
               runners: int = 1) -> tuple[str, int]:
    """``run_task``, also returning how many orders this runner did (for its job result).
    Runs at ``jobs.bulk_nice`` (on Linux), so when the CPU is short people's requests
    go first and the runners take what is left."""
    nice = int(host.config["jobs"].get("bulk_nice", DEFAULT_NICE))
    if nice <= 0 or not sys.platform.startswith("linux"):
        return _run(host, task_id, runner, runners)
    return _on_niced_thread(host, nice, lambda: _run(host, task_id, runner, runners))


def _on_niced_thread(host: Amsflow, nice: int, fn: Callable[[], _T]) -> _T:
    """Run ``fn`` on a thread of its own at a lower priority. Linux keeps the nice
    value per thread and an unprivileged process cannot raise it again, so the
    worker's own thread is left as it was; the thread ends with the job."""
    outcome: dict[str, Any] = {}
    context = contextvars.copy_context()  # the job's session scope and the like

    def body() -> None:
        me = threading.get_native_id()
        try:  # never above the worker's own priority: that needs a privilege
            os.setpriority(os.PRIO_PROCESS, me, max(nice, os.getpriority(os.PRIO_PROCESS, me)))
        except OSError as exc:
            log.warning("bulk runner keeps its priority: %s", exc)
        try:
            outcome["result"] = context.run(fn)
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc
        finally:
            context.run(host.db.remove)

    thread = threading.Thread(target=body, name="bulk-runner", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _run(host: Amsflow, task_id: str, runner: int, runners: int) -> tuple[str, int]:
    session = host.db.session()
    task = session.get(BulkTask, task_id, with_for_update=True, populate_existing=True)
    if task is None or task.status in FINAL:
        host.db.commit(session)
        return (task.status if task else "MISSING"), 0
    if not task.cancel_requested:
        task.status = "RUNNING"
    task.started = task.started or utcnow()
    _count(session, task)  # under the task row's lock: no runner's increment is lost
    host.db.commit(session)
    user = session.get(User, task.owner_id)
    params = json.loads(task.params_json)
    jobs = host.config["jobs"]
    chunk = max(1, int(jobs.get("bulk_chunk", DEFAULT_CHUNK)))
    ratio = float(jobs.get("bulk_pause_ratio", DEFAULT_PAUSE_RATIO))
    projects: list[str] = []
    worked = [0]
    session.info["amsflow_silent"] = not task.notify
    try:
        start = _start_seq(session, task_id, runner, runners)
        projects = task_starting(host, session, task, params, start)
        status = _loop_retrying_locks(host, session, user, task, params, chunk, ratio,
                                      start, worked)
    except Exception as exc:
        session.rollback()
        log.exception("bulk task %s failed", task_id)
        error = (_("Databasen var låst av andre skrivinger for lenge (SQLite: «database is "
                   "locked»). %(done)s saker ble endret før oppgaven stoppet; start den "
                   "på nytt for resten.", done=worked[0]) if _locked(exc) else str(exc))
        failed = _finish(host, session, task_id, "FAILED", error[:2000])
        if failed is not None:
            task_finished(host, failed, projects)
        raise
    finally:
        session.info.pop("amsflow_silent", None)
    finished = _finish(host, session, task_id, status)
    if finished is not None:
        task_finished(host, finished, projects)
        if finished.done >= int(jobs.get("analyze_after", LARGE_TASK)):  # core.analyze
            analyze(host.db.engine)
    log.info("bulk task %s runner %d/%d: %d orders", task_id, runner + 1, runners, worked[0])
    if finished is None:  # another runner ended it: its status, not the one this session saw
        finished = session.get(BulkTask, task_id, populate_existing=True)
        host.db.commit(session)
    return finished.status, worked[0]


LOCK_RETRIES = 3  # a chunk SQLite found locked (past its busy timeout) is tried again


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def _loop_retrying_locks(host: Amsflow, session: Session, user: User, task: BulkTask,
                         params: dict[str, Any], chunk: int, ratio: float, start: int,
                         worked: list[int]) -> str | None:
    """``_loop``; a chunk that SQLite refused as locked is rolled back and the loop goes
    on from the pending items (done chunks are committed), a few times, with a pause."""
    for attempt in range(LOCK_RETRIES + 1):
        try:
            return _loop(host, session, user, task, params, chunk, ratio, start, worked)
        except OperationalError as exc:
            if not _locked(exc) or attempt == LOCK_RETRIES:
                raise
            session.rollback()
            log.warning("bulk task %s: database locked, chunk tried again", task.id)
            time.sleep(1.0 * (attempt + 1))
    return None


def _start_seq(session: Session, task_id: str, runner: int, runners: int) -> int:
    """Where runner ``runner`` of ``runners`` starts: the first seq of its share of the
    pending items (it wraps around to the rest after)."""
    if runner <= 0 or runners <= 1:
        return -1
    pending = BulkItem.task_id == task_id, BulkItem.state == "pending"
    total = session.scalar(select(func.count()).select_from(BulkItem).where(*pending)) or 0
    seq = session.scalar(select(BulkItem.seq).where(*pending).order_by(BulkItem.seq)
                         .offset(runner * total // runners).limit(1))
    return -1 if seq is None else seq


def _claim(session: Session, task_id: str, chunk: int, start: int, wait: bool) -> list[int]:
    """Lock and return up to ``chunk`` pending items from ``start`` on, in run order.
    Without ``wait`` items other runners hold are skipped; with it the claim waits
    for them (their chunk commits, or rolls back when its runner died)."""
    stmt = (select(BulkItem.issue_id).where(BulkItem.task_id == task_id,
                                            BulkItem.state == "pending", BulkItem.seq >= start)
            .order_by(BulkItem.seq).limit(chunk)
            .with_for_update(skip_locked=not wait))
    return list(session.scalars(stmt))


def _loop(host: Amsflow, session: Session, user: User, task: BulkTask, params: dict[str, Any],
          chunk: int, ratio: float, start: int, worked: list[int]) -> str | None:
    """Claim and do chunks until none is left; returns the status to finish the task
    with, or None when another runner already finished it."""
    batchable = _batchable(host, task, params)
    while True:
        ids = _claim(session, task.id, chunk, start, wait=False)
        if not ids and start >= 0:
            start = -1  # this runner's share is done: help with the rest
            continue
        if not ids:
            ids = _claim(session, task.id, chunk, -1, wait=True)
        status, cancel = session.execute(select(BulkTask.status, BulkTask.cancel_requested)
                                         .where(BulkTask.id == task.id)).one()
        if status in FINAL or cancel or not ids:
            # Lets the claimed items go; a commit, as a rollback would expire every
            # object the session holds for nothing (the claim changed no row).
            session.commit()
            return None if status in FINAL else "CANCELLED" if cancel else "COMPLETE"
        started = time.perf_counter()
        # Field values load only if the chunk's work reads them, then for all at once.
        issues = {i.id: i for i in session.scalars(
            select(Issue).where(Issue.id.in_(ids)).options(lazyload(Issue.values))).unique()}
        with values_together(session, list(issues.values())):
            chunk_starting(host, session, task, params, [issues[i] for i in ids if i in issues])
            results = (_chunk_at_once(host, session, user, task, issues, ids, params)
                       if batchable else None)
            if results is None:  # something failed: each order on its own savepoint
                results = [_one(host, session, user, task, issues.get(i), params) for i in ids]
        outcomes = [{"task_id": task.id, "issue_id": issue_id, **result}
                    for issue_id, result in zip(ids, results, strict=True)]
        # The items' outcomes commit with the chunk's changes: one statement, not one each.
        session.execute(update(BulkItem), outcomes)
        done = sum(1 for o in outcomes if o["state"] == "done")
        # In SQL, last before commit: other runners' increments are never lost, and the
        # task row is locked only for the commit.
        session.execute(update(BulkTask).where(BulkTask.id == task.id).values(
            done=BulkTask.done + done, failed=BulkTask.failed + (len(outcomes) - done),
            updated=utcnow()).execution_options(synchronize_session=False))
        host.db.commit(session)
        worked[0] += len(ids)
        pause = (time.perf_counter() - started) * ratio
        if pause > 0:
            time.sleep(pause)


def _finish(host: Amsflow, session: Session, task_id: str, status: str | None,
            error: str = "") -> BulkTask | None:
    """End the task with ``status`` unless another runner already ended it; returns
    the task when this runner ended it. Waits for other runners' chunks in flight
    (locking the pending items first, then the task row, in the order a chunk
    takes them), so the counts are final."""
    if status is None:  # another runner ended it
        session.commit()
        return None
    if status != "COMPLETE":  # COMPLETE: the waiting claim found nothing pending
        session.execute(select(BulkItem.issue_id).where(
            BulkItem.task_id == task_id, BulkItem.state == "pending")
            .order_by(BulkItem.seq).with_for_update())
    task = session.get(BulkTask, task_id, with_for_update=True, populate_existing=True)
    if task.status in FINAL:
        host.db.commit(session)
        return None
    task.status = status
    if error:
        task.error = error
    _count(session, task)
    task.finished = utcnow()
    host.db.commit(session)
    return task


def _batchable(host: Amsflow, task: BulkTask, params: dict[str, Any]) -> bool:
    """Can a whole chunk be tried at once? Only when a rollback of the chunk and a
    second try order by order repeats nothing outside the database: field edits,
    and transitions whose post-functions are the core's own or registered
    ``batchable`` (booking SMS: sent while the chunk is written, settled after its
    flush, never sent twice for the same order version)."""
    if task.operation == "edit":
        return True
    if task.operation != "transition":
        return False
    registry = host.plugins.workflow_functions.post_functions
    for workflow in host.workflows.values():
        transition = workflow.by_ref(params["transition"])
        if transition is None:
            continue
        for ref in transition.post_functions:
            entry = registry.get(ref.name)
            if entry.plugin != "core" and not entry.options.get("batchable"):
                return False
    return True


def _chunk_at_once(host: Amsflow, session: Session, user: User, task: BulkTask,
                   issues: dict[int, Issue], ids: list[int],
                   params: dict[str, Any]) -> list[dict[str, str]] | None:
    """The fast path: the chunk's orders on one savepoint with one flush, so the
    statements go out in batches (the orders' own rows in one UPDATE per set of
    changed columns, ``update_together``). Any failure rolls the chunk back (None): the
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
        update_together(session, [issues[i] for i in ids])
        session.flush()
        host.db.settle_deferred(session)  # gateway answers, after the chunk's writes
        session.flush()
        savepoint.commit()
    except (ServiceError, StaleDataError):
        session.info.pop(DEFER_FLUSH, None)
        session.info.pop(SETTLE_LATER, None)
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
            keep_abort_comment(host, session, exc.issue_id, exc.comment, exc.author_id)
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
