"""The calendar in a real Chromium: drag an order from the side list onto an installer
and a time (fields and history set), move it, resize it, undo; a refused drop shows
its reason; a second planner's change appears without reloading; the installer/time
search opens the navigator with the right orders; the page in English; the ghost API
other plugins use."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import PASSWORD

from .conftest import at, orders

pytestmark = pytest.mark.browser

# Where on screen a (row, wall-clock time) is, found through the calendar's own
# dateFromPoint, so the test does not depend on pixel sizes.
POINT = """([name, hhmm]) => {
  const head = [...document.querySelectorAll('.ec-row-head')]
    .find(h => h.textContent.trim().endsWith(name));
  const y = head.getBoundingClientRect().top + head.getBoundingClientRect().height / 2;
  const body = document.querySelector('.ec-body').getBoundingClientRect();
  const want = Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  for (let x = body.left + head.getBoundingClientRect().width; x < body.right; x += 2) {
    const info = Bookit.calendar.dateFromPoint(x, y);
    if (!info || !info.resource) continue;
    const m = info.date.getUTCHours() * 60 + info.date.getUTCMinutes();
    if (m >= want) return [x + 1, y];
  }
  return null;
}"""


@pytest.fixture
def fast_poll(config_dict: dict[str, Any]) -> dict[str, Any]:
    config_dict.setdefault("plugins", {})["bookit"] = {"poll_seconds": 1}
    return config_dict


@pytest.fixture
def planned(fast_poll, host, users, clocked):
    """ELV-1 waiting (side list), ELV-2 on Mona Monday 09:00-10:00."""
    return orders(host, "ELV", [
        {"status": "planning"},
        {"status": "planning", "assignee": "installer", "planned_start": at(7, 9),
         "estimate": 3600, "important_info": True},
    ])


def open_calendar(page: Any, live_url: str, query: str = "date=2026-12-07&view=day",
                  user: str = "planner") -> None:
    page.goto(f"{live_url}/bookit/?{query}")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#bookit-calendar[data-ready=true]")
    page.wait_for_selector("#bookit-list[data-ready=true]")


def point(page: Any, name: str, hhmm: str) -> tuple[float, float]:
    found = page.evaluate(POINT, [name, hhmm])
    assert found, f"no place for {name} {hhmm}"
    return found[0], found[1]


def fields_of(client: Any, auth: Any, host: Any, key: str) -> tuple[str | None, str, int]:
    f = client.get(f"/rest/api/2/issue/{key}", headers=auth("planner")).json["fields"]
    return ((f["assignee"] or {}).get("name"), f[host.fields["planned_start"].id] or "",
            f[host.fields["estimate"].id])


def wait_message(page: Any, text: str) -> str:
    page.wait_for_function("t => document.getElementById('bookit-message').textContent"
                           ".includes(t)", arg=text)
    return page.text_content("#bookit-message")


def drag_card(page: Any, key: str, x: float, y: float) -> None:
    page.drag_and_drop(f"#bookit-list [data-issue-key='{key}']", "#bookit-calendar",
                       target_position=_relative(page, x, y))


def _relative(page: Any, x: float, y: float) -> dict[str, float]:
    box = page.locator("#bookit-calendar").bounding_box()
    return {"x": x - box["x"], "y": y - box["y"]}


def drag_mouse(page: Any, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + 5, start[1], steps=2)
    page.mouse.move(*end, steps=8)
    page.mouse.up()


def test_drag_move_resize_and_undo(browser_page, live_url, planned, client, auth, host):
    page = browser_page
    open_calendar(page, live_url)
    waiting, booked = planned
    drag_card(page, waiting, *point(page, "Morten Montør", "11:00"))
    assert "Morten Montør" in wait_message(page, waiting)
    assert fields_of(client, auth, host, waiting) == ("installer2",
                                                      "2026-12-07T11:00:00.000+0100", 3600)
    history = client.get(f"/rest/api/2/issue/{waiting}?expand=changelog",
                         headers=auth("planner")).json["changelog"]["histories"]
    changed = {i["field"] for h in history for i in h["items"]}
    assert {"assignee", "Planlagt starttid", "Estimat"} <= changed
    page.wait_for_selector(f".ec-event[data-issue-key='{waiting}']")
    assert page.locator(f"#bookit-list [data-issue-key='{waiting}']").count() == 0

    # move ELV-2 from Mona 09:00 to Morten 13:00
    block = page.locator(f".ec-event[data-issue-key='{booked}']").bounding_box()
    grab = (block["x"] + 6, block["y"] + block["height"] / 2)
    target = point(page, "Morten Montør", "13:00")
    drag_mouse(page, grab, (target[0] + 5, target[1]))
    wait_message(page, booked)
    assert fields_of(client, auth, host, booked)[:2] == ("installer2",
                                                         "2026-12-07T13:00:00.000+0100")

    # resize it to two hours
    page.wait_for_selector(f".ec-event[data-issue-key='{booked}']")
    page.locator(f".ec-event[data-issue-key='{booked}']").hover()
    handle = page.locator(f".ec-event[data-issue-key='{booked}'] .ec-resizer").bounding_box()
    hour = point(page, "Morten Montør", "15:00")[0] - point(page, "Morten Montør", "14:00")[0]
    grip = (handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    drag_mouse(page, grip, (grip[0] + hour, grip[1]))
    page.wait_for_function(f"() => Bookit.calendar.getEventById('{booked}') && "
                           f"(Bookit.calendar.getEventById('{booked}').end - "
                           f"Bookit.calendar.getEventById('{booked}').start) === 7200000")
    assert fields_of(client, auth, host, booked)[2] == 7200

    # undo the resize, then the move
    page.click("#bookit-undo")
    wait_message(page, "Angret")
    assert fields_of(client, auth, host, booked)[2] == 3600
    page.click("#bookit-undo")
    page.wait_for_function(f"() => Bookit.calendar.getEventById('{booked}').resourceIds[0]"
                           f" === '{planned and users_id(host, 'installer')}'")
    assert fields_of(client, auth, host, booked)[:2] == ("installer",
                                                         "2026-12-07T09:00:00.000+0100")


def users_id(host: Any, name: str) -> int:
    from sqlalchemy import select

    from core.models import User

    with host.db.new_session() as s:
        return s.scalar(select(User.id).where(User.username == name))


def test_a_refused_drop_shows_why_and_changes_nothing(browser_page, live_url, planned,
                                                      client, auth, host):
    page = browser_page
    open_calendar(page, live_url)
    waiting = planned[0]
    drag_card(page, waiting, *point(page, "Mona Montør", "17:00"))
    text = wait_message(page, "Ikke lagt inn")
    assert "utenfor arbeidstiden" in text
    assert page.get_attribute("#bookit-message", "data-kind") == "error"
    assert fields_of(client, auth, host, waiting) == (None, "", None)
    # dropped on the team row: refused in the page before asking the server
    drag_card(page, waiting, *point(page, "Uten team", "10:00"))
    wait_message(page, "ikke på et team")


def test_another_planners_change_appears_and_search_opens_the_navigator(
        browser_page, live_url, planned, client, auth, host):
    page = browser_page
    open_calendar(page, live_url)
    waiting = planned[0]
    assert page.locator(f".ec-event[data-issue-key='{waiting}']").count() == 0
    other = client.put(f"/rest/bookit/1/schedule/{waiting}", headers=auth("admin"),
                       json={"assignee": "installer", "start": "2026-12-07T12:30"})
    assert other.status_code == 200, other.json
    page.wait_for_selector(f".ec-event[data-issue-key='{waiting}']")
    wait_message(page, "andres endringer")

    page.select_option("#bookit-search-installers", ["installer"])
    page.fill("#bookit-search-from", "2026-12-07")
    page.fill("#bookit-search-to", "2026-12-07")
    page.click("#bookit-search button[type=submit]")
    page.wait_for_url("**/issues/**")
    shown = set(page.eval_on_selector_all(
        "a[href^='/browse/']", "as => as.map(a => a.textContent.trim())"))
    assert {waiting, planned[1]} <= shown
    assert "installer" in page.url and "Planlagt" in page.url


def test_english_page_ghost_blocks_and_a_filter_on_the_calendar(browser_page, live_url,
                                                                  planned, host, users):
    from core.filters.service import create_filter

    s = host.db.session()
    only = create_filter(host, s, users["planner"], "Uten viktig info",
                         "\"Inneholder viktig info\" = Nei")
    host.db.commit(s)
    page = browser_page
    open_calendar(page, live_url, "date=2026-12-07&view=day&lang=en")
    assert page.inner_text(".ec-button.ec-today") == "Today"
    assert "Orders to plan" in page.inner_text(".bookit-side")
    page.evaluate("""() => Bookit.showGhosts('plan-1', [{key: 'ELV-1', installer: 'installer',
        start: '2026-12-07T13:00:00+01:00', end: '2026-12-07T14:00:00+01:00'}])""")
    page.wait_for_selector(".ec-event.bk-ghost[data-issue-key='ELV-1']")
    page.evaluate("() => Bookit.clearGhosts('plan-1')")
    page.wait_for_selector(".ec-event.bk-ghost", state="detached")
    drag_card(page, planned[0], *point(page, "Mona Montør", "17:00"))
    assert "outside working hours" in wait_message(page, "Not placed")
    assert page.evaluate("() => Bookit.calendar.getEvents().some(e => e.id === 'ELV-2')")
    page.select_option("#bookit-show", str(only.id))
    page.wait_for_function("() => !Bookit.calendar.getEvents().some(e => e.id === 'ELV-2')")


DROP_LINK = """([url, x, y]) => {
  const dt = new DataTransfer();
  dt.setData('text/uri-list', url);
  const target = document.elementFromPoint(x, y);
  for (const type of ['dragenter', 'dragover', 'drop']) {
    target.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true,
                                              clientX: x, clientY: y, dataTransfer: dt}));
  }
}"""


def test_a_navigator_link_dropped_then_the_day_optimised(browser_page, live_url, fast_poll,
                                                         host, users, clocked, client, auth):
    from plugins.bookit import availability as av

    s = host.db.session()
    av.set_profile(host, s, users["planner"], users["installer"].id, home=(59.90, 10.70))
    s.commit()
    spots = [(59.90, 10.60), (59.90, 10.90), (59.91, 10.61), (59.91, 10.91)]
    keys = orders(host, "ELV", [
        {"status": "planning", "assignee": "installer", "planned_start": at(7, 8 + n),
         "estimate": 1800, "position": p} for n, p in enumerate(spots)] + [
        {"status": "planning", "position": (59.92, 10.62)}])
    page = browser_page
    open_calendar(page, live_url)
    # the order's key dragged as a link from the navigator (or the order, in another tab)
    x, y = point(page, "Mona Montør", "13:00")
    page.evaluate(DROP_LINK, [f"{live_url}/browse/{keys[4]}", x, y])
    wait_message(page, keys[4])
    assert fields_of(client, auth, host, keys[4])[:2] == ("installer",
                                                          "2026-12-07T13:00:00.000+0100")
    # the day's route: click the row, optimise, see the saving and ghosts, apply
    page.wait_for_selector(".bk-drive")
    x, y = point(page, "Mona Montør", "14:30")
    page.mouse.click(x, y)
    page.wait_for_selector("#bookit-route[data-ready=true]")
    assert page.locator("#bookit-route-stops tr[data-issue-key]").count() == 5
    before = page.text_content("#bookit-route-total")
    page.click("#bookit-optimise")
    page.wait_for_function("() => document.getElementById('bookit-proposal-saving').textContent"
                           ".includes('sparer')")
    assert int(page.get_attribute("#bookit-proposal", "data-saved")) > 5000
    assert page.locator(".ec-event.bk-ghost").count() == 5
    page.click("#bookit-apply")
    wait_message(page, "Ny rekkefølge")
    page.wait_for_function("t => document.getElementById('bookit-route-total').textContent"
                           " !== t", arg=before)
    assert page.locator(".ec-event.bk-ghost").count() == 0
