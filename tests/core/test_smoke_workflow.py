"""The AMS workflow end to end through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from core.services.errors import InvalidInput, ServiceError
from core.services.issues import create_issue, edit_issue, values_of
from core.workflow.engine import available_transitions, transition_issue


def _order(host, session, user, **fields):
    issue = create_issue(host, session, user, "ELV", "Målerbytte", "Målerbytte Storgata 1",
                         {"customer_name": "Åse Ødegård", "mobile": "91234567", **fields})
    host.db.commit(session)
    return issue


def test_planner_moves_order_to_planning_and_history_is_kept(host, session, users, backend):
    planner = users["planner"]
    issue = _order(host, session, planner)
    assert issue.key == "ELV-1"
    assert values_of(host, issue)["mobile"] == "+4791234567"
    names = [t.name for t in available_transitions(host, session, planner, issue)]
    assert "Start planlegging" in names
    transition_issue(host, session, planner, issue, "11")
    host.db.commit(session)
    session.expire_all()
    assert issue.status.name == "Under planlegging"
    from core.models import ChangeGroup, ChangeItem

    items = session.query(ChangeItem).join(ChangeGroup).filter(
        ChangeGroup.issue_id == issue.id, ChangeItem.field == "status").all()
    assert [(i.from_string, i.to_string) for i in items] == [("Åpen", "Under planlegging")]


def test_validator_blocks_without_assignee_and_changes_nothing(host, session, users, backend):
    planner = users["planner"]
    issue = _order(host, session, planner)
    transition_issue(host, session, planner, issue, "START_PLANNING")
    host.db.commit(session)
    with pytest.raises(InvalidInput) as err:
        transition_issue(host, session, planner, issue, "Følg opp manuelt")
        transition_issue(host, session, planner, issue, "SEND_TO_EXECUTION")
    session.rollback()
    assert "assignee" in err.value.errors
    session.expire_all()
    assert issue.status.key == "planning"


def test_installer_cannot_edit(host, session, users):
    issue = _order(host, session, users["planner"])
    with pytest.raises(ServiceError) as err:
        edit_issue(host, session, users["installer"], issue, {"summary": "x"})
    assert err.value.status in (403, 404)
    session.rollback()
    session.expire_all()
    assert issue.summary == "Målerbytte Storgata 1"


def test_keys_are_never_reused(host, session, users, backend):
    from core.services.issues import delete_issue

    admin = users["admin"]
    first = _order(host, session, admin)
    second = _order(host, session, admin)
    delete_issue(host, session, admin, second)
    host.db.commit(session)
    third = _order(host, session, admin)
    assert (first.key, second.key, third.key) == ("ELV-1", "ELV-2", "ELV-3")
