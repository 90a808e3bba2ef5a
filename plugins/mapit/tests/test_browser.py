"""The map in a real Chromium with no tile server (the configured one refuses every
connection): the country outline stands in, favourite filters toggle as layers,
markers carry the status colours and the orange "!", the popup shows the order, a
lasso selection opens exactly its orders in the navigator, and *Se saken i Mapit*
opens the map on the order."""

from __future__ import annotations

from typing import Any

import pytest

from core.filters.service import create_filter

pytestmark = pytest.mark.browser
NO_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # the discard port: connection refused


@pytest.fixture
def offline(config_dict: dict[str, Any]) -> dict[str, Any]:
    config_dict.setdefault("plugins", {})["mapit"] = {"tile_url": NO_TILES}
    return config_dict


@pytest.fixture
def two_layers(host: Any, oslo_filter: int, placed: Any) -> tuple[int, int]:
    s = host.db.session()
    every = create_filter(host, s, placed["planner"], "Hele Elvnett", "project = ELV")
    host.db.commit(s)
    return oslo_filter, every.id


def sign_in(page: Any, live_url: str, path: str) -> None:
    """Open ``path`` as the planner (through the login page it sends you to)."""
    from conftest import PASSWORD

    page.goto(f"{live_url}{path}")
    page.fill("#username", "planner")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def log_in(page: Any, live_url: str, path: str) -> None:
    sign_in(page, live_url, path)
    page.wait_for_selector("#mapit-map[data-ready=true]")


def rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i:i + 2], 16) for i in (0, 2, 4)))


def pins(page: Any) -> dict[str, str]:
    return page.eval_on_selector_all(
        ".mapit-pin[data-issue-key]",
        "els => Object.fromEntries(els.map(e => [e.dataset.issueKey, e.dataset.status]))")


def to_oslo(page: Any) -> None:
    page.evaluate("void mapit.map.setView([59.917, 10.735], 13, {animate: false})")
    page.wait_for_function(
        "() => document.querySelectorAll('.mapit-pin[data-issue-key]').length > 0")


def screen_point(page: Any, lat: float, lon: float) -> tuple[float, float]:
    box = page.locator("#mapit-map").bounding_box()
    p = page.evaluate("([lat, lon]) => { const p = mapit.map.latLngToContainerPoint([lat, lon]);"
                      " return [p.x, p.y]; }", [lat, lon])
    return box["x"] + p[0], box["y"] + p[1]


