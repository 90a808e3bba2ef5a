"""Auto-planning's REST API: start, poll and apply a proposal; capacity; re-plan;
a customer link; Jira-style errors that change nothing; all in the OpenAPI document."""

from __future__ import annotations

import pytest

from plugins.bookit import availability as av
from plugins.bookit.autoplan.models import PlanProposal

from .conftest import at, orders

HOME = (59.9139, 10.7522)


@pytest.fixture
def crew(host, session, users, clocked):
    av.set_profile(host, session, users["planner"], users["installer"].id, home=HOME)
    session.commit()
    return users


def test_propose_poll_apply(host, client, auth, crew):
    keys = orders(host, "ELV", [{"position": (HOME[0] + 0.01 * i, HOME[1]),
                                 "status": "planning"} for i in range(4)])
    made = client.post("/rest/bookit/1/autoplan", headers=auth("planner"), json={
        "project": "ELV", "keys": keys, "installers": ["installer"],
        "firstDay": "2026-12-07", "lastDay": "2026-12-07", "seconds": 1})
    assert made.status_code == 201, made.json
    host.jobs.wait(60)
    got = client.get(f"/rest/bookit/1/autoplan/{made.json['id']}", headers=auth("planner"))
    assert got.json["status"] == "ready" and got.json["progress"] == 100
    assert got.json["result"]["placed"] == 4
    assert client.get(f"/rest/bookit/1/autoplan/{made.json['id']}",
                      headers=auth("installer")).status_code == 404  # not theirs
    applied = client.post(f"/rest/bookit/1/autoplan/{made.json['id']}/apply",
                          headers=auth("planner"), json={})
    assert applied.status_code == 202 and applied.json["total"] == 4
    host.jobs.wait(60)
    again = client.post(f"/rest/bookit/1/autoplan/{made.json['id']}/apply",
                        headers=auth("planner"), json={})
    assert again.status_code == 409  # applied already
    cap = client.get("/rest/bookit/1/capacity?project=ELV&from=2026-12-07&to=2026-12-07",
                     headers=auth("planner"))
    day = cap.json["days"][0]
    assert day["installer"] == "installer" and day["heldMinutes"] == 0
    assert day["workMinutes"] == 450  # 07:30-15:30 less the 30-minute lunch


@pytest.mark.parametrize("payload, field", [
    ({"keys": ["ELV-1"], "installers": ["installer"], "firstDay": "2026-12-07",
      "lastDay": "2026-12-07"}, "project"),
    ({"project": "ELV", "installers": ["installer"], "firstDay": "2026-12-07",
      "lastDay": "2026-12-07"}, "jql"),
    ({"project": "ELV", "jql": "project = ELV", "installers": ["installer"],
      "firstDay": "7.12.2026", "lastDay": "2026-12-07"}, "firstDay"),
    ({"project": "ELV", "jql": "project = ELV", "installers": ["installer"],
      "firstDay": "2026-12-07", "lastDay": "2026-12-07", "seconds": "NaN"}, "seconds"),
    ({"project": "ELV", "jql": "project = ELV", "installers": ["nobody"],
      "firstDay": "2026-12-07", "lastDay": "2026-12-07"}, "installers"),
    ({"project": "ELV", "jql": "project = ELV", "installers": ["installer"],
      "firstDay": "2026-12-07", "lastDay": "2026-12-07", "extra": 1}, "extra"),
])
def test_bad_proposals_get_jira_errors_and_change_nothing(host, session, client, auth, crew,
                                                          payload, field):
    orders(host, "ELV", [{"position": HOME, "status": "planning"}])
    got = client.post("/rest/bookit/1/autoplan", headers=auth("planner"), json=payload)
    assert got.status_code == 400, got.json
    assert field in got.json["errors"], got.json
    assert session.query(PlanProposal).count() == 0


def test_english_callers_get_english_errors(client, auth, crew):
    got = client.post("/rest/bookit/1/autoplan", headers={
        **auth("planner"), "Accept-Language": "en"}, json={
        "project": "ELV", "jql": "project = ELV", "installers": ["installer"],
        "firstDay": "2026-12-08", "lastDay": "2026-12-07"})
    assert got.json["errors"]["lastDay"] == "The last day is before the first day."


def test_a_link_for_an_order_and_the_routes_in_openapi(host, client, auth, crew):
    key, = orders(host, "ELV", [{"position": HOME, "status": "awaiting_response",
                                 "assignee": "installer", "planned_start": at(8, 9)}])
    made = client.post(f"/rest/bookit/1/orders/{key}/selfservice", headers={
        **auth("planner"), "X-Atlassian-Token": "no-check"})
    assert made.status_code == 201 and "/b/" in made.json["url"]
    token = made.json["url"].rsplit("/b/", 1)[1]
    assert len(token) == 20 and client.get(f"/b/{token}").status_code == 200
    assert client.post(f"/rest/bookit/1/orders/{key}/selfservice",
                       headers=auth("installer")).status_code in (403, 404)
    paths = client.get("/rest/api/2/openapi.json").json["paths"]
    for path in ("/rest/bookit/1/autoplan", "/rest/bookit/1/autoplan/{proposal_id}/apply",
                 "/rest/bookit/1/capacity", "/rest/bookit/1/replan"):
        assert path in paths
