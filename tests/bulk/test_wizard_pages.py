"""The wizard's pages through the test client: every step, errors on the page
(never a 500), CSRF on every form, and what the confirmation page promises."""

from __future__ import annotations

import html
import re
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from conftest import PASSWORD
from core.bulk.models import BulkTask
from core.models import Issue
from core.services import uow
from core.services.issues import create_issue
from core.workflow.engine import transition_issue


@pytest.fixture
def config_dict(config_dict: dict[str, Any]) -> dict[str, Any]:
    config_dict["jobs"] = {"bulk_chunk": 5, "bulk_pause_ratio": 0.0}
    return config_dict


def _orders(host: Any, session: Any, user: Any, n: int, project: str = "ELV") -> list[Any]:
    out = [create_issue(host, session, user, project, "Målerbytte", f"Målerbytte <b>{i}</b>",
                        {"customer_name": f"Kunde {i}"}) for i in range(n)]
    host.db.commit(session)
    return out


def _login(client: Any, name: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"username": name, "password": PASSWORD,
                                    "csrf_token": token})
    assert r.status_code in (302, 303)


def _form(page: str, form_id: str) -> list[tuple[str, str]]:
    """The hidden and checked inputs of one form on a page, as a browser sends them."""
    m = re.search(rf'<form[^>]*id="{form_id}".*?</form>', page, re.S)
    assert m, f"no form {form_id}"
    out = []
    for tag in re.findall(r"<input[^>]*>", m.group(0)):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name:
            continue
        if kind and kind.group(1) in ("checkbox", "radio") and "checked" not in tag:
            continue
        out.append((name.group(1), html.unescape(value.group(1) if value else "")))
    return out


def _with(fields: list[tuple[str, str]], *pairs: tuple[str, str]) -> list[tuple[str, str]]:
    """The form with these inputs set (replacing what the page had under those names)."""
    names = {n for n, _ in pairs}
    return [f for f in fields if f[0] not in names] + list(pairs)


def _wait(session: Any, task_id: str) -> BulkTask:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        session.expire_all()
        task = session.get(BulkTask, task_id)
        if task.status in ("COMPLETE", "CANCELLED", "FAILED"):
            return task
        time.sleep(0.1)
    raise AssertionError("the task did not finish")


def _post(client: Any, url: str, fields: list[tuple[str, str]]) -> Any:
    from werkzeug.datastructures import MultiDict

    return client.post(url, data=MultiDict(fields))


def test_transition_wizard_end_to_end(app, host, session, users, client):
    planner = users["planner"]
    issues = _orders(host, session, planner, 5)
    uow.run(host, session, lambda: transition_issue(host, session, planner, issues[0], "11"))
    _login(client, "planner")
    page = client.get("/bulk/?jql=project = ELV ORDER BY key").get_data(as_text=True)
    assert "Velg saker" in page and "&lt;b&gt;" in page and "<b>0" not in page
    step = _form(page, "bulk-orders")
    page = _post(client, "/bulk/operation", step).get_data(as_text=True)
    assert "5 saker valgt" in page
    step = _form(page, "bulk-operation") + [("operation", "transition")]
    page = _post(client, "/bulk/details", step).get_data(as_text=True)
    assert "Start planlegging" in page and "4 av 5" in page
    tid = host.workflow_for("ELV", "Målerbytte").by_ref("START_PLANNING").id
    r = _post(client, "/bulk/notify", _form(page, "bulk-details"))
    assert r.status_code == 400 and "Velg en arbeidsflytovergang" in r.get_data(as_text=True)
    page = _post(client, "/bulk/notify", _form(page, "bulk-details")
                 + [("transition", str(tid))]).get_data(as_text=True)
    step = [f for f in _form(page, "bulk-notify") if f != ("notify", "1")]
    page = _post(client, "/bulk/confirm", step).get_data(as_text=True)
    assert "gjelder 4 av de 5 valgte" in page
    skipped = re.search(r'id="bulk-skipped".*?</table>', page, re.S).group(0)
    assert issues[0].key in skipped and "Under planlegging" in skipped
    r = _post(client, "/bulk/submit", _form(page, "bulk-confirm"))
    assert r.status_code == 303
    task_id = r.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    task = _wait(session, task_id)  # in process: the task runs on a thread
    assert (task.status, task.done, task.skipped, task.notify) == ("COMPLETE", 4, 1, False)
    page = client.get(f"/bulk/task/{task_id}").get_data(as_text=True)
    assert issues[0].key in page and 'data-status="COMPLETE"' in page
    session.expire_all()
    assert {i.status.key for i in session.scalars(select(Issue))} == {"planning"}


