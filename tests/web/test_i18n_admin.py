"""Language switch, error pages in the page language, admin pages and API tokens."""

from __future__ import annotations

import json

from core.models import JobRecord


def test_bokmal_by_default_and_english_on_request(as_user, make_order):
    key = make_order()
    b = as_user("planner")
    page = b.get(f"/browse/{key}").text
    assert "Tildel meg" in page and "Kundenavn" in page and '<html lang="nb">' in page
    b.post("/language", {"lang": "en", "next": f"/browse/{key}"})
    page = b.get(f"/browse/{key}").text
    assert '<html lang="en">' in page
    assert "Assign to me" in page and "More actions" in page and "Customer name" in page
    assert "Tildel meg" not in page and "Kundenavn" not in page
    assert ">Open<" in page and "Start planning" in page  # status and transition in English
    assert "The page or work order does not exist" in b.get("/browse/ELV-999").text
    b.post("/language", {"lang": "nb"})
    assert "Tildel meg" in b.get(f"/browse/{key}").text


def test_error_pages_are_in_norwegian_by_default(as_user):
    b = as_user("planner")
    missing = b.get("/finnes-ikke")
    assert missing.status_code == 404 and "Finnes ikke" in missing.text
    forbidden = b.get("/admin/jobs")
    assert forbidden.status_code == 403 and "Ingen tilgang" in forbidden.text


def test_admin_sees_plugins_with_versions_hooks_and_projects(as_user, host):
    page = as_user("admin").get("/admin/plugins").text
    for plugin in host.plugins.describe():
        assert f"<strong>{plugin['name']}</strong>" in page
        for hook in plugin["hooks"]:
            assert f">{hook}<" in page
    row = page.split("<strong>sms</strong>")[1].split("</tr>")[0]
    assert ">ELV<" in row and ">FJN<" in row


def test_admin_sees_failed_jobs_with_their_error(as_user, host):
    with host.db.new_session() as s:
        s.add(JobRecord(id="job-1", name="sms.send", args_json=json.dumps({"issue": 7}),
                        status="failed", error="Traceback: ConnectionRefusedError <gateway>"))
        s.add(JobRecord(id="job-2", name="letters.render", status="finished"))
    page = as_user("admin").get("/admin/jobs").text
    assert "sms.send" in page and "ConnectionRefusedError &lt;gateway&gt;" in page
    assert "letters.render" not in page
    assert "letters.render" in as_user("admin").get("/admin/jobs?status=finished").text


def test_admin_creates_a_user_and_sees_errors(as_user, host):
    b = as_user("admin")
    b.get("/admin/users")
    short = b.post("/admin/users", {"username": "montor9", "display_name": "Nils",
                                    "password": "kort"})
    assert short.status_code == 400 and "minst 8 tegn" in short.text
    taken = b.post("/admin/users", {"username": "planner", "display_name": "Dobbel",
                                    "password": "langt-passord"})
    assert taken.status_code == 409 and "finnes allerede" in taken.text
    made = b.post("/admin/users", {"username": "montor9", "display_name": "Nils Montør",
                                   "password": "langt-passord", "groups": "montorer"})
    assert made.status_code == 302
    assert "Nils Montør" in b.get("/admin/users").text
    from tests.web.conftest import Browser

    nils = Browser(b.client.application.test_client())
    assert nils.login("montor9", "langt-passord").status_code == 302


def test_own_api_token_is_shown_once_works_and_can_be_revoked(as_user, users):
    b = as_user("planner")
    b.get("/profile")
    created = b.post("/profile/tokens", {"name": "Rapporter"})
    assert created.status_code == 200
    secret = created.text.split('<code class="secret">')[1].split("<")[0]
    assert len(secret) > 30 and created.headers["Cache-Control"] == "no-store"
    assert secret not in b.get("/profile").text  # never shown again
    anonymous = b.client.application.test_client()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert anonymous.get("/", headers=bearer).status_code == 200
    token_id = b.get("/profile").text.split("/profile/tokens/")[1].split("/")[0]
    assert b.post(f"/profile/tokens/{token_id}/revoke").status_code == 302
    assert anonymous.get("/", headers=bearer).status_code == 302


def test_nobody_revokes_someone_elses_token(as_user, host, users):
    from core.auth import create_token
    from core.models import ApiToken

    with host.db.new_session() as s:
        create_token(s, s.get(type(users["admin"]), users["admin"].id), "admins")
    s = host.db.session()
    token = s.query(ApiToken).one()
    b = as_user("planner")
    b.get("/profile")
    assert b.post(f"/profile/tokens/{token.id}/revoke").status_code == 404
    s.expire_all()
    assert s.get(ApiToken, token.id).revoked is False
