"""Auto-planning on both databases: a proposal keeps every rule (windows, working
hours and lunch, skills, no overlap, visits already booked left where they are),
apply is one bulk edit, held slots count as capacity and block double booking, and
re-planning fills a gap from the waiting orders nearby."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from core.bulk.models import BulkTask
from core.models import ChangeGroup, ChangeItem, Issue
from core.services.issues import get_value
from plugins.bookit import availability as av
from plugins.bookit.autoplan import proposals, replan
from plugins.bookit.autoplan.models import PlanProposal

from .conftest import MONDAY, at, orders

OSLO_C = (59.9139, 10.7522)


def grid(n: int, spread: float = 0.02) -> list[tuple[float, float]]:
    """``n`` places on a small grid east of Oslo's centre."""
    return [(OSLO_C[0] + spread * (i % 5), OSLO_C[1] + 2 * spread * (i // 5))
            for i in range(n)]


@pytest.fixture
def crew(host, session, users, clocked):
    """Mona (trefase) and Morten at home in Oslo; Morten away Tuesday."""
    planner = users["planner"]
    av.set_profile(host, session, planner, users["installer"].id, team="Øst",
                   home=OSLO_C, skills=["trefase"])
    av.set_profile(host, session, planner, users["installer2"].id, team="Øst",
                   home=(OSLO_C[0] + 0.01, OSLO_C[1]))
    av.add_absence(host, session, planner, users["installer2"].id, at(8, 0), at(9, 0), "Syk")
    session.commit()
    return users


def _request(keys, first=MONDAY, last=MONDAY + timedelta(days=1), seconds=2.0):
    return proposals.Request(project="ELV", jql=None, keys=keys,
                             installers=["installer", "installer2"], first_day=first,
                             last_day=last, seconds=seconds)


def _propose(host, session, planner, keys, **kw):
    proposal = proposals.start(host, session, planner, _request(keys, **kw))
    pid = proposal.id
    host.db.commit(session)
    host.jobs.wait(60)
    session.expire_all()
    return session.get(PlanProposal, pid)


def test_a_proposal_keeps_every_rule(host, session, crew, backend):
    planner = crew["planner"]
    places = grid(14)
    keys = orders(host, "ELV", [
        {"position": p, "status": "planning", "difficult_meter": i == 3,
         **({"estimate": 5400} if i == 0 else {})} for i, p in enumerate(places)])
    booked = orders(host, "ELV", [{"position": places[2], "status": "ready",
                                   "assignee": "installer2", "planned_start": at(7, 12),
                                   "estimate": 3600}])
    proposal = _propose(host, session, planner, keys)
    assert proposal.status == "ready", proposal.error
    assert proposal.progress == 100
    result = json.loads(proposal.result_json)
    assert result["placed"] + len(result["leftOut"]) == len(keys)
    assert result["placed"] >= 10
    by_installer: dict[str, list[tuple[str, str]]] = {}
    for route in result["routes"]:
        day = route["day"]
        assert day in ("2026-12-07", "2026-12-08")
        assert not (route["username"] == "installer2" and day == "2026-12-08")  # away
        spans = []
        for v in route["visits"]:
            start, end = v["start"], v["end"]
            assert f"{day}T07:30" <= start and end <= f"{day}T15:30", v
            spans.append((start, end))
            if v["existing"]:
                assert v["key"] == booked[0] and route["username"] == "installer2"
                assert start.startswith("2026-12-07T12:00")
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), spans
        if route["breakStart"]:
            assert f"{day}T11:00" <= route["breakStart"] <= f"{day}T12:30"
            brk_end = (route["breakStart"][:11] +
                       _plus(route["breakStart"][11:16], 30))
            assert all(e <= route["breakStart"] or s >= brk_end for s, e in spans)
        by_installer.setdefault(route["username"], []).extend(spans)
    first = next(v for r in result["routes"] for v in r["visits"] if v["key"] == keys[0])
    assert _minutes(first["start"], first["end"]) == 90  # its own Estimat


def test_skills_decide_and_what_cannot_be_placed_says_why(host, session, crew, backend,
                                                          config_dict):
    host.plugins.settings["ELV"]["bookit"]["autoplan"]["skill_rules"] = {
        "difficult_meter": "trefase"}
    planner = crew["planner"]
    keys = orders(host, "ELV", [
        {"position": OSLO_C, "status": "planning", "difficult_meter": True},
        {"status": "planning"},  # no position
        {"position": OSLO_C, "status": "open"},  # not plannable
    ])
    proposal = _propose(host, session, planner, keys, last=MONDAY)
    result = json.loads(proposal.result_json)
    owner = {v["key"]: r["username"] for r in result["routes"] for v in r["visits"]}
    assert owner == {keys[0]: "installer"}  # Mona has trefase
    assert {d["key"]: d["reason"] for d in result["leftOut"]} == {
        keys[1]: "no_position", keys[2]: "status"}


def test_apply_one_installer_day_as_one_bulk_edit(host, session, crew, backend):
    planner = crew["planner"]
    keys = orders(host, "ELV", [{"position": p, "status": "planning"} for p in grid(8)])
    proposal = _propose(host, session, planner, keys, last=MONDAY)
    result = json.loads(proposal.result_json)
    chosen = result["routes"][0]
    task = proposals.apply(host, session, planner, proposal.id, [chosen["shift"]])
    host.db.commit(session)
    host.jobs.wait(60)
    session.expire_all()
    assert session.get(BulkTask, task.id).status == "COMPLETE"
    placed = {v["key"]: v for v in chosen["visits"]}
    for key in keys:
        issue = session.query(Issue).filter_by(key=key).one()
        start = get_value(host, issue, "planned_start")
        if key in placed:
            assert issue.assignee.username == chosen["username"]
            assert start == datetime.fromisoformat(placed[key]["start"])
            groups = session.query(ChangeItem).join(ChangeGroup).filter(
                ChangeGroup.issue_id == issue.id, ChangeItem.field == "assignee").count()
            assert groups == 1
        else:
            assert start is None and issue.assignee_id is None
    assert session.get(PlanProposal, proposal.id).bulk_task_id == task.id


def test_held_slots_count_as_capacity_and_kontakt_frees_them(host, session, crew,
                                                             backend):
    from plugins.bookit.autoplan import inputs

    held, confirmed, freed = orders(host, "ELV", [
        {"position": OSLO_C, "status": "awaiting_response", "assignee": "installer",
         "planned_start": at(7, 9), "estimate": 3600},
        {"position": OSLO_C, "status": "ready", "assignee": "installer",
         "planned_start": at(7, 13), "estimate": 1800},
        {"position": OSLO_C, "status": "manual_followup", "assignee": "installer",
         "planned_start": at(7, 10), "estimate": 3600}])
    mona = av.installers(host, session, usernames=["installer"])
    day = inputs.installer_days(host, session, "ELV", mona, MONDAY, MONDAY)[0]
    assert [(v.key, v.tentative) for v in day.held] == [(held, True), (confirmed, False)]
    assert freed not in {v.key for v in day.held}


def test_replan_fills_a_gap_with_the_nearest_waiting_order(host, session, crew, backend):
    planner = crew["planner"]
    orders(host, "ELV", [
        {"position": OSLO_C, "status": "ready", "assignee": "installer",
         "planned_start": at(7, 8), "estimate": 3600},
        {"position": (OSLO_C[0] + 0.002, OSLO_C[1]), "status": "ready",
         "assignee": "installer", "planned_start": at(7, 10), "estimate": 3600}])
    near, far = orders(host, "ELV", [
        {"position": (OSLO_C[0] + 0.001, OSLO_C[1]), "status": "planning"},
        {"position": (OSLO_C[0] + 0.3, OSLO_C[1] + 0.3), "status": "planning"}])
    got = replan.suggest(host, session, planner, "ELV", "installer", MONDAY)
    keys = [s["key"] for s in got["suggestions"]]
    assert keys[0] == near and far in keys
    assert got["suggestions"][0]["extraKm"] < got["suggestions"][1]["extraKm"]


def test_bad_requests_change_nothing(host, session, crew, backend):
    from core.services.errors import InvalidInput

    planner = crew["planner"]
    keys = orders(host, "ELV", [{"position": OSLO_C, "status": "planning"}])
    for bad in (dict(first=MONDAY, last=MONDAY - timedelta(days=1)),
                dict(seconds=0.0), dict(last=MONDAY + timedelta(days=20))):
        with pytest.raises(InvalidInput):
            proposals.start(host, session, planner, _request(keys, **bad))
    with pytest.raises(InvalidInput):
        proposals.start(host, session, planner, proposals.Request(
            "ELV", None, keys, ["planner"], MONDAY, MONDAY, 2.0))  # not an installer
    session.rollback()
    assert session.query(PlanProposal).count() == 0


def _minutes(a: str, b: str) -> int:
    return int((datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds() // 60)


def _plus(hhmm: str, minutes: int) -> str:
    h, m = map(int, hhmm.split(":"))
    total = h * 60 + m + minutes
    return f"{total // 60:02d}:{total % 60:02d}"


def test_an_installer_without_a_home_starts_at_the_depot(host, session, users, clocked,
                                                         backend):
    from plugins.bookit.autoplan import inputs

    mona = av.installers(host, session, usernames=["installer"])
    assert mona[0].home is None
    host.plugins.settings["ELV"]["bookit"]["autoplan"]["depot"] = None
    assert inputs.installer_days(host, session, "ELV", mona, MONDAY, MONDAY) == []
    host.plugins.settings["ELV"]["bookit"]["autoplan"]["depot"] = [60.8, 11.07]
    [day] = inputs.installer_days(host, session, "ELV", mona, MONDAY, MONDAY)
    assert day.home == (60.8, 11.07)
