"""Bulk change (Masseoppdatering) as an essential plugin of the core."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ..hookspecs import hookimpl
from . import api  # noqa: F401 - fills the API route table
from .models import BulkTask
from .runner import run_task

STALE_AFTER = timedelta(minutes=5)


@hookimpl
def register_models() -> None:
    """The bulk tables live in .models (imported above with this module)."""


@hookimpl
def register_blueprints(app: Any) -> list[Any]:
    """The wizard's pages (the REST routes live in the core API's route table)."""
    from .web import blueprint

    return [blueprint()]


@hookimpl
def register_jobs(registry: Any) -> None:
    @registry.job("core.bulk")
    def bulk(host: Any, task_id: str) -> str:
        return run_task(host, task_id)


@hookimpl
def register_periodic_tasks(registry: Any) -> None:
    @registry.periodic("core.bulk.resume", seconds=60)
    def resume(host: Any) -> None:
        """Run again the tasks whose worker died: RUNNING with no progress for a
        while. Items already done are skipped, so nothing happens twice."""
        cutoff = host.now() - STALE_AFTER
        with host.db.new_session() as s:
            stale = list(s.scalars(select(BulkTask.id).where(
                BulkTask.status.in_(("RUNNING", "CANCEL_REQUESTED")),
                BulkTask.updated < cutoff)))
        for task_id in stale:
            host.jobs.enqueue("core.bulk", job_id=f"bulk-{task_id}-resume-{host.now():%H%M%S}",
                              background=True, task_id=task_id)
