"""The send-SMS panel in a real Chromium: live preview of encoding and segments, send,
and the SMS log and comment on the reloaded page."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from plugins.sms.tests.linkstub import LinkStub

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser


@pytest.fixture
def live_url(app: Any, users: dict[str, Any]) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="nb-NO")
        yield context.new_page()
        context.close()
        browser.close()


def test_send_sms_panel(live_url: str, page: Any, order: Any, stub: LinkStub) -> None:
    from conftest import PASSWORD

    issue = order(status="awaiting_response")
    page.goto(f"{live_url}/browse/{issue.key}")
    page.fill("#username", "planner")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/browse/{issue.key}")
    info = page.locator("#sms-preview-info")

    page.fill("#sms-text", "Hei! Montøren kommer ca. kl. 11 på grunn av kø.")
    page.wait_for_function("document.getElementById('sms-preview-body').textContent"
                           ".includes('kø.')")
    assert info.get_attribute("data-encoding") == "GSM-7"
    assert info.get_attribute("data-segments") == "1"

    # A tick mark makes it UCS-2: 89 units once the trailing blank is trimmed, 2 SMS.
    page.fill("#sms-text", "Hei ✓ " * 15)
    page.wait_for_function("document.getElementById('sms-preview-info').dataset.encoding"
                           " === 'UCS-2'")
    assert info.get_attribute("data-segments") == "2"
    assert "UCS-2 · 89 tegn · 2 SMS · 45 igjen" in info.inner_text()

    page.select_option("#sms-kind", "booking_confirmation")
    page.wait_for_function("document.getElementById('sms-preview-body').textContent"
                           ".startsWith('Bookingbekreftelse')")
    assert "torsdag 24. april kl. 10:00" in page.inner_text("#sms-preview-body")

    page.select_option("#sms-kind", "free_text")
    page.fill("#sms-text", "Vi kommer i morgen som avtalt. Hilsen Elvnett")
    page.click("#sms-send")
    page.wait_for_url(f"**/browse/{issue.key}**")
    assert stub.sent()[-1]["userData"] == "Vi kommer i morgen som avtalt. Hilsen Elvnett"
    assert "Vi kommer i morgen som avtalt" in page.inner_text("#sms-log")
    assert "SMS sendt til +4791234567" in page.inner_text("body")
