"""The plugin end to end against the stand-in written from Link's documentation
(``linkstub``): unknown sends, multipart and early reports, result codes, forged
and cross-project replies, text Link cannot carry, the webhook token's place."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from core.services.issues import values_of
from core.services.uow import run
from core.workflow.context import WorkflowAbort
from core.workflow.engine import transition_issue
from plugins.sms.models import SmsMessage
from plugins.sms.providers.local import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from plugins.sms.store import messages_of
from plugins.sms.tests.conftest import (
    LOCAL_SECRET,
    TOKEN,
    book,
    comments_of,
    fresh,
    status_of,
)
from plugins.sms.tests.linkstub import LinkStub, delivery_report, inbound_message, reports_for

# Every test here runs on SQLite and on PostgreSQL (root conftest's backend).
pytestmark = pytest.mark.usefixtures("backend")

REPORTS = "/sms/hooks/ELV/delivery"
REPLIES = "/sms/hooks/ELV/inbound"


def post(client: Any, url: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json",
                       headers={"X-Webhook-Token": TOKEN} if headers is None else headers)


# -- 2, 9: a send whose answer times out -------------------------------------------


def test_timed_out_booking_is_unknown_and_never_sent_again(
        host: Any, session: Any, client: Any, users: Any, order: Any, stub: LinkStub) -> None:
    issue = order()
    stub.stall(seconds=1.5, times=1)  # Link takes it, the answer comes after the deadline
    book(host, session, users["planner"], issue)
    assert status_of(session, issue) == "awaiting_response"  # the booking stands
    [row] = messages_of(session, fresh(session, issue))
    assert row.status == "unknown"
    assert any(c.startswith("SMS-status ukjent: Booking-SMS til +4791234567")
               for c in comments_of(session, issue))
    assert len(stub.state.requests) == 1  # never re-posted
    # The delivery report (matched by refId) settles it.
    sent = stub.sent()[0]
    assert post(client, REPORTS, delivery_report(sent["refId"], sent["messageId"])).json[
        "updated"] == 1
    assert messages_of(session, fresh(session, issue))[0].status == "delivered"
    assert any(c.startswith("SMS-status avklart") for c in comments_of(session, issue))
    assert stub.per_number() == {"+4791234567": 1}


def test_unknown_send_is_not_repeated_by_a_second_try(
        host: Any, session: Any, users: Any, order: Any, stub: LinkStub) -> None:
    """A planner who books the same order version again (e.g. after the first
    request's transaction failed later) gets the logged unknown SMS, not a new one."""
    from plugins.sms.sending import send_to_order
    from plugins.sms.store import booking_key

    issue = order()
    stub.stall(seconds=1.5, times=1)
    key = booking_key(issue)
    row = run(host, session, lambda: send_to_order(host, session, issue, "booking", key=key))
    assert row.status == "unknown"
    again = run(host, session, lambda: send_to_order(host, session, issue, "booking", key=key))
    assert again.id == row.id and again.status == "unknown"
    assert len(stub.state.requests) == 1 and len(stub.sent()) == 1


@pytest.mark.parametrize("sent", [True, False])
def test_planner_resolves_unknown(host: Any, session: Any, client: Any, auth: Any,
                                  users: Any, order: Any, stub: LinkStub, sent: bool) -> None:
    issue = order()
    stub.stall(seconds=1.5, times=1)
    book(host, session, users["planner"], issue)
    [row] = messages_of(session, fresh(session, issue))
    html = client.get(f"/browse/{issue.key}", headers=auth("planner")).get_data(as_text=True)
    assert "SMS-status ukjent" in html and f'id="sms-resolve-sent-{row.id}"' in html
    url = f"/rest/sms/1/issue/{issue.key}/messages/{row.id}/resolve"
    bad = client.post(url, json={"sent": "ja"}, headers=auth("planner"))
    assert bad.status_code == 400 and "sent" in bad.json["errors"]
    response = client.post(url, json={"sent": sent}, headers=auth("planner"))
    assert response.status_code == 200
    assert response.json["status"] == ("accepted" if sent else "failed")
    assert status_of(session, issue) == ("awaiting_response" if sent else "manual_followup")
    again = client.post(url, json={"sent": sent}, headers=auth("planner"))
    assert again.status_code == 400
    assert len(stub.sent()) == 1


def test_single_booking_is_held_no_longer_than_the_deadline(
        host: Any, session: Any, users: Any, order: Any, stub: LinkStub) -> None:
    """500s on every try: the booking gives up within the total deadline (1 s in the
    test config), not after every try's timeout and backoff."""
    issue = order()
    stub.fail(times=100)
    with pytest.raises(WorkflowAbort):
        book(host, session, users["planner"], issue)
    assert len(stub.state.requests) <= 2  # attempts 2, both inside the deadline
    assert stub.sent() == [] and status_of(session, issue) == "planning"


# -- 3, 5: multipart reports and result codes ---------------------------------------


def test_multipart_delivered_only_when_every_part_is(
        session: Any, client: Any, order: Any, stub: LinkStub) -> None:
    issue = order(status="awaiting_response")
    sent = stub.sent()[-1]
    assert sent["parts"] >= 2  # the booking text is two segments
    parts = reports_for(sent)
    for report in parts:
        report["refId"] = None  # parts match by message id alone
    assert post(client, REPORTS, parts[0]).json["updated"] == 1
    assert messages_of(session, fresh(session, issue))[0].status == "pending"
    assert post(client, REPORTS, parts[0]).status_code == 200  # a repeat changes nothing
    assert messages_of(session, fresh(session, issue))[0].status == "pending"
    assert post(client, REPORTS, parts[1:]).status_code == 200
    assert messages_of(session, fresh(session, issue))[0].status == "delivered"
    assert status_of(session, issue) == "awaiting_response"
    assert session.query(SmsMessage).filter_by(direction="dlr").count() == len(parts)


def test_one_failed_part_is_not_delivered(session: Any, client: Any, order: Any,
                                          stub: LinkStub) -> None:
    issue = order(status="awaiting_response")
    sent = stub.sent()[-1]
    good, bad = reports_for(sent)[0], reports_for(sent, 1006)[1]
    post(client, REPORTS, [bad, good])
    assert messages_of(session, fresh(session, issue))[0].status == "undelivered"
    assert status_of(session, issue) == "manual_followup"
    assert sum("ble ikke levert (kode 1006)" in c for c in comments_of(session, issue)) == 1


@pytest.mark.parametrize("code", [1005, 1000, 1008, 1012, 1013])
def test_temporary_codes_move_nothing(session: Any, client: Any, order: Any,
                                      stub: LinkStub, code: int) -> None:
    issue = order(status="awaiting_response")
    sent = stub.sent()[-1]
    post(client, REPORTS, delivery_report(sent["refId"], sent["messageId"], code))
    assert messages_of(session, fresh(session, issue))[0].status == "pending"
    assert status_of(session, issue) == "awaiting_response"


def test_1007_is_delivered_not_a_failure(session: Any, client: Any, order: Any,
                                         stub: LinkStub) -> None:
    issue = order(status="awaiting_response")
    sent = stub.sent()[-1]
    post(client, REPORTS, delivery_report(sent["refId"], sent["messageId"], 1007))
    assert messages_of(session, fresh(session, issue))[0].status == "delivered"
    assert status_of(session, issue) == "awaiting_response"


# -- 4: a report that overtakes its send's commit -----------------------------------


def test_report_before_commit_is_not_lost(host: Any, session: Any, users: Any, order: Any,
                                          stub: LinkStub, live_url: str, backend: str) -> None:
    """The gate posts every report 0–50 ms after Link took the message, while the
    booking's transaction has not committed; it is answered 503 and sent again."""
    issues = [order(mobile=f"9123456{i}") for i in range(4)]
    gate = stub.gate(f"{live_url}{REPORTS}", {"X-Webhook-Token": TOKEN}, delay=(0, 0.05),
                     retry_every=0.1)
    def book_slowly(issue: Any) -> None:  # the commit comes after every report
        transition_issue(host, session, users["planner"], issue, "PC_TRANSITION_BOOKING_SENT")
        time.sleep(0.15)

    for issue in issues:
        run(host, session, lambda i=issue: book_slowly(i))
    gate.wait(30)
    assert gate.lost == 0 and gate.acknowledged == sum(m["parts"] for m in stub.sent())
    if backend == "postgresql":  # SQLite: the report waits for the booking's write lock
        assert gate.attempts > gate.acknowledged  # answered 503 first, then taken
    assert [messages_of(session, fresh(session, i))[0].status for i in issues] == [
        "delivered"] * 4


# -- 6, 18.5: who may answer for an order ------------------------------------------


def test_reply_from_another_number_is_kept_for_a_person(
        host: Any, session: Any, client: Any, order: Any) -> None:
    issue = order(status="awaiting_response")
    code = values_of(host, issue)["reply_code"]
    response = post(client, REPLIES, inbound_message("mo-1", "+4799887766", f"{code} OK"))
    assert response.json["unmatched"] == 1
    assert status_of(session, issue) == "awaiting_response"
    [row] = session.query(SmsMessage).filter_by(direction="in").all()
    assert (row.status, row.issue_id, row.project_key) == ("unmatched", None, "ELV")
    assert any("+4799887766, som ikke er ordrens mobilnummer" in c
               for c in comments_of(session, issue))
    # The same code from the order's own number, written another way, counts.
    local = post(client, REPLIES, inbound_message("mo-2", "004791234567", f"{code} OK"))
    assert local.json["processed"] == 1 and status_of(session, issue) == "ready"


def test_reply_to_another_projects_hook_cannot_touch_this_order(
        host: Any, session: Any, client: Any, order: Any) -> None:
    """An ELV order's code posted to FJN's hook with FJN's (valid) secret."""
    issue = order(status="awaiting_response")
    code = values_of(host, issue)["reply_code"]
    host.clock = None  # the local signature is checked against the real time
    body = json.dumps({"id": "r-1", "from": "+4791234567", "text": f"{code} OK"}).encode()
    stamp = int(time.time())
    headers = {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign(LOCAL_SECRET, stamp, body)}
    response = client.post("/sms/hooks/FJN/inbound", data=body, headers=headers)
    assert response.status_code == 200 and response.json["unmatched"] == 1
    assert status_of(session, issue) == "awaiting_response"
    [row] = session.query(SmsMessage).filter_by(direction="in").all()
    assert (row.issue_id, row.project_key) == (None, "FJN")


def test_a_typo_in_the_code_never_reaches_another_order(
        host: Any, session: Any, client: Any, order: Any) -> None:
    first, second = order(status="awaiting_response"), order(status="awaiting_response")
    code = values_of(host, first)["reply_code"]
    typo = code[:-2] + ("A" if code[-2] != "A" else "B") + code[-1]
    post(client, REPLIES, inbound_message("mo-1", "+4791234567", f"{typo} OK"))
    assert [status_of(session, i) for i in (first, second)] == ["awaiting_response"] * 2


def test_report_to_another_projects_hook_cannot_touch_this_order(
        host: Any, session: Any, client: Any, order: Any,
        stub: LinkStub) -> None:
    """FJN's hook, with a token FJN would accept, reporting an ELV message failed."""
    from plugins.sms.delivery import apply_report
    from plugins.sms.providers.base import DeliveryReport, DeliveryState

    issue = order(status="awaiting_response")
    sent = stub.sent()[-1]
    report = DeliveryReport(provider_id=sent["messageId"], ref=sent["refId"],
                            state=DeliveryState.FAILED, final=True, code="1006")
    outcome = run(host, session, lambda: apply_report(host, session, "link", report, "FJN"))
    assert outcome == "unknown"
    assert messages_of(session, fresh(session, issue))[0].status == "accepted"
    assert status_of(session, issue) == "awaiting_response"


# -- 7: text Link cannot carry -------------------------------------------------------


def test_emoji_is_refused_before_sending(client: Any, auth: Any, order: Any,
                                         stub: LinkStub) -> None:
    issue = order(status="awaiting_response")
    key, before = issue.key, len(stub.state.requests)
    response = client.post(f"/rest/sms/1/issue/{issue.key}/messages",
                           json={"kind": "free_text", "text": "Vi kommer 😀"},
                           headers={**auth("planner"), "X-Atlassian-Token": "no-check"})
    assert response.status_code == 400
    assert "emoji" in response.json["errors"]["text"] and "😀" in response.json["errors"]["text"]
    assert len(stub.state.requests) == before
    preview = client.get(f"/sms/browse/{key}/preview?kind=free_text&text=Hei%20😀",
                         headers=auth("planner"))
    assert "emoji" in preview.json["problem"] and preview.json["body"].endswith("😀")


# -- 8: the webhook token's place ----------------------------------------------------


def test_token_in_the_query_string_is_refused(session: Any, client: Any, order: Any,
                                              stub: LinkStub) -> None:
    issue = order(status="awaiting_response")
    sent = stub.sent()[-1]
    report = delivery_report(sent["refId"], sent["messageId"], 2106)
    assert post(client, f"{REPORTS}?token={TOKEN}", report, headers={}).status_code == 401
    assert status_of(session, issue) == "awaiting_response"


def test_unknown_report_is_answered_so_link_retries(client: Any, order: Any,
                                                    stub: LinkStub) -> None:
    order(status="awaiting_response")
    response = post(client, REPORTS, delivery_report("nope", "LMnope", 1001))
    assert response.status_code == 503 and response.json["unknown"] == 1
