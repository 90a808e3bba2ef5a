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


def _jql_count(host: Any, who: str, jql: str) -> int:
    with host.db.new_session() as s:
        viewer = s.query(User).filter_by(username=who).one()
        return search(host, s, jql, viewer, 0, 0)[1]


def test_create_add_gadgets_share_and_find(browser_page, live_url, host, elv_orders):
    page = browser_page
    _login(page, live_url, "planner")
    page.wait_for_url("**/dashboards/")  # no dashboard yet: the page offers to make one
    page.click("text=Opprett nytt dashbord >> nth=-1")
    page.fill("#name", "Planleggers oversikt")
    page.fill("#description", "Framdrift i Elvnett")
    page.click("button:has-text('Opprett')")
    page.wait_for_selector("h1#dash-name:has-text('Planleggers oversikt')")

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

    page.context.clear_cookies()
    _login(page, live_url, "installer2")
    page.wait_for_url("**/dashboards/**")
    page.goto(live_url + "/dashboards/manage?tab=search&q=oversikt")
    row = page.locator("#dashboard-list tbody tr", has_text="Planleggers oversikt")
    row.locator("a").click()
    installer2_table = page.locator(".gadget[data-type='gadgets.filter_results']")
    installer2_table.locator(".gadget-total .count").wait_for()
    # the installer2 sees only their own orders: none of these
    assert installer2_table.locator(".gadget-total .count").inner_text() == "0"
