"""Replies through the authenticated inbound webhook: every form, duplicates, unmatched."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from core.services.issues import values_of
from plugins.sms.models import SmsMessage
from plugins.sms.providers.local import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from plugins.sms.tests.conftest import LOCAL_SECRET, TOKEN, comments_of, fresh, status_of
from plugins.sms.tests.linkstub import inbound_message

# Every test here runs on SQLite and on PostgreSQL (root conftest's backend).
pytestmark = pytest.mark.usefixtures("backend")

HOOK = "/sms/hooks/ELV/inbound"


def post(client: Any, body: Any, token: str | None = TOKEN, url: str = HOOK) -> Any:
    headers = {"X-Webhook-Token": token} if token else {}
    return client.post(url, data=json.dumps(body), headers=headers,
                       content_type="application/json")


def code_of(host: Any, issue: Any) -> str:
    return values_of(host, issue)["reply_code"]


@pytest.mark.parametrize(
    ("template", "status"),
    [("{code} OK", "ready"), ("{lower} ok", "ready"), ("  {code}   Ok  ", "ready"),
     ("{code} Ok!!", "manual_followup"), ("{code} KONTAKT", "manual_followup"),
     ("{code} Det passer ikke, ring meg", "manual_followup")],
)
def test_reply_forms(host: Any, session: Any, client: Any, order: Any, template: str,
                     status: str) -> None:
    issue = order(status="awaiting_response")
    code = code_of(host, issue)
    text = template.format(code=code, lower=code.lower())
    response = post(client, inbound_message("mo-1", "+4791234567", text))
    assert response.status_code == 200 and response.json["processed"] == 1
    assert status_of(session, issue) == status
    assert any(text in c for c in comments_of(session, issue))


def test_stopp_sets_opt_out(host: Any, session: Any, client: Any, order: Any) -> None:
    issue = order(status="awaiting_response")
    post(client, inbound_message("mo-1", "+4791234567", f"{code_of(host, issue)} STOPP"))
    assert status_of(session, issue) == "manual_followup"
    assert values_of(host, fresh(session, issue))["sms_opt_out"] is True


@pytest.mark.parametrize("text", ["ZZZZ OK", "OK", "KONTAKT", ""])
def test_unknown_or_missing_code_changes_nothing(host: Any, session: Any, client: Any,
                                                 order: Any, text: str) -> None:
    issue = order(status="awaiting_response")
    before = comments_of(session, issue)
    response = post(client, inbound_message("mo-9", "+4791234567", text))
    assert response.json["unmatched"] == 1
    assert status_of(session, issue) == "awaiting_response"
    assert comments_of(session, issue) == before
    [row] = session.query(SmsMessage).filter_by(direction="in").all()
    assert (row.status, row.issue_id, row.body) == ("unmatched", None, text)


def test_bad_token_is_401_and_changes_nothing(host: Any, session: Any, client: Any,
                                              order: Any) -> None:
    issue = order(status="awaiting_response")
    body = inbound_message("mo-1", "+4791234567", f"{code_of(host, issue)} OK")
    assert post(client, body, token="wrong").status_code == 401
    assert post(client, body, token=None).status_code == 401
    assert status_of(session, issue) == "awaiting_response"
    assert session.query(SmsMessage).filter_by(direction="in").count() == 0


def test_repeated_delivery_is_processed_once(host: Any, session: Any, client: Any,
                                             order: Any) -> None:
    issue = order(status="awaiting_response")
    body = inbound_message("mo-1", "+4791234567", f"{code_of(host, issue)} KONTAKT")
    assert post(client, body).json["processed"] == 1
    assert post(client, body).json["duplicates"] == 1
    assert post(client, [body, body]).json["duplicates"] == 2
    replies = [c for c in comments_of(session, issue) if c.startswith("SMS-svar")]
    assert len(replies) == 1
    assert session.query(SmsMessage).filter_by(direction="in").count() == 1


def test_unreadable_body_is_400(client: Any, link_app: Any) -> None:
    response = client.post(HOOK, data="nope", headers={"X-Webhook-Token": TOKEN})
    assert response.status_code == 400


def test_planner_attaches_unmatched_reply(host: Any, session: Any, client: Any, order: Any,
                                          users: Any) -> None:
    from core.services.uow import run
    from plugins.sms.inbound import attach_reply

    issue = order(status="awaiting_response")
    post(client, inbound_message("mo-1", "+4791234567", "OK"))
    [row] = session.query(SmsMessage).filter_by(status="unmatched").all()
    planner = session.merge(users["planner"])
    run(host, session, lambda: attach_reply(host, session, planner, row.id, issue.key))
    assert status_of(session, issue) == "ready"
    session.refresh(row)
    assert (row.status, row.issue_id) == ("attached", issue.id)


def test_local_provider_signed_webhook(host: Any, session: Any, client: Any,
                                       order: Any) -> None:
    issue = order(project="FJN", status="planning")
    from core.services.uow import run
    from plugins.sms.store import ensure_reply_code

    code = run(host, session, lambda: ensure_reply_code(host, session, issue))
    host.clock = None  # signatures are checked against the real time
    body = json.dumps({"id": "r-1", "from": "+4791234567", "text": f"{code} KONTAKT"}).encode()
    stamp = int(time.time())
    good = {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign(LOCAL_SECRET, stamp, body)}
    bad = {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign("other", stamp, body)}
    url = "/sms/hooks/FJN/inbound"
    assert client.post(url, data=body, headers=bad).status_code == 401
    response = client.post(url, data=body, headers=good)
    assert response.status_code == 200 and response.json["processed"] == 1
    assert status_of(session, issue) == "manual_followup"
