"""The issue view's SMS panel, menu entry, preview, typed replies, unmatched page and API."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.services.issues import values_of
from core.services.uow import run
from core.workflow.engine import transition_issue
from plugins.sms.tests.conftest import comments_of, fresh, status_of
from plugins.sms.tests.linkstub import LinkStub


def page(client: Any, auth: Any, key: str, who: str = "planner") -> str:
    response = client.get(f"/browse/{key}", headers=auth(who))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def form_post(client: Any, auth: Any, url: str, html: str, **data: str) -> Any:
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post(url, data={"csrf_token": token, **data}, headers=auth("planner"))


def nonce_of(html: str) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', html).group(1)


def test_panel_sends_free_text_once_per_form(session: Any, client: Any, auth: Any,
                                             order: Any, stub: LinkStub) -> None:
    issue = order(status="awaiting_response")
    html = page(client, auth, issue.key)
    assert 'id="panel-sms"' in html and 'id="action-send-sms"' in html
    url = f"/sms/browse/{issue.key}/send"
    nonce = nonce_of(html)
    for _ in range(2):  # a double click posts the same form twice
        response = form_post(client, auth, url, html, kind="free_text",
                             text="Vi kommer litt senere, ca. kl 11.", nonce=nonce)
        assert response.status_code == 302
    assert [m["userData"] for m in stub.sent()][1:] == ["Vi kommer litt senere, ca. kl 11."]
    assert any(c.startswith("SMS sendt til +4791234567") for c in comments_of(session, issue))
    html = page(client, auth, issue.key)
    assert "Vi kommer litt senere" in html and 'id="sms-log"' in html


def test_confirmation_from_manual_followup_moves_to_ready(host: Any, session: Any,
                                                          client: Any, auth: Any, users: Any,
                                                          order: Any, stub: LinkStub) -> None:
    issue = order(status="awaiting_response")
    run(host, session, lambda: transition_issue(host, session, users["planner"], issue,
                                                "FOLLOW_UP"))
    html = page(client, auth, issue.key)
    form_post(client, auth, f"/sms/browse/{issue.key}/send", html,
              kind="booking_confirmation", text="", nonce=nonce_of(html))
    assert status_of(session, issue) == "ready"
    assert stub.sent()[-1]["userData"].startswith("Bookingbekreftelse")


def test_refused_panel_send_keeps_status_and_shows_error(host: Any, session: Any,
                                                         client: Any, auth: Any, users: Any,
                                                         order: Any, stub: LinkStub) -> None:
    issue = order(status="awaiting_response")
    run(host, session, lambda: transition_issue(host, session, users["planner"], issue,
                                                "FOLLOW_UP"))
    stub.refuse("+4791234567")
    html = page(client, auth, issue.key)
    response = form_post(client, auth, f"/sms/browse/{issue.key}/send", html,
                         kind="booking_confirmation", text="", nonce=nonce_of(html))
    follow = client.get(response.headers["Location"], headers=auth("planner"))
    assert "SMS ble ikke sendt" in follow.get_data(as_text=True)
    assert status_of(session, issue) == "manual_followup"
    assert any("Bookingbekreftelse-SMS kunne ikke sendes" in c
               for c in comments_of(session, issue))


@pytest.mark.parametrize(("fields", "why"), [({"sms_opt_out": True}, "reservert"),
                                            ({"mobile": None}, "Mangler mobilnummer")])
def test_no_panel_send_without_mobile_or_with_opt_out(client: Any, auth: Any, order: Any,
                                                      fields: dict[str, Any], why: str) -> None:
    issue = order(status="awaiting_response", **fields)  # booking sends it to follow-up
    html = page(client, auth, issue.key)
    assert "Manuell oppfølging" in html
    assert 'id="action-send-sms"' not in html
    assert 'id="sms-unavailable"' in html and why in html


def test_no_send_in_status_not_configured(client: Any, auth: Any, order: Any) -> None:
    html = page(client, auth, order().key)  # Under planlegging
    assert 'id="sms-send-form"' not in html and "Under planlegging" in html


def test_preview_reports_encoding_and_segments(client: Any, auth: Any, order: Any) -> None:
    key = order(status="awaiting_response").key
    url = f"/sms/browse/{key}/preview"
    gsm = client.get(url, query_string={"text": "Blåbær " * 30}, headers=auth("planner")).json
    assert (gsm["encoding"], gsm["segments"]) == ("GSM-7", 2)
    ucs = client.get(url, query_string={"text": "Hei ✓"}, headers=auth("planner")).json
    assert (ucs["encoding"], ucs["segments"], ucs["units"]) == ("UCS-2", 1, 5)
    conf = client.get(url, query_string={"kind": "booking_confirmation"},
                      headers=auth("planner")).json
    assert "torsdag 24. april kl. 10:00" in conf["body"]


def test_api_log_and_send(session: Any, client: Any, auth: Any, order: Any,
                          stub: LinkStub) -> None:
    issue = order(status="awaiting_response")
    sent = client.post(f"/rest/sms/1/issue/{issue.key}/messages", headers=auth("planner"),
                       json={"kind": "free_text", "text": "Hei", "idempotencyKey": "k-1"})
    assert sent.status_code == 201 and sent.json["status"] == "accepted"
    log = client.get(f"/rest/sms/1/issue/{issue.key}/messages", headers=auth("planner")).json
    assert [m["kind"] for m in log["messages"]] == ["free_text", "booking"]
    assert log["messages"][0]["idempotencyKey"] == f"panel:{issue.key}:k-1"
    assert client.get(f"/rest/sms/1/issue/{issue.key}/messages").status_code == 401
    outsider = client.get(f"/rest/sms/1/issue/{issue.key}/messages", headers=auth("outsider"))
    assert outsider.status_code == 404


def test_typed_reply_and_unmatched_page(host: Any, session: Any, client: Any, auth: Any,
                                        order: Any) -> None:
    issue = order(project="FJN")
    from plugins.sms.store import ensure_reply_code

    run(host, session, lambda: ensure_reply_code(host, session, issue))
    run(host, session, lambda: transition_issue(host, session, host.system_user(session),
                                                issue, "FOLLOW_UP"))
    code = values_of(host, fresh(session, issue))["reply_code"]
    html = page(client, auth, issue.key)
    form_post(client, auth, f"/sms/browse/{issue.key}/reply", html, text="HVEM ER DETTE")
    form_post(client, auth, f"/sms/browse/{issue.key}/reply", html, text=f"{code} OK")
    unmatched = client.get("/sms/unmatched", headers=auth("planner")).get_data(as_text=True)
    assert "HVEM ER DETTE" in unmatched
    assert any(f"{code} OK" in c for c in comments_of(session, issue))
