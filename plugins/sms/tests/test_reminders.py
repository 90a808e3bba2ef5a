"""Reminders and quiet hours with a controlled clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from core.services.history import record
from core.services.issues import edit_issue
from core.services.uow import run
from core.workflow.engine import transition_issue
from plugins.sms.reminders import flush_held, run_reminders
from plugins.sms.store import messages_of
from plugins.sms.tests.conftest import Clock, book, comments_of, status_of
from plugins.sms.tests.linkstub import LinkStub

# Every test here runs on SQLite and on PostgreSQL (root conftest's backend).
pytestmark = pytest.mark.usefixtures("backend")


def test_booking_reminder_after_delay_once(host: Any, session: Any, order: Any,
                                           stub: LinkStub, clock: Clock) -> None:
    issue = order(status="awaiting_response")
    clock.advance(hours=47)
    assert run_reminders(host)["booking"] == 0
    clock.advance(hours=2)
    assert run_reminders(host)["booking"] == 1
    assert status_of(session, issue) == "manual_followup"
    kinds = [m.kind for m in messages_of(session, issue)]
    assert kinds == ["booking_reminder", "booking"]
    assert "Påminnelse" in stub.sent()[-1]["userData"]
    assert any("Ingen svar på booking (SMS) innen 48 timer" in c
               for c in comments_of(session, issue))
    clock.advance(hours=30)
    assert run_reminders(host) == {"booking": 0, "appointment": 0}
    assert len(stub.sent()) == 2


def test_booking_reminder_without_mobile_still_moves(host: Any, session: Any, order: Any,
                                                     users: Any, stub: LinkStub,
                                                     clock: Clock) -> None:
    issue = order(status="awaiting_response")
    run(host, session, lambda: edit_issue(host, session, users["planner"], issue,
                                          {"mobile": None}))
    clock.advance(hours=49)
    run_reminders(host)
    assert status_of(session, issue) == "manual_followup"
    assert any("Påminnelse ble ikke sendt: Mangler mobilnummer" in c
               for c in comments_of(session, issue))
    assert len(stub.sent()) == 1


def waiting_without_sms(host: Any, session: Any, planner: Any, issue: Any,
                        clock: Clock) -> None:
    """Put the order in Venter på respons with no booking SMS (as a printed letter does)."""
    run(host, session, lambda: transition_issue(host, session, planner, issue, "FOLLOW_UP"))
    session.expire_all()
    issue.status_id = host.catalog.status_ids["awaiting_response"]
    record(session, issue, planner, [("status", str(host.catalog.status_ids[
        "manual_followup"]), "Manuell oppfølging", str(issue.status_id), "Venter på respons")],
        clock.now)
    host.db.commit(session)


@pytest.fixture
def config_dict(config_dict: dict[str, Any]) -> dict[str, Any]:
    """FJN (booking by letter) waits 120 hours for a reply to its letter."""
    config_dict["projects"][1]["plugins"]["letters"]["booking_reminder_hours"] = 120
    return config_dict


def test_letter_booking_uses_letters_delay(host: Any, session: Any, order: Any, users: Any,
                                           stub: LinkStub, clock: Clock) -> None:
    issue = order(project="FJN")
    waiting_without_sms(host, session, users["planner"], issue, clock)
    clock.advance(hours=100)
    assert run_reminders(host)["booking"] == 0
    clock.advance(hours=21)
    assert run_reminders(host)["booking"] == 1
    assert status_of(session, issue) == "manual_followup"
    assert any("(brev) innen 120 timer" in c for c in comments_of(session, issue))


def test_no_letters_no_letter_reminder(host: Any, session: Any, order: Any, users: Any,
                                       stub: LinkStub, clock: Clock) -> None:
    issue = order()  # ELV books by SMS and does not enable letters
    waiting_without_sms(host, session, users["planner"], issue, clock)
    clock.advance(hours=1000)
    assert run_reminders(host)["booking"] == 0
    assert status_of(session, issue) == "awaiting_response"


def test_appointment_reminder_day_before_once(host: Any, session: Any, order: Any,
                                              users: Any, stub: LinkStub, clock: Clock) -> None:
    issue = order(status="awaiting_response")  # planned Thursday 24 April 10:00
    from plugins.sms.store import ensure_reply_code

    code = ensure_reply_code(host, session, issue)
    from plugins.sms.inbound import receive_reply
    from plugins.sms.providers.base import InboundSms

    run(host, session, lambda: receive_reply(host, session, "link", InboundSms(
        "mo-1", "+4791234567", "2222", f"{code} OK")))
    assert status_of(session, issue) == "ready"
    assert run_reminders(host)["appointment"] == 0  # Tuesday: two days before
    clock.now = datetime(2025, 4, 23, 5, 0, tzinfo=UTC)  # Wednesday 07:00: quiet hours
    assert run_reminders(host)["appointment"] == 1
    [reminder] = [m for m in messages_of(session, issue) if m.kind == "appointment_reminder"]
    assert reminder.status == "held"
    assert run_reminders(host)["appointment"] == 0
    clock.now = datetime(2025, 4, 23, 6, 1, tzinfo=UTC)  # 08:01
    assert flush_held(host) == 1
    session.expire_all()
    assert reminder.status == "accepted"
    assert "I morgen" in stub.sent()[-1]["userData"]
    assert run_reminders(host)["appointment"] == 0
    assert sum(1 for m in stub.sent() if "I morgen" in m["userData"]) == 1


def test_booking_in_quiet_hours_is_held_until_morning(host: Any, session: Any, order: Any,
                                                      users: Any, stub: LinkStub,
                                                      clock: Clock) -> None:
    issue = order()
    clock.now = datetime(2025, 4, 22, 19, 30, tzinfo=UTC)  # 21:30 in Oslo
    book(host, session, users["planner"], issue)
    assert status_of(session, issue) == "awaiting_response"
    assert stub.sent() == []
    [row] = messages_of(session, issue)
    assert row.status == "held"
    assert row.send_after == datetime(2025, 4, 23, 6, 0, tzinfo=UTC)
    assert any("onsdag 23. april kl. 08:00 (stilletid)" in c for c in comments_of(session, issue))
    clock.now = datetime(2025, 4, 23, 5, 59, tzinfo=UTC)
    assert flush_held(host) == 0
    clock.now = datetime(2025, 4, 23, 6, 0, tzinfo=UTC)
    assert flush_held(host) == 1
    assert len(stub.sent()) == 1
    assert flush_held(host) == 0


def test_held_message_refused_in_morning_goes_to_followup(host: Any, session: Any,
                                                          order: Any, users: Any,
                                                          stub: LinkStub, clock: Clock) -> None:
    issue = order()
    clock.now = datetime(2025, 4, 22, 19, 30, tzinfo=UTC)
    book(host, session, users["planner"], issue)
    stub.refuse("+4791234567")
    clock.now = datetime(2025, 4, 23, 6, 0, tzinfo=UTC)
    flush_held(host)
    assert status_of(session, issue) == "manual_followup"
    assert messages_of(session, issue)[0].status == "refused"
