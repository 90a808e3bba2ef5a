"""``/rest/api/2/filter`` with the ``jira`` client and plain requests: create, get,
update, delete, favourites with popularity, share permissions, owner change; a
shared filter never shows orders its reader may not browse."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from jira import JIRA, JIRAError

from conftest import PASSWORD


@pytest.fixture
def api(live_server: str, orders: dict[str, Any]) -> Any:
    """``api(user, method, path, json=None)`` -> response."""

    def call(user: str, method: str, path: str, json: Any = None) -> requests.Response:
        return requests.request(method, f"{live_server}/rest/api/2/{path}", json=json,
                                auth=(user, PASSWORD), timeout=10)

    return call


def jira(url: str, user: str) -> JIRA:
    return JIRA(server=url, basic_auth=(user, PASSWORD), get_server_info=False)


def test_create_get_update_favourite_with_jira_client(backend: str, live_server: str,
                                                      orders: dict[str, Any]) -> None:
    j = jira(live_server, "planner")
    f = j.create_filter(name="Etappe 1 i Elvnett", description="Til planlegging",
                        jql='project = ELV AND Løsningsperiode = "Etappe 1"', favourite=True)
    assert f.name == "Etappe 1 i Elvnett" and f.owner.name == "planner"
    assert f.favourite is True and f.favouritedCount == 1
    again = j.filter(f.id)
    assert again.jql == f.jql and again.description == "Til planlegging"
    assert [x.id for x in j.favourite_filters()] == [f.id]
    changed = j.update_filter(f.id, name="Etappe 1 (ELV)", jql="project = ELV ORDER BY key")
    assert changed.name == "Etappe 1 (ELV)" and changed.jql == "project = ELV ORDER BY key"
    found = j.search_issues(changed.jql)
    assert [i.key for i in found] == sorted(o.key for n, o in orders.items() if n != "D")


def test_bad_filters_are_refused(backend: str, api: Any) -> None:
    r = api("planner", "POST", "filter", {"name": "X", "jql": "status = nosuchstatus"})
    assert r.status_code == 400 and "nosuchstatus" in r.json()["errors"]["jql"]
    assert api("planner", "POST", "filter", {"name": "", "jql": ""}).status_code == 400
    assert api("planner", "POST", "filter", {"name": "Dup", "jql": ""}).status_code == 200
    dup = api("planner", "POST", "filter", {"name": "Dup", "jql": "project = ELV"})
    assert dup.status_code == 400 and "filterName" in dup.json()["errors"]


def test_unshared_filter_is_private(backend: str, api: Any) -> None:
    fid = api("planner", "POST", "filter", {"name": "Privat", "jql": ""}).json()["id"]
    assert api("installer", "GET", f"filter/{fid}").status_code == 404
    assert api("outsider", "GET", f"filter/{fid}").status_code == 404
    assert api("admin", "GET", f"filter/{fid}").status_code == 200
    assert api("installer", "PUT", f"filter/{fid}", {"name": "Min"}).status_code == 404
    assert api("installer", "DELETE", f"filter/{fid}").status_code == 404


@pytest.mark.parametrize("share,sees", [
    ({"type": "authenticated"}, {"installer", "installer2", "outsider"}),
    ({"type": "global"}, {"installer", "installer2", "outsider"}),
    ({"type": "group", "groupname": "planleggere"}, set()),
    ({"type": "project", "projectId": "ELV"}, {"installer", "installer2"}),
    ({"type": "projectRole", "projectId": "FJN", "projectRoleId": "Montør"},
     {"installer", "installer2"}),
    ({"type": "user", "userKey": "installer2"}, {"installer2"}),
])
def test_share_permissions(api: Any, share: dict[str, str], sees: set[str]) -> None:
    fid = api("planner", "POST", "filter", {"name": "Delt", "jql": "project = ELV"}).json()["id"]
    added = api("planner", "POST", f"filter/{fid}/permission", share)
    assert added.status_code == 201, added.text
    assert len(added.json()) == 1
    for who in ("installer", "installer2", "outsider"):
        status = api(who, "GET", f"filter/{fid}").status_code
        assert (status == 200) == (who in sees), (who, status)
    share_id = added.json()[0]["id"]
    assert api("planner", "GET", f"filter/{fid}/permission/{share_id}").status_code == 200
    assert api("installer2", "DELETE", f"filter/{fid}/permission/{share_id}").status_code in \
        (403, 404)
    assert api("planner", "DELETE", f"filter/{fid}/permission/{share_id}").status_code == 204
    assert api("planner", "GET", f"filter/{fid}/permission").json() == []


def test_shared_filter_results_respect_browse(backend: str, api: Any, live_server: str,
                                              orders: dict[str, Any]) -> None:
    fid = api("planner", "POST", "filter", {"name": "Alt", "jql": "ORDER BY key"}).json()["id"]
    api("planner", "POST", f"filter/{fid}/permission", {"type": "authenticated"})
    f = api("installer", "GET", f"filter/{fid}").json()
    assert f["editable"] is False
    found = jira(live_server, "installer").search_issues(f["jql"])
    assert {i.key for i in found} == {orders["B"].key, orders["D"].key}
    assert jira(live_server, "outsider").search_issues(f["jql"]).total == 0


def test_favourites_and_popularity(backend: str, api: Any) -> None:
    fid = api("planner", "POST", "filter", {"name": "Populær", "jql": "",
                                             "favourite": False}).json()["id"]
    api("planner", "POST", f"filter/{fid}/permission", {"type": "authenticated"})
    assert api("planner", "GET", f"filter/{fid}").json()["favouritedCount"] == 0
    for who in ("installer", "installer2", "planner"):
        assert api(who, "PUT", f"filter/{fid}/favourite").json()["favourite"] is True
    assert api("outsider", "GET", f"filter/{fid}").json()["favouritedCount"] == 3
    assert [f["id"] for f in api("installer", "GET", "filter/favourite").json()] == [fid]
    api("installer", "DELETE", f"filter/{fid}/favourite")
    assert api("installer", "GET", "filter/favourite").json() == []
    assert api("planner", "GET", f"filter/{fid}").json()["favouritedCount"] == 2
    found = api("outsider", "GET", "filter/search?filterName=popu").json()["values"]
    assert [f["id"] for f in found] == [fid]


def test_owner_change_and_delete(backend: str, api: Any) -> None:
    fid = api("planner", "POST", "filter", {"name": "Overta", "jql": ""}).json()["id"]
    assert api("installer", "PUT", f"filter/{fid}/owner",
               {"name": "installer"}).status_code == 404
    assert api("planner", "PUT", f"filter/{fid}/owner", {"name": "nobody"}).status_code == 400
    assert api("planner", "PUT", f"filter/{fid}/owner", {"name": "installer"}).status_code == 204
    f = api("installer", "GET", f"filter/{fid}").json()
    assert f["owner"]["name"] == "installer" and f["editable"] is True
    assert api("planner", "GET", f"filter/{fid}").status_code == 404
    assert [x["id"] for x in api("installer", "GET", "filter/my").json()] == [fid]
    assert api("installer", "DELETE", f"filter/{fid}").status_code == 204
    assert api("installer", "GET", f"filter/{fid}").status_code == 404


def test_jira_client_sees_missing_filter_as_error(live_server: str, orders: Any) -> None:
    with pytest.raises(JIRAError) as err:
        jira(live_server, "planner").filter("999")
    assert err.value.status_code == 404
