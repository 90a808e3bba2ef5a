"""An installer's day as a route: the stops in planned order with the driving between
them (home base → first stop → … → home), and *Optimise this day*: the same stops
reordered by the solver (``plugins.bookit.solver``), customers who hold a time kept
at it, shown with the saving before anything changes.

Applying a proposal places every stop through ``schedule`` in one transaction, each
checked against the version the proposal was made from, so a stop someone moved
meanwhile refuses the whole proposal (409) and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from core.fields import OSLO
from core.i18n import _
from core.models import FieldValue, Issue, User
from core.services.errors import InvalidInput

from . import availability as av
from .schedule import booked, schedule
from .settings import project
from .travel import Point, travel_model

if TYPE_CHECKING:
    from core.host import Amsflow


@dataclass(frozen=True)
class Stop:
    key: str
    version: int
    status: str
    start: datetime
    end: datetime
    position: Point | None
    held: bool  # the customer holds this time: optimising keeps it
    drive_seconds: int = 0  # the leg that ends here
    drive_metres: int = 0


@dataclass(frozen=True)
class DayRoute:
    installer: av.Installer
    day: date
    stops: list[Stop]
    back_seconds: int  # the last stop to home
    back_metres: int
    unplaced: list[str] = field(default_factory=list)  # keys without a position

    @property
    def seconds(self) -> int:
        return sum(s.drive_seconds for s in self.stops) + self.back_seconds

    @property
    def metres(self) -> int:
        return sum(s.drive_metres for s in self.stops) + self.back_metres


def _stops(host: Amsflow, session: Session, person: av.Installer,
           day: date) -> list[tuple[Any, ...]]:
    start = datetime.combine(day, time(0), OSLO)
    found = booked(host, session, [person.id], start, start + timedelta(days=1))
    found = [b for b in found if b.start >= start]
    if not found:
        return []
    pos = host.fields.get("position")
    fv = aliased(FieldValue)
    rows = {r[0]: r for r in session.execute(
        select(Issue.id, Issue.version, Issue.status_id, Issue.project_id, fv.value_num,
               fv.value_num2)
        .outerjoin(fv, and_(fv.issue_id == Issue.id, fv.field_id == (pos.id if pos else "")))
        .where(Issue.id.in_([b.id for b in found])))}
    return [(b, rows[b.id]) for b in found]


def held_statuses(host: Amsflow, project_id: int) -> list[str]:
    keys = {v: k for k, v in host.catalog.project_ids.items()}
    return project(host, keys[project_id]).get("held_statuses", [])


def day_route(host: Amsflow, session: Session, person: av.Installer, day: date) -> DayRoute:
    """The installer's orders that day in planned order, with the driving between."""
    travel = travel_model(host)
    stops: list[Stop] = []
    unplaced: list[str] = []
    here = person.home
    for b, (_iid, version, status_id, pid, lat, lon) in _stops(host, session, person, day):
        status = host.catalog.status_keys[status_id]
        place = (lat, lon) if lat is not None else None
        leg = travel(here, place) if here and place else None
        if place is None:
            unplaced.append(b.key)
        stops.append(Stop(b.key, version, status, b.start, b.end, place,
                          status in held_statuses(host, pid),
                          leg.seconds if leg else 0, leg.metres if leg else 0))
        here = place or here
    back = travel(here, person.home) if here and person.home and stops else None
    return DayRoute(person, day, stops, back.seconds if back else 0,
                    back.metres if back else 0, unplaced)


@dataclass(frozen=True)
class Proposal:
    """The optimised day next to the current one; ``stops`` in the new order."""

    current: DayRoute
    stops: list[Stop]
    seconds: int
    metres: int
    left_out: dict[str, str]  # key -> reason (solver's codes)

    @property
    def saved_metres(self) -> int:
        return self.current.metres - self.metres

    @property
    def saved_seconds(self) -> int:
        return self.current.seconds - self.seconds


