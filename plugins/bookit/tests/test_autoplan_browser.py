"""Auto-planning on the calendar in a real Chromium: ask for a proposal over a day,
watch it solve, see its ghost blocks and route lines, accept one installer-day and
find those orders placed (the other installer's stay proposed)."""

from __future__ import annotations

import pytest

from core.models import Issue
from core.services.issues import get_value
from plugins.bookit import availability as av

from .conftest import orders
from .test_browser import open_calendar

pytestmark = pytest.mark.browser
HOME = (59.9139, 10.7522)


@pytest.fixture
def waiting(host, session, users, clocked):
    planner = users["planner"]
    av.set_profile(host, session, planner, users["installer"].id, home=HOME)
    av.set_profile(host, session, planner, users["installer2"].id,
                   home=(HOME[0] + 0.2, HOME[1] + 0.2))
    session.commit()
    near_mona = [(HOME[0] + 0.01 * i, HOME[1]) for i in range(3)]
    near_morten = [(HOME[0] + 0.2 + 0.01 * i, HOME[1] + 0.2) for i in range(3)]
    return orders(host, "ELV", [{"status": "planning", "position": p}
                                for p in near_mona + near_morten])


def test_auto_plan_see_ghosts_accept_one_installer_day(browser_page, live_url, waiting,
                                                       host):
    page = browser_page
    open_calendar(page, live_url, "date=2026-12-07&view=day")
    page.click("#autoplan summary")
    page.wait_for_selector("#autoplan-installers option")
    page.fill("#autoplan-seconds", "2")
    page.click("#autoplan-start")
    page.wait_for_selector("#autoplan-result:not([hidden])", timeout=60000)
    assert "6 ordrer plassert" in page.inner_text("#autoplan-status")
    assert page.locator(".ec-event.bk-ghost").count() == 6
    assert page.locator("#autoplan-map path.autoplan-route").count() == 2
    mona = page.locator("#autoplan-days li", has_text="Mona Montør")
    mona.locator("button").click()
    page.wait_for_selector("#autoplan-status:has-text('Lagt inn på kalenderen')",
                           timeout=60000)
    assert page.locator(".ec-event.bk-ghost").count() == 3  # Morten's still proposed
    page.wait_for_selector(".ec-event:not(.bk-ghost)[data-issue-key]")
    with host.db.new_session() as s:
        placed = {i.key: (i.assignee.username if i.assignee else None,
                          get_value(host, i, "planned_start"))
                  for i in s.query(Issue).filter(Issue.key.in_(waiting))}
    assert {placed[k][0] for k in waiting[:3]} == {"installer"}
    assert all(placed[k][1] is not None for k in waiting[:3])
    assert all(placed[k] == (None, None) for k in waiting[3:])
