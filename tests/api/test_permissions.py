"""Who may see and do what through the API; auth and XSRF."""

from __future__ import annotations

import base64

from conftest import PASSWORD, basic_auth
from tests.api.conftest import snapshot


def test_installer_sees_only_own_orders(client, bearer, order, backend):
    mine = order(assignee="installer").key
    other = order(assignee="installer2").key
    me = bearer("installer")
    assert client.get(f"/rest/api/2/issue/{mine}", headers=me).status_code == 200
    for path in (f"/rest/api/2/issue/{other}", f"/rest/api/2/issue/{other}/comment",
                 f"/rest/api/2/issue/{other}/transitions",
                 f"/rest/api/2/issue/{other}/watchers"):
        response = client.get(path, headers=me)
        assert response.status_code == 404, path
        assert response.get_json()["errorMessages"]


def test_installer_cannot_edit_or_create_but_may_comment_own(client, bearer, order, host):
    key = order(assignee="installer").key
    before = snapshot(host, key)
    me = bearer("installer")
    edit = client.put(f"/rest/api/2/issue/{key}", json={"fields": {"summary": "x"}}, headers=me)
    assert edit.status_code == 403
    create = client.post("/rest/api/2/issue", headers=me, json={"fields": {
        "project": {"key": "ELV"}, "issuetype": {"name": "Målerbytte"}, "summary": "x"}})
    assert create.status_code == 403
    assert snapshot(host, key) == before
    assert client.post(f"/rest/api/2/issue/{key}/comment", json={"body": "Ferdig"},
                       headers=me).status_code == 201


def test_installer_gets_only_their_transitions(client, bearer, order):
    key = order(assignee="installer").key
    planner = client.get(f"/rest/api/2/issue/{key}/transitions", headers=bearer("planner"))
    installer = client.get(f"/rest/api/2/issue/{key}/transitions", headers=bearer("installer"))
    assert "11" in {t["id"] for t in planner.get_json()["transitions"]}
    assert "11" not in {t["id"] for t in installer.get_json()["transitions"]}
    refused = client.post(f"/rest/api/2/issue/{key}/transitions",
                          json={"transition": {"id": "11"}}, headers=bearer("installer"))
    assert refused.status_code in (400, 403)


def test_outsider_sees_nothing(client, bearer, order, host, backend):
    key = order().key
    me = bearer("outsider")
    assert client.get(f"/rest/api/2/issue/{key}", headers=me).status_code == 404
    assert client.get("/rest/api/2/project", headers=me).get_json() == []
    assert client.get("/rest/api/2/project/ELV", headers=me).status_code == 404
    response = client.post("/rest/api/2/issue", headers=me, json={"fields": {
        "project": {"key": "ELV"}, "issuetype": {"name": "Målerbytte"}, "summary": "x"}})
    assert response.status_code == 403
    assert client.delete(f"/rest/api/2/issue/{key}", headers=me).status_code == 404
    assert snapshot(host, key)["summary"] == "Målerbytte Storgata 1"


def test_anonymous_and_bad_credentials_get_401_with_challenge(client, users):
    for headers in ({}, basic_auth("planner", "feil-passord"), {"Authorization": "Bearer nei"}):
        response = client.get("/rest/api/2/myself", headers=headers)
        assert response.status_code == 401
        assert "Basic" in response.headers["WWW-Authenticate"]
        assert response.get_json()["errorMessages"]
    assert client.get("/rest/api/2/serverInfo").status_code == 200


def test_password_and_token_in_basic_and_bearer(client, users, tokens):
    token_basic = base64.b64encode(f"planner:{tokens['planner']}".encode()).decode()
    for headers in (basic_auth("planner", PASSWORD), {"Authorization": f"Basic {token_basic}"},
                    {"Authorization": f"Bearer {tokens['planner']}"}):
        assert client.get("/rest/api/2/myself", headers=headers).get_json()["name"] == "planner"
    wrong_user = base64.b64encode(f"admin:{tokens['planner']}".encode()).decode()
    assert client.get("/rest/api/2/myself", headers={
        "Authorization": f"Basic {wrong_user}"}).status_code == 401


def _login_cookie(client, host, user):
    from core.auth import start_session

    with host.db.session() as s:
        sid = start_session(s, user)
        s.commit()
    with client.session_transaction() as sess:
        sess["user_id"] = user.id
        sess["sid"] = sid


def test_browser_session_write_needs_xsrf_header(client, host, users, order):
    key = order().key
    _login_cookie(client, host, users["planner"])
    assert client.get(f"/rest/api/2/issue/{key}").status_code == 200
    refused = client.post(f"/rest/api/2/issue/{key}/comment", json={"body": "x"})
    assert refused.status_code == 403
    assert snapshot(host, key)["comments"] == 0
    allowed = client.post(f"/rest/api/2/issue/{key}/comment", json={"body": "x"},
                          headers={"X-Atlassian-Token": "no-check"})
    assert allowed.status_code == 201