def optimise(host: Amsflow, session: Session, person: av.Installer, day: date, *,
             time_limit: float = 2.0) -> Proposal:
    """Reorder the day's stops for the least driving within working hours and the lunch
    window; a stop whose customer holds a time keeps that time."""
    from .solver import Break, Job, Problem, Shift, solve

    current = day_route(host, session, person, day)
    movable = [s for s in current.stops if s.position is not None]
    if len(movable) < 2:
        return Proposal(current, current.stops, current.seconds, current.metres, {})
    working = av.working_days(host, session, [person], day, day)
    midnight = datetime.combine(day, time(0), OSLO)

    def sec(dt: datetime) -> int:
        return int((dt - midnight).total_seconds())

    if working:
        w = working[0]
        start, end = sec(w.start), sec(w.end)
        window = w.lunch_window
        breaks = (Break(sec(window[0]), sec(window[1]), w.lunch.minutes * 60),) \
            if window and w.lunch else ()
    else:  # a day off with orders on it: their own span
        start, end, breaks = sec(movable[0].start), sec(max(s.end for s in movable)), ()
    start = min([start, *(sec(s.start) for s in movable if s.held)])
    end = max([end, *(sec(s.end) for s in movable if s.held)])
    points = [s.position for s in movable]
    seconds, metres = travel_model(host).matrix(points + ([person.home] if person.home
                                                          else []))
    if person.home is None:  # no home base: an open route from and to anywhere
        n = len(points)
        seconds, metres = _pad(seconds), _pad(metres)
        home = n
    else:
        home = len(points)
    jobs = [Job(s.key, i, int((s.end - s.start).total_seconds()),
                window=(sec(s.start), sec(s.start)) if s.held else None, booked=s.held)
            for i, s in enumerate(movable)]
    shift = Shift(person.id, home, home, start, end, skills=person.skills, breaks=breaks)
    plan = solve(Problem(seconds, metres, [shift], jobs), time_limit=time_limit)
    by_key = {s.key: s for s in movable}
    stops: list[Stop] = []
    route = plan.routes[0] if plan.routes else None
    prev = home
    for v in (route.visits if route else []):
        s = by_key[v.job_id]
        loc = next(j.location for j in jobs if j.id == v.job_id)
        begin = midnight + timedelta(seconds=v.start)
        stops.append(Stop(s.key, s.version, s.status, begin,
                          begin + (s.end - s.start), s.position, s.held,
                          int(seconds[prev, loc]), int(metres[prev, loc])))
        prev = loc
    kept = [s for s in current.stops if s.position is None]
    return Proposal(current, stops + kept, route.driving if route else 0,
                    route.distance if route else 0,
                    {str(k): v for k, v in plan.left_out.items()})


def _pad(m: np.ndarray) -> np.ndarray:
    n = m.shape[0]
    out = np.zeros((n + 1, n + 1), dtype=np.int64)
    out[:n, :n] = m
    return out


def apply(host: Amsflow, session: Session, user: User | None, person: av.Installer,
          stops: list[dict[str, Any]]) -> list[str]:
    """Place each ``{key, start, version}`` on ``person``; warnings of the drops."""
    if not stops:
        raise InvalidInput(errors={"stops": _("Forslaget har ingen stopp.")})
    keys = frozenset(s["key"] for s in stops)
    first = min(s["start"] for s in stops)
    now = {b.key: b.start for b in booked(host, session, [person.id], first - timedelta(
        days=1), max(s["start"] for s in stops) + timedelta(days=1))}
    warnings: list[str] = []
    for s in stops:
        if now.get(s["key"]) == s["start"]:
            continue  # kept where it is (a customer's held time)
        done = schedule(host, session, user, s["key"], assignee=person.username,
                        start=s["start"], expected_version=s.get("version"), among=keys)
        warnings.extend(done.warnings)
    return warnings
