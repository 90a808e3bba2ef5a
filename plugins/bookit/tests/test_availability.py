"""Availability on both databases: who the installers are, their week (default or
their own), absences cutting into working days, the rules a visit is checked
against, and who may edit it."""

from __future__ import annotations

from datetime import time

import pytest

from core.config import parse_config
from core.services.errors import Forbidden, InvalidInput, NotFound
from core.yamlsource import ConfigError
from plugins.bookit import availability as av
from plugins.bookit.settings import load_instance

from .conftest import MONDAY, at


@pytest.fixture
def people(host, users, backend):
    return users


def test_installers_are_the_montor_role_holders_with_the_default_week(host, session,
                                                                       people):
    found = av.installers(host, session)
    assert [i.username for i in found] == ["installer", "installer2"]  # by name: Mona, Morten
    mona = found[0]
    assert mona.projects == ("ELV", "FJN")
    assert not mona.own_week and mona.week[1] == (time(7, 30), time(15, 30))
    assert 6 not in mona.week  # Saturday off by default
    assert mona.home is None and mona.skills == frozenset()


def test_profile_week_and_absences_shape_the_working_days(host, session, people):
    planner, mona = people["planner"], people["installer"]
    av.set_profile(host, session, planner, mona.id, team="Øst", home=(59.91, 10.75),
                   skills=["Trefase", "trefase", "tunge-målere"])
    av.set_week(host, session, planner, mona.id, {1: (time(8), time(16)),
                                                  2: (time(8), time(12))})
    av.add_absence(host, session, planner, mona.id, at(8, 10), at(8, 11), "Tannlege")
    session.commit()
    me = av.installer(host, session, mona.id)
    assert me.team == "Øst" and me.home == (59.91, 10.75)
    assert me.skills == frozenset({"trefase", "tunge-målere"})
    assert me.own_week and set(me.week) == {1, 2}
    days = av.working_days(host, session, [me], MONDAY, MONDAY.replace(day=13))
    assert [d.day.day for d in days] == [7, 8]  # only Monday and Tuesday now
    tuesday = days[1]
    assert tuesday.start == at(8, 8) and tuesday.end == at(8, 12)
    assert tuesday.free() == [(at(8, 8), at(8, 10)), (at(8, 11), at(8, 12))]
    assert days[0].lunch_window == (at(7, 11), at(7, 12, 30))
    assert av.why_not(host, session, me, at(7, 9), at(7, 10)) is None
    assert av.why_not(host, session, me, at(7, 15, 30), at(7, 16, 30)) == av.OUTSIDE_HOURS
    assert av.why_not(host, session, me, at(8, 10, 30), at(8, 11, 30)) == av.ABSENT
    assert av.why_not(host, session, me, at(9, 9), at(9, 10)) == av.DAY_OFF
    av.set_week(host, session, planner, mona.id, None)
    session.commit()
    assert not av.installer(host, session, mona.id).own_week


def test_absences_can_be_listed_and_removed(host, session, people):
    planner, mona = people["planner"], people["installer"]
    a = av.add_absence(host, session, planner, mona.id, at(9, 0), at(11, 0), "Kurs")
    session.commit()
    assert [x.reason for x in av.absences(session, [mona.id], at(10, 0), at(10, 1))] == ["Kurs"]
    assert av.absences(session, [mona.id], at(11, 0), at(12, 0)) == []
    av.delete_absence(host, session, planner, a.id)
    session.commit()
    assert av.absences(session, [mona.id], at(9, 0), at(11, 0)) == []
    with pytest.raises(NotFound):
        av.delete_absence(host, session, planner, a.id)


def test_only_planners_and_admins_edit_and_bad_values_change_nothing(host, session, people):
    mona = people["installer"]
    assert av.can_edit(host, session, people["admin"])
    assert av.can_edit(host, session, people["planner"])
    assert not av.can_edit(host, session, mona)
    with pytest.raises(Forbidden):
        av.set_profile(host, session, mona, mona.id, team="Mitt")
    with pytest.raises(InvalidInput) as bad:
        av.set_profile(host, session, people["planner"], mona.id, home=(95.0, 10.0))
    assert "home" in bad.value.errors
    session.rollback()
    with pytest.raises(InvalidInput):
        av.add_absence(host, session, people["planner"], mona.id, at(9, 12), at(9, 11))
    session.rollback()
    with pytest.raises(InvalidInput):
        av.set_week(host, session, people["planner"], mona.id, {1: (time(16), time(8))})
    session.rollback()
    with pytest.raises(NotFound):  # the planner is no installer
        av.set_profile(host, session, people["planner"], people["planner"].id, team="x")
    session.rollback()
    assert av.installer(host, session, mona.id).home is None


def test_a_bad_settings_block_names_its_line(config_dict):
    config_dict["plugins"] = {"bookit": {"week": {"mon": "16:00-08:00"}}}
    with pytest.raises(ConfigError, match="week.mon"):
        load_instance(parse_config(config_dict))