def test_layers_colours_popup_and_lasso_to_navigator(offline: Any, live_url: str,
                                                     browser_page: Any, two_layers: Any,
                                                     host: Any) -> None:
    page = browser_page
    log_in(page, live_url, "/mapit/")
    page.wait_for_selector("#mapit-map[data-outline=true]")
    page.wait_for_selector("#mapit-map[data-tiles=offline]")
    assert page.locator(".leaflet-outline-pane svg path").count() > 100  # the countries
    # The unreachable tile layer is taken away (with its attribution); the outline stays.
    attribution = page.inner_text(".leaflet-control-attribution")
    assert "Natural Earth" in attribution and "OpenStreetMap" not in attribution
    assert page.locator(".leaflet-tile-pane img").count() == 0

    # Both layers on: the Oslo orders of either filter (ELV-1...4); counts per layer.
    to_oslo(page)
    assert pins(page) == {"ELV-1": "open", "ELV-2": "ready", "ELV-3": "manual_followup",
                          "ELV-4": "rejected_quant"}
    # Layers by name: 0 "Hele Elvnett" (every placed ELV order), 1 "Oslo åpne".
    assert page.inner_text("[data-layer-count='0']") == "(6)"
    assert page.inner_text("[data-layer-count='1']") == "(2)"  # ELV-1, ELV-3
    colour = "e => getComputedStyle(e).backgroundColor"
    ready = page.eval_on_selector(".mapit-pin[data-issue-key='ELV-2']", colour)
    assert ready == rgb(host.status_colour("ready"))
    for alert in ("ELV-3", "ELV-4"):
        pin = page.locator(f".mapit-pin[data-issue-key='{alert}']")
        assert pin.inner_text() == "!"
        assert pin.evaluate(colour) == rgb("#ff8b00")
    legend = page.locator("#mapit-legend li[data-status=rejected_quant] .mapit-alert")
    assert legend.inner_text() == "!"

    # Toggle the big layer off: only the favourite "Oslo åpne" orders stay.
    page.uncheck("input[data-layer='0']")
    page.wait_for_function("() => !document.querySelector(\".mapit-pin[data-issue-key='ELV-2']\")")
    assert set(pins(page)) == {"ELV-1", "ELV-3"}
    page.check("input[data-layer='0']")
    page.wait_for_selector(".mapit-pin[data-issue-key='ELV-2']")

    # The popup of ELV-2.
    page.click(".mapit-pin[data-issue-key='ELV-2']")
    popup = page.locator(".mapit-popup[data-issue-key='ELV-2']")
    popup.wait_for()
    text = popup.text_content()
    for expected in ("ELV-2", "Målerbytte Storgata 2", "Klar til utførelse", "Kunde 2",
                     "Gate 2, 0150 Oslo", "Mona Montør", "Åpne ordren"):
        assert expected in text, text
    assert popup.locator("a[data-action=open]").get_attribute("href") == "/browse/ELV-2"
    page.keyboard.press("Escape")

    # A lasso around ELV-1 and ELV-2 (west and middle), not ELV-3 (north) or ELV-4 (west).
    page.click("#mapit-lasso")
    ring = [(59.9120, 10.7300), (59.9120, 10.7560), (59.9170, 10.7560), (59.9170, 10.7300)]
    points = [screen_point(page, lat, lon) for lat, lon in ring]
    page.mouse.move(*points[0])
    page.mouse.down()
    for x, y in points[1:] + points[:1]:
        page.mouse.move(x, y, steps=8)
    page.mouse.up()
    page.wait_for_selector("#mapit-map[data-selected='2']")
    assert page.inner_text("#mapit-selected") == "2 ordrer valgt"
    page.click("#mapit-to-navigator")
    page.wait_for_url("**/issues/**")
    shown = page.eval_on_selector_all("tr[data-key]", "rows => rows.map(r => r.dataset.key)")
    assert sorted(shown) == ["ELV-1", "ELV-2"]


def test_rectangle_selection_starts_a_bulk_change(offline: Any, live_url: str,
                                                  browser_page: Any, placed: Any,
                                                  host: Any) -> None:
    page = browser_page
    s = host.db.session()
    create_filter(host, s, placed["planner"], "Hele Elvnett", "project = ELV")
    host.db.commit(s)
    log_in(page, live_url, "/mapit/")
    to_oslo(page)
    # From north of ELV-3 to between ELV-1 and ELV-2: ELV-2 and ELV-3 only.
    page.click("#mapit-rect")
    page.mouse.move(*screen_point(page, 59.9260, 10.7450))
    page.mouse.down()
    page.mouse.move(*screen_point(page, 59.9140, 10.7700), steps=10)
    page.mouse.up()
    page.wait_for_selector("#mapit-map[data-selected='2']")
    assert page.evaluate("mapit.selected()") == ["ELV-2", "ELV-3"]
    page.click("#mapit-to-bulk")
    page.wait_for_url("**/bulk/**")
    assert page.input_value("input[name=jql]") == "key in (ELV-2, ELV-3)"
    listed = page.eval_on_selector_all("input[name=issue]", "els => els.map(e => e.value)")
    assert sorted(listed) == ["ELV-2", "ELV-3"]


