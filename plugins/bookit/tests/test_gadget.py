"""The calendar gadget: a filter's orders planned in the coming days, per installer
and day, through the dashboards' REST API, with a link to the calendar."""

from __future__ import annotations

from conftest import basic_auth

from .conftest import at, orders

API = "/rest/api/2/dashboard"


def test_calendar_gadget_counts_orders_per_installer_day(client, host, users, clocked):
    keys = orders(host, "ELV", [
        {"status": "planning", "assignee": "installer", "planned_start": at(7, 9),
         "estimate": 3600},
        {"status": "planning", "assignee": "installer", "planned_start": at(7, 11),
         "estimate": 5400},
        {"status": "planning", "assignee": "installer2", "planned_start": at(8, 9)},
        {"status": "ready", "assignee": "installer2", "planned_start": at(8, 12)},
    ])
    d = client.post(API, json={"name": "Planlegging"}, headers=basic_auth("planner")).json
    g = client.post(f"{API}/{d['id']}/gadget", headers=basic_auth("planner"), json={
        "moduleKey": "bookit.calendar", "config": {"jql": "status = planning", "days": 3}})
    assert g.status_code == 201, g.json
    answer = client.get(g.json["data"].replace("http://localhost", ""),
                        headers=basic_auth("planner")).json
    assert "data" in answer, answer
    data = answer["data"]
    assert data["days"] == ["2026-12-07", "2026-12-08", "2026-12-09"]
    rows = {r["username"]: r["days"] for r in data["rows"]}
    assert rows["installer"][0] == {"orders": 2, "minutes": 150}
    assert rows["installer2"][1] == {"orders": 1, "minutes": 60}  # the ready one is not
    assert data["total"] == 3 and "/bookit/?" in data["calendar"]
    assert len(keys) == 4
