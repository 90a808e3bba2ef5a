"""The rules a drop is checked against, on SQLite and PostgreSQL: a drop sets
assignee, Planlagt starttid and Estimat with history; it is refused for a caller
without permission, a status that cannot be planned, someone who is no installer,
outside working hours, in an absence, over another order (refuse mode; warn mode
places it and warns), and for an order changed since it was loaded (409). Undo puts
it back."""

from __future__ import annotations

import pytest

from core.models import ChangeGroup
from core.services.errors import Conflict, Forbidden, NotFound
from plugins.bookit import availability as av
from plugins.bookit.schedule import (
    NOT_INSTALLER,
    NOT_PLANNABLE,
    OVERLAP,
    Refused,
    booked,
    schedule,
)

from .conftest import at, orders


@pytest.fixture
def planned(host, users, backend, clocked):
    """ELV-1 waiting in planning; ELV-2 already on Mona Monday 09:00-10:00; ELV-3 ready."""
    return orders(host, "ELV", [
        {"status": "planning"},
        {"status": "planning", "assignee": "installer", "planned_start": at(7, 9),
         "estimate": 3600},
        {"status": "ready"},
    ])


def drop(host, session, who, key, start, **kw):
    kw.setdefault("assignee", "installer")
    done = schedule(host, session, who, key, start=start, **kw)
    session.commit()
    return done


def test_a_drop_sets_the_fields_with_history(host, session, users, planned):
    done = drop(host, session, users["planner"], planned[0], at(7, 11))
    issue = done.issue
    assert issue.assignee.username == "installer"
    values = {v.field_id: v for v in issue.values}
    assert values[host.fields["planned_start"].id].value_date == at(7, 11)
    assert values[host.fields["estimate"].id].value_num == 3600  # ELV's default: 1h
    assert done.warnings == [] and done.previous == {"assignee": None, "start": None,
                                                    "estimate": None}
    group = session.query(ChangeGroup).filter_by(issue_id=issue.id).order_by(
        ChangeGroup.id.desc()).first()
    changed = {i.field for i in group.items}
    assert {"assignee", host.fields["planned_start"].id,
            host.fields["estimate"].id} <= changed
    assert [b.key for b in booked(host, session, [users["installer"].id], at(7, 0),
                                  at(8, 0))] == [planned[1], planned[0]]


def test_refusals_name_their_reason_and_change_nothing(host, session, users, planned):
    key = planned[0]
    cases = [
        (dict(start=at(7, 6)), av.OUTSIDE_HOURS),  # before 07:30
        (dict(start=at(7, 15)), av.OUTSIDE_HOURS),  # 15:00-16:00 ends after 15:30
        (dict(start=at(12, 10)), av.DAY_OFF),  # Saturday
        (dict(start=at(7, 10), assignee="planner"), NOT_INSTALLER),
    ]
    av.add_absence(host, session, users["planner"], users["installer"].id, at(8, 8),
                   at(8, 12), "Lege")
    session.commit()
    cases.append((dict(start=at(8, 9)), av.ABSENT))
    for kw, reason in cases:
        with pytest.raises(Refused) as refused:
            drop(host, session, users["planner"], key, **kw)
        session.rollback()
        assert refused.value.reason == reason, kw
        assert refused.value.messages and refused.value.errors
    with pytest.raises(Refused) as refused:
        drop(host, session, users["planner"], planned[2], at(7, 11))
    assert refused.value.reason == NOT_PLANNABLE
    assert "Klar til utførelse" in refused.value.messages[0]
    session.rollback()
    with pytest.raises(Forbidden):  # Mona sees her own order, but may not plan it
        drop(host, session, users["installer"], planned[1], at(7, 11))
    session.rollback()
    with pytest.raises(NotFound):  # and others' orders do not exist for her
        drop(host, session, users["installer"], key, at(7, 11))
    session.rollback()
    assert booked(host, session, [users["installer"].id], at(7, 0), at(13, 0))[0].key \
        == planned[1]
    assert len(booked(host, session, [users["installer"].id], at(7, 0), at(13, 0))) == 1


def test_overlap_warns_or_refuses_as_configured(host, session, users, planned):
    done = drop(host, session, users["planner"], planned[0], at(7, 9, 30))
    assert done.warnings and planned[1] in done.warnings[0]
    host.plugins.settings["ELV"]["bookit"]["overlap"] = "refuse"
    with pytest.raises(Refused) as refused:
        drop(host, session, users["planner"], planned[0], at(7, 8, 45),
             expected_version=done.issue.version)
    assert refused.value.reason == OVERLAP
    session.rollback()
    # back to back is no overlap
    drop(host, session, users["planner"], planned[0], at(7, 10))


def test_a_stale_version_is_a_conflict_and_undo_restores(host, session, users, planned):
    first = drop(host, session, users["planner"], planned[1], at(8, 13), estimate=5400)
    with pytest.raises(Conflict):
        drop(host, session, users["planner"], planned[1], at(8, 14),
             expected_version=first.issue.version - 1)
    session.rollback()
    prev = first.previous
    assert prev["start"] == at(7, 9) and prev["estimate"] == 3600
    back = schedule(host, session, users["planner"], planned[1], assignee=prev["assignee"],
                    start=prev["start"], estimate=prev["estimate"],
                    expected_version=first.issue.version, undo=True)
    session.commit()
    b = booked(host, session, [users["installer"].id], at(7, 0), at(9, 0))
    assert [(x.key, x.start, x.end) for x in b] == [(planned[1], at(7, 9), at(7, 10))]
    assert back.previous["start"] == at(8, 13)


def test_taking_an_order_off_the_calendar(host, session, users, planned):
    drop(host, session, users["planner"], planned[1], None, assignee=None)
    assert booked(host, session, [users["installer"].id], at(7, 0), at(9, 0)) == []