def _to_details(client: Any, keys: list[str], operation: str) -> str:
    fields = [("jql", ""), ("scope", "chosen"), *[("issue", k) for k in keys],
              ("operation", operation)]
    page = client.get("/bulk/?jql=").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = _post(client, "/bulk/details", [("csrf_token", token), *fields])
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_edit_wizard_sets_and_clears_and_shows_bad_values(app, host, session, users, client):
    planner = users["planner"]
    issues = _orders(host, session, planner, 3)
    keys = [i.key for i in issues]
    _login(client, "planner")
    page = _to_details(client, keys, "edit")
    step = _form(page, "bulk-details")
    r = _post(client, "/bulk/notify", step)
    assert r.status_code == 400 and "minst ett felt" in r.get_data(as_text=True)
    r = _post(client, "/bulk/notify", _with(step, ("change", "estimate"), ("f_estimate", "lots")))
    assert r.status_code == 400 and 'value="lots"' in r.get_data(as_text=True)
    page = _post(client, "/bulk/notify", _with(
        step, ("change", "assignee"), ("assignee", "installer"), ("change", "estimate"),
        ("f_estimate", "2h"), ("change", "customer_name"), ("f_customer_name", "")),
    ).get_data(as_text=True)
    page = _post(client, "/bulk/confirm", _form(page, "bulk-notify")).get_data(as_text=True)
    assert "gjelder 3 av de 3" in page and "Tøm" in page
    r = _post(client, "/bulk/submit", _form(page, "bulk-confirm"))
    task = _wait(session, r.headers["Location"].rsplit("/", 1)[-1])
    assert (task.status, task.done, task.notify) == ("COMPLETE", 3, True)
    from core.services.issues import get_value

    session.expire_all()
    for issue in session.scalars(select(Issue)):
        assert issue.assignee.username == "installer"
        assert get_value(host, issue, "estimate") == 7200
        assert get_value(host, issue, "customer_name") is None


def test_watch_and_delete_only_for_admins(app, host, session, users, client):
    planner = users["planner"]
    issues = _orders(host, session, planner, 2)
    keys = [i.key for i in issues]
    _login(client, "planner")
    page = _to_details(client, keys, "watch")
    page = _post(client, "/bulk/notify", _form(page, "bulk-details")).get_data(as_text=True)
    page = _post(client, "/bulk/confirm", _form(page, "bulk-notify")).get_data(as_text=True)
    r = _post(client, "/bulk/submit", _form(page, "bulk-confirm"))
    assert _wait(session, r.headers["Location"].rsplit("/", 1)[-1]).done == 2
    page = client.get("/bulk/?jql=").get_data(as_text=True)
    step = _with(_form(page, "bulk-orders"), ("scope", "chosen"), *[("issue", k) for k in keys])
    page = _post(client, "/bulk/operation", step).get_data(as_text=True)
    assert re.search(r'id="op-delete"[^>]*disabled', page)
    # A forged form is refused on the confirmation page, nothing deleted.
    forged = [f for f in _form(page, "bulk-operation") if f[0] != "operation"] + [
        ("operation", "delete"), ("params", "{}"), ("notify", "0")]
    r = _post(client, "/bulk/submit", forged)
    assert r.status_code == 403 and "administratorer" in r.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Issue)) == 2


def test_errors_are_shown_on_the_page_never_500(app, host, session, users, client):
    _orders(host, session, users["planner"], 2)
    _login(client, "planner")
    r = client.get("/bulk/?jql=project = = ELV")
    assert r.status_code == 200 and "alert-error" in r.get_data(as_text=True)
    page = r.get_data(as_text=True)
    r = _post(client, "/bulk/operation", _with(_form(page, "bulk-orders"), ("scope", "chosen")))
    assert r.status_code == 400 and "Velg minst én sak" in r.get_data(as_text=True)
    r = _post(client, "/bulk/operation", _with(_form(page, "bulk-orders"),
                                               ("scope", "chosen"), ("issue", "ELV-999")))
    assert r.status_code == 400 and "ELV-999" in r.get_data(as_text=True)
    r = _post(client, "/bulk/details", _with(_form(page, "bulk-orders"), ("scope", "chosen"),
                                             ("issue", "ELV-1"), ("operation", "paint")))
    assert r.status_code == 400 and "Velg en operasjon" in r.get_data(as_text=True)
    r = client.post("/bulk/operation", data={"jql": "", "scope": "all"})  # no CSRF token
    assert r.status_code == 400
    assert client.get("/bulk/task/nosuchtask").status_code == 404
    assert session.scalar(select(func.count()).select_from(BulkTask)) == 0


def test_navigator_hand_off_posts_the_ticked_keys(app, host, session, users, client):
    issues = _orders(host, session, users["planner"], 4)
    _login(client, "planner")
    page = client.get("/bulk/?jql=project = ELV").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = _post(client, "/bulk/", [("csrf_token", token), ("jql", "project = ELV"),
                                 ("issue", issues[1].key), ("issue", issues[3].key)])
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and re.search(r'id="scope-chosen"[^>]*checked', page)
    ticked = [v for k, v in _form(page, "bulk-orders") if k == "issue"]
    assert sorted(ticked) == sorted([issues[1].key, issues[3].key])
    page = _post(client, "/bulk/operation", _form(page, "bulk-orders")).get_data(as_text=True)
    assert "2 saker valgt" in page
    assert client.get("/bulk/?jql=project = ELV", headers={"Accept-Language": "en"})
