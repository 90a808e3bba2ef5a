"""Errors that services raise are shown on the page in the page's language: a person who
chose English reads them in English, in bokmål otherwise."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.models import Issue


def _version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def test_create_errors_in_english(as_user, host):
    b = as_user("planner")
    b.post("/language", {"lang": "en"})
    b.get("/issues/new")
    response = b.post("/issues/new", {"project": "ELV", "issuetype": "Målerbytte",
                                      "summary": "", "f_postcode": "12a"})
    assert response.status_code == 400 and '<html lang="en">' in response.text
    assert "Summary is required." in response.text
    assert "Invalid value for Postnummer: &#39;12a&#39;." in response.text
    assert "Emne må fylles ut" not in response.text and "Ugyldig verdi" not in response.text
    assert host.db.session().scalar(select(Issue)) is None


def test_stale_edit_conflict_in_english_and_bokmal(as_user, make_order):
    key = make_order()
    b = as_user("planner")
    b.post("/language", {"lang": "en"})
    stale = _version(b.get(f"/browse/{key}/edit").text)
    b.post(f"/browse/{key}/edit", {"summary": "First", "version": stale})
    response = b.post(f"/browse/{key}/edit", {"summary": "Last", "version": stale})
    assert response.status_code == 409
    assert "The issue was changed by someone else. Reload it." in response.text
    b.post("/language", {"lang": "nb"})
    response = b.post(f"/browse/{key}/edit", {"summary": "Sist", "version": stale})
    assert response.status_code == 409
    assert "Saken er endret av noen andre. Last den inn på nytt." in response.text


def test_bad_field_value_in_english(as_user, make_order):
    """The edit screen refuses a bad mobile number: the field error is in English."""
    key = make_order(assignee="planner")
    b = as_user("planner")
    b.post("/language", {"lang": "en"})
    page = b.get(f"/browse/{key}").text
    assert '<html lang="en">' in page
    response = b.post(f"/browse/{key}/edit", {"summary": "Ok", "f_mobile": "123",
                                              "version": _version(
                                                  b.get(f"/browse/{key}/edit").text)})
    assert response.status_code == 400
    assert "&#39;123&#39; is not a valid mobile number." in response.text
