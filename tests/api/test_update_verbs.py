"""``update`` verbs on edit: set/remove on fields, add/edit/remove comments, add links."""

from __future__ import annotations

from tests.api.conftest import snapshot


def test_set_and_remove_fields_and_comment_ops(client, bearer, order, host, backend):
    key = order(postcode="0150").key
    me = bearer("planner")
    response = client.put(f"/rest/api/2/issue/{key}", headers=me, json={"update": {
        "customfield_10015": [{"remove": "0150"}],
        "address": [{"set": "Storgata 9"}],
        "comment": [{"add": {"body": "Første"}}]}})
    assert response.status_code == 204, response.get_json()
    got = client.get(f"/rest/api/2/issue/{key}", headers=me).get_json()["fields"]
    assert got["customfield_10015"] is None
    assert got[host.fields["address"].id] == "Storgata 9"
    comment_id = got["comment"]["comments"][0]["id"]
    client.put(f"/rest/api/2/issue/{key}", headers=me, json={"update": {
        "comment": [{"edit": {"id": comment_id, "body": "Endret"}}]}})
    bodies = [c["body"] for c in client.get(f"/rest/api/2/issue/{key}/comment",
                                            headers=me).get_json()["comments"]]
    assert bodies == ["Endret"]
    client.put(f"/rest/api/2/issue/{key}", headers=me, json={"update": {
        "comment": [{"remove": {"id": comment_id}}]}})
    assert snapshot(host, key)["comments"] == 0


def test_update_adds_a_link(client, bearer, order, host):
    first, second = order().key, order("Tillegg").key
    kind = host.config["link_types"][0]["name"]
    response = client.put(f"/rest/api/2/issue/{first}", headers=bearer("planner"), json={
        "update": {"issuelinks": [{"add": {"type": {"name": kind},
                                           "outwardIssue": {"key": second}}}]}})
    assert response.status_code == 204, response.get_json()
    links = client.get(f"/rest/api/2/issue/{second}", headers=bearer("planner")
                       ).get_json()["fields"]["issuelinks"]
    assert [lk["inwardIssue"]["key"] for lk in links] == [first]


def test_assignee_endpoint_and_notify_users(client, bearer, order, host):
    key = order().key
    me = bearer("planner")
    assert client.put(f"/rest/api/2/issue/{key}/assignee", json={"name": "installer"},
                      headers=me).status_code == 204
    assert client.get(f"/rest/api/2/issue/{key}", headers=bearer("installer")).status_code == 200
    assert client.put(f"/rest/api/2/issue/{key}/assignee", json={"name": None},
                      headers=me).status_code == 204
    assert snapshot(host, key)["assignee"] is None
    quiet = client.put(f"/rest/api/2/issue/{key}?notifyUsers=false",
                       json={"fields": {"summary": "Stille"}}, headers=me)
    assert quiet.status_code == 403
    assert client.put(f"/rest/api/2/issue/{key}?notifyUsers=false",
                      json={"fields": {"summary": "Stille"}},
                      headers=bearer("admin")).status_code == 204
