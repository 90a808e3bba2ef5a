"""CSRF on every form, escaping of user text, and who sees which orders."""

from __future__ import annotations

from sqlalchemy import func, select

from core.models import Comment


def test_post_without_csrf_token_is_refused_and_changes_nothing(as_user, make_order, host):
    b = as_user("planner")
    key = make_order()
    response = b.client.post(f"/browse/{key}/comment", data={"body": "uten token"})
    assert response.status_code == 400
    assert "Skjemaet var utløpt" in response.text
    s = host.db.session()
    assert s.scalar(select(func.count()).select_from(Comment)) == 0


def test_login_without_csrf_token_is_refused(client, users):
    response = client.post("/login", data={"username": "planner", "password": "x"})
    assert response.status_code == 400


def test_every_form_on_the_issue_page_carries_a_token(as_user, make_order):
    b = as_user("admin")
    page = b.get(f"/browse/{make_order()}").text
    forms = page.count("<form ")
    assert forms >= 8
    assert page.count('name="csrf_token"') == forms


def test_html_in_summary_and_comment_is_shown_as_text(as_user, users, backend):
    b = as_user("planner")
    evil = '<script>alert("x")</script>'
    created = b.post("/issues/new", {"project": "ELV", "issuetype": "Målerbytte",
                                     "summary": f"Bytte {evil}", "description": evil})
    assert created.status_code == 302
    url = created.headers["Location"]
    b.get(url)
    b.post(url + "/comment", {"body": '<img src=x onerror="alert(1)">'})
    page = b.get(url).text
    assert evil not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page


def test_installer_sees_only_own_orders(as_user, make_order, backend):
    mine = make_order("Montørens ordre", assignee="installer")
    other = make_order("Annen montørs ordre", assignee="installer2")
    b = as_user("installer")
    listing = b.get("/issues/?jql=").text
    assert mine in listing and other not in listing
    assert b.get(f"/browse/{mine}").status_code == 200
    hidden = b.get(f"/browse/{other}")
    assert hidden.status_code == 404 and "Annen montørs ordre" not in hidden.text
    assert b.get(f"/browse/{other}/edit").status_code == 404


def test_installer_has_no_edit_button_and_cannot_edit(as_user, make_order):
    key = make_order(assignee="installer")
    b = as_user("installer")
    page = b.get(f"/browse/{key}").text
    assert 'id="edit-issue"' not in page
    assert b.get(f"/browse/{key}/edit").status_code == 403


def test_outsider_cannot_see_orders_or_admin_pages(as_user, make_order):
    key = make_order()
    b = as_user("outsider")
    assert b.get(f"/browse/{key}").status_code == 404
    assert b.get("/admin/plugins").status_code == 403
    assert key not in b.get("/issues/").text
