"""The issue view: fields, status colour, flags, buttons and the small actions."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from core.models import Attachment


def test_view_shows_fields_status_colour_and_flags(as_user, make_order, host):
    key = make_order(important_info=True, difficult_meter=True, postcode="0150",
                     planned_start="2020-04-22T10:00")
    page = as_user("planner").get(f"/browse/{key}").text
    assert key in page and "Målerbytte Storgata 1" in page
    colour = host.status_colour("open")
    assert re.search(rf'class="lozenge" style="--lz: {colour};[^"]*">Åpen<', page)
    assert 'class="flag-important"' in page and 'id="difficult-meter"' in page
    for label in ("Kundenavn", "Postnummer", "Planlagt starttid", "Felter som oppdateres fra KIS",
                  "Målepunkt-ID"):
        assert label in page
    assert "22.04.2020 10:00" in page and "+4791234567" in page
    for button in ("Rediger", "Tildel meg", "Kommentar", "Flere handlinger", "Legg ved filer",
                   "Start planlegging", "Sett på vent"):
        assert button in page


def test_order_without_flags_has_no_flag_marks(as_user, make_order):
    page = as_user("planner").get(f"/browse/{make_order()}").text
    assert 'class="flag-important"' not in page and 'id="difficult-meter"' not in page


def test_assign_to_me(as_user, make_order, host, users):
    key = make_order()
    b = as_user("planner")
    b.get(f"/browse/{key}")
    assert b.post(f"/browse/{key}/assign-to-me").status_code == 302
    page = b.get(f"/browse/{key}").text
    assert users["planner"].display_name in page.split('id="assignee"')[1][:300]
    assert 'id="assign-to-me"' not in page


def test_comment_is_added_and_empty_comment_is_refused(as_user, make_order):
    key = make_order()
    b = as_user("planner")
    b.get(f"/browse/{key}")
    refused = b.post(f"/browse/{key}/comment", {"body": "   "})
    assert refused.status_code == 400
    assert "Kommentaren kan ikke være tom." in refused.text
    assert b.post(f"/browse/{key}/comment", {"body": "Kunden ringer tilbake"}).status_code == 302
    assert "Kunden ringer tilbake" in b.get(f"/browse/{key}").text


def test_attach_files_and_download_them_safely(as_user, make_order, host):
    key = make_order()
    b = as_user("planner")
    b.get(f"/browse/{key}")
    response = b.post(f"/browse/{key}/attachments", {
        "file": [(io.BytesIO(b"first"), "../../x.txt"), (io.BytesIO(b"<b>2</b>"), "bilde.html")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    page = b.get(f"/browse/{key}").text
    assert "x.txt" in page and "bilde.html" in page and "../../x.txt" not in page
    s = host.db.session()
    att = s.scalar(select(Attachment).where(Attachment.filename == "bilde.html"))
    download = b.get(f"/attachments/{att.id}/bilde.html")
    assert download.data == b"<b>2</b>"
    assert download.headers["Content-Disposition"].startswith("attachment")
    outsider = as_user("outsider")
    assert outsider.get(f"/attachments/{att.id}/bilde.html").status_code == 404


def test_attaching_nothing_shows_an_error(as_user, make_order):
    key = make_order()
    b = as_user("planner")
    b.get(f"/browse/{key}")
    response = b.post(f"/browse/{key}/attachments", {}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Velg minst én fil." in response.text


def test_link_two_orders_and_see_it_from_both(as_user, make_order):
    a, other = make_order("Hovedordre"), make_order("Tillegg")
    b = as_user("planner")
    b.get(f"/browse/{a}")
    assert b.post(f"/browse/{a}/links", {"link_type": "Tilleggsarbeid",
                                         "other": other}).status_code == 302
    assert "har tilleggsarbeid" in b.get(f"/browse/{a}").text
    assert "er tilleggsarbeid for" in b.get(f"/browse/{other}").text
    bad = b.post(f"/browse/{a}/links", {"link_type": "Relates", "other": "ELV-999"})
    assert bad.status_code == 404 and 'value="ELV-999"' in bad.text


def test_watch_and_unwatch(as_user, make_order, users):
    key = make_order()
    b = as_user("planner")
    b.get(f"/browse/{key}")
    b.post(f"/browse/{key}/watch")
    watchers = b.get(f"/browse/{key}").text.split('id="watchers"')[1][:400]
    assert users["planner"].display_name in watchers
    b.post(f"/browse/{key}/watch", {"stop": "1"})
    watchers = b.get(f"/browse/{key}").text.split('id="watchers"')[1][:400]
    assert users["planner"].display_name not in watchers


def test_history_lists_who_changed_what(as_user, make_order, users):
    key = make_order(postcode="0150")
    b = as_user("planner")
    form = b.get(f"/browse/{key}/edit")
    version = re.search(r'name="version" value="(\d+)"', form.text).group(1)
    b.post(f"/browse/{key}/edit", {"summary": "Målerbytte Storgata 1", "f_postcode": "0151",
                                   "f_customer_name": "Åse Ødegård", "f_mobile": "+4791234567",
                                   "version": version})
    history = b.get(f"/browse/{key}").text.split('id="history"')[1]
    assert "Postnummer" in history and "0150" in history and "0151" in history
    assert users["planner"].display_name in history


def test_issues_url_is_the_navigator(as_user, make_order):
    keys = [make_order(f"Ordre {n}") for n in range(3)]
    page = as_user("planner").get("/issues/?jql=order%20by%20key%20asc").text
    assert all(k in page for k in keys)
    assert 'name="jql"' in page
