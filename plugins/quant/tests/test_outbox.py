"""The outbox on real rq workers against the loopback Quant: nothing lost while Quant
is down for an hour and nothing sent twice, in order per order; a worker killed
mid-delivery; retries spent (dead) visible to an admin, who retries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from conftest import ROOT
from core.jobs import run_periodic_once, run_worker
from plugins.quant.models import QuantMessage
from tests.web.conftest import Browser

from .flow import fresh, resolve

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def config_dict(config_dict: dict[str, Any]) -> dict[str, Any]:
    """Jobs on Redis (a queue of this test's own); the default backoff (10 s doubling,
    at most 10 minutes) and 20 retries."""
    config_dict["redis_url"] = REDIS
    config_dict["jobs"] = {"queue": f"test-{uuid.uuid4().hex[:8]}"}
    for project in config_dict["projects"]:
        quant = project["plugins"].get("quant")
        if quant is not None:
            quant.update({"retries": 20, "retry_backoff_seconds": 10,
                          "retry_backoff_max_seconds": 600, "timeout_seconds": 5})
    return config_dict


def _messages(host: Any) -> list[QuantMessage]:
    session = host.db.session()
    session.expire_all()
    return list(session.scalars(select(QuantMessage).where(QuantMessage.direction == "out")
                                .order_by(QuantMessage.id)))


def _close_and_refuse(host: Any, quant: Any, users: Any, external_id: str) -> str:
    """Two messages for one order: the validation request, then a refused cancel."""
    key = quant.create(external_id)["key"]
    resolve(host, users["planner"], users["installer"], key, "Ok")
    assert quant.post(f"/orders/{external_id}/cancel").status_code == 409
    return key


def _sweep(host: Any, at: Any) -> None:
    """What the scheduler and a worker do when the clock says ``at``."""
    host.clock = lambda: at
    run_periodic_once(host)
    run_worker(host, burst=True)


def test_quant_down_for_an_hour_loses_nothing_and_sends_nothing_twice(
        host, quant, quant_server, users):
    quant_server.down()
    keys = [_close_and_refuse(host, quant, users, f"Q-{n}") for n in range(3)]
    start = host.now()
    run_worker(host, burst=True)  # the jobs queued by the closes: Quant is down
    minute = 0
    while minute <= 60:
        _sweep(host, start + timedelta(minutes=minute))
        minute += 5
    rows = _messages(host)
    assert len(rows) == 6 and not any(r.status in ("dead", "delivered") for r in rows)
    heads, behind = rows[0::2], rows[1::2]
    assert all(r.kind == "order.validation_requested" and r.attempts >= 6 for r in heads)
    assert all("kunne ikke nås" in r.last_error for r in heads)
    # Strict order per order: the second message waits, never tried before the first.
    assert all(r.kind == "order.cancel_refused" and r.attempts == 0 for r in behind)
    assert [fresh(host, k).status.key for k in keys] == ["closed"] * 3
    quant_server.up()
    _sweep(host, start + timedelta(minutes=75))
    host.clock = None
    rows = _messages(host)
    assert {r.status for r in rows} == {"delivered"}
    assert quant_server.duplicates == [] and len(quant_server.processed) == 6
    for key in keys:
        kinds = [e["type"] for e in quant_server.processed if e["data"]["key"] == key]
        assert kinds == ["order.validation_requested", "order.cancel_refused"]
    assert {e["webhook-id"] for e in quant_server.processed} == {r.message_id for r in rows}


def test_other_orders_pass_an_order_whose_message_is_retrying(host, quant, quant_server,
                                                             users):
    first = _close_and_refuse(host, quant, users, "P-1")
    quant_server.fail_next = [503]
    run_worker(host, burst=True)  # P-1's request fails; its retry is due in 10 s
    second = quant.create("P-2")["key"]
    resolve(host, users["planner"], users["installer"], second, "Ok")
    run_worker(host, burst=True)
    assert quant_server.keys_in_order() == [second]
    _sweep(host, host.now() + timedelta(minutes=1))
    host.clock = None
    assert quant_server.keys_in_order() == [second, first, first]
    assert [e["type"] for e in quant_server.processed[1:]] == [
        "order.validation_requested", "order.cancel_refused"]


def _worker(config_dict: dict[str, Any], folder: Any) -> subprocess.Popen[bytes]:
    cfg = folder / "instance.yaml"
    cfg.write_text(yaml.safe_dump(config_dict, allow_unicode=True), encoding="utf-8")
    env = {**os.environ, "AMSFLOW_SECRET_KEY": "x", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "core.cli", "--config", str(cfg), "worker"],
                            env=env, cwd=ROOT, start_new_session=True)


def _until(check: Any, what: str, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_worker_killed_mid_delivery_is_taken_over_and_quant_processes_once(
        host, quant, quant_server, users, config_dict, tmp_path, backend):
    key = quant.create("K-1")["key"]
    quant_server.slow = 2.0  # the request is in flight when the worker dies
    proc = _worker(config_dict, tmp_path)
    try:
        resolve(host, users["planner"], users["installer"], key, "Ok")
        _until(lambda: quant_server.requests >= 1, "the worker to send")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    [row] = _messages(host)
    assert (row.status, row.attempts) == ("sending", 1)
    _until(lambda: quant_server.processed, "Quant to process the request")
    quant_server.slow = 0.0
    # Nothing is due until the dead worker's lease ends; then another worker sends it
    # again under the same webhook-id, and Quant drops the repeat.
    _sweep(host, host.now())
    assert _messages(host)[0].status == "sending" and quant_server.requests == 1
    _sweep(host, host.now() + timedelta(minutes=10))
    host.clock = None
    [row] = _messages(host)
    assert (row.status, row.attempts) == ("delivered", 2)
    assert [e["data"]["key"] for e in quant_server.processed] == [key]
    assert quant_server.duplicates == [row.message_id]


def test_a_dead_message_is_shown_to_admins_and_retried(host, quant, quant_server, users,
                                                       app, monkeypatch):
    monkeypatch.setitem(host.plugins.plugin_settings("ELV", "quant"), "retries", 1)
    quant_server.down()
    key = quant.create("D-1")["key"]
    resolve(host, users["planner"], users["installer"], key, "Ok")
    run_worker(host, burst=True)
    _sweep(host, host.now() + timedelta(minutes=1))
    host.clock = None
    [row] = _messages(host)
    assert (row.status, row.attempts) == ("dead", 2)
    admin = Browser(app.test_client())
    assert admin.login("admin").status_code == 302
    page = admin.get("/admin/quant/?view=dead")
    assert page.status_code == 200 and row.message_id in page.text and key in page.text
    assert "kunne ikke nås" in page.text
    assert row.message_id not in admin.get("/admin/quant/?view=dead&project=FJN").text
    assert row.message_id not in admin.get("/admin/quant/?view=dead&age=old").text
    assert row.message_id in admin.get("/admin/quant/?view=dead&age=1h").text
    assert row.message_id not in admin.get("/admin/quant/?view=failing").text
    english = admin.get("/admin/quant/?view=dead&lang=en").text
    assert "Quant messages" in english and "Dead (given up)" in english
    assert "Død (gitt opp)" in admin.get("/admin/quant/?view=dead&lang=nb").text
    planner = Browser(app.test_client())
    planner.login("planner")
    assert planner.get("/admin/quant/").status_code == 403
    # The order's panel shows the message log too.
    issue_page = admin.get(f"/browse/{key}")
    assert f'data-message="{row.message_id}" data-status="dead"' in issue_page.text
    quant_server.up()
    retried = admin.post("/admin/quant/retry", {"view": "dead", "id": str(row.id)})
    assert retried.status_code == 302
    run_worker(host, burst=True)
    [row] = _messages(host)
    assert (row.status, row.attempts) == ("delivered", 1)
    assert [e["data"]["key"] for e in quant_server.processed] == [key]
    assert fresh(host, key).status.key == "closed"


def test_orders_closed_in_a_bulk_change_are_each_sent_once(host, quant, quant_server, users,
                                                           session, monkeypatch):
    """Bulk chunks (one savepoint, retried order by order on a failure) still write one
    outbox row per closed order and queue their delivery."""
    from core.bulk import service
    from core.bulk.models import BulkTask
    from core.models import Issue
    from core.services import uow

    from .flow import to_ready

    keys = [quant.create(f"M-{n}")["key"] for n in range(6)]
    for key in keys:
        to_ready(host, users["planner"], users["installer"], key)
    issues = list(session.scalars(select(Issue).where(Issue.key.in_(keys))))
    task = uow.run(host, session, lambda: service.submit(
        host, session, users["planner"], issues, "transition",
        {"transition": "RESOLVE", "fields": {"resolution": "Ok"}}, False))
    run_worker(host, burst=True)  # the bulk runner, then the delivery it queued
    session.expire_all()
    assert session.get(BulkTask, task.id).status == "COMPLETE"
    assert {fresh(host, k).status.key for k in keys} == {"closed"}
    rows = _messages(host)
    assert len(rows) == 6 and {r.status for r in rows} == {"delivered"}
    assert sorted(quant_server.keys_in_order()) == sorted(keys)
