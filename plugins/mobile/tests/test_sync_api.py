"""The phone's sync API on SQLite and PostgreSQL: the installer's own orders only,
batches applied once by client id however often they are sent, conflicts answered
409 with the current state and the input kept, another installer's order refused."""

from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from core.models import Attachment, ChangeGroup, Comment, Issue, IssueLink
from core.services.comments import add_comment
from core.services.issues import edit_issue, values_of
from core.workflow.engine import transition_issue
from plugins.mobile.models import CONFLICT, MobileAction

JPEG = base64.b64encode(b"\xff\xd8\xff\xe0" + b"0" * 200 + b"\xff\xd9").decode()


def fresh(host: Any, key: str) -> Issue:
    s = host.db.session()
    s.expire_all()
    return s.scalar(select(Issue).where(Issue.key == key))


def sync(client: Any, auth: Any, who: str = "installer", cursor: str | None = None) -> Any:
    url = "/rest/mobile/1/sync" + (f"?cursor={quote(cursor)}" if cursor else "")
    r = client.get(url, headers=auth(who))
    assert r.status_code == 200, r.text
    return r.get_json()


def send(client: Any, auth: Any, actions: list[dict[str, Any]], who: str = "installer") -> Any:
    r = client.post("/rest/mobile/1/actions", json={"actions": actions}, headers=auth(who))
    assert r.status_code == 200, r.text
    return r.get_json()


def by_key(orders: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["key"]: o for o in orders}


def test_sync_lists_only_my_orders_on_the_phone_by_planned_start(client, auth, day, backend):
    data = sync(client, auth)
    # Klar til utførelse and Under arbeid, assigned to me; by planned start.
    assert data["keys"] == ["ELV-2", "ELV-3", "ELV-1", "ELV-4"]
    orders = by_key(data["orders"])
    first = orders["ELV-2"]
    assert first["important"] is True and first["time"] == "08:00"
    assert first["customer"] == "Kunde 2" and first["mobile"] == "+4790000002"
    assert first["meterNumber"] == "M-2" and first["meteringPointId"] == "707057000000000002"
    assert first["description"] == "Beskrivelse 2" and first["can"]["start"] is True
    assert "difficult_meter" not in {f["key"] for f in first["fields"]}  # web only
    assert "important_info" in {f["key"] for f in first["fields"]}
    assert orders["ELV-3"]["status"]["key"] == "in_progress"
    assert orders["ELV-3"]["can"] == {"start": False, "resolve": True}
    assert orders["ELV-4"]["day"] > orders["ELV-1"]["day"]
    elv = data["projects"]["ELV"]
    assert elv["ok"] == "Ok" and "Kunde ikke hjemme" in elv["reasons"]
    assert "Kansellert" not in elv["reasons"] and "Ok" not in elv["reasons"]
    # The other installer sees only theirs.
    assert sync(client, auth, "installer2")["keys"] == ["ELV-5"]


def test_cursor_sends_only_what_changed(client, auth, day, host, backend):
    s = host.db.session()
    s.execute(Issue.__table__.update().values(updated=host.now() - timedelta(hours=2)))
    host.db.commit(s)
    cursor = (host.now() - timedelta(hours=1)).isoformat()
    quiet = sync(client, auth, cursor=cursor)
    assert quiet["orders"] == [] and quiet["keys"] == ["ELV-2", "ELV-3", "ELV-1", "ELV-4"]
    planner = s.get(type(day["planner"]), day["planner"].id)
    add_comment(host, s, planner, fresh(host, "ELV-4"), "Kunden ringer 30 min før")
    host.db.commit(s)
    changed = sync(client, auth, cursor=cursor)
    assert [o["key"] for o in changed["orders"]] == ["ELV-4"]
    assert changed["orders"][0]["comments"][0]["body"] == "Kunden ringer 30 min før"
    assert changed["cursor"] > cursor
    bad = client.get("/rest/mobile/1/sync?cursor=igår", headers=auth("installer"))
    assert bad.status_code == 400 and "cursor" in bad.get_json()["errors"]


