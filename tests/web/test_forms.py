"""Create, edit and transition forms: screens, validation errors on the page, conflicts."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.models import Comment, Issue
from core.services.issues import get_value


def _issue(host, key):
    s = host.db.session()
    s.expire_all()
    return s.scalar(select(Issue).where(Issue.key == key))


def _version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def test_create_form_has_typed_inputs_and_creates_the_order(as_user, host):
    b = as_user("planner")
    form = b.get("/issues/new?project=ELV").text
    assert 'type="datetime-local"' in form and 'name="f_planned_start"' in form
    assert 'type="checkbox" name="f_important_info"' in form
    assert 'name="f_stage"' not in form  # KIS fields are not for people
    response = b.post("/issues/new", {
        "project": "ELV", "issuetype": "Målerbytte", "summary": "Ny måler Fjellveien 3",
        "f_planned_start": "2020-04-22T10:00", "f_postcode": "5003", "f_important_info": "1",
        "f_position": "60.39, 5.32", "assignee": "installer"})
    assert response.status_code == 302
    key = response.headers["Location"].rsplit("/", 1)[1]
    issue = _issue(host, key)
    assert issue.summary == "Ny måler Fjellveien 3" and issue.assignee.username == "installer"
    assert get_value(host, issue, "important_info") is True
    assert get_value(host, issue, "planned_start").hour == 8  # 10:00 Oslo summer time in UTC
    assert "Arbeidsordre" in b.get(f"/browse/{key}").text


def test_create_errors_are_shown_and_typed_text_kept(as_user, host):
    b = as_user("planner")
    b.get("/issues/new")
    response = b.post("/issues/new", {"project": "ELV", "issuetype": "Målerbytte",
                                      "summary": "", "f_postcode": "12a",
                                      "f_customer_name": "Kari <Nordmann>"})
    assert response.status_code == 400
    assert "Emne må fylles ut." in response.text
    assert "Ugyldig verdi for Postnummer" in response.text
    assert 'value="12a"' in response.text and 'value="Kari &lt;Nordmann&gt;"' in response.text
    assert host.db.session().scalar(select(Issue)) is None


def test_edit_shows_kis_fields_read_only_and_refuses_bad_values(as_user, make_order, host):
    key = make_order(postcode="0150")
    with host.db.new_session() as s:
        from core.services.issues import edit_issue

        issue = s.scalar(select(Issue).where(Issue.key == key))
        edit_issue(host, s, None, issue, {"stage": "Etappe 7"}, system=True)
    b = as_user("planner")
    form = b.get(f"/browse/{key}/edit").text
    kis = form.split('id="kis-fields"')[1]
    assert "Felter som oppdateres fra KIS" in form and "Etappe 7" in kis
    assert 'name="f_stage"' not in form
    response = b.post(f"/browse/{key}/edit", {
        "summary": "Endret emne", "f_postcode": "abc", "f_mobile": "123",
        "f_stage": "Hacket", "version": _version(form)})
    assert response.status_code == 400
    assert "Ugyldig verdi for Postnummer" in response.text
    assert "ikke et gyldig mobilnummer" in response.text
    assert 'value="Endret emne"' in response.text and 'value="abc"' in response.text
    issue = _issue(host, key)
    assert issue.summary == "Målerbytte Storgata 1"
    assert get_value(host, issue, "stage") == "Etappe 7"


def test_stale_edit_is_a_conflict_shown_on_the_page(as_user, make_order, host):
    key = make_order()
    b = as_user("planner")
    form = b.get(f"/browse/{key}/edit").text
    stale = _version(form)
    b.post(f"/browse/{key}/edit", {"summary": "Først", "version": stale})
    response = b.post(f"/browse/{key}/edit", {"summary": "Sist", "version": stale})
    assert response.status_code == 409
    assert "endret av noen andre" in response.text and 'value="Sist"' in response.text
    assert _issue(host, key).summary == "Først"


def test_put_on_hold_through_its_screen(as_user, make_order, host, backend):
    key = make_order(assignee="planner")
    b = as_user("planner")
    view = b.get(f"/browse/{key}").text
    tid = re.search(r'href="/browse/[^/]+/transition/(\d+)"[^>]*>Sett på vent<', view).group(1)
    screen = b.get(f"/browse/{key}/transition/{tid}").text
    assert 'type="date"' in screen and 'name="assignee"' in screen
    missing = b.post(f"/browse/{key}/transition/{tid}", {"assignee": "planner",
                                                          "comment": "Kunden er bortreist"})
    assert missing.status_code == 400
    assert "På vent til" in missing.text and "Kunden er bortreist" in missing.text
    assert _issue(host, key).status.key == "open"
    done = b.post(f"/browse/{key}/transition/{tid}", {
        "f_on_hold_until": "2030-05-01", "assignee": "", "comment": "Kunden er bortreist"})
    assert done.status_code == 302
    issue = _issue(host, key)
    assert issue.status.key == "on_hold" and issue.assignee is None
    assert get_value(host, issue, "on_hold_until").date().isoformat() == "2030-05-01"
    s = host.db.session()
    assert [c.body for c in s.scalars(select(Comment).where(Comment.issue_id == issue.id))] == \
        ["Kunden er bortreist"]
    assert "På vent" in b.get(f"/browse/{key}").text


def test_transition_without_screen_posts_directly(as_user, make_order, host):
    key = make_order()
    b = as_user("planner")
    view = b.get(f"/browse/{key}").text
    tid = re.search(r'data-transition="(\d+)">Start planlegging<', view).group(1)
    assert b.post(f"/browse/{key}/transition/{tid}").status_code == 302
    assert _issue(host, key).status.key == "planning"


def test_resolve_with_resolution_screen(as_user, make_order, host, users):
    from core.workflow.engine import transition_issue

    key = make_order(assignee="installer", planned_start="2030-04-22T10:00")
    s = host.db.session()
    issue = s.scalar(select(Issue).where(Issue.key == key))
    for step in ("START_PLANNING", "FOLLOW_UP", "SEND_TO_EXECUTION"):
        transition_issue(host, s, users["planner"], issue, step)
    host.db.commit(s)
    b = as_user("installer")
    view = b.get(f"/browse/{key}").text
    tid = re.search(r'href="/browse/[^/]+/transition/(\d+)"[^>]*>Løs sak<', view).group(1)
    screen = b.get(f"/browse/{key}/transition/{tid}").text
    assert '<select id="resolution" name="resolution">' in screen
    refused = b.post(f"/browse/{key}/transition/{tid}", {"resolution": "Kansellert"})
    assert refused.status_code == 400 and 'value="Kansellert" selected' in refused.text
    ok = b.post(f"/browse/{key}/transition/{tid}", {"resolution": "Kunde ikke hjemme",
                                                     "comment": "Ingen åpnet"})
    assert ok.status_code == 302
    issue = _issue(host, key)
    assert issue.status.key == "resolved" and issue.resolution.name == "Kunde ikke hjemme"


def test_unavailable_transition_is_refused_on_the_page(as_user, make_order, host):
    key = make_order(assignee="installer")
    b = as_user("installer")
    b.get(f"/browse/{key}")
    response = b.post(f"/browse/{key}/transition/11")
    assert response.status_code == 400
    assert "ikke tilgjengelig" in response.text
    assert _issue(host, key).status.key == "open"
