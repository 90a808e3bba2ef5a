"""Bulk change: every operation, mixed selections, cancel, failures in the middle,
a worker killed and the task run again, permissions. Tasks run on real rq workers
(Redis) so the test decides when work happens."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import func, select

from conftest import ROOT
from core.bulk import service
from core.bulk.models import BulkItem, BulkTask
from core.bulk.runner import run_task
from core.jobs import run_periodic_once, run_worker
from core.models import ChangeGroup, ChangeItem, Issue, Watcher
from core.services import uow
from core.services.errors import Forbidden, InvalidInput
from core.services.issues import create_issue, get_value
from core.workflow.engine import transition_issue
from tests.bulk.conftest import worked_sql

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def config_dict(config_dict):
    config_dict["redis_url"] = REDIS
    config_dict["jobs"] = {"queue": f"test-{uuid.uuid4().hex[:8]}", "bulk_chunk": 5,
                           "bulk_pause_ratio": 0.0}
    return config_dict


def _orders(host, session, user, n, project="ELV"):
    out = [create_issue(host, session, user, project, "Målerbytte", f"Målerbytte {i}",
                        {"customer_name": f"Kunde {i}"}) for i in range(n)]
    host.db.commit(session)
    return out


def _submit(host, session, user, issues, operation, params, notify=True):
    return uow.run(host, session, lambda: service.submit(
        host, session, user, issues, operation, params, notify))


def _status_changes(session, issue_id):
    return session.scalar(select(func.count()).select_from(ChangeItem).join(ChangeGroup).where(
        ChangeGroup.issue_id == issue_id, ChangeItem.field == "status"))


def test_transition_mixed_selection_reports_skipped(host, session, users, backend):
    planner = users["planner"]
    issues = _orders(host, session, planner, 12)
    uow.run(host, session, lambda: transition_issue(host, session, planner, issues[0], "11"))
    task = _submit(host, session, planner, issues, "transition", {"transition": "11"})
    assert task.skipped == 1
    run_worker(host, burst=True)
    session.expire_all()
    task = session.get(BulkTask, task.id)
    assert (task.status, task.done, task.failed, task.skipped) == ("COMPLETE", 11, 0, 1)
    skipped = service.failures(session, task)
    assert [(i.key, i.state) for i in skipped] == [(issues[0].key, "skipped")]
    assert "Under planlegging" in skipped[0].message
    assert {i.status.key for i in session.scalars(select(Issue))} == {"planning"}


def test_a_chunk_reads_field_values_only_when_its_work_does(host, session, users, backend):
    planner = users["planner"]
    issues = _orders(host, session, planner, 10)  # two chunks of 5

    def run(operation, params):
        _submit(host, session, planner, issues, operation, params, notify=False)
        return worked_sql(host, session, "SELECT", ("FROM field_values",))

    assert run("transition", {"transition": "11"}) == []  # a plain one reads no values
    assert {i.status.key for i in issues} == {"planning"}
    reads = run("edit", {"fields": {"estimate": "2h"}})
    assert len(reads) == 4  # per chunk: all its orders at once, and the one that asked
    assert {get_value(host, i, "estimate") for i in issues} == {7200}


def test_edit_assignee_and_estimate_and_clear(host, session, users):
    planner = users["planner"]
    issues = _orders(host, session, planner, 6)
    task = _submit(host, session, planner, issues, "edit",
                   {"fields": {"assignee": "installer", "estimate": "1h 30m"}})
    run_worker(host, burst=True)
    session.expire_all()
    assert {i.assignee.username for i in issues} == {"installer"}
    assert {get_value(host, i, "estimate") for i in issues} == {5400}
    _submit(host, session, planner, issues, "edit", {"fields": {"estimate": None}})
    run_worker(host, burst=True)
    session.expire_all()
    assert {get_value(host, i, "estimate") for i in issues} == {None}
    assert session.get(BulkTask, task.id).status == "COMPLETE"


def test_edit_gives_each_order_its_own_values(host, session, users, backend):
    """A plan applied as one bulk edit: shared fields plus each order's own, with
    history per order; a malformed ``each`` is refused before anything changes."""
    planner = users["planner"]
    issues = _orders(host, session, planner, 3)
    each = {str(issues[0].id): {"assignee": "installer", "planned_start": "2026-12-07T08:00"},
            str(issues[1].id): {"assignee": "installer2", "planned_start": "2026-12-07T09:30"}}
    _submit(host, session, planner, issues, "edit", {"fields": {"estimate": "1h"}, "each": each})
    run_worker(host, burst=True)
    session.expire_all()
    assert [i.assignee.username if i.assignee else None for i in issues] == \
        ["installer", "installer2", None]
    start = get_value(host, issues[1], "planned_start")
    assert start.astimezone(ZoneInfo("Europe/Oslo")).strftime("%H:%M") == "09:30"
    assert get_value(host, issues[2], "planned_start") is None
    assert {get_value(host, i, "estimate") for i in issues} == {3600}
    changed = session.scalars(select(ChangeItem.field).join(ChangeGroup).where(
        ChangeGroup.issue_id == issues[0].id)).all()
    assert {"assignee", "customfield_10010"} <= set(changed)  # Planlagt starttid
    for bad in ({"each": []}, {"each": {"1": "x"}}, {"each": {}}):
        with pytest.raises(InvalidInput):
            _submit(host, session, planner, issues, "edit", {"fields": {}, **bad})


def test_watch_unwatch_and_delete_for_admins_only(host, session, users):
    planner, admin = users["planner"], users["admin"]
    issues = _orders(host, session, planner, 4)
    _submit(host, session, planner, issues, "watch", {})
    run_worker(host, burst=True)
    assert session.scalar(select(func.count()).select_from(Watcher)) == 4
    _submit(host, session, planner, issues, "unwatch", {})
    run_worker(host, burst=True)
    assert session.scalar(select(func.count()).select_from(Watcher)) == 0
    with pytest.raises(Forbidden):
        _submit(host, session, planner, issues, "delete", {})
    _submit(host, session, admin, issues[:2], "delete", {})
    run_worker(host, burst=True)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Issue)) == 2


def test_failure_in_the_middle_neither_stops_nor_rolls_back_others(host, session, users,
                                                                    backend):
    planner = users["planner"]
    issues = _orders(host, session, planner, 10)
    task = _submit(host, session, planner, issues, "transition", {"transition": "11"})
    # Before the worker runs, someone else moves order 5 on: it cannot take the transition.
    uow.run(host, session, lambda: transition_issue(host, session, planner, issues[5], "11"))
    run_worker(host, burst=True)
    session.expire_all()
    task = session.get(BulkTask, task.id)
    assert (task.status, task.done, task.failed) == ("COMPLETE", 9, 1)
    failed = service.failures(session, task)
    assert failed[0].key == issues[5].key and "ikke gyldig" in failed[0].message
    assert all(_status_changes(session, i.id) == 1 for i in issues)


def test_permissions_bulk_change_and_each_orders_own(host, session, users):
    issues = _orders(host, session, users["planner"], 3)
    with pytest.raises(InvalidInput):  # installers have no bulk-change permission
        _submit(host, session, users["installer"], issues, "edit", {"fields": {"summary": "x"}})
    with pytest.raises(InvalidInput):  # an outsider cannot even select the orders
        service.select_issues(host, session, users["outsider"], keys=[i.key for i in issues])


def test_selection_limit_and_bad_input(host, session, users, config_dict):
    planner = users["planner"]
    issues = _orders(host, session, planner, 3)
    host.config.data["jobs"]["bulk_limit"] = 2
    with pytest.raises(InvalidInput) as err:
        service.select_issues(host, session, planner, keys=[i.key for i in issues])
    assert "mer enn 2" in err.value.errors["issues"]
    with pytest.raises(InvalidInput):
        _submit(host, session, planner, issues[:2], "paint", {})
    with pytest.raises(InvalidInput):
        _submit(host, session, planner, issues[:2], "edit", {"fields": {}})
    assert session.scalar(select(func.count()).select_from(BulkTask)) == 0


def test_cancel_stops_between_chunks(host, session, users):
    planner = users["planner"]
    issues = _orders(host, session, planner, 12)
    task = _submit(host, session, planner, issues, "transition", {"transition": "11"})
    uow.run(host, session, lambda: service.cancel(host, session, planner, task.id))
    run_worker(host, burst=True)
    session.expire_all()
    task = session.get(BulkTask, task.id)
    assert task.status == "CANCELLED" and task.done == 0
    assert {i.status.key for i in issues} == {"open"}


def test_running_a_task_again_changes_nothing_twice(host, session, users):
    planner = users["planner"]
    issues = _orders(host, session, planner, 7)
    task = _submit(host, session, planner, issues, "transition", {"transition": "11"})
    run_worker(host, burst=True)
    # Pretend the worker died before writing COMPLETE: the task is run again.
    session.get(BulkTask, task.id).status = "RUNNING"
    host.db.commit(session)
    assert run_task(host, task.id) == "COMPLETE"
    session.expire_all()
    assert all(_status_changes(session, i.id) == 1 for i in issues)


def test_worker_killed_mid_way_and_task_resumed(host, session, users, config_dict,
                                                tmp_path):
    planner = users["planner"]
    issues = _orders(host, session, planner, 60)
    config_dict["jobs"].update({"bulk_chunk": 1, "bulk_pause_ratio": 5.0})
    cfg = tmp_path / "instance.yaml"
    cfg.write_text(yaml.safe_dump(config_dict, allow_unicode=True), encoding="utf-8")
    task = _submit(host, session, planner, issues, "transition", {"transition": "11"})
    env = {**os.environ, "AMSFLOW_SECRET_KEY": "x", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "core.cli", "--config", str(cfg), "worker"],
                            env=env, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            session.expire_all()
            if session.get(BulkTask, task.id).done >= 3:
                break
            time.sleep(0.1)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    session.expire_all()
    task = session.get(BulkTask, task.id)
    assert task.status == "RUNNING" and 3 <= task.done < 60
    # The periodic task finds the stale task and queues it again.
    real_now = host.now()
    host.clock = lambda: real_now + timedelta(minutes=10)
    host.config.data["jobs"]["bulk_pause_ratio"] = 0.0
    run_periodic_once(host)
    run_worker(host, burst=True)
    host.clock = None
    session.expire_all()
    task = session.get(BulkTask, task.id)
    failed = session.execute(select(BulkItem.key, BulkItem.message).where(
        BulkItem.task_id == task.id, BulkItem.state != "done")).all()
    assert (task.status, task.done, task.failed) == ("COMPLETE", 60, 0), failed
    assert all(_status_changes(session, i.id) == 1 for i in issues)
    assert session.scalar(select(func.count()).select_from(BulkItem).where(
        BulkItem.task_id == task.id, BulkItem.state == "done")) == 60
