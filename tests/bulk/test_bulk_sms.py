"""PC_TRANSITION_BOOKING_SENT in bulk against the loopback Link stand-in: exactly one
SMS per order, also when the task is run a second time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from core.bulk import service
from core.bulk.models import BulkItem, BulkTask
from core.bulk.runner import run_task
from core.jobs import run_worker
from core.models import Comment, Issue
from core.services import uow
from core.services.issues import create_issue, values_of
from core.workflow.engine import transition_issue
from plugins.sms.tests.linkstub import LinkStub
from tests.bulk.conftest import worked_sql

DAYTIME = datetime(2025, 4, 22, 8, 0, tzinfo=UTC)  # 10:00 in Oslo: no quiet hours


@pytest.fixture
def config_dict(config_dict: dict[str, Any], stub: LinkStub,
                monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("LINK_SMS_USERNAME", "amsflow")
    monkeypatch.setenv("LINK_SMS_PASSWORD", "pw")
    config_dict["redis_url"] = "redis://127.0.0.1:6379/0"
    config_dict["jobs"] = {"queue": f"test-{uuid.uuid4().hex[:8]}", "bulk_chunk": 4,
                           "bulk_pause_ratio": 0.0}
    config_dict["projects"][0]["plugins"]["sms"] = {
        "provider": "link", "reply_number": "2222", "sender": "Elvnett",
        "link": {"base_url": stub.base_url, "platform_id": "P", "platform_partner_id": "PP",
                 "gate_id": "G1", "timeout": 2, "attempts": 2, "backoff": 0.01},
    }
    return config_dict


def _planned(host: Any, session: Any, planner: Any, n: int) -> list[Issue]:
    host.clock = lambda: DAYTIME
    out = []
    for i in range(n):
        issue = uow.run(host, session, lambda i=i: create_issue(
            host, session, planner, "ELV", "Målerbytte", f"Målerbytte {i}", {
                "customer_name": f"Åse {i}", "address": f"Storgata {i}", "postcode": "6002",
                "mobile": f"912345{i:02d}", "assignee": "installer",
                "planned_start": "2025-04-24T10:00:00+02:00"}))
        uow.run(host, session, lambda i=issue: transition_issue(host, session, planner, i,
                                                                "START_PLANNING"))
        out.append(issue)
    return out


def _book_with_one_changed_meanwhile(host, session, planner, issues, changed):
    """Submit a bulk booking of ``issues``, put ``changed`` on hold behind its back (a
    new version: its chunk fails and is done again order by order), run it."""
    from sqlalchemy import update

    task = uow.run(host, session, lambda: service.submit(
        host, session, planner, issues, "transition",
        {"transition": "PC_TRANSITION_BOOKING_SENT"}, notify=False))
    session.execute(update(Issue).where(Issue.id == changed.id).values(
        status_id=host.catalog.status_ids["on_hold"], version=Issue.version + 1))
    host.db.commit(session)
    run_worker(host, burst=True)
    session.expire_all()
    return session.get(BulkTask, task.id)


def test_bulk_booking_sends_one_sms_per_order_even_when_run_twice(host, session, users, stub):
    planner = users["planner"]
    issues = _planned(host, session, planner, 10)
    stub.refuse("+4791234503")
    task = uow.run(host, session, lambda: service.submit(
        host, session, planner, issues, "transition",
        {"transition": "PC_TRANSITION_BOOKING_SENT"}, notify=False))
    run_worker(host, burst=True)
    session.expire_all()
    task = session.get(BulkTask, task.id)
    assert (task.status, task.done, task.failed) == ("COMPLETE", 9, 1)
    [failure] = service.failures(session, task)
    assert failure.key == issues[3].key
    sent = stub.sent()
    assert sorted(m["destination"] for m in sent) == sorted(
        f"+47912345{i:02d}" for i in range(10) if i != 3)
    codes = {values_of(host, i)["reply_code"] for i in issues if i.id != issues[3].id}
    assert len(codes) == 9

    # Run again as after a crash before COMPLETE was written: nothing is sent twice.
    session.get(BulkTask, task.id).status = "RUNNING"
    host.db.commit(session)
    assert run_task(host, task.id) == "COMPLETE"
    # And even with every item's outcome lost, orders already booked are refused.
    session.expire_all()  # the runner has a session of its own: read what it wrote
    for item in session.scalars(select(BulkItem).where(BulkItem.task_id == task.id)):
        item.state = "pending"
    session.get(BulkTask, task.id).status = "RUNNING"
    host.db.commit(session)
    stub.state.refused.clear()
    assert run_task(host, task.id) == "COMPLETE"
    session.expire_all()
    destinations = [m["destination"] for m in stub.sent()]
    assert len(destinations) == len(set(destinations)) == 10  # the refused one went now
    statuses = {i.status.key for i in session.scalars(select(Issue))}
    assert statuses == {"awaiting_response"}
    host.clock = None


def test_a_chunk_that_fails_is_done_again_order_by_order_without_sending_twice(
        host, session, users, stub, backend):
    """A chunk of bookings is tried at once, its SMS on their way while it is written.
    One refused SMS (chunk 1) and one order changed meanwhile (chunk 2, after an SMS of
    that chunk went out) roll the chunk back; done again order by order, every order
    sends at most once, keeps the reply code its SMS carries, and the refusal is logged."""

    from plugins.sms.models import SmsMessage

    planner = users["planner"]
    issues = _planned(host, session, planner, 8)  # chunks of 4
    stub.refuse("+4791234502")
    task = _book_with_one_changed_meanwhile(host, session, planner, issues, issues[5])
    assert (task.status, task.done, task.failed) == ("COMPLETE", 6, 2)
    failed = {f.key: f.message for f in service.failures(session, task)}
    assert set(failed) == {issues[2].key, issues[5].key}
    assert "ikke gyldig" in failed[issues[5].key]

    requests = [m["refId"] for path, p in stub.state.requests
                for m in (p.get("sendRequestMessages", []) if path.endswith("/sendbatch")
                          else [p])]
    assert len(requests) == len(set(requests)) == 7  # 6 booked, 1 refused; none twice
    booked = [i for n, i in enumerate(issues) if n not in (2, 5)]
    codes = set()
    for issue in booked:
        session.refresh(issue)
        assert issue.status.key == "awaiting_response"
        [row] = session.scalars(select(SmsMessage).where(SmsMessage.issue_id == issue.id))
        code = values_of(host, issue)["reply_code"]
        assert row.status == "accepted" and code in row.body
        codes.add(code)
    assert len(codes) == len(booked)
    [refused] = session.scalars(select(SmsMessage).where(SmsMessage.issue_id == issues[2].id))
    assert refused.status == "refused" and refused.phone == "+4791234502"
    session.refresh(issues[2])
    assert issues[2].status.key == "planning"
    assert any("kunne ikke sendes" in body for body in session.scalars(
        select(Comment.body).where(Comment.issue_id == issues[2].id)))
    host.clock = None


def test_a_chunk_of_bookings_is_one_batch_and_reads_log_rows_and_codes_once(
        host, session, users, stub):
    planner = users["planner"]
    issues = _planned(host, session, planner, 8)  # two chunks of 4
    task = uow.run(host, session, lambda: service.submit(
        host, session, planner, issues, "transition",
        {"transition": "PC_TRANSITION_BOOKING_SENT"}, notify=False))
    lookups = worked_sql(host, session, "SELECT",
                         ("sms_messages", "FROM field_values", "field_values.value_str"))
    assert session.get(BulkTask, task.id).done == 8
    assert len(stub.sent()) == 8
    # Each chunk's SMS went to the gateway as one batch.
    assert [(path.rsplit("/", 1)[1], len(p["sendRequestMessages"]))
            for path, p in stub.state.requests] == [("sendbatch", 4), ("sendbatch", 4)]
    # Per chunk: one read of the booking keys' log rows, one of taken reply codes.
    assert len([s for s in lookups if "FROM sms_messages" in s]) == 2, lookups
    assert len([s for s in lookups if "field_values.value_str IN" in s]) == 2, lookups
    assert not [s for s in lookups if "idempotency_key = " in s or "value_str = " in s]
    # The orders' field values: for the whole chunk at the first read, plus the one
    # order whose read it was; not a query per order.
    values = [s for s in lookups if "FROM field_values" in s and "value_str IN" not in s]
    assert len(values) == 4, values
    host.clock = None


def test_a_chunk_whose_batch_timed_out_is_not_sent_again_on_the_redo(
        host, session, users, stub, backend):
    """Link takes a chunk's batch but answers after the timeout: every SMS of it is
    'unknown'. An order changed meanwhile makes the chunk go again order by order; the
    redo carries the unknown answers and posts nothing again (Link would send a repeated
    refId again)."""

    from plugins.sms.models import SmsMessage

    planner = users["planner"]
    issues = _planned(host, session, planner, 4)  # one chunk
    stub.stall(seconds=3.0, times=1)  # the client's timeout is 2 s
    task = _book_with_one_changed_meanwhile(host, session, planner, issues, issues[3])
    assert (task.status, task.done, task.failed) == ("COMPLETE", 3, 1)
    assert [p.rsplit("/", 1)[1] for p, _ in stub.state.requests] == ["sendbatch"]
    assert max(stub.per_number().values()) == 1
    rows = {r.issue_id: r.status for r in session.scalars(
        select(SmsMessage).where(SmsMessage.direction == "out"))}
    assert [rows.get(i.id) for i in issues] == ["unknown", "unknown", "unknown", None]
    for n in (0, 1, 2):
        session.refresh(issues[n])
        assert issues[n].status.key == "awaiting_response"
        assert any(body.startswith("SMS-status ukjent") for body in session.scalars(
            select(Comment.body).where(Comment.issue_id == issues[n].id)))
    host.clock = None
