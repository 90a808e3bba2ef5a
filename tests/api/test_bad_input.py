"""Bad input gets a Jira-style 4xx and changes nothing."""

from __future__ import annotations

import pytest

from tests.api.conftest import snapshot


def _jira_error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    data = response.get_json()
    assert set(data) == {"errorMessages", "errors"}
    assert data["errorMessages"] or data["errors"]
    return data


@pytest.mark.parametrize("payload, field", [
    ({"fields": {"summary": "x", "customfield_99999": "y"}}, "customfield_99999"),
    ({"fields": {"nonsense": 1}}, "nonsense"),
    ({"fields": {"summary": {"text": "x"}}}, "summary"),
    ({"fields": {"customfield_10011": "fem timer"}}, "customfield_10011"),
    ({"fields": {"customfield_10010": "ikke en dato"}}, "customfield_10010"),
    ({"fields": {"customfield_10015": "12"}}, "customfield_10015"),
    ({"fields": {"customfield_10012": "KIS-felt"}}, "customfield_10012"),
    ({"fields": {"status": {"id": "3"}}}, "status"),
    ({"fields": {"resolution": {"name": "Ok"}}}, "resolution"),
    ({"fields": {"assignee": {"name": "finnes-ikke"}}}, "assignee"),
    ({"fields": {"summary": "a"}, "update": {"summary": [{"set": "b"}]}}, "summary"),
    ({"update": {"customfield_10013": [{"add": "b"}]}}, "customfield_10013"),
])
def test_bad_edit_is_400_with_field_error_and_changes_nothing(client, bearer, order, host,
                                                              payload, field):
    key = order(summary="Før").key
    before = snapshot(host, key)
    response = client.put(f"/rest/api/2/issue/{key}", json=payload, headers=bearer("planner"))
    assert field in _jira_error(response, 400)["errors"]
    assert snapshot(host, key) == before


def test_one_bad_field_keeps_the_good_ones_out_too(client, bearer, order, host, backend):
    key = order(summary="Før").key
    before = snapshot(host, key)
    response = client.put(f"/rest/api/2/issue/{key}", headers=bearer("planner"), json={
        "fields": {"summary": "Etter", "customfield_10011": "x"}})
    _jira_error(response, 400)
    assert snapshot(host, key) == before


@pytest.mark.parametrize("raw", ['{"fields": {"summary": "x"', "not json", "[1, 2"])
def test_malformed_json_is_400(client, bearer, order, host, raw):
    key = order().key
    before = snapshot(host, key)
    response = client.put(f"/rest/api/2/issue/{key}", data=raw,
                          headers={**bearer("planner"), "Content-Type": "application/json"})
    _jira_error(response, 400)
    assert snapshot(host, key) == before


def test_wrong_shape_is_400_from_the_schema(client, bearer, order, host):
    key = order().key
    response = client.put(f"/rest/api/2/issue/{key}", json={"fields": ["summary"]},
                          headers=bearer("planner"))
    assert "fields" in _jira_error(response, 400)["errors"]


def test_create_with_bad_input_creates_nothing(client, bearer, host, users, backend):
    from core.models import Issue

    for fields in ({"project": {"key": "ELV"}, "issuetype": {"name": "Målerbytte"}},
                   {"project": {"key": "NOPE"}, "issuetype": {"name": "Målerbytte"},
                    "summary": "x"},
                   {"project": {"key": "ELV"}, "issuetype": {"name": "Bug"}, "summary": "x"},
                   {"project": {"key": "ELV"}, "issuetype": {"name": "Målerbytte"},
                    "summary": "x", "customfield_10017": "12"}):
        response = client.post("/rest/api/2/issue", json={"fields": fields},
                               headers=bearer("planner"))
        _jira_error(response, 400)
    with host.db.new_session() as s:
        assert s.query(Issue).count() == 0


def test_unknown_transition_is_400_and_status_stays(client, bearer, order, host, backend):
    key = order().key
    before = snapshot(host, key)
    for payload in ({"transition": {"id": "999"}}, {"transition": {"id": "72"}},
                    {"transition": {}}, {"transition": {"id": "11"}, "fields": {"nope": 1}}):
        response = client.post(f"/rest/api/2/issue/{key}/transitions", json=payload,
                               headers=bearer("planner"))
        _jira_error(response, 400)
    assert snapshot(host, key) == before


def test_transition_validator_gives_field_error(client, bearer, order, host):
    key = order().key
    before = snapshot(host, key)
    response = client.post(f"/rest/api/2/issue/{key}/transitions", json={
        "transition": {"id": "95"}, "fields": {"assignee": {"name": "installer"}}},
        headers=bearer("planner"))
    errors = _jira_error(response, 400)["errors"]
    assert errors
    assert snapshot(host, key) == before


def test_empty_comment_is_400(client, bearer, order, host):
    key = order().key
    for payload in ({"body": "  "}, {}, {"body": 5}):
        response = client.post(f"/rest/api/2/issue/{key}/comment", json=payload,
                               headers=bearer("planner"))
        _jira_error(response, 400)
    assert snapshot(host, key)["comments"] == 0


def test_oversize_attachment_is_413_and_nothing_kept(client, bearer, order, host, backend):
    import io

    key = order().key
    limit = int(host.config["max_attachment_mb"] * 1024 * 1024)
    response = client.post(f"/rest/api/2/issue/{key}/attachments", headers={
        **bearer("planner"), "X-Atlassian-Token": "no-check"},
        data={"file": (io.BytesIO(b"0" * (limit + 1)), "stor.bin")},
        content_type="multipart/form-data")
    assert "stor.bin" in _jira_error(response, 413)["errorMessages"][0]
    assert snapshot(host, key)["attachments"] == 0
    assert list((host.data_dir / "attachments").iterdir()) == []


def test_attachment_without_xsrf_header_is_403(client, bearer, order, host):
    import io

    key = order().key
    response = client.post(f"/rest/api/2/issue/{key}/attachments", headers=bearer("planner"),
                           data={"file": (io.BytesIO(b"hei"), "a.txt")},
                           content_type="multipart/form-data")
    _jira_error(response, 403)
    assert snapshot(host, key)["attachments"] == 0


def test_stale_if_match_is_409(client, bearer, order, host, backend):
    key = order(summary="Før").key
    got = client.get(f"/rest/api/2/issue/{key}", headers=bearer("planner"))
    etag = got.headers["ETag"]
    ok = client.put(f"/rest/api/2/issue/{key}", json={"fields": {"summary": "A"}},
                    headers={**bearer("planner"), "If-Match": etag})
    assert ok.status_code == 204
    stale = client.put(f"/rest/api/2/issue/{key}", json={"fields": {"summary": "B"}},
                       headers={**bearer("planner"), "If-Match": etag})
    _jira_error(stale, 409)
    assert snapshot(host, key)["summary"] == "A"


def test_unknown_update_verb_is_400(client, bearer, order, host):
    key = order().key
    before = snapshot(host, key)
    response = client.put(f"/rest/api/2/issue/{key}", headers=bearer("planner"),
                          json={"update": {"summary": [{"replace": "x"}]}})
    _jira_error(response, 400)
    assert snapshot(host, key) == before


def test_body_over_the_request_limit_is_413_json(client, bearer, order, app, host):
    import io

    key = order().key
    too_big = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.post(f"/rest/api/2/issue/{key}/attachments", headers={
        **bearer("planner"), "X-Atlassian-Token": "no-check"},
        data={"file": (io.BytesIO(b"0" * too_big), "enorm.bin")},
        content_type="multipart/form-data")
    _jira_error(response, 413)
    assert snapshot(host, key)["attachments"] == 0
