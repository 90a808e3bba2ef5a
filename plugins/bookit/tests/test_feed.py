"""The installer's iCalendar feed: confirmed orders only, parsed back with the
``icalendar`` package; a new address retires the old; only the installer or a
planner may make one."""

from __future__ import annotations

from icalendar import Calendar

from .conftest import at, orders


def test_the_feed_holds_the_confirmed_orders(client, auth, host, users, clocked):
    keys = orders(host, "ELV", [
        {"status": "ready", "assignee": "installer", "planned_start": at(8, 9),
         "estimate": 5400, "position": (59.91, 10.75), "important_info": True},
        {"status": "planning", "assignee": "installer", "planned_start": at(8, 12)},
        {"status": "ready", "assignee": "installer2", "planned_start": at(8, 9)},
    ])
    assert client.post("/rest/bookit/1/installers/installer/feed",
                       headers=auth("installer2")).status_code == 403
    made = client.post("/rest/bookit/1/installers/installer/feed", headers=auth("installer"))
    assert made.status_code == 200, made.json
    path = made.json["url"].split("localhost", 1)[-1]
    r = client.get(path)
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    events = [c for c in Calendar.from_ical(r.data).walk("VEVENT")]
    assert [str(e["uid"]) for e in events] == [f"{keys[0]}@amsflow"]
    e = events[0]
    assert e.decoded("dtstart") == at(8, 9) and e.decoded("dtend") == at(8, 10, 30)
    assert str(e["summary"]).startswith(f"! {keys[0]}")
    assert "Gate 1" in str(e["location"])
    again = client.post("/rest/bookit/1/installers/installer/feed", headers=auth("planner"))
    assert client.get(path).status_code == 404
    assert client.get(again.json["url"].split("localhost", 1)[-1]).status_code == 200
    assert client.get("/bookit/feed/nonsense.ics").status_code == 404
