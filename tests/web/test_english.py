"""The main pages speak the chosen language all through: English pages carry no Norwegian
UI words (msgids written in bokmål must have catalog entries), bokmål pages no English ones.

Only the visible text is checked: markup, scripts, styles, attribute values and the data an
order holds (customer names, statuses from the workflow config, field values) are left out.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from core.filters import service as filters
from core.services.issues import create_issue
from plugins.quant.models import REJECTED
from plugins.quant.refs import ensure_ref

# UI words of the bokmål pages; none of them may be left when the page is in English
NORWEGIAN = ("Lagre", "Søk", "Saker", "Masseoppdatering", "Kommentar", "Vedlegg", "Historikk",
             "Avbryt", "Filtre", "Kolonner", "Eksporter", "Neste", "Forrige", "Tildelt",
             "Sammendrag", "Opprettet", "Oppdatert", "Beskrivelse", "Prosjekt", "Velg",
             "Meldingstype", "Tekst", "SMS-logg", "Ingen", "Brevmaler", "Detaljer", "Deling",
             "Abonnementer", "Eier", "Slett", "Logg ut", "Mer", "Mine", "Ordre", "Brukere",
             "Innstillinger", "Endre", "Overgang", "Fritekst", "Registrer", "Felter",
             "ikke", "kan", "og", "på", "er", "til", "av", "fra", "med", "eller", "ingen",
             "mangler", "Ja", "Nei")
# UI words of the English pages; none of them may be left when the page is in bokmål
ENGLISH = ("Save", "Search", "Bulk change", "Comment", "Attachments", "History", "Cancel",
           "Filters", "Columns", "Export", "Next", "Previous", "Assignee", "Summary",
           "Created", "Updated", "Description", "Project", "Select", "Message type",
           "Text", "No ", "Letter templates", "Details", "Sharing", "Subscriptions", "Owner",
           "Delete", "Log out", "More", "My ", "Users", "Settings", "Edit", "Free text",
           "Record", "Fields", "the", "and", "not", "with", "yet", "is", "Yes", "None")

# scripts, styles and form values (a textarea holds data) are not UI text
REASON = "Målerstand mangler"  # data from Quant, shown as it came

TAGS = re.compile(r"<(script|style|textarea)\b.*?</\1>|<!--.*?-->|<[^>]+>", re.S)


def visible(page: str, data: tuple[str, ...]) -> str:
    """The page's text as a reader sees it, without the given data values."""
    text = " ".join(html.unescape(TAGS.sub(" ", page)).split())
    for value in sorted(data, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
    return text


def words_left(text: str, words: tuple[str, ...]) -> list[str]:
    """The listed words that occur in ``text`` as whole words."""
    return [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]


@pytest.fixture
def pages(host: Any, users: dict[str, Any], make_order: Any) -> dict[str, tuple[str, str]]:
    """Each page's URL and the user who opens it."""
    elv = make_order(assignee="installer")
    s = host.db.session()
    fjn_issue = create_issue(host, s, users["planner"], "FJN", "Målerbytte",
                             "Målerbytte Fjellveien 2", {"customer_name": "Åse Ødegård"})
    quant = ensure_ref(host, s, fjn_issue)  # the Quant panel shows a validation result
    quant.external_id, quant.validation_status = "Q-77", REJECTED
    quant.validation_reason, quant.validation_at = REASON, host.now()
    fjn = fjn_issue.key
    saved = filters.create_filter(host, s, users["planner"], "ELV i dag", "project = ELV",
                                  "Alle ordre i ELV")
    host.db.commit(s)
    elv_search = "jql=project%20%3D%20ELV"
    return {
        "home": ("/", "planner"),
        "navigator": (f"/issues/?{elv_search}", "planner"),
        "basic navigator": (f"/issues/?{elv_search}&mode=basic", "planner"),
        "filter list": ("/navigator/filters/", "planner"),
        "filter page": (f"/navigator/filters/{saved.id}", "planner"),
        "ELV order with SMS panel": (f"/browse/{elv}", "planner"),
        "FJN order": (f"/browse/{fjn}", "planner"),
        "transition screen": (f"/browse/{elv}/transition/95", "planner"),
        "edit screen": (f"/browse/{elv}/edit", "planner"),
        "bulk wizard": (f"/bulk/?{elv_search}", "planner"),
        "unmatched SMS replies": ("/sms/unmatched", "planner"),
        "profile": ("/profile", "planner"),
        "admin users": ("/admin/users", "admin"),
        "admin plugins": ("/admin/plugins", "admin"),
        "admin jobs": ("/admin/jobs", "admin"),
        "letter template": ("/letters/admin/FJN/template", "admin"),
    }


def page_data(host: Any, session: Any) -> tuple[str, ...]:
    """Text the pages show that is data, not UI: names, statuses, config values."""
    from core.models import Group, Issue, IssueType, Project, Resolution, Status, User

    values: list[str] = []
    for model, attrs in ((Status, ("name", "name_en")), (Project, ("name", "description")),
                         (IssueType, ("name",)), (Resolution, ("name",)),
                         (User, ("display_name", "username")), (Issue, ("summary",)),
                         (Group, ("name",))):
        for row in session.query(model).all():
            values += [getattr(row, a, None) or "" for a in attrs]
    for wf in host.workflows.values():
        values += [t.name for t in wf.transitions]
    values += [f.name for f in host.fields]
    for link in host.config["link_types"]:
        values += [link["name"], link["inward"], link["outward"]]
    values += ["Åse Ødegård", "ELV i dag", "Alle ordre i ELV", REASON]
    return tuple(v for v in values if v)


def check_pages(host: Any, as_user: Any, pages: dict[str, tuple[str, str]], lang: str,
                words: tuple[str, ...]) -> dict[str, list[str]]:
    browsers: dict[str, Any] = {}
    left: dict[str, list[str]] = {}
    for name, (url, who) in pages.items():
        if who not in browsers:
            browsers[who] = as_user(who)
            browsers[who].post("/language", {"lang": lang})
        response = browsers[who].get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        assert f'<html lang="{lang}">' in response.text, name
        if name == "FJN order":
            assert 'class="quant-panel"' in response.text and "Q-77" in response.text
        found = words_left(visible(response.text, page_data(host, host.db.session())), words)
        if found:
            left[name] = found
    return left


def test_english_pages_show_no_norwegian_ui_words(host, as_user, pages):
    assert check_pages(host, as_user, pages, "en", NORWEGIAN) == {}


def test_bokmal_pages_show_no_english_ui_words(host, as_user, pages):
    assert check_pages(host, as_user, pages, "nb", ENGLISH) == {}
