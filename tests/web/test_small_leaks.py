"""The audit's small leaks and the core's guard, on SQLite and PostgreSQL: hidden
orders look missing to ``linkedIssues``, ``self`` links use the configured base URL,
request ids are sanitised, every page has a CSP, filters honour ``sharePermissions``
and refuse unbrowsable projects, CSV cells cannot be formulas, bad ids in pages are
404, cookie writes on any blueprint need the XSRF proof, big loads are analysed."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Blueprint, jsonify
from sqlalchemy import text

from conftest import basic_auth
from core.app import create_app
from core.config import parse_config
from core.hookspecs import hookimpl
from core.services.issues import create_issue
from core.services.links import link_issues
from core.services.uow import run


def _grant_only_elv(host: Any, users: Any) -> None:
    """installer2 stays Montør in both; "outsider" becomes Planlegger in ELV only."""
    from core.services.users import grant_role

    with host.db.new_session() as s:
        grant_role(s, "ELV", "Planlegger", user=s.get(type(users["outsider"]),
                                                      users["outsider"].id))


def _search(client: Any, user: str, jql: str) -> Any:
    return client.get("/rest/api/2/search", query_string={"jql": jql},
                      headers=basic_auth(user))


def test_linked_issues_of_a_hidden_order_answer_as_a_missing_one(backend, client, host, users,
                                                                  make_order):
    _grant_only_elv(host, users)
    s = host.db.session()
    elv, hidden_issue = (run(host, s, lambda p=p: create_issue(
        host, s, users["planner"], p, "Målerbytte", "Lenket", {})) for p in ("ELV", "FJN"))
    fjn = hidden_issue.key
    run(host, s, lambda: link_issues(host, s, users["planner"], "Relates", elv, hidden_issue))
    hidden = _search(client, "outsider", f"key in linkedIssues({fjn})")
    missing = _search(client, "outsider", "key in linkedIssues(FJN-99999)")
    assert hidden.status_code == missing.status_code == 400
    assert "could not be found" in missing.get_json()["errorMessages"][0]
    assert hidden.get_json()["errorMessages"][0].replace(fjn, "X") == \
        missing.get_json()["errorMessages"][0].replace("FJN-99999", "X")
    assert _search(client, "planner", f"key in linkedIssues({fjn})").get_json()["total"] == 1


def test_self_links_use_the_configured_base_url(backend, config_dict, users, make_order):
    key = make_order()
    config_dict["security"] = {"base_url": "https://ams.example.no"}
    app = create_app(parse_config(config_dict), overrides={"TESTING": True})
    try:
        response = app.test_client().get(f"/rest/api/2/issue/{key}", headers={
            **basic_auth("planner"), "Host": "evil.example"})
        assert response.get_json()["self"].startswith("https://ams.example.no/rest/api/2/")
        assert "evil.example" not in response.get_data(as_text=True)
    finally:
        app.extensions["amsflow"].db.dispose()


def test_request_ids_lose_control_characters(backend, client):
    response = client.get("/health", headers={"X-Request-Id": "abc\x07\x1b[31m <b>x=1</b>"})
    assert response.headers["X-Request-Id"] == "abc31mbx1b"


@pytest.mark.parametrize("path", ["/login", "/health", "/rest/api/2/openapi.json"])
def test_every_response_has_a_content_security_policy(backend, client, path):
    policy = client.get(path).headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self' 'nonce-" in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'self'" in policy
    script = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert "unsafe" not in script and "http" not in script and "*" not in script


def test_post_filter_honours_share_permissions(backend, client, users):
    response = client.post("/rest/api/2/filter", headers=basic_auth("planner"), json={
        "name": "Delt", "jql": "project = ELV",
        "sharePermissions": [{"type": "project", "project": {"id": "ELV"}},
                             {"type": "group", "group": {"name": "planleggere"}}]})
    assert response.status_code == 200, response.get_data(as_text=True)
    shares = response.get_json()["sharePermissions"]
    assert {s["type"] for s in shares} == {"project", "group"}
    seen = client.get(f"/rest/api/2/filter/{response.get_json()['id']}",
                      headers=basic_auth("installer"))
    assert seen.status_code == 200  # Montør in ELV sees a filter shared with ELV


def test_sharing_with_a_project_one_cannot_browse_is_refused(backend, client, host, users):
    _grant_only_elv(host, users)
    response = client.post("/rest/api/2/filter", headers=basic_auth("outsider"), json={
        "name": "Til FJN", "jql": "project = ELV",
        "sharePermissions": [{"type": "project", "project": {"id": "FJN"}}]})
    assert response.status_code == 400
    assert client.get("/rest/api/2/filter/my", headers=basic_auth("outsider")).get_json() == []
    made = client.post("/rest/api/2/filter", headers=basic_auth("outsider"),
                       json={"name": "Egen", "jql": "project = ELV"}).get_json()
    again = client.post(f"/rest/api/2/filter/{made['id']}/permission",
                        headers=basic_auth("outsider"), json={"type": "project",
                                                              "projectId": "FJN"})
    assert again.status_code == 400


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1+2", "-3+cmd|' /C calc'!A0",
                                   "@SUM(A1)"])
def test_csv_cells_cannot_start_a_formula(backend, as_user, make_order, value):
    key = make_order(summary=value)
    b = as_user("planner")
    response = b.get("/navigator/export.csv", query_string={
        "jql": f"key = {key}", "columns": "summary"})
    raw = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";"))
    cell = rows[1][0]
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell == "'" + value
    assert raw.splitlines()[1].startswith('"')  # every cell quoted, as OWASP asks


def test_tab_and_carriage_return_starts_are_neutralised_too():
    """The services strip such values; the rule still holds for every exporter."""
    from core.csvsafe import cell

    assert [cell(v) for v in ("\tx", "\rx", "x=1", "", None, 5)] == [
        "'\tx", "'\rx", "x=1", "", "", "5"]


@pytest.mark.parametrize("path", ["/browse/99999999999999999999999", "/browse/%C2%B2",
                                  "/browse/ELV-%C2%B2"])
def test_pages_with_ids_no_column_holds_are_404(backend, as_user, path):
    assert as_user("planner").get(path).status_code == 404


class WritingPlugin:
    """A third-party plugin with its own REST route and nothing about XSRF in it."""

    writes: list[str] = []

    @hookimpl
    def register_blueprints(self, app: Any) -> list[Any]:
        bp = Blueprint("careless_writes", __name__)

        @bp.post("/rest/careless/1/write")
        def write() -> Any:
            WritingPlugin.writes.append("written")
            return jsonify({"ok": True})

        app.extensions["csrf"].exempt(bp)  # as plugin APIs do: no form token
        return [bp]


def test_cookie_writes_on_a_plugin_blueprint_need_the_xsrf_proof(backend, config_dict, users):
    from .conftest import Browser

    app = create_app(parse_config(config_dict), extra_plugins=(WritingPlugin(),),
                     overrides={"TESTING": True})
    try:
        WritingPlugin.writes.clear()
        b = Browser(app.test_client())
        assert b.login("planner").status_code == 302
        assert b.client.post("/rest/careless/1/write").status_code == 403
        assert WritingPlugin.writes == []
        ok = b.client.post("/rest/careless/1/write", headers={"X-Atlassian-Token": "no-check"})
        assert ok.status_code == 200 and WritingPlugin.writes == ["written"]
        token = b.client.post("/rest/careless/1/write", headers={"X-CSRFToken": b.token})
        assert token.status_code == 200
        api = app.test_client().post("/rest/careless/1/write", headers=basic_auth("planner"))
        assert api.status_code == 200  # Basic auth is no browser: no XSRF proof needed
    finally:
        app.extensions["amsflow"].db.dispose()


def test_demo_bulk_analyses_the_tables(backend, app, host, config_dict, tmp_path):
    import yaml
    from click.testing import CliRunner

    from core.cli import main

    path = tmp_path / "instance.yaml"
    path.write_text(yaml.safe_dump(config_dict), encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), "demo", "bulk", "ELV", "-n", "30"])
    assert result.exit_code == 0, result.output
    assert "tables analysed" in result.output
    with host.db.engine.connect() as conn:
        if backend == "postgresql":
            analysed = conn.execute(text(
                "SELECT count(*) FROM pg_stat_user_tables WHERE relname IN "
                "('issues', 'field_values', 'change_groups') AND last_analyze IS NOT NULL"
                " AND schemaname = current_schema()")).scalar_one()
            assert analysed == 3
        else:
            tables = set(conn.execute(text("SELECT tbl FROM sqlite_stat1")).scalars())
            assert {"issues", "field_values"} <= tables


def test_a_large_bulk_task_analyses_the_tables(backend, config_dict, users):
    """``jobs.analyze_after`` orders changed by one task: the tables are analysed."""
    config_dict["jobs"] = {"analyze_after": 2}
    app = create_app(parse_config(config_dict), overrides={"TESTING": True})
    host = app.extensions["amsflow"]
    try:
        s = host.db.session()
        keys = [run(host, s, lambda n=n: create_issue(host, s, users["planner"], "ELV",
                                                      "Målerbytte", f"Ordre {n}", {})).key
                for n in range(3)]
        response = app.test_client().post("/rest/api/2/bulk/issues/watch",
                                          headers=basic_auth("planner"),
                                          json={"selectedIssueIdsOrKeys": keys})
        assert response.status_code in (200, 201, 202), response.get_data(as_text=True)
        host.jobs.wait()
        with host.db.engine.connect() as conn:
            if backend == "postgresql":
                done = conn.execute(text(
                    "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE "
                    "relname = 'watchers' AND schemaname = current_schema()")).scalar_one()
                assert done
            else:
                tables = set(conn.execute(text("SELECT tbl FROM sqlite_stat1")).scalars())
                assert "issues" in tables
    finally:
        host.jobs.wait()
        host.db.dispose()
