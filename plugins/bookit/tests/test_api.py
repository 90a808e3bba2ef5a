"""The REST API: calendar data (resources by team, working hours, days off, absences,
orders coloured by status, what an installer may see), a drop and its refusals as
Jira-style errors, availability edited over HTTP, the side list, the poll stamp and
the OpenAPI document."""

from __future__ import annotations

import pytest

from plugins.bookit import availability as av

from .conftest import at, orders

CAL = "/rest/bookit/1/calendar?start=2026-12-07&end=2026-12-14"


@pytest.fixture
def planned(host, users, clocked):
    s = host.db.session()
    av.set_profile(host, s, users["planner"], users["installer"].id, team="Øst")
    s.commit()
    return orders(host, "ELV", [
        {"status": "planning"},
        {"status": "planning", "assignee": "installer", "planned_start": at(7, 9),
         "estimate": 5400, "important_info": True, "position": (59.91, 10.75)},
        {"status": "awaiting_response", "assignee": "installer2", "planned_start": at(8, 12)},
    ])


def test_calendar_data_for_a_week(client, auth, host, planned):
    r = client.get(CAL, headers=auth("planner"))
    assert r.status_code == 200, r.json
    data = r.json
    assert data["timeZone"] == "+01:00"
    teams = {t["title"]: [c["extendedProps"]["username"] for c in t["children"]]
             for t in data["resources"]}
    assert teams == {"Øst": ["installer"], "Uten team": ["installer2"]}
    events = {e["id"]: e for e in data["events"]}
    order = events[planned[1]]
    assert order["start"] == "2026-12-07T09:00:00+01:00"
    assert order["end"] == "2026-12-07T10:30:00+01:00"
    assert order["backgroundColor"] == host.status_colour("planning")
    assert order["extendedProps"]["important"] is True
    assert order["extendedProps"]["address"] == "Gate 2 0150 Oslo"
    other = events[planned[2]]  # no estimate: the default hour
    assert other["end"] == "2026-12-08T13:00:00+01:00"
    assert other["backgroundColor"] == host.status_colour("awaiting_response")
    kinds = [e["classNames"][0] for e in data["events"] if e.get("display") == "background"]
    assert kinds.count("bk-work") == 10 and kinds.count("bk-off") == 4
    assert planned[0] not in events


def test_an_installer_sees_only_their_own_orders(client, auth, planned):
    events = client.get(CAL, headers=auth("installer")).json["events"]
    keys = {e["id"] for e in events if e.get("display") != "background"}
    assert keys == {planned[1]}


def test_a_drop_over_http_and_its_errors(client, auth, host, planned):
    url = f"/rest/bookit/1/schedule/{planned[0]}"
    ok = client.put(url, json={"assignee": "installer", "start": "2026-12-07T11:00:00+01:00"},
                    headers=auth("planner"))
    assert ok.status_code == 200, ok.json
    assert ok.json["previous"] == {"assignee": None, "start": None, "estimate": None}
    version = ok.json["version"]
    late = client.put(url, json={"assignee": "installer", "start": "2026-12-07T18:00",
                                 "version": version}, headers=auth("planner"))
    assert late.status_code == 400
    assert set(late.json) == {"errorMessages", "errors"}
    assert "arbeidstiden" in late.json["errorMessages"][0]
    stale = client.put(url, json={"assignee": "installer", "start": "2026-12-07T12:00",
                                  "version": version - 1}, headers=auth("planner"))
    assert stale.status_code == 409 and stale.json["errorMessages"]
    english = client.put(url, json={"assignee": "installer", "start": "2026-12-07T18:00"},
                         headers={**auth("planner"), "Accept-Language": "en"})
    assert "working hours" in english.json["errorMessages"][0]
    bad = client.put(url, json={"assignee": "installer", "start": "i morgen"},
                     headers=auth("planner"))
    assert bad.status_code == 400 and "start" in bad.json["errors"]
    forbidden = client.put(f"/rest/bookit/1/schedule/{planned[1]}",
                           json={"assignee": "installer", "start": "2026-12-07T12:00"},
                           headers=auth("installer"))
    assert forbidden.status_code == 403
    missing = client.put("/rest/bookit/1/schedule/ELV-999", json={"start": None},
                         headers=auth("planner"))
    assert missing.status_code == 404
    assert client.put(url, json={}).status_code == 401
    order = client.get(f"/rest/api/2/issue/{planned[0]}", headers=auth("planner")).json
    assert order["fields"]["assignee"]["name"] == "installer"
    assert order["fields"][host.fields["planned_start"].id].startswith("2026-12-07T11:00")


