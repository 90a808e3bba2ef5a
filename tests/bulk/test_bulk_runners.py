"""Several runners on one bulk task (PostgreSQL, ``jobs.bulk_workers``): every order is
done once and every booking SMS goes once, the task ends once with the right counts,
cancel stops every runner, and a runner killed with a chunk in hand leaves that chunk
to another. On SQLite (and in process) a task keeps one runner."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from redis import Redis
from rq import Queue, Worker
from rq.job import Job
from sqlalchemy import create_engine, func, select, text

from conftest import ROOT, make_test_users
from core.app import create_app
from core.bulk import service
from core.bulk.models import BulkItem, BulkTask
from core.bulk.runner import FINAL, run_runner
from core.config import parse_config
from core.hookspecs import hookimpl
from core.jobs import run_worker
from core.models import ChangeGroup, ChangeItem, Issue, JobRecord, User
from core.services import uow
from core.services.issues import create_issue
from core.workflow.engine import transition_issue
from plugins.sms.tests.linkstub import LinkStub

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def db_url(pg_schema: str) -> str:
    """PostgreSQL: several runners share a task by row locks, which SQLite lacks."""
    return pg_schema


@pytest.fixture
def config_dict(config_dict: dict[str, Any], stub: LinkStub,
                monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("LINK_SMS_USERNAME", "amsflow")
    monkeypatch.setenv("LINK_SMS_PASSWORD", "pw")
    config_dict["redis_url"] = REDIS
    config_dict["jobs"] = {"queue": f"test-{uuid.uuid4().hex[:8]}", "bulk_chunk": 2,
                           "bulk_pause_ratio": 0.5, "bulk_workers": 2}
    config_dict["projects"][0]["plugins"]["sms"] = {
        "provider": "link", "reply_number": "2222", "sender": "Elvnett",
        "quiet_start": "00:00", "quiet_end": "00:00",  # send at any hour
        "link": {"base_url": stub.base_url, "platform_id": "P", "platform_partner_id": "PP",
                 "gate_id": "G1", "timeout": 5, "attempts": 2, "backoff": 0.01},
    }
    return config_dict


class Workers:
    """``amsflow worker`` subprocesses on the test's queue, killed at the end."""

    def __init__(self, config_dict: dict[str, Any], folder: Path) -> None:
        self.queue = config_dict["jobs"]["queue"]
        self.cfg = folder / "instance.yaml"
        self.cfg.write_text(yaml.safe_dump(config_dict, allow_unicode=True), encoding="utf-8")
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        env = {**os.environ, "AMSFLOW_SECRET_KEY": "x", "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "--config", str(self.cfg), "worker"],
            env=env, cwd=ROOT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def start_ready(self, n: int) -> None:
        """Start ``n`` workers and wait until all listen, so each takes a runner job
        (one ready seconds before the other could otherwise do the whole task)."""
        for _ in range(n):
            self.start()
        conn = Redis.from_url(REDIS)
        queue = Queue(self.queue, connection=conn)
        _until(lambda: Worker.count(connection=conn, queue=queue) >= n, "the workers to listen")

    @staticmethod
    def kill(proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop(self) -> None:
        for proc in self.procs:
            self.kill(proc)


@pytest.fixture
def workers(config_dict: dict[str, Any], tmp_path: Path) -> Iterator[Workers]:
    running = Workers(config_dict, tmp_path)
    yield running
    running.stop()


def _until(check: Callable[[], Any], what: str, seconds: float = 60,
           state: Callable[[], Any] | None = None) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}" + (f": {state()}" if state else ""))


def _task(host: Any, task_id: str) -> BulkTask:
    with host.db.new_session() as s:
        task = s.get(BulkTask, task_id)
        s.expunge(task)
        return task


def _ended(host: Any, task_id: str) -> BulkTask | None:
    task = _task(host, task_id)
    return task if task.status in FINAL else None


def _orders(host: Any, session: Any, user: Any, n: int) -> list[Issue]:
    out = [create_issue(host, session, user, "ELV", "Målerbytte", f"Målerbytte {i}",
                        {"customer_name": f"Kunde {i}", "mobile": f"912345{i:02d}",
                         "assignee": "installer",
                         "planned_start": "2031-04-24T10:00:00+02:00"}) for i in range(n)]
    host.db.commit(session)
    return out


def _submit(host: Any, session: Any, user: Any, issues: list[Issue], transition: str) -> BulkTask:
    return uow.run(host, session, lambda: service.submit(
        host, session, user, issues, "transition", {"transition": transition}, notify=False))


def _status_changes(host: Any, ids: list[int]) -> dict[int, int]:
    with host.db.new_session() as s:
        rows = s.execute(select(ChangeGroup.issue_id, func.count()).join(ChangeItem).where(
            ChangeItem.field == "status", ChangeGroup.issue_id.in_(ids))
            .group_by(ChangeGroup.issue_id)).all()
    return {i: dict(rows).get(i, 0) for i in ids}


def _item_counts(host: Any, task_id: str) -> dict[str, int]:
    with host.db.new_session() as s:
        return dict(s.execute(select(BulkItem.state, func.count()).where(
            BulkItem.task_id == task_id).group_by(BulkItem.state)).all())


def _job_results(host: Any, task_id: str) -> list[dict[str, Any]]:
    conn = Redis.from_url(REDIS)
    return [Job.fetch(job_id, connection=conn).return_value()
            for job_id in (f"bulk-{task_id}", f"bulk-{task_id}-1")]


def test_two_workers_book_every_order_once_and_send_every_sms_once(host, session, users,
                                                                    stub, workers):
    planner = users["planner"]
    issues = _orders(host, session, planner, 30)
    for issue in issues:
        uow.run(host, session, lambda i=issue: transition_issue(host, session, planner, i,
                                                                "START_PLANNING"))
    stub.refuse("+4791234507")
    workers.start_ready(2)
    task = _submit(host, session, planner, issues, "PC_TRANSITION_BOOKING_SENT")
    task = _until(lambda: _ended(host, task.id), "the task to end")
    assert (task.status, task.done, task.failed, task.skipped) == ("COMPLETE", 29, 1, 0)
    assert _item_counts(host, task.id) == {"done": 29, "failed": 1}
    destinations = [m["destination"] for m in stub.sent()]
    assert sorted(destinations) == sorted(f"+47912345{i:02d}" for i in range(30) if i != 7)
    ids = [i.id for i in issues]
    # START_PLANNING, then booking; the order the gateway refused stays in planning.
    assert _status_changes(host, ids) == {i: 1 if i == ids[7] else 2 for i in ids}
    # Both runners did orders, and between them each order once.
    results = _until(lambda: all(r is not None for r in _job_results(host, task.id))
                     and _job_results(host, task.id), "both runner jobs to finish")
    assert [r["runner"] for r in results] == [0, 1]
    assert all(r["orders"] > 0 for r in results)
    assert sum(r["orders"] for r in results) == 30


class Spy:
    """Records what the bulk hooks tell a plugin."""

    PLUGIN_NAME = "bulkspy"

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    @hookimpl
    def bulk_task_starting(self, host: Any, task: Any, issues: list[Any]) -> None:
        self.calls.append(("starting", [i.key for i in issues]))
        self.calls.append(("nice", os.getpriority(os.PRIO_PROCESS, 0)))  # this thread's

    @hookimpl
    def bulk_task_finished(self, host: Any, task: Any) -> None:
        self.calls.append(("finished", (task.id, task.status, task.done)))


@pytest.fixture
def own_app(config_dict: dict[str, Any]) -> Iterator[Callable[..., Any]]:
    """An app of the test's own (a changed config, a spy plugin): host, session, planner."""
    hosts: list[Any] = []

    def build(cfg: dict[str, Any], plugins: tuple[Any, ...] = ()) -> tuple[Any, Any, Any]:
        app = create_app(parse_config(cfg), extra_plugins=plugins, create_schema=True,
                         overrides={"TESTING": True})
        host = app.extensions["amsflow"]
        hosts.append(host)
        ids = make_test_users(host)
        session = host.db.session()
        return host, session, session.get(User, ids["planner"])

    yield build
    for host in hosts:
        host.jobs.wait()
        host.db.dispose()


def test_two_runners_finish_the_task_once_and_tell_the_plugins_once(config_dict, own_app):
    spy = Spy()
    config_dict["projects"][0]["plugins"]["bulkspy"] = {}
    config_dict["jobs"]["bulk_pause_ratio"] = 2.0  # neither runner does it all alone
    host, session, planner = own_app(config_dict, (spy,))
    issues = _orders(host, session, planner, 24)
    task = _submit(host, session, planner, issues, "START_PLANNING")  # queued for nobody
    session.close()
    results: dict[int, tuple[str, int]] = {}

    def runner(k: int) -> None:
        with host.db.job_scope(f"runner-{k}"):
            results[k] = run_runner(host, task.id, k, 2)

    threads = [threading.Thread(target=runner, args=(k,)) for k in (0, 1)]
    nice = os.getpriority(os.PRIO_PROCESS, 0)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # The runners ran at jobs.bulk_nice (default 10), the caller's thread is as it was.
    assert [arg for kind, arg in spy.calls if kind == "nice"] == [max(nice, 10)] * 2
    assert os.getpriority(os.PRIO_PROCESS, 0) == nice
    assert sorted(status for status, _ in results.values()) == ["COMPLETE", "COMPLETE"]
    assert all(n > 0 for _, n in results.values())
    assert sum(n for _, n in results.values()) == 24
    assert [c for c in spy.calls if c[0] == "finished"] == [
        ("finished", (task.id, "COMPLETE", 24))]
    keys = [i.key for i in issues]
    started = sorted(arg for kind, arg in spy.calls if kind == "starting")
    # Each runner is handed the pending orders in its own run order: from its share on.
    assert started == sorted([keys, keys[12:] + keys[:12]])
    assert set(_status_changes(host, [i.id for i in issues]).values()) == {1}
    done = _task(host, task.id)
    assert (done.status, done.done, done.failed) == ("COMPLETE", 24, 0)


def test_cancel_stops_both_runners(host, session, users, config_dict, workers):
    # Slow on purpose (each runner pauses ten times its chunk's time), so the cancel
    # lands mid-way however loaded the machine is.
    config_dict["jobs"].update({"bulk_chunk": 1, "bulk_pause_ratio": 10.0})
    workers.cfg.write_text(yaml.safe_dump(config_dict, allow_unicode=True), encoding="utf-8")
    planner = users["planner"]
    issues = _orders(host, session, planner, 60)
    workers.start_ready(2)
    task = _submit(host, session, planner, issues, "START_PLANNING")
    _until(lambda: _task(host, task.id).done >= 6, "some orders to be done")
    uow.run(host, session, lambda: service.cancel(host, session, planner, task.id))
    task = _until(lambda: _ended(host, task.id), "the task to end",
                  state=lambda: _task(host, task.id).__dict__)
    assert task.status == "CANCELLED", task.error

    def jobs_finished() -> bool:
        with host.db.new_session() as s:
            return {r.status for r in s.scalars(select(JobRecord).where(
                JobRecord.id.in_((f"bulk-{task.id}", f"bulk-{task.id}-1"))))} == {"finished"}

    def records() -> list[tuple[str, str, str]]:
        with host.db.new_session() as s:
            return [(r.id, r.status, r.error[-300:]) for r in s.scalars(select(JobRecord))]

    _until(jobs_finished, "both runner jobs to stop", state=records)
    changes = _status_changes(host, [i.id for i in issues])
    moved = sum(changes.values())
    assert set(changes.values()) <= {0, 1} and 6 <= moved < 60
    counts = _item_counts(host, task.id)
    assert counts == {"done": moved, "pending": 60 - moved}
    assert (_task(host, task.id).done, _task(host, task.id).failed) == (moved, 0)


def test_a_killed_runners_chunk_is_finished_by_the_other(host, session, users, config_dict,
                                                         workers):
    config_dict["jobs"].update({"bulk_chunk": 5, "bulk_pause_ratio": 0.0})
    workers.cfg.write_text(yaml.safe_dump(config_dict, allow_unicode=True), encoding="utf-8")
    planner = users["planner"]
    issues = _orders(host, session, planner, 40)
    task = _submit(host, session, planner, issues, "START_PLANNING")
    engine = create_engine(config_dict["database_url"])
    try:
        with engine.connect() as holder:
            # Hold order 1 so the first runner stops inside its first chunk (orders 0-4).
            holder.execute(text("SELECT id FROM issues WHERE id = :i FOR UPDATE"),
                           {"i": issues[1].id})
            me = holder.execute(text("SELECT pg_backend_pid()")).scalar()
            blocked = text("SELECT count(*) FROM pg_stat_activity "
                           "WHERE :me = ANY(pg_blocking_pids(pid))")

            def waiting() -> int:  # asked outside the holder's transaction (its snapshot)
                with engine.connect() as conn:
                    return conn.execute(blocked, {"me": me}).scalar()

            first = workers.start()
            _until(waiting, "the first runner to wait on order 1")
            workers.start()  # takes the second runner job: does the rest, waits for 0-4
            _until(lambda: _task(host, task.id).done >= 35, "the second runner's orders")
            Workers.kill(first)
            holder.rollback()
        task = _until(lambda: _ended(host, task.id), "the task to end")
    finally:
        engine.dispose()
    assert (task.status, task.done, task.failed) == ("COMPLETE", 40, 0)
    assert set(_status_changes(host, [i.id for i in issues]).values()) == {1}
    assert _item_counts(host, task.id) == {"done": 40}
    conn = Redis.from_url(REDIS)
    second = _until(lambda: Job.fetch(f"bulk-{task.id}-1", connection=conn).return_value(),
                    "the second runner job to finish")
    assert second == {"status": "COMPLETE", "runner": 1, "orders": 40}


@pytest.mark.parametrize("redis", [True, False], ids=["rq", "in-process"])
def test_sqlite_and_in_process_keep_one_runner(tmp_path, config_dict, own_app, redis):
    cfg = {**config_dict, "database_url": f"sqlite:///{tmp_path / 'one.sqlite'}"}
    if not redis:
        cfg["redis_url"] = None
    host, session, planner = own_app(cfg)
    issues = _orders(host, session, planner, 9)
    task = _submit(host, session, planner, issues, "START_PLANNING")
    if redis:
        run_worker(host, burst=True)
    else:
        assert host.jobs.wait()
    done = _task(host, task.id)
    assert (done.status, done.done) == ("COMPLETE", 9)
    with host.db.new_session() as s:
        assert s.scalars(select(JobRecord.id).where(JobRecord.name == "core.bulk")).all() == [
            f"bulk-{task.id}"]


@pytest.mark.parametrize(("setting", "value"), [("bulk_workers", 0), ("bulk_workers", "two"),
                                                ("bulk_nice", 20)])
def test_bulk_runner_settings_are_validated(config_dict, setting, value):
    from core.yamlsource import ConfigError

    config_dict["jobs"][setting] = value
    with pytest.raises(ConfigError) as err:
        parse_config(config_dict)
    assert setting in str(err.value)


def test_bulk_runner_settings_default_to_one_runner_at_nice_10(config_dict):
    """One runner by default: on a small machine a second one costs other people's
    requests more than twice their idle p95 (benchmarks/bulk/README.md)."""
    del config_dict["jobs"]["bulk_workers"]
    jobs = parse_config(config_dict)["jobs"]
    assert (jobs["bulk_workers"], jobs["bulk_nice"]) == (1, 10)
