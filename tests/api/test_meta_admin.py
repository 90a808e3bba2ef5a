"""Metadata, the admin API (plugins, failed jobs), API tokens and the OpenAPI document."""

from __future__ import annotations

import json
import re

from core.models import JobRecord


def test_field_list_has_schema_and_clause_names(client, bearer, host):
    fields = client.get("/rest/api/2/field", headers=bearer("planner")).get_json()
    by_id = {f["id"]: f for f in fields}
    for fdef in host.fields:
        f = by_id[fdef.id]
        assert f["name"] == fdef.name and f["custom"] is True
        assert f["schema"]["type"] == fdef.schema_type
        assert f["schema"]["customId"] == fdef.number
        assert {"navigable", "searchable", "clauseNames"} <= set(f)
    assert by_id["status"]["schema"] == {"type": "status", "system": "status"}


def test_status_carries_category_and_configured_colour(client, bearer, host):
    statuses = client.get("/rest/api/2/status", headers=bearer("planner")).get_json()
    by_name = {s["name"]: s for s in statuses}
    for key, st in host.all_statuses().items():
        assert by_name[st.name]["statusColor"] == host.status_colour(key)
        assert by_name[st.name]["statusCategory"]["key"] == st.category


def test_project_by_key_and_id_with_issue_types(client, bearer, host):
    me = bearer("planner")
    by_key = client.get("/rest/api/2/project/ELV", headers=me).get_json()
    by_id = client.get(f"/rest/api/2/project/{by_key['id']}", headers=me).get_json()
    assert by_key == by_id
    assert {t["name"] for t in by_key["issueTypes"]} <= {t["name"]
                                                         for t in host.config["issue_types"]}


def test_plugins_and_jobs_are_admin_only(client, bearer, host, backend):
    with host.db.new_session() as s:
        s.add(JobRecord(id="j-1", name="sms.send", status="failed", error="Timeout",
                        args_json=json.dumps({"issue": "ELV-1"})))
        s.add(JobRecord(id="j-2", name="sms.send", status="finished"))
    for path in ("/rest/amsflow/1/plugins", "/rest/amsflow/1/jobs?status=failed"):
        assert client.get(path, headers=bearer("planner")).status_code == 403
    plugins = client.get("/rest/amsflow/1/plugins", headers=bearer("admin")).get_json()
    assert {p["name"] for p in plugins} == {p["name"] for p in host.plugins.describe()}
    sms = next(p for p in plugins if p["name"] == "sms")
    assert sms["projects"] == host.plugins.projects_enabling("sms") and sms["hooks"]
    failed = client.get("/rest/amsflow/1/jobs?status=failed", headers=bearer("admin")).get_json()
    assert [(j["id"], j["error"], j["args"]) for j in failed] == \
        [("j-1", "Timeout", {"issue": "ELV-1"})]


def test_tokens_create_use_list_revoke(client, bearer, users):
    me = bearer("installer")
    made = client.post("/rest/amsflow/1/tokens", json={"name": "Mobil"}, headers=me)
    assert made.status_code == 201
    secret, token_id = made.get_json()["token"], made.get_json()["id"]
    mine = {"Authorization": f"Bearer {secret}"}
    assert client.get("/rest/api/2/myself", headers=mine).get_json()["name"] == "installer"
    listed = client.get("/rest/amsflow/1/tokens", headers=me).get_json()
    assert "Mobil" in [t["name"] for t in listed]
    assert all("token" not in t for t in listed)
    assert client.delete(f"/rest/amsflow/1/tokens/{token_id}",
                         headers=bearer("planner")).status_code == 404
    assert client.delete(f"/rest/amsflow/1/tokens/{token_id}", headers=me).status_code == 204
    assert client.get("/rest/api/2/myself", headers=mine).status_code == 401
    assert client.post("/rest/amsflow/1/tokens", json={"name": ""}, headers=me).status_code == 400


def test_openapi_describes_every_route(client, app):
    doc = client.get("/rest/api/2/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    # Quant's contract is listed with its own parameter names and checked against its
    # own document in plugins/quant/tests/test_contract.py
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops
                  if not path.startswith("/rest/quant/")}
    served = set()
    for rule in app.url_map.iter_rules():  # the route table's, and all of Jira's API
        if rule.endpoint.endswith("_latest") or not (
                rule.endpoint.startswith("api.") or rule.rule.startswith("/rest/api/2/")):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        served |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented
    edit = doc["paths"]["/rest/api/2/issue/{key}"]["put"]
    assert "409" in edit["responses"] and "fields" in \
        edit["requestBody"]["content"]["application/json"]["schema"]["properties"]


def test_html_in_summary_comes_back_as_is(client, bearer, order):
    key = order(summary='<img src=x onerror="alert(1)">').key
    got = client.get(f"/rest/api/2/issue/{key}", headers=bearer("planner")).get_json()
    assert got["fields"]["summary"] == '<img src=x onerror="alert(1)">'
    rendered = client.get(f"/rest/api/2/issue/{key}?expand=renderedFields",
                          headers=bearer("planner")).get_json()["renderedFields"]
    assert rendered["summary"] == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"


def test_download_is_an_attachment_never_inline(client, bearer, order, host):
    import io

    key = order().key
    uploaded = client.post(f"/rest/api/2/issue/{key}/attachments", headers={
        **bearer("planner"), "X-Atlassian-Token": "no-check"},
        data={"file": (io.BytesIO(b"<script>x</script>"), "../../x")},
        content_type="multipart/form-data").get_json()[0]
    assert uploaded["filename"] == "x"
    path = uploaded["content"].split("localhost", 1)[1]
    response = client.get(path, headers=bearer("planner"))
    assert response.data == b"<script>x</script>"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/octet-stream"
    assert client.get(path, headers=bearer("installer")).status_code == 404
    stored = list((host.data_dir / "attachments").iterdir())
    assert len(stored) == 1 and stored[0].parent == host.data_dir / "attachments"
