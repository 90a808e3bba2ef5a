"""A real Chromium drives the navigator: build a search in basic mode, switch to
advanced (with completion), sort by a column, save as a filter and open it again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser


@pytest.fixture
def page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


def rows(page: Any) -> list[str]:
    return page.eval_on_selector_all("#results tbody tr[data-key]",
                                     "trs => trs.map(t => t.dataset.key)")


def test_basic_advanced_sort_save_open(live_server: str, page: Any, orders: dict[str, Any],
                                       host: Any) -> None:
    page.goto(f"{live_server}/navigator/")
    assert "/login" in page.url
    page.fill("#username", "planner")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/navigator/**")

    # basic mode: project ELV, the *Mer* menu's Løsningsperiode
    page.click("#mode-basic")
    page.select_option("#b-project", "ELV")
    page.click("#more-menu > summary")
    page.fill("#b-stage", "Etappe 1")
    page.click("#basic-search")
    page.wait_for_selector("#results")
    assert sorted(rows(page)) == sorted([orders["A"].key, orders["C"].key])
    assert "Etappe" in page.url and "jql=" in page.url

    # advanced mode shows the same query, and completes field names and values
    page.click("#mode-advanced")
    box = page.locator("#jql")
    assert box.input_value() == 'project = ELV AND Løsningsperiode = "Etappe 1"'
    box.click()
    box.press("End")
    box.type(" AND Postn")
    page.wait_for_selector("#jql-suggest li")
    assert page.inner_text("#jql-suggest li.active") == "Postnummer"
    box.press("Tab")
    box.type("= 015")
    page.wait_for_selector("#jql-suggest li:has-text('0150')")
    box.press("Enter")  # take the suggestion
    box.press("Enter")  # search
    page.wait_for_load_state()
    assert rows(page) == [orders["A"].key]
    assert "Postnummer = 0150" in box.input_value()

    # back to the two orders, then sort by key descending through the column header
    box.fill('project = ELV AND Løsningsperiode = "Etappe 1"')
    box.press("Escape")  # close the completion list
    page.click("#jql-search")
    page.wait_for_load_state()
    page.click("th[data-column=key] a.sort")
    page.wait_for_load_state()
    page.click("th[data-column=key] a.sort")
    page.wait_for_load_state()
    assert rows(page) == sorted([orders["A"].key, orders["C"].key], reverse=True)
    assert page.locator("#jql").input_value().endswith("ORDER BY key DESC")

    # save as a filter, leave, and open it again from the sidebar
    page.click("#save-as-menu > summary")
    page.fill("#filter-name", "Etappe 1 nyeste først")
    page.click("#save-as-submit")
    page.wait_for_selector("text=er lagret")
    assert page.inner_text("#search-title").startswith("Etappe 1 nyeste først")
    page.goto(f"{live_server}/navigator/?jql=project+%3D+FJN")
    assert rows(page) == [orders["D"].key]
    page.click("text=★ Etappe 1 nyeste først")
    page.wait_for_load_state()
    assert "filter=" in page.url
    assert rows(page) == sorted([orders["A"].key, orders["C"].key], reverse=True)
    assert page.get_attribute("#results", "data-jql").endswith("ORDER BY key DESC")
    assert page.is_visible("#basic-form")  # a query of basic shape opens in basic mode
