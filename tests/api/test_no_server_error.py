"""The audit's inputs that were 500s: each is a Jira-style 400 or 404 now, on SQLite
and PostgreSQL, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import snapshot

HUGE = "99999999999999999999999"


def _jira_error(response: Any, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True))
    data = response.get_json()
    assert set(data) == {"errorMessages", "errors"}
    return data


@pytest.mark.parametrize("method, path", [
    ("GET", f"/rest/api/2/issue/{HUGE}"),
    ("GET", "/rest/api/2/issue/%C2%B2"),
    ("GET", f"/rest/api/2/attachment/{HUGE}"),
    ("DELETE", f"/rest/api/2/attachment/{HUGE}"),
    ("GET", f"/rest/api/2/issueLink/{HUGE}"),
    ("GET", f"/rest/api/2/filter/{HUGE}"),
    ("GET", f"/rest/api/2/issue/ELV-1/comment/{HUGE}"),
    ("GET", "/rest/api/2/issue/ELV-1/comment/%C2%B2"),
])
def test_ids_no_column_holds_are_404(client, bearer, order, backend, method, path):
    order()
    response = client.open(path, method=method, headers=bearer("planner"))
    _jira_error(response, 404)


def test_bulk_selection_with_huge_ids_names_nothing(client, bearer, order, backend):
    key = order().key
    response = client.post("/rest/api/2/bulk/issues/watch", headers=bearer("planner"), json={
        "selectedIssueIdsOrKeys": [HUGE, "²", key]})
    assert response.status_code < 500, response.get_data(as_text=True)


@pytest.mark.parametrize("jql", [
    f"key <= ELV-{HUGE}", f"key = ELV-{HUGE}", f"key in (ELV-{HUGE}, {HUGE})", f"id = {HUGE}",
])
def test_keys_beyond_every_order_match_nothing_or_all_below(client, bearer, order, backend,
                                                            jql):
    key = order().key
    response = client.get("/rest/api/2/search", query_string={"jql": jql},
                          headers=bearer("planner"))
    assert response.status_code == 200, response.get_data(as_text=True)
    found = [i["key"] for i in response.get_json()["issues"]]
    assert found == ([key] if "<=" in jql else [])


def test_start_at_beyond_every_row_is_an_empty_page(client, bearer, order, backend):
    order()
    response = client.get("/rest/api/2/search", query_string={"startAt": 10**20},
                          headers=bearer("planner"))
    assert response.status_code == 200
    assert response.get_json()["issues"] == [] and response.get_json()["total"] == 1


@pytest.mark.parametrize("jql", [
    "created > -99999999d", 'created > startOfDay("-999999999d")',
    'created < endOfMonth("+99999999999")', 'cf[10011] != ""', "cf[10013] in watchedIssues()",
    "cf[10011] = NaN", "cf[10011] > Infinity",
])
def test_jql_overflow_and_type_mismatch_are_4xx(client, bearer, order, backend, jql):
    order()
    response = client.get("/rest/api/2/search", query_string={"jql": jql},
                          headers=bearer("planner"))
    assert response.status_code in (200, 400), (jql, response.get_data(as_text=True))
    if response.status_code == 400:
        assert _jira_error(response, 400)["errorMessages"]


@pytest.mark.parametrize("jql", [5, {"a": 1}, ["status = Åpen"], True])
def test_a_jql_that_is_no_string_is_400(client, bearer, backend, jql):
    response = client.post("/rest/api/2/search", json={"jql": jql}, headers=bearer("planner"))
    assert "string" in " ".join(_jira_error(response, 400)["errorMessages"])


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400", 1e308])
def test_estimate_that_is_no_amount_is_400(client, bearer, order, host, backend, value):
    key = order().key
    before = snapshot(host, key)
    response = client.put(f"/rest/api/2/issue/{key}", headers=bearer("planner"),
                          json={"fields": {"customfield_10011": value}})
    _jira_error(response, 400)
    assert snapshot(host, key) == before


@pytest.mark.parametrize("field, value", [
    ("customfield_10010", "9999-12-31T23:59:59+14:00"), ("customfield_10010", "0001-01-01T00:00"),
    ("customfield_10025", "0001-01-01"), ("customfield_10025", "31.12.99999"),
])
def test_dates_beyond_the_range_are_400(client, bearer, order, host, backend, field, value):
    key = order().key
    before = snapshot(host, key)
    response = client.put(f"/rest/api/2/issue/{key}", headers=bearer("planner"),
                          json={"fields": {field: value}})
    assert field in _jira_error(response, 400)["errors"]
    assert snapshot(host, key) == before


def test_json_nested_100000_deep_is_400(client, bearer, order, host, backend):
    key = order().key
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post(f"/rest/api/2/issue/{key}/comment", headers={
        **bearer("planner"), "Content-Type": "application/json"},
        data='{"body": "x", "extra": ' + deep + "}")
    assert "nøstet" in " ".join(_jira_error(response, 400)["errorMessages"])
    assert snapshot(host, key)["comments"] == 0


def test_a_lone_surrogate_in_json_is_400(client, bearer, order, host, backend):
    key = order().key
    response = client.post(f"/rest/api/2/issue/{key}/comment", headers={
        **bearer("planner"), "Content-Type": "application/json"}, data='{"body": "a\\ud800b"}')
    _jira_error(response, 400)
    assert snapshot(host, key)["comments"] == 0


def test_a_description_over_the_comment_limit_is_400(client, bearer, order, host, backend):
    from core.services.comments import MAX_BODY

    key = order().key
    before = snapshot(host, key)
    response = client.put(f"/rest/api/2/issue/{key}", headers=bearer("planner"),
                          json={"fields": {"description": "x" * (MAX_BODY + 1)}})
    assert "description" in _jira_error(response, 400)["errors"]
    assert snapshot(host, key) == before


def test_an_unhandled_service_error_in_a_plugin_blueprint_is_its_status(backend, config_dict,
                                                                       users):
    """The core's one handler answers for blueprints that install none."""
    from flask import Blueprint

    from core.app import create_app
    from core.config import parse_config
    from core.hookspecs import hookimpl
    from core.services.errors import Conflict

    class Plugin:
        @hookimpl
        def register_blueprints(self, app: Any) -> list[Any]:
            bp = Blueprint("careless", __name__)

            @bp.get("/rest/careless/1/conflict")
            def conflict() -> Any:
                raise Conflict("Noen andre endret den.")

            return [bp]

    app = create_app(parse_config(config_dict), extra_plugins=(Plugin(),),
                     overrides={"TESTING": True})
    try:
        from conftest import basic_auth

        response = app.test_client().get("/rest/careless/1/conflict",
                                         headers=basic_auth("planner"))
        assert _jira_error(response, 409)["errorMessages"] == ["Noen andre endret den."]
    finally:
        app.extensions["amsflow"].db.dispose()
