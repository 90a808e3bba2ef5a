"""A bulk chunk writes its orders' own rows in one version-checked UPDATE per set of
changed columns (``core.bulk.together``): one statement per chunk, not one per order,
and an order someone changed after the chunk read it is not overwritten."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, update

from core.bulk import service
from core.bulk.models import BulkTask
from core.hookspecs import hookimpl
from core.models import ChangeGroup, ChangeItem, Issue
from core.services import uow
from core.services.issues import create_issue
from tests.bulk.conftest import app_with_plugin, worked_sql


class Meddler:
    """Changes one order, in a transaction of its own, after the chunk has read it."""

    PLUGIN_NAME = "meddler"

    def __init__(self) -> None:
        self.victim: int | None = None

    @hookimpl
    def bulk_chunk_starting(self, host: Any, session: Any, task: Any, issues: list[Any],
                            params: dict[str, Any]) -> None:
        if self.victim in {i.id for i in issues}:
            with host.db.engine.begin() as conn:
                conn.execute(update(Issue).where(Issue.id == self.victim).values(
                    summary="Endret av en annen", version=Issue.version + 1))


@pytest.fixture
def meddler() -> Meddler:
    return Meddler()


@pytest.fixture
def app(config_dict: dict[str, Any], meddler: Meddler) -> Iterator[Any]:
    yield from app_with_plugin(config_dict, meddler, chunk=5)  # ELV only


def _orders(host: Any, session: Any, user: Any, n: int) -> list[Issue]:
    out = [create_issue(host, session, user, "ELV", "Målerbytte", f"Målerbytte {i}",
                        {"customer_name": f"Kunde {i}"}) for i in range(n)]
    host.db.commit(session)
    return out


def _run(host: Any, session: Any, user: Any, issues: list[Issue], operation: str,
         params: dict[str, Any]) -> tuple[BulkTask, list[str]]:
    task = uow.run(host, session, lambda: service.submit(
        host, session, user, issues, operation, params, notify=False))
    updates = worked_sql(host, session, "UPDATE issues")
    return session.get(BulkTask, task.id), updates


def test_a_chunk_updates_its_orders_in_one_statement(host, session, users, backend):
    planner = users["planner"]
    issues = _orders(host, session, planner, 10)  # two chunks of 5
    task, updates = _run(host, session, planner, issues, "transition", {"transition": "11"})
    assert (task.status, task.done) == ("COMPLETE", 10)
    assert len(updates) == 2
    assert {(i.status.key, i.version) for i in issues} == {("planning", 2)}
    task, updates = _run(host, session, planner, issues, "edit",
                         {"fields": {"assignee": "installer", "summary": "Ny tekst"}})
    assert (task.status, task.done) == ("COMPLETE", 10)
    assert len(updates) == 2
    assert {(i.assignee.username, i.summary, i.version) for i in issues} == {
        ("installer", "Ny tekst", 3)}


def test_an_order_changed_meanwhile_is_not_overwritten(host, session, users, meddler,
                                                       backend):
    planner = users["planner"]
    issues = _orders(host, session, planner, 10)
    meddler.victim = issues[7].id
    task, updates = _run(host, session, planner, issues, "transition", {"transition": "11"})
    # The second chunk's UPDATE found one order changed: it was done again order by
    # order, on the order as it now is.
    assert (task.status, task.done, task.failed) == ("COMPLETE", 10, 0)
    assert len(updates) == 1 + 2 + 5  # the meddler's, the chunks', the second chunk's orders'
    victim = session.get(Issue, issues[7].id)
    assert (victim.summary, victim.status.key, victim.version) == (
        "Endret av en annen", "planning", 3)
    changes = session.scalar(select(func.count()).select_from(ChangeItem).join(ChangeGroup)
                             .where(ChangeGroup.issue_id == victim.id,
                                    ChangeItem.field == "status"))
    assert changes == 1
