"""The phone app in Chromium with a phone's viewport: the day's list with the red ``!``,
start, resolve Ok with a photo (resized on the phone), resolve with a reason; then
offline (``set_offline``): the app reopens from its service worker and IndexedDB,
three orders are resolved into the outbox, one of them is cancelled on the server
meanwhile; back online the two are applied exactly once and the third shows its
conflict."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from conftest import CHROMIUM, PASSWORD
from core.models import Attachment, ChangeGroup, ChangeItem, Issue
from core.services.issues import values_of
from core.workflow.engine import transition_issue
from plugins.mobile.models import APPLIED, CONFLICT, MobileAction

from .conftest import at, place

WAIT = 60000  # ms a step may take on a busy machine (a cap, not a speed assertion)


def png(width: int, height: int) -> bytes:
    """A plain PNG of one colour, as a phone camera's photo would be large."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\x30\x80\xc0" * width
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                                0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(row * height, 9)) + chunk(b"IEND", b"")


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame marker."""
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    raise AssertionError("no frame in the JPEG")


@pytest.fixture
def phone() -> Iterator[Any]:
    """A Chromium context the size of a phone, with touch."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--lang=nb-NO"])
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      device_scale_factor=2, is_mobile=True, has_touch=True,
                                      locale="nb-NO")
        yield context
        context.close()
        browser.close()


def fresh(host: Any, key: str) -> Issue:
    s = host.db.session()
    s.expire_all()
    return s.scalar(select(Issue).where(Issue.key == key))


def synced(page: Any) -> None:
    """Wait until the outbox holds nothing pending and a sync has finished."""
    page.wait_for_function("() => !document.getElementById('m-pending') && "
                           "!document.getElementById('m-status').textContent.includes('…')",
                           timeout=WAIT)


def resolve(page: Any, key: str, resolution: str, meter: str | None = None,
            photo: bytes | None = None) -> None:
    page.click(f'.m-order[data-key="{key}"] a')
    page.wait_for_selector("#m-resolve")
    page.select_option('#m-resolve select[name="resolution"]', resolution)
    if meter:
        page.fill('input[name="newMeterNumber"]', meter)
        page.fill('input[name="reading"]', "4711,5")
    if photo:
        page.set_input_files('input[name="photo"]', files=[
            {"name": "IMG_0001.png", "mimeType": "image/png", "buffer": photo}])
    page.click('#m-resolve button[type="submit"]')
    # Queued (the form goes; the photo is shrunk first), then back to the list.
    page.wait_for_selector("#m-resolve", state="detached", timeout=WAIT)
    page.click(".m-back")


def status_changes(host: Any, key: str) -> int:
    s = host.db.session()
    return s.scalar(select(func.count()).select_from(ChangeItem).join(ChangeGroup).where(
        ChangeGroup.issue_id == fresh(host, key).id, ChangeItem.field == "status"))


