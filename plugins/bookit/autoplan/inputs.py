"""What auto-planning reads: installers' working days (the calendar's availability),
the visits already holding time on them, what each order needs (service time,
skills, place), and travel between places (the calendar's travel model).

Which visits hold time: an order with an installer and a planned start in a status
of ``HOLDING``: the time is proposed to the customer (held until they answer:
*tentative*) or confirmed. A ``KONTAKT`` reply or a booking reminder that runs out
moves the order to Manuell oppfølging, which frees its slot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import _
from core.models import Issue, Project
from core.services.errors import InvalidInput, NotFound
from core.services.issues import get_value

from .. import availability as av
from ..schedule import booked, default_estimate
from ..settings import project as project_settings
from ..travel import Point, travel_model
from .settings import autoplan_settings

if TYPE_CHECKING:
    from core.host import Amsflow

# statuses whose planned time holds capacity: proposed (held) and confirmed
HELD = ("ready_to_print", "awaiting_response")
CONFIRMED = ("ready", "in_progress")
HOLDING = HELD + CONFIRMED


@dataclass(frozen=True)
class HeldVisit:
    issue_id: int
    key: str
    installer_id: int
    status: str
    place: Point
    start: datetime
    end: datetime

    @property
    def tentative(self) -> bool:
        return self.status in HELD


@dataclass(frozen=True)
class InstallerDay:
    """One installer's working day as the planner sees it."""

    user_id: int
    username: str
    display_name: str
    day: date
    start: datetime
    end: datetime
    home: Point
    skills: frozenset[str]
    break_earliest: datetime | None = None
    break_latest: datetime | None = None
    break_minutes: int = 0
    held: Sequence[HeldVisit] = field(default=())


def project_row(session: Session, key: str) -> Project:
    found = session.scalar(select(Project).where(Project.key == str(key).upper()))
    if found is None:
        raise NotFound(_("Prosjektet %(key)s finnes ikke.", key=key))
    return found


def installers(host: Amsflow, session: Session, project: str,
               usernames: Sequence[str]) -> list[av.Installer]:
    """The named installers of ``project``; an unknown name is a clear error."""
    if not isinstance(usernames, list | tuple) or not all(isinstance(u, str)
                                                          for u in usernames):
        raise InvalidInput(errors={"installers": _("Montørene oppgis som en liste med "
                                                   "brukernavn.")})
    found = av.installers(host, session, usernames=list(usernames), project=project)
    missing = set(usernames) - {i.username for i in found}
    if missing:
        raise InvalidInput(errors={"installers": _("Ikke montør i prosjektet: %(names)s",
                                                   names=", ".join(sorted(missing)))})
    return found


def holding(host: Amsflow, session: Session, installer_ids: list[int], start: datetime,
            end: datetime) -> list[HeldVisit]:
    """Visits holding time on those installers within ``[start, end)``."""
    visits = booked(host, session, installer_ids, start, end)
    if not visits:
        return []
    issues = {i.id: i for i in session.scalars(select(Issue).where(
        Issue.id.in_([v.id for v in visits])))}
    out = []
    for v in visits:
        issue = issues[v.id]
        status = host.catalog.status_keys[issue.status_id]
        if status not in HOLDING:
            continue
        position = get_value(host, issue, "position")
        out.append(HeldVisit(v.id, v.key, v.installer_id, status,
                             tuple(position) if position else None, v.start, v.end))
    return out


def installer_days(host: Amsflow, session: Session, project: str,
                   people: Sequence[av.Installer], first: date,
                   last: date) -> list[InstallerDay]:
    """Working days of ``people`` (absences taken out: a day with an absence keeps
    its longest free span), with what already holds time on each. An installer with
    no home base starts and ends at the project's ``depot``; with neither, they are
    left out."""
    days = av.working_days(host, session, people, first, last)
    by_id = {p.id: p for p in people}
    if not days:
        return []
    held = holding(host, session, list(by_id), min(d.start for d in days),
                   max(d.end for d in days))
    depot = autoplan_settings(settings(host, project))["depot"]
    out = []
    for d in days:
        person = by_id[d.installer_id]
        spans = d.free()
        home = person.home or (tuple(depot) if depot else None)
        if not spans or home is None:
            continue
        start, end = max(spans, key=lambda s: s[1] - s[0])
        lunch = d.lunch_window
        mine = [h for h in held if h.installer_id == person.id and h.start < end
                and h.end > start and h.place is not None]
        out.append(InstallerDay(
            person.id, person.username, person.name, d.day, start, end, home,
            person.skills,
            break_earliest=lunch[0] if lunch else None, break_latest=lunch[1] if lunch
            else None, break_minutes=d.lunch.minutes if d.lunch else 0, held=mine))
    return out


def settings(host: Amsflow, project: str) -> dict[str, Any]:
    """The project's Bookit settings (plannable statuses, estimates, ``autoplan``)."""
    return project_settings(host, project)


def unplannable(host: Amsflow, issue: Issue, conf: dict[str, Any]) -> str | None:
    """Why an order cannot be auto-planned (a key the UI translates), or None."""
    status = host.catalog.status_keys[issue.status_id]
    if status not in conf.get("plannable_statuses", ()):
        return "status"
    position = get_value(host, issue, "position")
    if not position:
        return "no_position"
    return None


def service_seconds(host: Amsflow, issue: Issue, conf: dict[str, Any]) -> int:
    """The order's *Estimat*, else its type's default; a difficult meter takes longer."""
    own = get_value(host, issue, "estimate")
    seconds = int(own) if own else default_estimate(host, issue.project_id,
                                                     issue.issue_type_id)
    if get_value(host, issue, "difficult_meter"):
        seconds += autoplan_settings(conf)["difficult_extra_minutes"] * 60
    return seconds


def required_skills(host: Amsflow, issue: Issue, conf: dict[str, Any]) -> frozenset[str]:
    """Skills the order needs: ``skill_rules`` maps a flag field to a skill
    (``{difficult_meter: erfaren}``) and an issue type to one."""
    rules = autoplan_settings(conf)["skill_rules"]
    need = set()
    for name, skill in rules.items():
        if name in host.fields and get_value(host, issue, name):
            need.add(skill)
        elif issue.issue_type.name == name:
            need.add(skill)
    return frozenset(need)


def travel_matrix(host: Amsflow, project: str,
                  points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
    return travel_model(host).matrix(list(points))


__all__ = ["CONFIRMED", "HELD", "HOLDING", "HeldVisit", "InstallerDay", "holding",
           "installer_days", "installers", "project_row", "required_skills",
           "service_seconds", "settings", "timedelta", "travel_matrix", "unplannable"]
