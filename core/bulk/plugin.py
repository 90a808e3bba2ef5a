"""Bulk change (Masseoppdatering) as an essential plugin of the core."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ..hookspecs import hookimpl
from . import api  # noqa: F401 - fills the API route table
from .models import BulkTask
from .runner import enqueue_runners, run_runner

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
    def bulk(host: Any, task_id: str, runner: int = 0, runners: int = 1) -> dict[str, Any]:
        """One runner of a task; the result says how many orders it did."""
        status, orders = run_runner(host, task_id, runner, runners)
        return {"status": status, "runner": runner, "orders": orders}


@hookimpl
def register_periodic_tasks(registry: Any) -> None:
    @registry.periodic("core.bulk.resume", seconds=60)
    def resume(host: Any) -> None:
        """Run again the tasks whose workers all died: RUNNING with no progress for
        a while (one runner dying alone leaves its chunk to the others at once).
        Items already done are skipped, so nothing happens twice."""
        cutoff = host.now() - STALE_AFTER
        with host.db.new_session() as s:
            stale = list(s.scalars(select(BulkTask.id).where(
                BulkTask.status.in_(("RUNNING", "CANCEL_REQUESTED")),
                BulkTask.updated < cutoff)))
        for task_id in stale:
            enqueue_runners(host, task_id, tag=f"-resume-{host.now():%H%M%S}")
