"""The customer's link: refused when tampered, unknown, expired or used; confirm,
call me and pick another free slot move the order as SMS replies do and leave a
comment; two customers racing for one slot give one success and one clear message;
the page in a phone viewport in Chromium."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from core.app import secret_key
from core.models import Comment, Issue
from core.services.issues import get_value
from plugins.bookit import availability as av
from plugins.bookit.autoplan import selfservice as ss
from plugins.bookit.autoplan import tokens
from plugins.bookit.autoplan.links import link_for
from plugins.bookit.autoplan.offers import Offers

from .conftest import at, orders

HOME = (59.9139, 10.7522)


@pytest.fixture
def booked(host, session, users, clocked):
    """Mona at home in Oslo; an order proposed to its customer for Monday 09:00."""
    av.set_profile(host, session, users["planner"], users["installer"].id, home=HOME)
    session.commit()
    key, = orders(host, "ELV", [{"position": (HOME[0] + 0.01, HOME[1]),
                                 "status": "awaiting_response", "assignee": "installer",
                                 "planned_start": at(8, 9), "estimate": 3600}])
    issue = session.query(Issue).filter_by(key=key).one()
    url = link_for(host, session, issue)
    session.commit()
    return issue, url.rsplit("/", 1)[1]


def _status(host, issue):
    """The order's status as stored now (a request in this thread ends the session the
    test holds, so the order is read afresh)."""
    with host.db.new_session() as s:
        return host.catalog.status_keys[s.get(Issue, issue.id).status_id]


def _planned(host, issue):
    with host.db.new_session() as s:
        return get_value(host, s.get(Issue, issue.id), "planned_start")


def test_a_token_is_refused_when_tampered_unknown_expired_or_used(host, session, booked,
                                                                   backend):
    issue, token = booked
    key = secret_key(host)
    assert tokens.resolve(host, session, key, token).issue_id == issue.id
    flipped = token[:-1] + ("a" if token[-1] != "a" else "b")
    for bad in (flipped, token[:-2], token + "x", "", "é" * 20):
        with pytest.raises(tokens.LinkRefused) as caught:
            tokens.resolve(host, session, key, bad)
        assert caught.value.reason == tokens.TAMPERED
    forged = "A" * 10 + tokens._signature(key, "A" * 10)  # signed, never issued
    with pytest.raises(tokens.LinkRefused, match=tokens.UNKNOWN):
        tokens.resolve(host, session, key, forged)
    host.clock = lambda: at(7, 7) + timedelta(days=15)
    with pytest.raises(tokens.LinkRefused, match=tokens.EXPIRED):
        tokens.resolve(host, session, key, token)


def test_confirm_and_call_me_move_the_order_as_replies_do(host, session, booked, client,
                                                          backend):
    issue, token = booked
    page = client.get(f"/b/{token}")
    assert page.status_code == 200 and "Bekreft tidspunktet" in page.text
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    done = client.post(f"/b/{token}", data={"csrf_token": csrf, "choice": "confirm"})
    assert done.status_code == 200 and "bekreftet" in done.text
    session.expire_all()
    assert _status(host, issue) == "ready"
    with host.db.new_session() as s:
        assert "bekreftet tidspunktet" in s.query(Comment).filter_by(
            issue_id=issue.id).one().body
    again = client.post(f"/b/{token}", data={"csrf_token": csrf, "choice": "call_me"})
    assert again.status_code == 410 and "allerede brukt" in again.text
    session.expire_all()
    assert _status(host, issue) == "ready"  # the used link changed nothing


def test_call_me_goes_to_manual_follow_up(host, session, booked, backend):
    issue, token = booked
    link = tokens.resolve(host, session, secret_key(host), token)
    ss.choose(host, session, link, ss.CALL_ME, Offers.for_issue(host, issue).workflow)
    session.commit()
    session.expire_all()
    assert _status(host, issue) == "manual_followup"
    assert link.choice == ss.CALL_ME and link.used_at is not None


def test_picking_another_free_slot_moves_and_confirms(host, session, booked, backend):
    issue, token = booked
    offers = Offers.for_issue(host, issue)
    slots = offers.offered(session, issue)
    assert slots, "Mona's free week has room"
    assert all(s.start >= at(8, 7, 30) for s in slots)  # from tomorrow
    assert not any(s.start < at(8, 10) and s.end > at(8, 9) for s in slots)  # its own hour
    link = tokens.resolve(host, session, secret_key(host), token, lock=True)
    ss.choose(host, session, link, ss.PICK, offers.workflow, slot=slots[0],
              holds=offers.holds(session))
    session.commit()
    session.expire_all()
    assert _status(host, issue) == "ready"
    assert _planned(host, issue) == slots[0].start
    assert "valgte et nytt tidspunkt" in session.query(Comment).filter_by(
        issue_id=issue.id).one().body


def test_two_customers_racing_for_one_slot(host, session, users, booked, backend):
    """Both pages offered the same slot; both pick it at once: one gets it, the other
    is told it was just taken, and nothing of theirs changes."""
    first, _ = booked
    key, = orders(host, "ELV", [{"position": (HOME[0] + 0.01, HOME[1]),
                                 "status": "awaiting_response", "assignee": "installer",
                                 "planned_start": at(8, 13), "estimate": 3600}])
    second = session.query(Issue).filter_by(key=key).one()
    tokens_ = [link_for(host, session, i).rsplit("/", 1)[1] for i in (first, second)]
    session.commit()
    offers = Offers.for_issue(host, first)
    slot = next(s for s in offers.offered(session, first)
                if s in offers.offered(session, second))
    session.rollback()
    results: list[str] = []
    gate = threading.Barrier(2)

    def pick(token: str) -> None:
        with host.db.new_session() as s:
            gate.wait()
            try:
                link = tokens.resolve(host, s, secret_key(host), token, lock=True)
                ss.choose(host, s, link, ss.PICK, offers.workflow, slot=slot,
                          holds=offers.holds(s))
                host.db.commit(s)
                results.append("ok")
            except ss.ChoiceRefused as exc:
                s.rollback()
                results.append(exc.reason)

    threads = [threading.Thread(target=pick, args=(t,)) for t in tokens_]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["ok", ss.SLOT_TAKEN]
    session.expire_all()
    starts = [_planned(host, i) for i in (first, second)]
    assert starts.count(slot.start) == 1
    assert sorted(_status(host, i) for i in (first, second)) == ["awaiting_response", "ready"]


@pytest.mark.browser
def test_the_customer_picks_a_new_time_on_a_phone(host, session, booked, live_url):
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM

    issue, token = booked
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        phone = browser.new_context(viewport={"width": 390, "height": 844},
                                    device_scale_factor=2, is_mobile=True, has_touch=True,
                                    locale="nb-NO")
        page = phone.new_page()
        page.goto(f"{live_url}/b/{token}")
        assert page.locator("html").get_attribute("lang") == "nb"
        assert page.get_by_role("heading", name="Ditt målerbytte").is_visible()
        first = page.get_by_role("radio").first
        label = page.locator(f"label[for='{first.get_attribute('id')}']").inner_text()
        first.check()
        page.get_by_role("button", name="Velg dette tidspunktet").click()
        page.get_by_text("Takk! Det nye tidspunktet ditt er booket.").wait_for()
        page.goto(f"{live_url}/b/{token}?lang=en")
        assert page.get_by_text("This link has already been used").is_visible()
        browser.close()
    session.expire_all()
    assert _status(host, issue) == "ready"
    assert label and _planned(host, issue) != at(8, 9)


def test_hook_message_values(host, session, booked, backend):
    """A booking SMS or letter of a project that turns the link on carries it; other
    kinds and other projects get nothing."""
    issue, _token = booked
    values = host.plugins.message_values(host, session, issue, "booking")
    token = values["selfservice_link"].rsplit("/b/", 1)[1]
    assert tokens.resolve(host, session, secret_key(host), token).issue_id == issue.id
    assert host.plugins.message_values(host, session, issue, "booking_reminder") == {}
    session.commit()  # the link's row commits with the message
    fjn, = orders(host, "FJN", [{"status": "awaiting_response", "position": HOME}])
    assert host.plugins.message_values(
        host, session, session.query(Issue).filter_by(key=fjn).one(), "letter") == {}
