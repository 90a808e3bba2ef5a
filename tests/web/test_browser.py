"""A real Chromium drives the web shell: log in, open an order, put it on hold
through the transition's screen, comment, and see the result."""

from __future__ import annotations

from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser_page: Any) -> Any:
    return browser_page


def test_log_in_put_on_hold_through_screen_and_comment(live_url, page, make_order, host):
    from conftest import PASSWORD
    from core.services.issues import get_value

    key = make_order("Målerbytte Kirkegata 12", assignee="planner", important_info=True,
                     planned_start="2030-04-22T10:00", postcode="0153")
    page.goto(f"{live_url}/browse/{key}")
    assert "/login" in page.url  # anonymous visitors are sent to log in first
    page.fill("#username", "planner")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/browse/{key}")
    assert page.inner_text("#summary").strip().endswith("Målerbytte Kirkegata 12")
    assert page.is_visible(".flag-important")
    colour = page.eval_on_selector("#status .lozenge", "e => getComputedStyle(e).backgroundColor")
    assert colour == _rgb(host.status_colour("open"))

    page.screenshot(path="/tmp/amsflow-issue-before.png", full_page=True)
    page.click("summary:has-text('Arbeidsflyt')")  # the guide: menu Arbeidsflyt, Sett på vent
    page.click("a[data-transition]:has-text('Sett på vent')")
    page.wait_for_url("**/transition/**")
    page.screenshot(path="/tmp/amsflow-transition-screen.png")
    page.fill("input[name=f_on_hold_until]", "2030-05-01")
    page.select_option("select[name=assignee]", "")
    page.fill("textarea[name=comment]", "Kunden er bortreist til mai")
    page.click("button.btn-primary")
    page.wait_for_url(f"**/browse/{key}")
    assert page.inner_text("#status").strip().casefold() == "på vent"
    assert "Ikke tildelt" in page.inner_text("#assignee")

    page.click("#comment-button")
    assert page.evaluate("document.activeElement.id") == "comment-body"
    page.keyboard.type("Ringte kunden, avtalt ny tid <i>etter</i> ferien")
    page.click("#comment-form button[type=submit]")
    page.wait_for_url(f"**/browse/{key}**")
    comments = page.inner_text("#comments")
    assert "Kunden er bortreist til mai" in comments
    assert "Ringte kunden, avtalt ny tid <i>etter</i> ferien" in comments

    page.click("a[data-tab=history]")
    assert page.is_visible("#history table") and not page.is_visible("#comments")
    assert "På vent" in page.inner_text("#history")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path="/tmp/amsflow-issue-view.png", full_page=True)

    s = host.db.session()
    s.expire_all()  # the server changed the order in its own sessions
    from sqlalchemy import select

    from core.models import Issue

    issue = s.scalar(select(Issue).where(Issue.key == key))
    assert issue.status.key == "on_hold"
    assert get_value(host, issue, "on_hold_until").date().isoformat() == "2030-05-01"


def _rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i:i + 2], 16) for i in (0, 2, 4)))
