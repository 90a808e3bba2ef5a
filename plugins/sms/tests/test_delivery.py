"""Delivery reports: statuses in the log, duplicates and out-of-order copies, failures."""

from __future__ import annotations

import json
from typing import Any

import pytest

from plugins.sms.store import messages_of
from plugins.sms.tests.conftest import TOKEN, comments_of, fresh, status_of
from plugins.sms.tests.linkstub import LinkStub, delivery_report

# Every test here runs on SQLite and on PostgreSQL (root conftest's backend).
pytestmark = pytest.mark.usefixtures("backend")

HOOK = "/sms/hooks/ELV/delivery"


def post(client: Any, body: Any, token: str = TOKEN) -> Any:
    return client.post(HOOK, data=json.dumps(body), headers={"X-Webhook-Token": token},
                       content_type="application/json")


def booked(order: Any, stub: LinkStub) -> tuple[Any, dict[str, Any]]:
    issue = order(status="awaiting_response")
    return issue, stub.sent()[-1]


def test_delivered_then_duplicates_and_late_pending_change_nothing(
        session: Any, client: Any, order: Any, stub: LinkStub) -> None:
    issue, sent = booked(order, stub)
    assert post(client, delivery_report(sent["refId"], sent["messageId"], 1000)).json == {
        "updated": 1, "ignored": 0, "unknown": 0}
    assert messages_of(session, fresh(session, issue))[0].status == "pending"
    assert post(client, delivery_report(sent["refId"], sent["messageId"], 1001)).json[
        "updated"] == 1
    again = post(client, [delivery_report(sent["refId"], sent["messageId"], 1001),
                          delivery_report(sent["refId"], sent["messageId"], 1000),
                          delivery_report(sent["refId"], sent["messageId"], 2106)])
    assert again.json == {"updated": 0, "ignored": 3, "unknown": 0}
    session.expire_all()
    assert messages_of(session, fresh(session, issue))[0].status == "delivered"
    assert status_of(session, issue) == "awaiting_response"


def test_final_failure_sends_order_to_followup_once(session: Any, client: Any, order: Any,
                                                    stub: LinkStub) -> None:
    issue, sent = booked(order, stub)
    report = delivery_report(sent["refId"], sent["messageId"], 2106)
    assert post(client, report).json["updated"] == 1
    assert post(client, report).json["ignored"] == 1
    assert status_of(session, issue) == "manual_followup"
    notes = [c for c in comments_of(session, issue) if "ble ikke levert" in c]
    assert len(notes) == 1 and "2106" in notes[0]
    assert messages_of(session, fresh(session, issue))[0].status == "undelivered"


def test_report_matched_by_provider_id_only(session: Any, client: Any, order: Any,
                                            stub: LinkStub) -> None:
    issue, sent = booked(order, stub)
    report = delivery_report("", sent["messageId"], 1001)
    report["refId"] = None
    assert post(client, report).json["updated"] == 1
    assert messages_of(session, fresh(session, issue))[0].status == "delivered"


def test_unknown_message_and_bad_token(session: Any, client: Any, order: Any,
                                       stub: LinkStub) -> None:
    issue, sent = booked(order, stub)
    assert post(client, delivery_report("nope", "nope", 1001)).json["unknown"] == 1
    bad = post(client, delivery_report(sent["refId"], sent["messageId"], 2106), token="x")
    assert bad.status_code == 401
    assert messages_of(session, fresh(session, issue))[0].status == "accepted"
    assert status_of(session, issue) == "awaiting_response"
