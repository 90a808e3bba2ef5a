"""The bulk task hooks: ``bulk_task_starting`` hands a project's plugins the pending
orders in run order, ``bulk_chunk_starting`` each chunk's orders in its transaction,
``bulk_task_finished`` says the task stopped; plugins of a project that does not
enable them hear nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.bulk import service
from core.bulk.models import BulkItem, BulkTask
from core.bulk.runner import run_task
from core.hookspecs import hookimpl
from core.jobs import run_worker
from core.services import uow
from core.services.issues import create_issue
from tests.bulk.conftest import app_with_plugin


class Spy:
    """A third-party-style plugin that records what the bulk hooks tell it."""

    PLUGIN_NAME = "bulkspy"

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    @hookimpl
    def bulk_task_starting(self, host: Any, task: Any, issues: list[Any],
                           params: dict[str, Any]) -> None:
        self.calls.append(("starting", (task.id, [i.key for i in issues], dict(params))))

    @hookimpl
    def bulk_chunk_starting(self, host: Any, session: Any, task: Any, issues: list[Any],
                            params: dict[str, Any]) -> None:
        from core.bulk.models import BulkItem as Item

        # In the chunk's transaction, before any of its orders changed.
        pending = {i.issue_id for i in session.query(Item).filter_by(
            task_id=task.id, state="pending")}
        statuses = {i.status.key for i in issues}
        self.calls.append(("chunk", ([i.key for i in issues], params["transition"],
                                     all(i.id in pending for i in issues), statuses)))

    @hookimpl
    def bulk_task_finished(self, host: Any, task: Any) -> None:
        self.calls.append(("finished", (task.id, task.status)))


@pytest.fixture
def spy() -> Spy:
    return Spy()


@pytest.fixture
def app(config_dict: dict[str, Any], spy: Spy) -> Iterator[Any]:
    yield from app_with_plugin(config_dict, spy, chunk=3)  # ELV only


def _orders(host: Any, session: Any, user: Any, project: str, n: int) -> list[Any]:
    out = [create_issue(host, session, user, project, "Målerbytte", f"{project} {i}",
                        {"customer_name": f"Kunde {i}"}) for i in range(n)]
    host.db.commit(session)
    return out


def _submit(host: Any, session: Any, user: Any, issues: list[Any]) -> BulkTask:
    return uow.run(host, session, lambda: service.submit(
        host, session, user, issues, "transition", {"transition": "START_PLANNING"}))


def test_hook_bulk_task_starting(host, session, users, spy):
    planner = users["planner"]
    fjn = _orders(host, session, planner, "FJN", 2)
    elv = _orders(host, session, planner, "ELV", 4)
    chosen = [fjn[0], elv[2], elv[0], fjn[1], elv[3], elv[1]]
    task = _submit(host, session, planner, chosen)
    run_worker(host, burst=True)
    starting = [arg for kind, arg in spy.calls if kind == "starting"]
    assert len(starting) == 1
    task_id, keys, params = starting[0]
    assert task_id == task.id
    assert keys == [i.key for i in chosen if i.key.startswith("ELV")]  # in run order
    assert params["transition"] == "START_PLANNING"

    # A resumed task hands over only what is still pending.
    session.expire_all()
    items = session.query(BulkItem).filter_by(task_id=task.id).order_by(BulkItem.seq).all()
    for item in items[-2:]:
        item.state = "pending"
    session.get(BulkTask, task.id).status = "RUNNING"
    host.db.commit(session)
    spy.calls.clear()
    run_task(host, task.id)
    [(_, resumed, _)] = [arg for kind, arg in spy.calls if kind == "starting"]
    pending_elv = [i.key for i in items[-2:] if i.key.startswith("ELV")]
    assert resumed == pending_elv


def test_hook_bulk_chunk_starting(host, session, users, spy):
    planner = users["planner"]
    fjn = _orders(host, session, planner, "FJN", 2)
    elv = _orders(host, session, planner, "ELV", 4)
    chosen = [fjn[0], elv[2], elv[0], fjn[1], elv[3], elv[1]]  # chunks of 3
    _submit(host, session, planner, chosen)
    run_worker(host, burst=True)
    chunks = [arg for kind, arg in spy.calls if kind == "chunk"]
    # Only ELV enables the spy: each chunk's ELV orders, in run order, still pending
    # and unchanged when the hook runs.
    assert chunks == [([elv[2].key, elv[0].key], "START_PLANNING", True, {"open"}),
                      ([elv[3].key, elv[1].key], "START_PLANNING", True, {"open"})]
    session.expire_all()
    assert {session.get(type(i), i.id).status.key for i in chosen} == {"planning"}


def test_hook_bulk_task_finished(host, session, users, spy):
    planner = users["planner"]
    done = _submit(host, session, planner, _orders(host, session, planner, "ELV", 4))
    cancelled = _submit(host, session, planner, _orders(host, session, planner, "ELV", 4))
    uow.run(host, session, lambda: service.cancel(host, session, planner, cancelled.id))
    only_fjn = _submit(host, session, planner, _orders(host, session, planner, "FJN", 2))
    run_worker(host, burst=True)
    finished = dict(arg for kind, arg in spy.calls if kind == "finished")
    assert finished == {done.id: "COMPLETE", cancelled.id: "CANCELLED"}
    assert only_fjn.id not in finished
    session.expire_all()
    assert session.get(BulkTask, only_fjn.id).status == "COMPLETE"
