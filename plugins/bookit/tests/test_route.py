"""The day route and *Optimise this day*: legs from the home base in planned order
with the haversine model's figures, a zig-zag day whose optimised order is measurably
shorter, a customer's held time kept, and applying the proposal in one transaction
(a stop changed meanwhile refuses it all)."""

from __future__ import annotations

import pytest

from core.services.errors import Conflict
from plugins.bookit import availability as av
from plugins.bookit.route import apply, day_route, optimise
from plugins.bookit.schedule import booked
from plugins.bookit.travel import travel_model

from .conftest import MONDAY, at, orders

HOME = (59.90, 10.70)
# west and east of Oslo, planned alternately: a zig-zag
WEST = [(59.90, 10.60), (59.91, 10.61), (59.92, 10.62)]
EAST = [(59.90, 10.90), (59.91, 10.91), (59.92, 10.92)]


@pytest.fixture
def zigzag(host, users, clocked):
    s = host.db.session()
    av.set_profile(host, s, users["planner"], users["installer"].id, home=HOME)
    s.commit()
    rows = []
    for n, place in enumerate([WEST[0], EAST[0], WEST[1], EAST[1], WEST[2], EAST[2]]):
        rows.append({"status": "ready" if n == 3 else "planning", "assignee": "installer",
                     "planned_start": at(7, 8 + n), "estimate": 1800, "position": place})
    return orders(host, "ELV", rows)


def test_the_day_route_has_legs_from_home_and_back(host, session, users, zigzag):
    me = av.installer(host, session, users["installer"].id)
    route = day_route(host, session, me, MONDAY)
    assert [s.key for s in route.stops] == zigzag
    travel = travel_model(host)
    assert route.stops[0].drive_metres == travel(HOME, WEST[0]).metres
    assert route.stops[1].drive_seconds == travel(WEST[0], EAST[0]).seconds
    assert route.back_metres == travel(EAST[2], HOME).metres
    assert route.metres == sum(s.drive_metres for s in route.stops) + route.back_metres
    assert [s.held for s in route.stops] == [False, False, False, True, False, False]


def test_optimising_the_day_is_measurably_shorter_and_keeps_held_times(
        host, session, users, zigzag):
    me = av.installer(host, session, users["installer"].id)
    proposal = optimise(host, session, me, MONDAY, time_limit=1.0)
    assert proposal.left_out == {}
    assert sorted(s.key for s in proposal.stops) == sorted(zigzag)
    assert proposal.metres < 0.8 * proposal.current.metres  # the zig-zag is gone
    assert proposal.saved_metres > 10_000 and proposal.saved_seconds > 0
    held = next(s for s in proposal.stops if s.key == zigzag[3])
    assert held.start == at(7, 11)  # the customer's time is kept
    for s in proposal.stops:
        assert at(7, 7, 30) <= s.start and s.end <= at(7, 15, 30)
    order = [s.key for s in proposal.stops]
    sides = ["W" if k in (zigzag[0], zigzag[2], zigzag[4]) else "E" for k in order]
    assert sum(a != b for a, b in zip(sides, sides[1:], strict=False)) < 5

    warnings = apply(host, session, users["planner"], me, [
        {"key": s.key, "start": s.start, "version": s.version} for s in proposal.stops])
    session.commit()
    assert warnings == []
    after = day_route(host, session, me, MONDAY)
    assert [s.key for s in after.stops] == order
    assert after.metres == proposal.metres


def test_a_stale_proposal_changes_nothing(host, session, users, zigzag):
    me = av.installer(host, session, users["installer"].id)
    proposal = optimise(host, session, me, MONDAY, time_limit=0.5)
    stops = [{"key": s.key, "start": s.start, "version": s.version} for s in proposal.stops]
    stale = next(i for i, s in enumerate(proposal.stops) if not s.held)
    stops[stale]["version"] -= 1
    with pytest.raises(Conflict):
        apply(host, session, users["planner"], me, stops)
    session.rollback()
    now = booked(host, session, [me.id], at(7, 0), at(8, 0))
    assert [b.key for b in now] == zigzag


def test_route_over_http_and_the_rows_total(client, auth, host, zigzag):
    r = client.get("/rest/bookit/1/route?installer=installer&date=2026-12-07",
                   headers=auth("planner"))
    assert r.status_code == 200, r.json
    assert [s["key"] for s in r.json["stops"]] == zigzag
    cal = client.get("/rest/bookit/1/calendar?start=2026-12-07&end=2026-12-08",
                     headers=auth("planner")).json
    mona = next(c["id"] for t in cal["resources"] for c in t["children"]
                if c["extendedProps"]["username"] == "installer")
    total = cal["driving"][f"{mona}:2026-12-07"]
    assert (total["metres"], total["seconds"], total["stops"]) == (
        r.json["metres"], r.json["seconds"], 6)
    p = client.post("/rest/bookit/1/route/optimise", headers=auth("planner"),
                    json={"installer": "installer", "date": "2026-12-07"})
    assert p.status_code == 200, p.json
    assert p.json["savedMetres"] > 0 and p.json["current"]["metres"] == r.json["metres"]
    assert client.post("/rest/bookit/1/route/optimise", headers=auth("installer"),
                       json={"installer": "installer", "date": "2026-12-07"}
                       ).status_code == 403
    applied = client.post("/rest/bookit/1/route/apply", headers=auth("planner"), json={
        "installer": "installer", "stops": [{"key": s["key"], "start": s["start"],
                                             "version": s["version"]} for s in p.json["stops"]]})
    assert applied.status_code == 200, applied.json
    after = client.get("/rest/bookit/1/route?installer=installer&date=2026-12-07",
                       headers=auth("planner")).json
    assert after["metres"] == p.json["metres"]
    bad = client.post("/rest/bookit/1/route/apply", headers=auth("planner"),
                      json={"installer": "installer", "stops": [{"key": "ELV-1"}]})
    assert bad.status_code == 400 and bad.json["errors"]
    only = client.get(f"/rest/bookit/1/calendar?start=2026-12-07&end=2026-12-08"
                      f"&jql=key%20%3D%20{zigzag[0]}", headers=auth("planner")).json
    assert [e["id"] for e in only["events"] if e.get("display") != "background"] == \
        [zigzag[0]]


def test_a_day_without_held_times_is_optimised_too(host, session, users, clocked):
    s = host.db.session()
    av.set_profile(host, s, users["planner"], users["installer"].id, home=HOME)
    s.commit()
    orders(host, "ELV", [{"status": "planning", "assignee": "installer",
                          "planned_start": at(7, 8 + n), "estimate": 1800, "position": p}
                         for n, p in enumerate([WEST[0], EAST[0], WEST[1], EAST[1]])])
    me = av.installer(host, session, users["installer"].id)
    proposal = optimise(host, session, me, MONDAY, time_limit=0.5)
    assert proposal.saved_metres > 0 and not proposal.left_out