def test_show_in_mapit_opens_the_map_on_the_order(offline: Any, live_url: str,
                                                  browser_page: Any, placed: Any) -> None:
    page = browser_page
    sign_in(page, live_url, "/browse/ELV-4")
    page.wait_for_url("**/browse/ELV-4")
    page.click("summary:has-text('Flere handlinger')")
    with page.context.expect_page() as opened:
        page.click("#action-mapit-show")
    tab = opened.value
    tab.wait_for_selector("#mapit-map[data-ready=true]")
    assert tab.get_attribute("#mapit-map", "data-focus") == "ELV-4"
    popup = tab.locator(".mapit-popup[data-issue-key='ELV-4']")
    assert "Avvist i Quant" in popup.text_content()
    centre = tab.evaluate("(() => { const c = mapit.map.getCenter();"
                          " return [c.lat, c.lng, mapit.map.getZoom()]; })()")
    assert abs(centre[0] - 59.914) < 0.01 and abs(centre[1] - 10.71) < 0.01 and centre[2] == 16
    assert tab.locator(".mapit-pin.mapit-alert[data-issue-key='ELV-4']").inner_text() == "!"


# Where in the calendar a (row, wall-clock time) is: the calendar's own test helper.
from plugins.bookit.tests.test_browser import POINT as CAL_POINT  # noqa: E402


def test_split_view_drag_from_map_onto_the_calendar(offline: Any, live_url: str,
                                                    browser_page: Any, placed: Any,
                                                    host: Any, client: Any,
                                                    auth: Any) -> None:
    from datetime import datetime

    from core.fields import OSLO

    host.clock = lambda: datetime(2026, 12, 7, 7, 0, tzinfo=OSLO)
    page = browser_page
    log_in(page, live_url, "/mapit/?split=1&jql=key%20%3D%20ELV-5&date=2026-12-07&view=day")
    frame_el = page.wait_for_selector("#mapit-calendar[data-ready=true]")
    cal = frame_el.content_frame()
    cal.wait_for_selector("#bookit-calendar[data-ready=true]")
    page.evaluate("void mapit.map.setView([69.6496, 18.9560], 13, {animate: false})")
    page.wait_for_selector(".mapit-pin[data-issue-key='ELV-5']")
    pin = page.locator(".mapit-pin[data-issue-key='ELV-5']").bounding_box()
    inner = cal.evaluate(CAL_POINT, ["Mona Montør", "09:00"])
    assert inner, "no row for Mona Montør at 09:00"
    box = frame_el.bounding_box()
    page.mouse.move(pin["x"] + pin["width"] / 2, pin["y"] + pin["height"] / 2)
    page.mouse.down()
    page.mouse.move(pin["x"] + 20, pin["y"] + 5, steps=3)
    page.mouse.move(box["x"] + inner[0], box["y"] + inner[1], steps=12)
    page.mouse.up()
    cal.wait_for_function("() => document.getElementById('bookit-message').textContent.length")
    fields = client.get("/rest/api/2/issue/ELV-5", headers=auth("planner")).json["fields"]
    assert fields["assignee"]["name"] == "installer"
    assert fields[host.fields["planned_start"].id].startswith("2026-12-07T09:00")


def test_map_gadget_on_a_dashboard(offline: Any, live_url: str, browser_page: Any,
                                   placed: Any, client: Any, auth: Any) -> None:
    api = "/rest/api/2/dashboard"
    d = client.post(api, json={"name": "Kartoversikt"}, headers=auth("planner")).get_json()
    made = client.post(f"{api}/{d['id']}/gadget", headers=auth("planner"), json={
        "moduleKey": "mapit.map", "config": {"jql": "project = ELV", "zoom": 16}})
    assert made.status_code == 201, made.get_json()
    page = browser_page
    sign_in(page, live_url, f"/dashboards/{d['id']}")
    page.wait_for_selector(".mapit-gadget[data-ready=true]")
    assert sorted(pins(page)) == ["ELV-1", "ELV-2", "ELV-3", "ELV-4", "ELV-5", "ELV-7"]
    assert page.locator(".mapit-gadget .mapit-pin.mapit-alert").count() == 2
