"""The send-SMS panel in a real Chromium: live preview of encoding and segments, send,
and the SMS log and comment on the reloaded page."""

from __future__ import annotations

from typing import Any

import pytest

from plugins.sms.tests.linkstub import LinkStub

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser_page: Any) -> Any:
    """The root conftest's Chromium page (``live_url`` comes from there too)."""
    return browser_page


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
    page.wait_for_function("() => document.getElementById('sms-preview-body').textContent"
                           ".includes('kø.')")
    assert info.get_attribute("data-encoding") == "GSM-7"
    assert info.get_attribute("data-segments") == "1"

    # A tick mark makes it UCS-2: 89 units once the trailing blank is trimmed, 2 SMS.
    page.fill("#sms-text", "Hei ✓ " * 15)
    page.wait_for_function("() => document.getElementById('sms-preview-info').dataset.encoding"
                           " === 'UCS-2'")
    assert info.get_attribute("data-segments") == "2"
    assert "UCS-2 · 89 tegn · 2 SMS · 45 igjen" in info.inner_text()

    page.select_option("#sms-kind", "booking_confirmation")
    page.wait_for_function("() => document.getElementById('sms-preview-body').textContent"
                           ".startsWith('Bookingbekreftelse')")
    assert "torsdag 24. april kl. 10:00" in page.inner_text("#sms-preview-body")

    page.select_option("#sms-kind", "free_text")
    page.fill("#sms-text", "Vi kommer i morgen som avtalt. Hilsen Elvnett")
    page.click("#sms-send")
    page.wait_for_url(f"**/browse/{issue.key}**")
    assert stub.sent()[-1]["userData"] == "Vi kommer i morgen som avtalt. Hilsen Elvnett"
    assert "Vi kommer i morgen som avtalt" in page.inner_text("#sms-log")
    assert "SMS sendt til +4791234567" in page.inner_text("body")
