"""Dashboards in a real Chromium: land on one after login, create one, add and
configure a pie chart and a filter-results gadget from the gallery, see the same
numbers as a JQL count, share it, and find it as the other user."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import PASSWORD
from core.jql import search
from core.models import User
from core.services.issues import create_issue


@pytest.fixture
def elv_orders(host: Any, users: dict[str, Any]) -> int:
    s = host.db.session()
    for i in range(7):
        create_issue(host, s, users["planner"], "ELV", "Målerbytte", f"Bytte {i}",
                     {"assignee": "installer"} if i % 3 == 0 else {})
    create_issue(host, s, users["planner"], "FJN", "Avvik", "Avvik")
    host.db.commit(s)
    return 7


def _login(page: Any, url: str, who: str) -> None:
    page.goto(url + "/login")
    page.fill("input[name=username]", who)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def _drag(page: Any, source: Any, target: Any) -> None:
    """HTML5 drag with the mouse, in steps (as a person drags; Chromium starts a drag
    only after the pointer moved with the button down)."""
    a, b = source.bounding_box(), target.bounding_box()
    page.mouse.move(a["x"] + 20, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(a["x"] + 40, a["y"] + a["height"] / 2, steps=5)
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + 30, steps=10)
    page.mouse.up()


def _settle(page: Any) -> None:
    """Wait for every gadget's data request, then leave the page, so no request is
    still running when the test's server and database are shut down."""
    page.wait_for_function("document.querySelectorAll('.gadget.loading').length === 0")
    page.goto("about:blank")


def _jql_count(host: Any, who: str, jql: str) -> int:
    with host.db.new_session() as s:
        viewer = s.query(User).filter_by(username=who).one()
        return search(host, s, jql, viewer, 0, 0)[1]


def test_land_create_share_find_and_copy(browser_page, live_url, host, elv_orders):
    page = browser_page
    _login(page, live_url, "planner")
    # no dashboard used yet: the first predefined one the planner may see
    page.wait_for_selector("h1#dash-name:has-text('Daglig framdrift – Elvnett')")
    daily_pie = page.locator(".gadget[data-type='gadgets.pie']")
    daily_pie.locator(".gadget-total .count").wait_for()
    assert daily_pie.locator(".gadget-total .count").inner_text() == str(
        _jql_count(host, "planner", "project = ELV AND issuetype = Målerbytte"))

    page.click(".dash-menu >> text=Opprett nytt dashbord")
    page.fill("#name", "Planleggers oversikt")
    page.fill("#description", "Framdrift i Elvnett")
    page.click("button:has-text('Opprett')")
    page.wait_for_selector("h1#dash-name:has-text('Planleggers oversikt')")
    assert page.locator(".dash-menu a.active").inner_text() == "Planleggers oversikt"

    page.click("#add-gadget")
    page.fill("#gallery-search", "kake")
    assert page.locator("#gallery-list li").count() == 1
    page.click("#gallery-list li[data-type='gadgets.pie'] button")
    page.fill("#cfg-jql", "project = ELV")
    page.select_option("#cfg-field", "assignee")
    page.click("#configure-form button[type=submit]")
    pie = page.locator(".gadget[data-type='gadgets.pie']")
    pie.locator(".gadget-total .count").wait_for()
    expected = _jql_count(host, "planner", "project = ELV")
    assert pie.locator(".gadget-total .count").inner_text() == str(expected)
    mine = _jql_count(host, "planner", "project = ELV AND assignee = installer")
    assert pie.locator("tr", has_text="Mona Montør").locator("td").nth(1).inner_text() == str(mine)
    assert pie.locator("canvas").count() == 1  # Chart.js from npm drew it

    page.click("#add-gadget")
    page.click("#gallery-list li[data-type='gadgets.filter_results'] button")
    page.fill("#cfg-jql", "project = ELV AND assignee = installer")
    page.fill("#cfg-limit", "5")
    page.click("#configure-form button[type=submit]")
    table = page.locator(".gadget[data-type='gadgets.filter_results']")
    table.locator("tbody tr").first.wait_for()
    assert table.locator(".gadget-total .count").inner_text() == str(mine)
    assert table.locator("tbody tr").count() == min(mine, 5)

    page.click("text=Rediger dashbord")
    page.select_option("#share_type", "user")
    page.fill("input[name=share_user]", "installer2")
    page.click("button:has-text('Legg til')")
    page.wait_for_selector("#shares li:has-text('Morten Montør')")
    page.click(".brand")  # the logo goes back to the last used dashboard
    page.wait_for_selector("h1#dash-name:has-text('Planleggers oversikt')")

    page.context.clear_cookies()
    _login(page, live_url, "installer2")
    page.wait_for_selector("h1#dash-name")
    page.click("text=Administrer dashbord")
    page.click(".tabs >> text=Populær")  # shared, and starred by its owner
    assert page.locator("#dashboard-list tbody tr", has_text="Planleggers oversikt").count() == 1
    page.click(".tabs >> text=Søk")
    page.fill("input[name=q]", "oversikt")
    page.press("input[name=q]", "Enter")
    page.locator("#dashboard-list tbody tr", has_text="Planleggers oversikt").locator("a").click()
    installer2_table = page.locator(".gadget[data-type='gadgets.filter_results']")
    installer2_table.locator(".gadget-total .count").wait_for()
    # installer2 sees only their own orders: none of these
    assert installer2_table.locator(".gadget-total .count").inner_text() == "0"
    assert page.locator("#add-gadget").count() == 0  # not theirs to change

    page.click("text=Administrer dashbord")
    page.click(".tabs >> text=Søk")
    page.fill("input[name=q]", "Ukentlig framdrift – Elvnett")
    page.press("input[name=q]", "Enter")
    page.locator("#dashboard-list a", has_text="Ukentlig framdrift – Elvnett").click()
    page.click("text=Kopier")
    assert page.locator("#start_from option:checked").inner_text().startswith("Kopi av")
    page.fill("#name", "Min ukentlige")
    page.click("button:has-text('Opprett')")
    page.wait_for_selector("h1#dash-name:has-text('Min ukentlige')")
    assert page.locator(".gadget").count() == 8
    page.locator(".gadget[data-type='gadgets.bomtur'] .gadget-total, "
                 ".gadget[data-type='gadgets.bomtur'] .muted").first.wait_for()
    assert page.locator("#add-gadget").count() == 1  # the copy is theirs

    # drag the first gadget of the left column into the right one, and remove one by "…"
    first = page.locator(".dash-col[data-col='0'] .gadget").first
    moved_id = first.get_attribute("data-id")
    _drag(page, first.locator(".gadget-head"), page.locator(".dash-col[data-col='1']"))
    page.wait_for_selector(f".dash-col[data-col='1'] .gadget[data-id='{moved_id}']")
    page.reload()
    page.wait_for_selector(f".dash-col[data-col='1'] .gadget[data-id='{moved_id}']")
    page.once("dialog", lambda dialog: dialog.accept())
    box = page.locator(f".gadget[data-id='{moved_id}']")
    box.locator(".gadget-menu summary").click()
    box.locator("button[data-act='remove']").click()
    page.wait_for_selector(f".gadget[data-id='{moved_id}']", state="detached")
    assert page.locator(".gadget").count() == 7
    _settle(page)
