"""Workflow engine: conditions, validators, post-function order, rollback,
automatic transitions and per-project enabling, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.app import create_app
from core.config import parse_config
from core.models import Comment
from core.services import uow
from core.services.errors import Forbidden, InvalidInput
from core.services.issues import create_issue, get_value
from core.workflow.context import WorkflowAbort
from core.workflow.engine import available_transitions, transition_issue
from tests.core import sample_plugin

TEST_WORKFLOW = """\
name: Test
initial: open
statuses:
  - {key: open, name: Åpen, category: new}
  - {key: doing, name: Pågår, category: indeterminate}
  - {key: done, name: Ferdig, category: done}
transitions:
  - id: 1
    name: Stemple
    from: [open]
    to: doing
    post_functions:
      - set_field: {field: estimate, value: 3600}
      - sample.stamp
  - id: 2
    name: Feile
    from: [open]
    to: doing
    post_functions:
      - set_field: {field: estimate, value: 7200}
      - sample.stamp
      - sample.boom
  - id: 3
    name: Aldri
    from: [open]
    to: done
    conditions: [sample.never]
  - id: 4
    name: Ferdig
    from: [doing]
    to: done
"""


@pytest.fixture
def sample_app(config_dict, tmp_path: Path):
    wf = tmp_path / "test.yaml"
    wf.write_text(TEST_WORKFLOW, encoding="utf-8")
    config_dict["workflows"]["test"] = str(wf)
    for project in config_dict["projects"]:
        project["workflow_scheme"] = {"default": "ams", "Avvik": "test"}
    config_dict["projects"][0]["plugins"]["sample"] = {"greeting": "Hallo"}
    sample_plugin.CALLS.clear()
    app = create_app(parse_config(config_dict), extra_plugins=(sample_plugin,),
                     create_schema=True)
    yield app
    app.extensions["amsflow"].db.dispose()


def _avvik(host, session, user, project="ELV"):
    issue = create_issue(host, session, user, project, "Avvik", "Avvik i skap")
    host.db.commit(session)
    return issue


def test_post_functions_run_in_order_in_one_transaction(sample_app, backend):
    host = sample_app.extensions["amsflow"]
    session = host.db.session()
    admin = host.system_user(session)
    issue = _avvik(host, session, admin)
    uow.run(host, session, lambda: transition_issue(host, session, admin, issue, "Stemple"))
    session.expire_all()
    assert issue.status.key == "doing"
    assert get_value(host, issue, "estimate") == 3600
    bodies = [c.body for c in session.query(Comment).filter_by(issue_id=issue.id)]
    assert bodies == ["Hallo: Stemple (open -> doing)"]
    assert ("stamp", issue.key) in sample_plugin.CALLS
    assert ("transitioned", (issue.key, "open", "doing")) in sample_plugin.CALLS


def test_failing_post_function_rolls_back_everything_but_keeps_its_comment(sample_app,
                                                                            backend):
    host = sample_app.extensions["amsflow"]
    session = host.db.session()
    admin = host.system_user(session)
    issue = _avvik(host, session, admin)
    with pytest.raises(WorkflowAbort):
        uow.run(host, session, lambda: transition_issue(host, session, admin, issue, "2"))
    session.expire_all()
    assert issue.status.key == "open"
    assert get_value(host, issue, "estimate") is None
    bodies = [c.body for c in session.query(Comment).filter_by(issue_id=issue.id)]
    assert bodies == ["Sample: overgangen feilet."]
    assert [c for c in sample_plugin.CALLS if c[0] == "transitioned"] == []


def test_condition_hides_and_refuses(sample_app):
    host = sample_app.extensions["amsflow"]
    session = host.db.session()
    admin = host.system_user(session)
    issue = _avvik(host, session, admin)
    names = [t.name for t in available_transitions(host, session, admin, issue)]
    assert "Stemple" in names and "Aldri" not in names
    with pytest.raises(Forbidden):
        transition_issue(host, session, admin, issue, "Aldri")
    session.rollback()


def test_transitions_of_a_plugin_the_project_has_not_enabled_are_absent(sample_app):
    host = sample_app.extensions["amsflow"]
    session = host.db.session()
    admin = host.system_user(session)
    issue = _avvik(host, session, admin, project="FJN")  # FJN does not enable "sample"
    names = [t.name for t in available_transitions(host, session, admin, issue)]
    assert "Stemple" not in names and "Feile" not in names
    with pytest.raises(InvalidInput):
        transition_issue(host, session, admin, issue, "Stemple")
    session.rollback()
    assert not [c for c in sample_plugin.CALLS if c == ("created", issue.key)]


def _to_ready(host, session, planner, installer, project="ELV"):
    issue = create_issue(host, session, planner, project, "Målerbytte", "Målerbytte",
                         {"planned_start": "2026-12-01T10:00:00+01:00",
                          "assignee": installer.username})
    host.db.commit(session)
    for ref in ("START_PLANNING", "FOLLOW_UP", "SEND_TO_EXECUTION"):
        uow.run(host, session, lambda r=ref: transition_issue(host, session, planner, issue, r))
    return issue


def test_resolved_ok_closes_automatically(host, session, users, backend):
    issue = _to_ready(host, session, users["planner"], users["installer"])
    uow.run(host, session, lambda: transition_issue(
        host, session, users["installer"], issue, "RESOLVE", {"resolution": {"name": "Ok"}}))
    session.expire_all()
    assert issue.status.key == "closed"
    assert issue.resolution.name == "Ok"


def test_bomtur_stays_resolved_and_reopen_clears_resolution(host, session, users, backend):
    issue = _to_ready(host, session, users["planner"], users["installer"])
    uow.run(host, session, lambda: transition_issue(
        host, session, users["installer"], issue, "Løs sak",
        {"resolution": "Kunde ikke hjemme"}))
    session.expire_all()
    assert (issue.status.key, issue.resolution.name) == ("resolved", "Kunde ikke hjemme")
    names = [t.key for t in available_transitions(host, session, users["planner"], issue)]
    assert "REOPEN" in names and "CLOSE" in names
    uow.run(host, session, lambda: transition_issue(host, session, users["planner"], issue,
                                                    "Re-åpne sak"))
    session.expire_all()
    assert issue.status.key == "reopened" and issue.resolution is None


def test_installer_may_only_resolve_own_orders(host, session, users):
    issue = _to_ready(host, session, users["planner"], users["installer"])
    other = users["installer2"]
    from core.services.errors import NotFound

    with pytest.raises(NotFound):
        from core.services.issues import get_issue

        get_issue(host, session, other, issue.key)
    assert available_transitions(host, session, other, issue) == []


def test_close_from_open_needs_kansellert(host, session, users):
    planner = users["planner"]
    issue = create_issue(host, session, planner, "ELV", "Målerbytte", "Målerbytte")
    host.db.commit(session)
    with pytest.raises(InvalidInput) as err:
        uow.run(host, session, lambda: transition_issue(host, session, planner, issue,
                                                        "CLOSE", {"resolution": "Annet"}))
    assert "resolution" in err.value.errors
    session.expire_all()
    assert issue.status.key == "open"
    uow.run(host, session, lambda: transition_issue(host, session, planner, issue, "CLOSE",
                                                    {"resolution": "Kansellert"}))
    session.expire_all()
    assert (issue.status.key, issue.resolution.name) == ("closed", "Kansellert")


def test_screen_refuses_fields_not_on_it(host, session, users):
    planner = users["planner"]
    issue = create_issue(host, session, planner, "ELV", "Målerbytte", "Målerbytte")
    host.db.commit(session)
    with pytest.raises(InvalidInput) as err:
        uow.run(host, session, lambda: transition_issue(
            host, session, planner, issue, "PUT_ON_HOLD",
            {"on_hold_until": "2027-01-10", "summary": "nytt emne"}))
    assert "summary" in err.value.errors
    session.expire_all()
    assert issue.status.key == "open" and issue.summary == "Målerbytte"
    uow.run(host, session, lambda: transition_issue(
        host, session, planner, issue, "Sett på vent",
        {"on_hold_until": "10.01.2027", "assignee": None}))
    session.expire_all()
    assert issue.status.key == "on_hold"
    assert get_value(host, issue, "on_hold_until").date().isoformat() == "2027-01-10"
