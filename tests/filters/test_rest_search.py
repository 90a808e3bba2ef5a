"""``/rest/api/2/search`` through the ``jira`` client from PyPI against a live server,
on SQLite and PostgreSQL; results and totals respect browse permissions."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from jira import JIRA, JIRAError

from conftest import PASSWORD


def client(url: str, username: str) -> JIRA:
    return JIRA(server=url, basic_auth=(username, PASSWORD), get_server_info=False,
                options={"rest_api_version": "2"})


@pytest.fixture
def jira_as(live_server: str, orders: dict[str, Any]) -> Any:
    return lambda username: client(live_server, username)


def keys(result: Any) -> set[str]:
    return {i.key for i in result}


def test_search_issues_get_and_post(backend: str, jira_as: Any, orders: dict[str, Any],
                                    host: Any) -> None:
    jira = jira_as("planner")
    jql = 'project = ELV AND Løsningsperiode = "Etappe 1" ORDER BY key'
    found = jira.search_issues(jql, maxResults=10)
    assert keys(found) == {orders["A"].key, orders["C"].key}
    assert found.total == 2
    posted = jira.search_issues(jql, maxResults=10, use_post=True)
    assert [i.key for i in posted] == [i.key for i in found]
    first = found[0]
    assert first.fields.summary == orders["A"].summary
    assert first.fields.status.name == host.all_statuses()["planning"].name


def test_fields_paging_and_total(backend: str, jira_as: Any, orders: dict[str, Any]) -> None:
    jira = jira_as("admin")
    page = jira.search_issues("ORDER BY key ASC", startAt=1, maxResults=2,
                              fields="summary,customfield_10015")
    assert page.total == 4 and len(page) == 2 and page.startAt == 1
    ordered = sorted(o.key for o in orders.values())
    assert [i.key for i in page] == ordered[1:3]
    raw = page[0].raw["fields"]
    assert set(raw) == {"summary", "customfield_10015"}


def test_max_results_is_capped(backend: str, live_server: str, orders: dict[str, Any]) -> None:
    r = requests.get(f"{live_server}/rest/api/2/search", params={"maxResults": 5000},
                     auth=("admin", PASSWORD), timeout=10)
    assert r.status_code == 200
    assert r.json()["maxResults"] == 1000 and r.json()["total"] == 4


def test_jql_error_is_400_with_position(backend: str, jira_as: Any) -> None:
    jira = jira_as("planner")
    with pytest.raises(JIRAError) as err:
        jira.search_issues("status = = open")
    assert err.value.status_code == 400
    assert "Error in the JQL Query" in err.value.text and "line 1" in err.value.text
    with pytest.raises(JIRAError) as err:
        jira.search_issues("nosuchfield = 1")
    assert err.value.status_code == 400 and "nosuchfield" in err.value.text


def test_results_and_counts_respect_browse(backend: str, jira_as: Any,
                                           orders: dict[str, Any]) -> None:
    mine = jira_as("installer").search_issues("ORDER BY key", maxResults=50)
    assert keys(mine) == {orders["B"].key, orders["D"].key} and mine.total == 2
    assert jira_as("installer2").search_issues("").total == 0
    assert jira_as("outsider").search_issues("project = ELV").total == 0


def test_anonymous_search_is_401(live_server: str) -> None:
    r = requests.get(f"{live_server}/rest/api/2/search", timeout=10)
    assert r.status_code == 401


def test_autocomplete(backend: str, live_server: str, orders: dict[str, Any],
                      host: Any) -> None:
    auth = ("planner", PASSWORD)
    data = requests.get(f"{live_server}/rest/api/2/jql/autocompletedata", auth=auth,
                        timeout=10).json()
    names = {f["value"] for f in data["visibleFieldNames"]}
    assert {"status", "assignee", "Løsningsperiode", '"Planlagt starttid"'} <= names
    assert any(f["value"] == "currentUser()" for f in data["visibleFunctionNames"])
    sugg = requests.get(f"{live_server}/rest/api/2/jql/autocompletedata/suggestions",
                        params={"fieldName": "Postnummer", "fieldValue": "015"}, auth=auth,
                        timeout=10).json()["results"]
    assert [s["value"] for s in sugg] == ["0150", "0151"]
    assert sugg[0]["displayName"] == "<b>015</b>0"
    status = requests.get(f"{live_server}/rest/api/2/jql/autocompletedata/suggestions",
                          params={"fieldName": "status", "fieldValue": "plan"}, auth=auth,
                          timeout=10).json()["results"]
    planning = host.all_statuses()["planning"].name
    assert any(s["value"].strip('"') == planning for s in status)


def test_suggestions_only_from_browsable_orders(backend: str, live_server: str,
                                                orders: dict[str, Any]) -> None:
    r = requests.get(f"{live_server}/rest/api/2/jql/autocompletedata/suggestions",
                     params={"fieldName": "Postnummer", "fieldValue": ""},
                     auth=("installer", PASSWORD), timeout=10)
    assert [s["value"] for s in r.json()["results"]] == ["0151", "6800"]
