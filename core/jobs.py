"""Background jobs: rq on Redis when configured, in process when not.

Every job is recorded in ``job_records`` so an admin sees failures with their
error either way. Jobs are looked up by name in the registry that plugins fill
through ``register_jobs``; a job function receives ``(host, **kwargs)``.
"""

from __future__ import annotations

import json
import logging
import threading
import traceback
import uuid
from typing import TYPE_CHECKING, Any

from .models import JobRecord, utcnow

if TYPE_CHECKING:
    from .host import Amsflow

log = logging.getLogger("amsflow.jobs")
_WORKER_HOST: Amsflow | None = None  # set only inside an ``amsflow worker`` process


class JobQueue:
    def __init__(self, host: Amsflow) -> None:
        self.host = host
        self.redis_url = host.config["redis_url"]
        self.queue_name = host.config["jobs"]["queue"]
        self._queue: Any = None

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
        """Queue a job by name. In process it runs now (or on a thread when
        ``background``), which keeps the embedded default simple and tests exact."""
        if name not in self.host.plugins.jobs:
            raise KeyError(f"unknown job '{name}'")
        job_id = job_id or uuid.uuid4().hex
        with self.host.db.new_session() as s:
            existing = s.get(JobRecord, job_id)
            if existing is not None and existing.status in ("queued", "started", "finished"):
                return job_id  # the same job id twice is one job
            if existing is None:
                s.add(JobRecord(id=job_id, name=name, args_json=json.dumps(kwargs,
                                                                          default=str)))
        if self.in_process:
            # Its own thread even when waited for: a job gets its own scoped session
            # and never touches (or closes) the caller's.
            thread = threading.Thread(target=execute, args=(self.host, job_id, name, kwargs),
                                      daemon=True, name=f"job-{name}")
            thread.start()
            if not background:
                thread.join()
        else:
            self.queue().enqueue(run_job, name, job_id, kwargs, job_id=job_id,
                                 job_timeout=3600, result_ttl=3600, failure_ttl=7 * 86400)
        return job_id


def execute(host: Amsflow, job_id: str, name: str, kwargs: dict[str, Any]) -> Any:
    """Run one job and record how it went; errors are kept, not swallowed."""
    entry = host.plugins.jobs.get(name)
    with host.db.new_session() as s:
        rec = s.get(JobRecord, job_id)
        if rec is not None:
            rec.status = "started"
            rec.attempts += 1
    try:
        result = entry.fn(host, **kwargs)
    except Exception as exc:
        log.exception("job %s (%s) failed", name, job_id)
        with host.db.new_session() as s:
            rec = s.get(JobRecord, job_id)
            if rec is not None:
                rec.status = "failed"
                rec.error = f"{exc}\n\n{traceback.format_exc()}"[-8000:]
                rec.finished = utcnow()
        host.db.remove()
        if not host.jobs.in_process:
            raise
        return None
    with host.db.new_session() as s:
        rec = s.get(JobRecord, job_id)
        if rec is not None:
            rec.status = "finished"
            rec.error = ""
            rec.finished = utcnow()
    host.db.remove()
    return result


def run_job(name: str, job_id: str, kwargs: dict[str, Any]) -> Any:
    """The function rq workers run; the worker built its host through the factory."""
    if _WORKER_HOST is None:
        raise RuntimeError("run_job needs a host: start workers with `amsflow worker`")
    return execute(_WORKER_HOST, job_id, name, kwargs)


def run_worker(host: Amsflow, burst: bool = False, name: str | None = None) -> None:
    """Run an rq worker in this process for the host's queue (no fork per job, so
    database pools are never shared across processes)."""
    from redis import Redis
    from rq import SimpleWorker

    global _WORKER_HOST
    _WORKER_HOST = host
    conn = Redis.from_url(host.config["redis_url"])
    worker = SimpleWorker([host.jobs.queue_name], connection=conn, name=name)
    worker.work(burst=burst, with_scheduler=False)


def run_periodic_once(host: Amsflow) -> list[str]:
    """Run every periodic task once now (the scheduler and tests call this)."""
    ran = []
    for entry in host.plugins.periodic:
        try:
            entry.fn(host)
            ran.append(entry.name)
        except Exception:
            log.exception("periodic task %s failed", entry.name)
        finally:
            host.db.remove()
    return ran
