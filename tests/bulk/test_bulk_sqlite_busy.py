"""A bulk change on the embedded default (SQLite) while people keep writing: the task
finishes; it waits for the write lock instead of stopping at "database is locked"."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import update

from core.bulk import service
from core.bulk.models import BulkTask
from core.bulk.runner import run_task
from core.models import Issue
from core.services import uow
from core.services.issues import create_issue


@pytest.fixture
def config_dict(config_dict: dict[str, Any]) -> dict[str, Any]:
    # Jobs go to Redis (no worker listens), so the test's run_task is the only runner:
    # in process, the submit would start a second one on its own thread.
    config_dict["redis_url"] = "redis://127.0.0.1:6379/0"
    config_dict["jobs"] = {"queue": f"test-{uuid.uuid4().hex[:8]}", "bulk_chunk": 5,
                           "bulk_pause_ratio": 0.0}
    return config_dict


def test_bulk_edit_finishes_while_others_write(host: Any, session: Any, users: Any) -> None:
    planner = users["planner"]
    issues = [uow.run(host, session, lambda i=i: create_issue(
        host, session, planner, "ELV", "Målerbytte", f"Målerbytte {i}", {}))
        for i in range(60)]
    other = issues[0].id
    task = uow.run(host, session, lambda: service.submit(
        host, session, planner, issues[1:], "edit", {"fields": {"summary": "Ny tekst"}},
        notify=False))
    stop = threading.Event()
    writes = [0]

    def writer() -> None:  # another request that reads, then writes, again and again
        while not stop.is_set():
            with host.db.new_session() as s:
                s.get(Issue, other)
                s.execute(update(Issue).where(Issue.id == other)
                          .values(description=f"v{writes[0]}"))
                s.commit()
            writes[0] += 1

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        status = run_task(host, task.id)
    finally:
        stop.set()
        thread.join(10)
    session.expire_all()
    task = session.get(BulkTask, task.id)
    assert (status, task.done, task.failed, task.error or "") == ("COMPLETE", 59, 0, "")
    assert writes[0] > 0