def test_the_installers_day_online_and_offline(phone, live_url, host, day):
    place(host, "ELV", [("Målerbytte Fjellveien 8", "ready", "installer", at(1, 11), True,
                         False)])  # ELV-8
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_url}/m/")
    page.fill("#username", "installer")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-ready='1']", timeout=WAIT)

    # The day's list: today then tomorrow, by planned start, the red ! on ELV-2.
    days = page.locator(".m-day h2").all_inner_texts()
    assert days == ["I dag", "I morgen"]
    keys = page.eval_on_selector_all(".m-order", "els => els.map(e => e.dataset.key)")
    assert keys == ["ELV-2", "ELV-3", "ELV-1", "ELV-4", "ELV-8"]
    assert page.locator('.m-order[data-key="ELV-2"] .m-important').inner_text() == "!"
    assert page.locator('.m-order[data-key="ELV-1"] .m-important').count() == 0

    # Detail: map link, tap-to-call, meter, no difficult meter; Start.
    page.click('.m-order[data-key="ELV-2"] a')
    assert page.get_attribute("#m-map", "href").startswith("geo:59.91,10.75?q=Gate%202")
    assert page.get_attribute("#m-call", "href") == "tel:+4790000002"
    assert page.inner_text("#m-meter") == "M-2"
    assert page.inner_text("#m-mpid") == "707057000000000002"
    assert "Vanskelig måler" not in page.inner_text(".m-detail")
    page.click("#m-start")
    page.wait_for_selector("#m-start", state="detached", timeout=WAIT)
    synced(page)
    assert fresh(host, "ELV-2").status.key == "in_progress"

    # Løst with Ok and a photo: the phone shrinks the photo before it is sent.
    page.click(".m-back")
    resolve(page, "ELV-2", "Ok", meter="AMS-2002", photo=png(3000, 2000))
    synced(page)
    issue = fresh(host, "ELV-2")
    assert issue.status.key == "closed" and issue.resolution.name == "Ok"
    assert values_of(host, issue)["new_meter_number"] == "AMS-2002"
    assert values_of(host, issue)["meter_reading"] == 4711.5
    s = host.db.session()
    photo = s.scalar(select(Attachment).where(Attachment.issue_id == issue.id))
    assert photo.mime_type == "image/jpeg" and photo.filename == "IMG_0001.jpg"
    from core.services.attachments import path_of

    assert jpeg_size(path_of(host, photo).read_bytes()) == (1600, 1067)

    # Løst with a reason.
    resolve(page, "ELV-3", "Kunde ikke hjemme")
    synced(page)
    assert fresh(host, "ELV-3").resolution.name == "Kunde ikke hjemme"
    assert page.eval_on_selector_all(".m-order", "els => els.map(e => e.dataset.key)") == \
        ["ELV-1", "ELV-4", "ELV-8"]

    # Offline: the app reopens from the service worker with the orders from IndexedDB.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=WAIT)
    before = status_changes(host, "ELV-1")
    phone.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready='1']", timeout=WAIT)
    assert "Frakoblet" in page.inner_text("#m-status")
    resolve(page, "ELV-1", "Ingen adgang")
    resolve(page, "ELV-4", "Ok", meter="AMS-4004")
    resolve(page, "ELV-8", "Kunde ikke hjemme")
    assert page.get_attribute("#m-pending", "data-count") == "3"
    assert page.locator('.m-order[data-key="ELV-1"] .m-wait').count() == 1
    # Meanwhile Quant cancels ELV-8.
    s = host.db.session()
    transition_issue(host, s, host.system_user(s), fresh(host, "ELV-8"), "CANCELLED_BY_QUANT",
                     system=True)
    host.db.commit(s)

    phone.set_offline(False)
    page.wait_for_selector('.m-conflict[data-key="ELV-8"]', timeout=WAIT)
    synced(page)
    conflict = page.inner_text('.m-conflict[data-key="ELV-8"]')
    assert "Konflikt" in conflict and "Manuell oppfølging" in conflict
    assert fresh(host, "ELV-1").resolution.name == "Ingen adgang"
    assert fresh(host, "ELV-4").status.key == "closed"
    assert fresh(host, "ELV-8").status.key == "manual_followup"
    # Exactly once: one ledger row per action, one resolve in each order's history,
    # even after the phone syncs again.
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    synced(page)
    s = host.db.session()
    rows = s.execute(select(MobileAction.issue_id, MobileAction.kind, MobileAction.outcome)).all()
    ids = {fresh(host, k).id: k for k in ("ELV-1", "ELV-4", "ELV-8")}
    offline = sorted((ids[i], kind, outcome) for i, kind, outcome in rows if i in ids)
    assert offline == [("ELV-1", "resolve", APPLIED), ("ELV-4", "resolve", APPLIED),
                       ("ELV-8", "resolve", CONFLICT)]
    assert status_changes(host, "ELV-1") == before + 1
    kept = s.scalar(select(MobileAction.payload).where(MobileAction.outcome == CONFLICT))
    assert json.loads(kept)["resolution"] == "Kunde ikke hjemme"
    assert errors == []
