"""API errors speak the caller's language: Accept-Language (or the language chosen in a
browser session) picks English; without it they stay in bokmål. Outside a request (jobs,
the CLI, threads) the same services raise their bokmål text and never need Flask."""

from __future__ import annotations

import threading

import pytest

from core.i18n import _
from core.services.errors import InvalidInput
from core.services.issues import create_issue

EN = {"Accept-Language": "en-GB,en;q=0.9"}


def _error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    data = response.get_json()
    assert set(data) == {"errorMessages", "errors"}
    return data


def test_unknown_field_on_create_in_the_callers_language(client, bearer):
    payload = {"fields": {"project": {"key": "ELV"}, "issuetype": {"name": "Målerbytte"},
                          "summary": "Ny", "nonsense": 1}}
    english = _error(client.post("/rest/api/2/issue", json=payload,
                                 headers={**bearer("planner"), **EN}), 400)
    assert english["errors"]["nonsense"] == "The field 'nonsense' does not exist."
    bokmal = _error(client.post("/rest/api/2/issue", json=payload, headers=bearer("planner")),
                    400)
    assert bokmal["errors"]["nonsense"] == "Feltet 'nonsense' finnes ikke."


def test_field_value_and_missing_fields_in_english(client, bearer):
    payload = {"fields": {"project": {"key": "ELV"}, "issuetype": {"name": "Målerbytte"},
                          "summary": "Ny", "customfield_10011": "fem timer"}}
    data = _error(client.post("/rest/api/2/issue", json=payload,
                              headers={**bearer("planner"), **EN}), 400)
    assert data["errors"] == {"customfield_10011":
                              "'fem timer' is not a duration (for example 1h 30m)."}
    data = _error(client.post("/rest/api/2/issue", json={"fields": {}},
                              headers={**bearer("planner"), **EN}), 400)
    assert data["errors"]["summary"] == "The field 'summary' is required."


def test_invalid_transition_in_the_callers_language(client, bearer, order):
    key = order().key
    url = f"/rest/api/2/issue/{key}/transitions"
    body = {"transition": {"id": "9999"}}
    english = _error(client.post(url, json=body, headers={**bearer("planner"), **EN}), 400)
    assert english["errorMessages"] == [
        f"The transition '9999' is not valid for {key} in status 'Open'."]
    bokmal = _error(client.post(url, json=body, headers=bearer("planner")), 400)
    assert bokmal["errorMessages"] == [
        f"Overgangen '9999' er ikke gyldig for {key} i status «Åpen»."]


@pytest.mark.parametrize("header, expected", [
    ({"Accept-Language": "en"}, "The issue does not exist, or you do not have access to it."),
    ({"Accept-Language": "en-US,en;q=0.5"},
     "The issue does not exist, or you do not have access to it."),
    ({"Accept-Language": "nb-NO,nb;q=0.9,en;q=0.8"},
     "Saken finnes ikke, eller du har ikke tilgang til den."),
    ({"Accept-Language": "no"}, "Saken finnes ikke, eller du har ikke tilgang til den."),
    ({"Accept-Language": "de"}, "Saken finnes ikke, eller du har ikke tilgang til den."),
    ({}, "Saken finnes ikke, eller du har ikke tilgang til den."),
])
def test_not_found_follows_accept_language(client, bearer, header, expected):
    data = _error(client.get("/rest/api/2/issue/ELV-999", headers={**bearer("planner"),
                                                                   **header}), 404)
    assert data["errorMessages"] == [expected]


def test_anonymous_and_filter_api_errors_in_english(client, bearer):
    data = _error(client.get("/rest/api/2/issue/ELV-1", headers=EN), 401)
    assert data["errorMessages"] == ["You must log in to use the API."]
    data = _error(client.get("/rest/api/2/filter/999999", headers={**bearer("planner"), **EN}),
                  404)
    assert data["errorMessages"] == [
        "The filter 999999 does not exist, or you do not have access to it."]


def test_the_users_profile_language_is_used_without_accept_language(client, host, users,
                                                                    auth):
    from core.models import User

    s = host.db.session()  # the session the test client's requests use too
    s.get(User, users["planner"].id).locale = "en"
    host.db.commit(s)
    data = _error(client.get("/rest/api/2/issue/ELV-999", headers=auth("planner")), 404)
    assert data["errorMessages"] == [
        "The issue does not exist, or you do not have access to it."]
    data = _error(client.get("/rest/api/2/issue/ELV-999",
                             headers={**auth("planner"), "Accept-Language": "nb"}), 404)
    assert data["errorMessages"] == ["Saken finnes ikke, eller du har ikke tilgang til den."]


def test_a_browser_session_gets_its_page_language_not_the_browsers(app, users):
    """Script on a bokmål page calls the API with the browser's Accept-Language: the
    answer matches the page, and switching the page to English switches the API too."""
    from tests.web.conftest import Browser

    b = Browser(app.test_client())
    assert b.login("planner").status_code == 302
    response = b.client.get("/rest/api/2/issue/ELV-999", headers=EN)
    assert _error(response, 404)["errorMessages"] == [
        "Saken finnes ikke, eller du har ikke tilgang til den."]
    b.post("/language", {"lang": "en"})
    response = b.client.get("/rest/api/2/issue/ELV-999")
    assert _error(response, 404)["errorMessages"] == [
        "The issue does not exist, or you do not have access to it."]


def _unknown_field(host, users):
    with host.db.new_session() as s:
        try:
            create_issue(host, s, users["planner"], "ELV", "Målerbytte", "Ny", {"nonsense": 1})
        except InvalidInput as exc:
            return exc.errors
        finally:
            s.rollback()
    raise AssertionError("the unknown field was accepted")


def test_services_outside_a_request_raise_bokmal(app, host, users):
    """A job (rq worker, thread) has no request, and maybe no app context either."""
    expected = {"nonsense": "Feltet 'nonsense' finnes ikke."}
    assert _unknown_field(host, users) == expected
    with app.app_context():  # the CLI: an app but no request
        assert _unknown_field(host, users) == expected
    found: list[object] = []
    worker = threading.Thread(target=lambda: found.append(_unknown_field(host, users)))
    worker.start()
    worker.join()
    assert found == [expected]
    assert _("Kommentaren kan ha høyst %(max)s tegn.", max=5) == \
        "Kommentaren kan ha høyst 5 tegn."


def test_flask_babel_gettext_in_an_app_context_without_a_request(app):
    """Plugins that call Flask-Babel's gettext directly are safe in the CLI too."""
    from flask_babel import gettext

    with app.app_context():
        assert gettext("Skriv en tekst.") == "Skriv en tekst."