def test_start_and_resolve_ok_with_photo_applied_once(client, auth, day, host, backend):
    order = by_key(sync(client, auth)["orders"])["ELV-1"]
    batch = [
        {"clientId": "c-1", "type": "start", "issue": "ELV-1", "base": order["rev"]},
        {"clientId": "c-2", "type": "photo", "issue": "ELV-1", "filename": "ny.jpg",
         "contentType": "image/jpeg", "data": JPEG},
        {"clientId": "c-3", "type": "resolve", "issue": "ELV-1", "base": order["rev"],
         "resolution": "Ok", "newMeterNumber": "AMS-778899", "reading": "12345.6",
         "comment": "Byttet uten problemer"},
    ]
    first = send(client, auth, batch)
    assert [r["status"] for r in first["results"]] == [200, 201, 200], first
    assert not any(r["replayed"] for r in first["results"])
    issue = fresh(host, "ELV-1")
    assert issue.status.key == "closed" and issue.resolution.name == "Ok"  # AUTO_CLOSE
    values = values_of(host, issue)
    assert values["new_meter_number"] == "AMS-778899" and values["meter_reading"] == 12345.6
    s = host.db.session()
    groups = s.scalar(select(func.count()).select_from(ChangeGroup)
                      .where(ChangeGroup.issue_id == issue.id))
    # The phone lost the answer and sends the whole batch twice more.
    for _ in range(2):
        again = send(client, auth, batch)
        assert [r["status"] for r in again["results"]] == [200, 201, 200]
        assert all(r["replayed"] for r in again["results"])
        assert again["results"][1]["attachment"] == first["results"][1]["attachment"]
    s.expire_all()
    assert s.scalar(select(func.count()).select_from(ChangeGroup)
                    .where(ChangeGroup.issue_id == issue.id)) == groups
    assert s.scalar(select(func.count()).select_from(Attachment)
                    .where(Attachment.issue_id == issue.id)) == 1
    assert s.scalar(select(func.count()).select_from(Comment).where(
        Comment.issue_id == issue.id, Comment.body == "Byttet uten problemer")) == 1
    # The photo is the order's attachment: its installer may fetch it, no other one.
    photo = by_key(first["orders"])["ELV-1"]["attachments"][0]
    assert client.get(photo["url"], headers=auth("installer")).status_code == 200
    assert client.get(photo["url"], headers=auth("installer2")).status_code == 404
    # Done: it leaves the phone's list, and the answer carried its closed state.
    assert "ELV-1" not in sync(client, auth)["keys"]
    assert by_key(first["orders"])["ELV-1"]["status"]["key"] == "closed"


def test_the_same_batch_sent_twice_at_once_is_applied_once(app, auth, day, host, backend):
    batch = [{"clientId": "twice", "type": "resolve", "issue": "ELV-4",
              "resolution": "Kunde ikke hjemme"}]
    answers: list[Any] = []

    def post() -> None:
        answers.append(send(app.test_client(), auth, batch))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a["results"][0]["status"] for a in answers) == [200, 200]
    assert sorted(a["results"][0]["replayed"] for a in answers) == [False, True]
    s = host.db.session()
    assert s.scalar(select(func.count()).select_from(MobileAction)) == 1
    assert fresh(host, "ELV-4").resolution.name == "Kunde ikke hjemme"


def test_resolve_with_a_reason_and_bad_input(client, auth, day, host, backend):
    results = send(client, auth, [
        {"clientId": "r-1", "type": "resolve", "issue": "ELV-3", "resolution": "Ok"},
        {"clientId": "r-2", "type": "resolve", "issue": "ELV-3", "resolution": "Kansellert"},
        {"clientId": "r-3", "type": "photo", "issue": "ELV-3", "contentType": "text/html",
         "data": "PGh0bWw+"},
        {"clientId": "r-4", "type": "resolve", "issue": "ELV-3",
         "resolution": "Ingen adgang", "comment": "Låst port"},
    ])["results"]
    assert [r["status"] for r in results] == [400, 400, 400, 200]
    assert set(results[0]["errors"]) == {"newMeterNumber", "reading"}
    assert "resolution" in results[1]["errors"] and "contentType" in results[2]["errors"]
    issue = fresh(host, "ELV-3")
    assert issue.status.key == "resolved" and issue.resolution.name == "Ingen adgang"
    # A refused action is not in the ledger: corrected, it may be sent again.
    s = host.db.session()
    assert s.scalar(select(func.count()).select_from(MobileAction)) == 1
    bad = client.post("/rest/mobile/1/actions", json={"actions": [{"type": "start"}]},
                      headers=auth("installer"))
    assert bad.status_code == 400 and "actions.0.clientId" in bad.get_json()["errors"]


def test_order_cancelled_meanwhile_is_a_409_with_state_and_input_kept(
        client, auth, day, host, backend, as_user):
    order = by_key(sync(client, auth)["orders"])["ELV-1"]
    s = host.db.session()
    transition_issue(host, s, host.system_user(s), fresh(host, "ELV-1"), "CANCELLED_BY_QUANT",
                     system=True)
    host.db.commit(s)
    action = {"clientId": "k-1", "type": "resolve", "issue": "ELV-1", "base": order["rev"],
              "resolution": "Ok", "newMeterNumber": "AMS-1", "reading": "7"}
    answer = send(client, auth, [action])
    result = answer["results"][0]
    assert result["status"] == 409 and "Manuell oppfølging" in result["errorMessages"][0]
    assert result["current"]["status"]["key"] == "manual_followup"
    issue = fresh(host, "ELV-1")
    assert issue.status.key == "manual_followup" and issue.resolution is None
    kept = s.scalar(select(MobileAction).where(MobileAction.client_id == "k-1"))
    assert kept.outcome == CONFLICT and json.loads(kept.payload)["newMeterNumber"] == "AMS-1"
    # Sent again, the same answer; nothing applied.
    assert send(client, auth, [action])["results"][0]["status"] == 409
    assert fresh(host, "ELV-1").status.key == "manual_followup"
    # The planner sees what the installer registered on the order.
    page = as_user("planner").get("/browse/ELV-1").text
    assert "Fra montørens telefon" in page and "AMS-1" in page


