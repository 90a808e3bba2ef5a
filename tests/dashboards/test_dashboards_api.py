"""Dashboards and gadgets over the REST API: create, copy, share, gadgets, their data
for each viewer (permission-checked, cached), and bad input as Jira-style errors."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from conftest import basic_auth
from core.models import Issue, User
from core.services.issues import create_issue

API = "/rest/api/2/dashboard"


@pytest.fixture
def orders(host: Any, users: dict[str, Any]) -> list[str]:
    """Five ELV orders (two the installer's), one FJN order."""
    s = host.db.session()
    keys = []
    for i in range(5):
        values = {"assignee": "installer"} if i < 2 else {}
        keys.append(create_issue(host, s, users["planner"], "ELV", "Målerbytte", f"Ordre {i}",
                                 values).key)
    keys.append(create_issue(host, s, users["planner"], "FJN", "Avvik", "Avvik 1").key)
    host.db.commit(s)
    return keys


def _post(client: Any, url: str, body: Any, who: str = "planner") -> Any:
    return client.post(url, json=body, headers=basic_auth(who))


def _dashboard(client: Any, who: str = "planner", **body: Any) -> dict[str, Any]:
    answer = _post(client, API, {"name": "Min oversikt", **body}, who)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_pie_gadget_counts_what_jql_counts(client, host, orders):
    d = _dashboard(client)
    gadget = _post(client, f"{API}/{d['id']}/gadget",
                   {"moduleKey": "gadgets.pie", "config": {"jql": "project = ELV",
                                                           "field": "assignee"}})
    assert gadget.status_code == 201, gadget.get_json()
    data = client.get(gadget.get_json()["data"].replace("http://localhost", ""),
                      headers=basic_auth("planner")).get_json()
    s = host.db.session()
    installer = s.scalar(select(User.id).where(User.username == "installer"))
    by_sql = s.scalar(select(func.count()).select_from(Issue).where(
        Issue.assignee_id == installer))
    slices = {sl["label"]: sl["count"] for sl in data["data"]["slices"]}
    assert slices == {"Mona Montør": by_sql, "Ingen": 5 - by_sql}
    assert data["data"]["total"] == 5 and data["cached"] is False


def test_installer_counts_only_their_orders(client, orders):
    body = {"jql": "project = ELV"}
    as_planner = _post(client, f"{API}/gadgets/gadgets.filter_results/data", body).get_json()
    as_installer = _post(client, f"{API}/gadgets/gadgets.filter_results/data", body,
                         "installer").get_json()
    assert as_planner["data"]["total"] == 5
    assert as_installer["data"]["total"] == 2
    assert {r["key"] for r in as_installer["data"]["rows"]} == set(orders[:2])


def test_data_is_cached_until_asked_anew(client, host, users, orders):
    url = f"{API}/gadgets/gadgets.filter_results/data"
    first = _post(client, url, {"jql": "project = FJN"}).get_json()
    s = host.db.session()
    create_issue(host, s, users["planner"], "FJN", "Avvik", "Avvik 2")
    host.db.commit(s)
    again = _post(client, url, {"jql": "project = FJN"}).get_json()
    fresh = _post(client, url + "?refresh=1", {"jql": "project = FJN"}).get_json()
    assert (first["data"]["total"], first["cached"]) == (1, False)
    assert (again["data"]["total"], again["cached"]) == (1, True)
    assert (fresh["data"]["total"], fresh["cached"]) == (2, False)


def test_filter_not_shared_with_viewer_says_why(client, orders):
    made = _post(client, "/rest/api/2/filter", {"name": "Mine ELV", "jql": "project = ELV"},
                 "planner").get_json()
    d = _dashboard(client, "installer", name="Montørens")
    g = _post(client, f"{API}/{d['id']}/gadget",
              {"moduleKey": "gadgets.pie", "config": {"filterId": int(made["id"])}},
              "installer").get_json()
    answer = client.get(f"{API}/{d['id']}/gadget/{g['id']}/data",
                        headers=basic_auth("installer"))
    assert answer.status_code == 404
    assert "ikke delt med deg" in answer.get_json()["errorMessages"][0]


def test_bad_input_is_a_clear_error_and_changes_nothing(client, orders):
    d = _dashboard(client)
    bad_jql = _post(client, f"{API}/gadgets/gadgets.pie/data", {"jql": "projekt = ELV"})
    assert bad_jql.status_code == 400 and bad_jql.get_json()["errors"]["jql"]
    bad_field = _post(client, f"{API}/gadgets/gadgets.pie/data",
                      {"jql": "project = ELV", "field": "nope"})
    assert bad_field.status_code == 400 and "nope" in bad_field.get_json()["errorMessages"][0]
    no_type = _post(client, f"{API}/{d['id']}/gadget", {"moduleKey": "gadgets.nope"})
    assert no_type.status_code == 404
    bad_setting = _post(client, f"{API}/{d['id']}/gadget",
                        {"moduleKey": "gadgets.filter_results",
                         "config": {"jql": "project = ELV", "limit": 100000}})
    assert bad_setting.status_code == 400 and "limit" in bad_setting.get_json()["errors"]
    no_name = _post(client, API, {"name": "  "})
    assert no_name.status_code == 400 and "name" in no_name.get_json()["errors"]
    got = client.get(f"{API}/{d['id']}", headers=basic_auth("planner")).get_json()
    assert got["gadgets"] == []


def test_share_copy_layout_and_delete(client, orders):
    d = _dashboard(client, description="Planleggerens egen", columns=2)
    for key in ("gadgets.pie", "gadgets.filter_results"):
        _post(client, f"{API}/{d['id']}/gadget",
              {"moduleKey": key, "config": {"jql": "project = ELV"}, "column": 1})
    assert client.get(f"{API}/{d['id']}", headers=basic_auth("installer")).status_code == 404
    shared = _post(client, f"{API}/{d['id']}/permission", {"type": "user",
                                                          "username": "installer"})
    assert shared.status_code == 201
    seen = client.get(f"{API}?q=ens EGEN", headers=basic_auth("installer")).get_json()
    assert [x["name"] for x in seen["dashboards"]] == ["Min oversikt"]
    client.put(f"{API}/{d['id']}", json={"favourite": True}, headers=basic_auth("installer"))
    popular = client.get(f"{API}?filter=popular", headers=basic_auth("outsider")).get_json()
    assert popular["total"] == 0  # shared with the installer only
    popular = client.get(f"{API}?filter=popular", headers=basic_auth("installer")).get_json()
    assert popular["dashboards"][0]["popularity"] == 2
    copy = _dashboard(client, "installer", name="Kopi", copyOf=int(d["id"]))
    assert [g["type"] for g in copy["gadgets"]] == ["gadgets.filter_results", "gadgets.pie"]
    assert copy["owner"]["name"] == "installer" and copy["sharePermissions"] == []
    ids = [g["id"] for g in copy["gadgets"]]
    moved = client.put(f"{API}/{copy['id']}/layout", json={"columns": 3,
                                                           "layout": [[ids[1]], [], [ids[0]]]},
                       headers=basic_auth("installer")).get_json()
    assert [(g["type"], g["position"]["column"]) for g in moved["gadgets"]] == [
        ("gadgets.pie", 0), ("gadgets.filter_results", 2)]
    refused = client.delete(f"{API}/{d['id']}", headers=basic_auth("installer"))
    assert refused.status_code == 403
    assert client.delete(f"{API}/{d['id']}", headers=basic_auth("planner")).status_code == 204
    assert client.get(f"{API}/{d['id']}", headers=basic_auth("planner")).status_code == 404


def test_dashboards_are_in_the_openapi_document(client):
    paths = client.get("/rest/api/2/openapi.json").get_json()["paths"]
    for path in ("/rest/api/2/dashboard", "/rest/api/2/dashboard/{dashboard_id}",
                 "/rest/api/2/dashboard/{dashboard_id}/gadget/{gadget_id}/data",
                 "/rest/api/2/dashboard/gadgets", "/rest/api/2/dashboard/gadgets/{key}/data"):
        assert path in paths


def test_messages_and_pages_in_the_callers_language(app, client, orders):
    from tests.web.conftest import Browser

    english = {**basic_auth("planner"), "Accept-Language": "en"}
    missing = client.get(f"{API}/99999", headers=english)
    assert missing.get_json()["errorMessages"] == [
        "Dashboard 99999 does not exist, or you have no access to it."]
    types = client.get(f"{API}/gadgets", headers=english).get_json()["gadgets"]
    pie = next(t for t in types if t["key"] == "gadgets.pie")
    assert (pie["name"], pie["config"][0]["label"]) == ("Pie chart", "Field")
    b = Browser(app.test_client())
    assert b.login("planner").status_code == 302
    assert "Administrer dashbord" in b.get("/dashboards/manage").text
    b.post("/language", {"lang": "en", "next": "/dashboards/manage"})
    page = b.get("/dashboards/manage").text
    assert "Manage dashboards" in page and "Popular" in page


def test_shared_with_a_group_or_a_project_role(client, orders):
    d = _dashboard(client, "admin", name="Til montørene")
    assert client.get(f"{API}/{d['id']}", headers=basic_auth("installer")).status_code == 404
    role = _post(client, f"{API}/{d['id']}/permission",
                 {"type": "projectRole", "projectId": "ELV", "projectRoleId": "Montør"}, "admin")
    assert role.status_code == 201 and role.get_json()[0]["role"]["name"] == "Montør"
    assert client.get(f"{API}/{d['id']}", headers=basic_auth("installer")).status_code == 200
    assert client.get(f"{API}/{d['id']}", headers=basic_auth("planner")).status_code == 404
    group = _post(client, f"{API}/{d['id']}/permission",
                  {"type": "group", "groupname": "planleggere"}, "admin")
    assert group.status_code == 201
    assert client.get(f"{API}/{d['id']}", headers=basic_auth("planner")).status_code == 200
    assert client.get(f"{API}/{d['id']}", headers=basic_auth("outsider")).status_code == 404
    bad = _post(client, f"{API}/{d['id']}/permission", {"type": "group", "groupname": "x"},
                "admin")
    assert bad.status_code == 400 and bad.get_json()["errors"]["groupname"]


def test_whole_dashboard_in_one_request_each_gadget_with_its_answer(client, orders):
    d = _dashboard(client)
    _post(client, f"{API}/{d['id']}/gadget",
          {"moduleKey": "gadgets.pie", "config": {"jql": "project = ELV"}})
    _post(client, f"{API}/{d['id']}/gadget",
          {"moduleKey": "gadgets.filter_results", "config": {"filterId": 424242}})
    answer = client.get(f"{API}/{d['id']}/data", headers=basic_auth("installer"))
    assert answer.status_code == 404  # not shared with the installer
    parts = client.get(f"{API}/{d['id']}/data", headers=basic_auth("planner")).get_json()
    by_type = {p.get("type", "missing"): p for p in parts["gadgets"]}
    assert by_type["gadgets.pie"]["data"]["total"] == 5
    failed = [p for p in parts["gadgets"] if p["status"] != 200]
    assert len(failed) == 1 and failed[0]["status"] == 404
    assert "424242" in failed[0]["errorMessages"][0]
    again = client.get(f"{API}/{d['id']}/data", headers=basic_auth("planner")).get_json()
    assert [p.get("cached") for p in again["gadgets"] if p["status"] == 200] == [True]
