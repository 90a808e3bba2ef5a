"""PC_TRANSITION_BOOKING_SENT against the loopback Link stand-in."""

from __future__ import annotations

from typing import Any

import pytest

from core.services.issues import values_of
from core.workflow.context import WorkflowAbort
from plugins.sms.models import SmsMessage
from plugins.sms.store import messages_of
from plugins.sms.tests.conftest import book, comments_of, status_of
from plugins.sms.tests.linkstub import LinkStub

# Every test here runs on SQLite and on PostgreSQL (root conftest's backend).
pytestmark = pytest.mark.usefixtures("backend")


def test_booking_sms_is_sent_and_commented(host: Any, session: Any, users: Any, order: Any,
                                           stub: LinkStub) -> None:
    issue = order()
    book(host, session, users["planner"], issue)
    assert status_of(session, issue) == "awaiting_response"
    code = values_of(host, issue)["reply_code"]
    [sent] = stub.sent()
    assert sent["destination"] == "+4791234567" and sent["source"] == "Elvnett"
    text = sent["userData"]
    assert f"{code} OK" in text and "torsdag 24. april kl. 10:00" in text
    assert "Åse Ødegård" in text and "Mona Montør" in text and "2222" in text
    assert any(text in c for c in comments_of(session, issue))
    [row] = messages_of(session, issue)
    assert (row.status, row.kind, row.provider_id) == ("accepted", "booking", sent["messageId"])
    assert row.idempotency_key == sent["refId"]


def test_booking_is_one_change_with_its_reply_code(host: Any, session: Any, users: Any,
                                                   order: Any, stub: LinkStub) -> None:
    """The reply code the post-function sets joins the status change in one change
    group (one changelog entry, as Jira shows a transition), written by the planner."""
    from sqlalchemy import select

    from core.models import ChangeGroup, ChangeItem

    issue = order()
    before = set(session.scalars(select(ChangeGroup.id).where(
        ChangeGroup.issue_id == issue.id)))
    book(host, session, users["planner"], issue)
    groups = [g for g in session.scalars(select(ChangeGroup).where(
        ChangeGroup.issue_id == issue.id)) if g.id not in before]
    assert len(groups) == 1 and groups[0].author_id == users["planner"].id
    items = session.scalars(select(ChangeItem).where(
        ChangeItem.group_id == groups[0].id).order_by(ChangeItem.id)).all()
    assert [i.field for i in items] == ["status", host.fields["reply_code"].id]
    assert items[1].to_value == values_of(host, issue)["reply_code"]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [({"mobile": None}, "Mangler mobilnummer"),
     ({"mobile": "22123456"}, "ikke et mobilnummer"),
     ({"mobile": "12"}, "Ugyldig telefonnummer"),
     ({"sms_opt_out": True}, "reservert seg mot SMS")],
)
def test_no_valid_mobile_goes_to_manual_followup(host: Any, session: Any, users: Any,
                                                 order: Any, stub: LinkStub,
                                                 fields: dict[str, Any], reason: str) -> None:
    issue = order(**fields)
    book(host, session, users["planner"], issue)
    assert status_of(session, issue) == "manual_followup"
    assert any(reason in c and "manuell oppfølging" in c for c in comments_of(session, issue))
    assert stub.sent() == []


@pytest.mark.parametrize("trouble", ["refuse", "500", "429"])
def test_gateway_trouble_keeps_status_and_records_why(host: Any, session: Any, users: Any,
                                                      order: Any, stub: LinkStub,
                                                      trouble: str) -> None:
    issue = order()
    if trouble == "refuse":
        stub.refuse("+4791234567")
    else:  # answered before Link took anything, every try
        stub.fail(times=2, status=int(trouble))
    with pytest.raises(WorkflowAbort) as err:
        book(host, session, users["planner"], issue)
    assert "SMS ble ikke sendt" in str(err.value)
    assert status_of(session, issue) == "planning"
    comments = comments_of(session, issue)
    assert len(comments) == 1 and "Booking-SMS kunne ikke sendes til +4791234567" in comments[0]
    [row] = session.query(SmsMessage).filter_by(issue_id=issue.id).all()
    assert row.status == ("refused" if trouble == "refuse" else "failed")
    assert row.error and row.error in comments[0]


def test_500_then_ok_sends_once(host: Any, session: Any, users: Any, order: Any,
                                stub: LinkStub) -> None:
    issue = order()
    stub.fail(times=1)
    book(host, session, users["planner"], issue)
    assert status_of(session, issue) == "awaiting_response"
    assert len(stub.sent()) == 1 and len(stub.state.requests) == 2


def test_bulk_booking_one_refused(host: Any, session: Any, users: Any, order: Any,
                                  stub: LinkStub) -> None:
    issues = [order(mobile=f"9123456{i}") for i in range(4)]
    stub.refuse("+4791234562")
    outcomes = []
    for issue in issues:
        try:
            book(host, session, users["planner"], issue)
            outcomes.append("ok")
        except WorkflowAbort:
            outcomes.append("refused")
    assert outcomes == ["ok", "ok", "refused", "ok"]
    assert [status_of(session, i) for i in issues] == [
        "awaiting_response", "awaiting_response", "planning", "awaiting_response"]
    assert len(stub.sent()) == 3
    codes = {values_of(host, i).get("reply_code") for i in issues[:2] + issues[3:]}
    assert len(codes) == 3