def test_availability_over_http(client, auth, host, planned):
    put = client.put("/rest/bookit/1/installers/installer2", headers=auth("planner"), json={
        "team": "Vest", "home": [60.39, 5.32], "skills": ["trefase"],
        "week": {"mon": "08:00-16:00", "tue": "08:00-12:00"}})
    assert put.status_code == 200, put.json
    assert put.json["week"] == {"mon": "08:00-16:00", "tue": "08:00-12:00"}
    assert put.json["ownWeek"] and put.json["home"] == [60.39, 5.32]
    bad = client.put("/rest/bookit/1/installers/installer2", headers=auth("planner"),
                     json={"week": {"mon": "16-8"}})
    assert bad.status_code == 400 and "week" in bad.json["errors"]
    assert client.put("/rest/bookit/1/installers/installer2", headers=auth("installer"),
                      json={"team": "x"}).status_code == 403
    assert client.put("/rest/bookit/1/installers/nobody", headers=auth("planner"),
                      json={"team": "x"}).status_code == 404
    before = client.get("/rest/bookit/1/stamp", headers=auth("planner")).json["stamp"]
    add = client.post("/rest/bookit/1/installers/installer2/absences", headers=auth("planner"),
                      json={"start": "2026-12-09", "end": "2026-12-10", "reason": "Ferie"})
    assert add.status_code == 201, add.json
    assert add.json["start"] == "2026-12-09T00:00:00+01:00"
    assert add.json["end"] == "2026-12-11T00:00:00+01:00"
    assert client.get("/rest/bookit/1/stamp", headers=auth("planner")).json["stamp"] != before
    listed = client.get("/rest/bookit/1/installers/installer2/absences?start=2026-12-07",
                        headers=auth("planner")).json
    assert [a["reason"] for a in listed] == ["Ferie"]
    data = client.get(CAL, headers=auth("planner")).json
    absent = [e for e in data["events"] if "bk-absent" in e.get("classNames", [])]
    assert [e["title"] for e in absent] == ["Ferie"]
    gone = client.delete(f"/rest/bookit/1/absences/{add.json['id']}", headers=auth("planner"))
    assert gone.status_code == 204
    people = client.get("/rest/bookit/1/installers", headers=auth("planner")).json
    assert {p["name"]: p["team"] for p in people} == {"installer": "Øst", "installer2": "Vest"}


def test_side_list_and_bad_ranges(client, auth, planned):
    r = client.get("/rest/bookit/1/orders", headers=auth("planner"))
    assert [o["key"] for o in r.json["issues"]] == [planned[0]]
    keys = client.get(f"/rest/bookit/1/orders?issues={planned[1]},{planned[2]}",
                      headers=auth("planner")).json
    assert [o["key"] for o in keys["issues"]] == [planned[1], planned[2]]
    bad = client.get("/rest/bookit/1/orders?jql=status%20%3D%3D", headers=auth("planner"))
    assert bad.status_code == 400 and "jql" in bad.json["errors"]
    for q in ("start=2026-13-01", "start=2026-12-07&end=2026-12-01",
              "start=2026-12-01&end=2027-03-01", ""):
        r = client.get(f"/rest/bookit/1/calendar?{q}", headers=auth("planner"))
        assert r.status_code == 400 and r.json["errors"], q


def test_the_routes_are_in_the_openapi_document(client):
    doc = client.get("/rest/api/2/openapi.json")
    assert doc.status_code == 200, doc.json
    paths = doc.json["paths"]
    for p in ("/rest/bookit/1/calendar", "/rest/bookit/1/schedule/{key}",
              "/rest/bookit/1/installers/{name}", "/rest/bookit/1/stamp"):
        assert p in paths, p
