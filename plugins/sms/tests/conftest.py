"""Fixtures for the SMS plugin: the demo config pointed at a loopback Link stand-in,
a controlled clock, and orders ready for booking."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.services.issues import create_issue
from core.services.uow import run
from core.workflow.engine import transition_issue
from plugins.sms.tests.linkstub import LinkStub

TOKEN = "hook-token-1"
LOCAL_SECRET = "local-secret-1"
# Tuesday 22 April 2025, 10:00 in Oslo: inside sending hours.
DAYTIME = datetime(2025, 4, 22, 8, 0, tzinfo=UTC)


class Clock:
    """host.clock: tests move time by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def stub() -> Iterator[LinkStub]:
    with LinkStub(username="amsflow", password="pw") as running:
        yield running


@pytest.fixture
def sms_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINK_SMS_USERNAME", "amsflow")
    monkeypatch.setenv("LINK_SMS_PASSWORD", "pw")
    monkeypatch.setenv("LINK_SMS_WEBHOOK_TOKEN", TOKEN)
    monkeypatch.setenv("LOCAL_SMS_WEBHOOK_SECRET", LOCAL_SECRET)


@pytest.fixture
def config_dict(config_dict: dict[str, Any], stub: LinkStub, sms_env: None) -> dict[str, Any]:
    """The demo config with ELV sending through the Link stand-in (FJN stays local)."""
    config_dict["projects"][0]["plugins"]["sms"] = {
        "provider": "link", "reply_number": "2222", "sender": "Elvnett",
        "link": {"base_url": stub.base_url, "platform_id": "P", "platform_partner_id": "PP",
                 "gate_id": "G1", "timeout": 0.4, "attempts": 2, "backoff": 0.01,
                 "deadline": 1.0},
    }
    return config_dict


@pytest.fixture
def link_app(app: Any) -> Any:
    return app


@pytest.fixture
def clock(link_app: Any) -> Clock:
    host = link_app.extensions["amsflow"]
    host.clock = Clock(DAYTIME)
    return host.clock


@pytest.fixture
def order(host: Any, session: Any, users: dict[str, Any], clock: Clock) -> Callable[..., Any]:
    """order(**fields) -> an ELV order in Under planlegging, assigned and planned."""

    def make(project: str = "ELV", status: str = "planning", **fields: Any) -> Any:
        planner = users["planner"]
        values = {"customer_name": "Åse Ødegård", "address": "Storgata 1",
                  "postcode": "6002", "mobile": "91234567",
                  "planned_start": "2025-04-24T10:00:00+02:00", "assignee": "installer",
                  **fields}
        issue = run(host, session, lambda: create_issue(
            host, session, planner, project, "Målerbytte", "Målerbytte", values,
            system=True))
        run(host, session, lambda: transition_issue(host, session, planner, issue,
                                                    "START_PLANNING"))
        if status == "awaiting_response":
            book(host, session, planner, issue)
        return issue

    return make


def book(host: Any, session: Any, user: Any, issue: Any) -> Any:
    """Run PC_TRANSITION_BOOKING_SENT in its own unit of work."""
    return run(host, session, lambda: transition_issue(host, session, user, issue,
                                                       "PC_TRANSITION_BOOKING_SENT"))


def fresh(session: Any, issue: Any) -> Any:
    """The order reloaded (a test-client request closes the scoped session)."""
    from core.models import Issue

    session.expire_all()
    return session.get(Issue, issue.id)


def status_of(session: Any, issue: Any) -> str:
    return fresh(session, issue).status.key


def comments_of(session: Any, issue: Any) -> list[str]:
    from sqlalchemy import select

    from core.models import Comment

    session.expire_all()
    return list(session.scalars(select(Comment.body).where(Comment.issue_id == issue.id)
                                .order_by(Comment.id)))
