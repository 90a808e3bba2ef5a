"""The availability pages: a planner edits team, home base, skills and week, adds and
removes an absence; a bad value is a message and changes nothing; an installer sees
only their own page, read-only, and may make their feed; the calendar page is in the
top menu."""

from __future__ import annotations

from datetime import time

from plugins.bookit import availability as av


def test_a_planner_edits_availability(as_user, host, users):
    b = as_user("planner")
    page = b.get("/bookit/installers")
    assert page.status_code == 200 and 'data-installer="installer"' in page.text
    r = b.post("/bookit/installers/installer", {
        "action": "profile", "team": "Øst", "skills": "trefase", "home_lat": "59,91",
        "home_lon": "10.75", "mon_start": "08:00", "mon_end": "16:00",
        "tue_start": "08:00", "tue_end": "12:00"})
    assert r.status_code == 302
    s = host.db.session()
    me = av.installer(host, s, users["installer"].id)
    assert me.team == "Øst" and me.home == (59.91, 10.75) and me.skills == {"trefase"}
    assert me.week == {1: (time(8), time(16)), 2: (time(8), time(12))}
    bad = b.post("/bookit/installers/installer", {"action": "profile", "team": "Vest",
                                                  "home_lat": "nord", "home_lon": "10"})
    assert bad.status_code == 200 and "breddegrad" in bad.text
    s.expire_all()
    assert av.installer(host, s, users["installer"].id).team == "Øst"
    r = b.post("/bookit/installers/installer", {"action": "absence", "start": "2026-12-09",
                                                "end": "2026-12-10", "reason": "Ferie"})
    assert r.status_code == 302
    page = b.get("/bookit/installers/installer")
    assert "09.12.2026 – 10.12.2026: Ferie" in page.text
    absence = av.absences(s, [users["installer"].id], *_year())[0]
    assert b.post("/bookit/installers/installer", {"action": "delete_absence",
                                                   "id": str(absence.id)}).status_code == 302
    assert av.absences(s, [users["installer"].id], *_year()) == []
    wrong = b.post("/bookit/installers/installer", {"action": "absence", "start": "x",
                                                    "end": ""})
    assert wrong.status_code == 200 and "ÅÅÅÅ-MM-DD" in wrong.text


def _year():
    from datetime import datetime

    from core.fields import OSLO

    return datetime(2026, 1, 1, tzinfo=OSLO), datetime(2028, 1, 1, tzinfo=OSLO)


def test_an_installer_sees_only_their_own_page(as_user, users):
    b = as_user("installer")
    own = b.get("/bookit/installers/installer")
    assert own.status_code == 200 and "<fieldset disabled>" in own.text
    assert b.get("/bookit/installers/installer2").status_code == 403
    assert b.post("/bookit/installers/installer", {"action": "profile", "team": "x"}
                  ).status_code == 200  # refused with a message
    feed = b.post("/bookit/installers/installer", {"action": "feed"})
    assert feed.status_code == 302
    assert "/bookit/feed/" in b.get("/bookit/installers/installer").text


def test_the_calendar_is_in_the_top_menu_in_both_languages(as_user):
    b = as_user("planner")
    page = b.get("/bookit/")
    assert page.status_code == 200 and ">Kalender</a>" in page.text
    assert ">Calendar</a>" in b.get("/bookit/?lang=en").text
