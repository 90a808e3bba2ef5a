"""Background jobs: rq on Redis when configured, in process when not.

Every job is recorded in ``job_records`` so an admin sees failures with their
error either way. Jobs are looked up by name in the registry that plugins fill
through ``register_jobs``; a job function receives ``(host, **kwargs)``.
"""

from __future__ import annotations

import contextvars
import json
import logging
import threading
import traceback
import uuid
from typing import TYPE_CHECKING, Any

from rq import SimpleWorker

from .models import JobRecord, utcnow

if TYPE_CHECKING:
    from .host import Amsflow

log = logging.getLogger("amsflow.jobs")


class HostWorker(SimpleWorker):
    """An rq worker (no fork per job, so database pools are never shared between
    processes) that runs amsflow's jobs with the host of the app that started it."""

    def __init__(self, host: Amsflow, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.host = host

    def execute_job(self, job: Any, queue: Any) -> Any:
        token = _RUNNING.set(self)  # SimpleWorker runs the job right here, in this context
        try:
            return super().execute_job(job, queue)
        finally:
            _RUNNING.reset(token)


# Which worker runs the current job (rq calls ``run_job`` by its import path, with
# only the job's arguments): a context variable, set around each job, not app state.
_RUNNING: contextvars.ContextVar[HostWorker | None] = contextvars.ContextVar(
    "amsflow_running_worker", default=None)


class JobQueue:
    def __init__(self, host: Amsflow) -> None:
        self.host = host
        self.redis_url = host.config["redis_url"]
        self.queue_name = host.config["jobs"]["queue"]
        self._queue: Any = None
        self._threads: list[threading.Thread] = []

    @property
    def in_process(self) -> bool:
        return not self.redis_url

    def queue(self) -> Any:
        if self._queue is None:
            from redis import Redis
            from rq import Queue

            self._queue = Queue(self.queue_name, connection=Redis.from_url(self.redis_url))
        return self._queue

    def enqueue(self, name: str, *, job_id: str | None = None, background: bool = False,
                **kwargs: Any) -> str:
        """Queue a job by name. In process it runs now, in its own session scope
        (or on a thread when ``background``), which keeps the embedded default
        simple and tests exact. A job id given twice is one job."""
        if name not in self.host.plugins.jobs:
            raise KeyError(f"unknown job '{name}'")
        if self.in_process and not background and job_id is None:
            # The cheap path for small side effects (mail, notifications): only a
            # failure is recorded, so it stays visible to an admin.
            job_id = uuid.uuid4().hex
            execute(self.host, job_id, name, kwargs, recorded=False)
            return job_id
        job_id = job_id or uuid.uuid4().hex
        with self.host.db.new_session() as s:
            existing = s.get(JobRecord, job_id)
            if existing is not None and existing.status in ("queued", "started", "finished"):
                return job_id
            if existing is None:
                s.add(JobRecord(id=job_id, name=name, args_json=_json(kwargs)))
        if not self.in_process:
            self.queue().enqueue(run_job, name, job_id, kwargs, job_id=job_id,
                                 job_timeout=3600, result_ttl=3600, failure_ttl=7 * 86400)
        elif background:
            thread = threading.Thread(target=execute, args=(self.host, job_id, name, kwargs),
                                      daemon=True, name=f"job-{name}")
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()
        else:
            execute(self.host, job_id, name, kwargs)
        return job_id


    def wait(self, timeout: float = 30.0) -> bool:
        """Wait for in-process background jobs (shutdown, tests); True if all ended."""
        for thread in list(self._threads):
            thread.join(timeout)
        return not any(t.is_alive() for t in self._threads)


def _json(kwargs: dict[str, Any]) -> str:
    return json.dumps(kwargs, default=str)


def execute(host: Amsflow, job_id: str, name: str, kwargs: dict[str, Any],
            recorded: bool = True) -> Any:
    """Run one job in a session scope of its own and record how it went; errors
    are kept, never swallowed."""
    entry = host.plugins.jobs.get(name)
    if recorded:
        _mark(host, job_id, "started")
    try:
        with host.db.job_scope(job_id):
            result = entry.fn(host, **kwargs)
    except Exception as exc:
        log.exception("job %s (%s) failed", name, job_id)
        error = f"{exc}\n\n{traceback.format_exc()}"[-8000:]
        with host.db.new_session() as s:
            rec = s.get(JobRecord, job_id)
            if rec is None:
                rec = JobRecord(id=job_id, name=name, args_json=_json(kwargs), attempts=1)
                s.add(rec)
            rec.status, rec.error, rec.finished = "failed", error, utcnow()
        if not host.jobs.in_process:
            raise
        return None
    if recorded:
        _mark(host, job_id, "finished")
    return result


def _mark(host: Amsflow, job_id: str, status: str) -> None:
    with host.db.new_session() as s:
        rec = s.get(JobRecord, job_id)
        if rec is not None:
            rec.status = status
            if status == "started":
                rec.attempts += 1
            else:
                rec.error, rec.finished = "", utcnow()


def run_job(name: str, job_id: str, kwargs: dict[str, Any]) -> Any:
    """The function rq workers run; the worker built its host through the factory."""
    worker = _RUNNING.get()
    if worker is None:
        raise RuntimeError("run_job needs a host: start workers with `amsflow worker`")
    return execute(worker.host, job_id, name, kwargs)


def run_worker(host: Amsflow, burst: bool = False, name: str | None = None) -> None:
    """Run an rq worker in this process for the host's queue (no fork per job, so
    database pools are never shared across processes)."""
    from redis import Redis

    conn = Redis.from_url(host.config["redis_url"])
    worker = HostWorker(host, [host.jobs.queue_name], connection=conn, name=name)
    worker.work(burst=burst, with_scheduler=False)


def run_periodic_once(host: Amsflow) -> list[str]:
    """Run every periodic task once now (the scheduler and tests call this)."""
    ran = []
    for entry in host.plugins.periodic:
        try:
            with host.db.job_scope(f"periodic-{entry.name}"):
                entry.fn(host)
            ran.append(entry.name)
        except Exception:
            log.exception("periodic task %s failed", entry.name)
    return ran