def test_a_planners_change_meanwhile_is_a_conflict_but_my_own_steps_are_not(
        client, auth, day, host, backend):
    order = by_key(sync(client, auth)["orders"])["ELV-2"]
    # Offline: start, then resolve, both on the phone's copy (the same base).
    own = send(client, auth, [
        {"clientId": "o-1", "type": "start", "issue": "ELV-2", "base": order["rev"]},
        {"clientId": "o-2", "type": "comment", "issue": "ELV-2", "body": "Hund i hagen"}])
    assert [r["status"] for r in own["results"]] == [200, 201]
    s = host.db.session()
    planner = s.get(type(day["planner"]), day["planner"].id)
    edit_issue(host, s, planner, fresh(host, "ELV-2"), {"planned_start": "2031-01-02T08:00"})
    host.db.commit(s)
    late = send(client, auth, [{"clientId": "o-3", "type": "resolve", "issue": "ELV-2",
                                "base": order["rev"], "resolution": "Kunde ikke hjemme"}])
    assert late["results"][0]["status"] == 409
    assert fresh(host, "ELV-2").status.key == "in_progress"
    # With the current revision (the installer has seen the change) it goes through.
    rev = late["results"][0]["current"]["rev"]
    ok = send(client, auth, [{"clientId": "o-4", "type": "resolve", "issue": "ELV-2",
                              "base": rev, "resolution": "Kunde ikke hjemme"}])
    assert ok["results"][0]["status"] == 200


def test_another_installers_order_is_refused(client, auth, day, host, backend):
    before = fresh(host, "ELV-5")
    version = before.version
    results = send(client, auth, [
        {"clientId": "x-1", "type": "start", "issue": "ELV-5"},
        {"clientId": "x-2", "type": "photo", "issue": "ELV-5", "contentType": "image/jpeg",
         "data": JPEG},
        {"clientId": "x-3", "type": "extra", "issue": "ELV-5", "summary": "Ny kabel"},
        {"clientId": "x-4", "type": "comment", "issue": "ELV-99", "body": "?"},
    ])
    assert [r["status"] for r in results["results"]] == [404, 404, 404, 404]
    assert results["orders"] == []  # nothing of it comes back either
    after = fresh(host, "ELV-5")
    assert after.version == version and after.status.key == "ready"
    s = host.db.session()
    assert s.scalar(select(func.count()).select_from(MobileAction)) == 0
    assert s.scalar(select(func.count()).select_from(Attachment)) == 0
    anonymous = client.get("/rest/mobile/1/sync")
    assert anonymous.status_code == 401 and anonymous.get_json()["errorMessages"]


def test_extra_work_and_deviation_are_new_orders_linked_to_mine(client, auth, day, host,
                                                                 backend):
    results = send(client, auth, [
        {"clientId": "e-1", "type": "extra", "issue": "ELV-1", "summary": "Bytte sikringsskap",
         "description": "Skapet er for lite"},
        {"clientId": "e-2", "type": "deviation", "issue": "ELV-1", "summary": "Farlig anlegg"},
        {"clientId": "e-3", "type": "extra", "issue": "ELV-1", "summary": " "},
    ])["results"]
    assert [r["status"] for r in results] == [201, 201, 400]
    s = host.db.session()
    extra = fresh(host, results[0]["created"])
    deviation = fresh(host, results[1]["created"])
    assert extra.issue_type.name == "Tilleggsarbeid" and deviation.issue_type.name == "Avvik"
    assert extra.reporter.username == "installer" and extra.description == "Skapet er for lite"
    assert values_of(host, extra)["address"] == "Gate 1"
    parent = fresh(host, "ELV-1")
    found = {(link.link_type, link.inward_id) for link in s.scalars(
        select(IssueLink).where(IssueLink.outward_id == parent.id))}
    assert found == {("Tilleggsarbeid", extra.id), ("Relates", deviation.id)}


def test_sync_api_is_in_the_openapi_document(client):
    doc = client.get("/rest/api/2/openapi.json").get_json()
    assert "/rest/mobile/1/sync" in doc["paths"]
    post = doc["paths"]["/rest/mobile/1/actions"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["actions"] and post["tags"] == ["mobile"]


@pytest.mark.parametrize("lang,text", [("en", "changed while you were offline")])
def test_conflict_message_in_english(client, auth, day, host, lang, text):
    s = host.db.session()
    transition_issue(host, s, host.system_user(s), fresh(host, "ELV-1"), "CANCELLED_BY_QUANT",
                     system=True)
    host.db.commit(s)
    r = client.post("/rest/mobile/1/actions", headers={**auth("installer"),
                                                        "Accept-Language": lang},
                    json={"actions": [{"clientId": "l-1", "type": "start", "issue": "ELV-1"}]})
    assert text in r.get_json()["results"][0]["errorMessages"][0]
