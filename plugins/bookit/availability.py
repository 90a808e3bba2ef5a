"""Who can work when and where: the installers, their weekly working hours, absences,
skills and home base, as plain typed values.

This is the Python API the calendar, the schedule service, the day route and
auto-planning build on (see the README's "Python API"). Reads take a session and
return frozen dataclasses; writes check that the caller may edit availability (an
instance administrator, or a planner: the ``assign`` permission in a project that
enables Bookit), raise the core's service errors, and leave the commit to the caller
(``core.services.uow.run``).

Times are aware datetimes; working hours are wall-clock times in Europe/Oslo, so a
day's span follows summer time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core import permissions as perms
from core.fields import OSLO
from core.i18n import _
from core.models import GroupMember, Project, ProjectRoleMember, User
from core.services.errors import Forbidden, InvalidInput, NotFound

from .models import AbsenceRow, InstallerProfile, WeeklyHours
from .settings import Lunch, instance
from .travel import Point

if TYPE_CHECKING:
    from core.host import Amsflow

Week = Mapping[int, tuple[time, time]]  # ISO weekday (1 = Monday) -> working span
OUTSIDE_HOURS, ABSENT, DAY_OFF = "outside_hours", "absent", "day_off"


@dataclass(frozen=True)
class Installer:
    """One row of the calendar. ``week`` is the pattern in force (their own, or the
    instance default when ``own_week`` is false)."""

    id: int
    username: str
    name: str
    team: str
    home: Point | None
    skills: frozenset[str]
    week: Week
    own_week: bool
    projects: tuple[str, ...]


@dataclass(frozen=True)
class Absence:
    id: int
    installer_id: int
    start: datetime
    end: datetime
    reason: str


@dataclass(frozen=True)
class WorkingDay:
    """An installer's working hours on one date, with the lunch window and the
    absences that cut into it."""

    installer_id: int
    day: date
    start: datetime
    end: datetime
    lunch: Lunch | None = None
    absences: tuple[Absence, ...] = field(default=())

    def free(self) -> list[tuple[datetime, datetime]]:
        """The working hours left once the absences are taken out."""
        spans = [(self.start, self.end)]
        for a in sorted(self.absences, key=lambda a: a.start):
            spans = [piece for s, e in spans for piece in
                     ((s, min(e, a.start)), (max(s, a.end), e)) if piece[0] < piece[1]]
        return spans

    @property
    def lunch_window(self) -> tuple[datetime, datetime] | None:
        """When the lunch may start (earliest, latest), as datetimes of this day."""
        if self.lunch is None:
            return None
        return (datetime.combine(self.day, self.lunch.earliest, OSLO),
                datetime.combine(self.day, self.lunch.latest, OSLO))


# -- reading -------------------------------------------------------------------
def installer_ids(host: Amsflow, session: Session) -> dict[int, tuple[str, ...]]:
    """Users holding the installer role (directly or through a group) in a project
    that enables Bookit -> those projects' keys."""
    keys = host.plugins.projects_enabling("bookit")
    role = instance(host).installer_role
    rows = session.execute(
        select(ProjectRoleMember.user_id, GroupMember.user_id, Project.key)
        .join(Project, Project.id == ProjectRoleMember.project_id)
        .outerjoin(GroupMember, GroupMember.group_id == ProjectRoleMember.group_id)
        .where(ProjectRoleMember.role == role, Project.key.in_(keys))).all()
    found: dict[int, set[str]] = {}
    for direct, via_group, key in rows:
        uid = direct or via_group
        if uid is not None:
            found.setdefault(uid, set()).add(key)
    return {uid: tuple(sorted(ks)) for uid, ks in found.items()}


def installers(host: Amsflow, session: Session, *, ids: Iterable[int] | None = None,
               usernames: Iterable[str] | None = None, team: str | None = None,
               project: str | None = None) -> list[Installer]:
    """The active installers (all, or those asked for), by team then name."""
    known = installer_ids(host, session)
    wanted = set(known)
    if ids is not None:
        wanted &= set(ids)
    if project is not None:
        wanted = {uid for uid in wanted if project in known[uid]}
    stmt = select(User).where(User.id.in_(wanted), User.active.is_(True))
    if usernames is not None:
        stmt = stmt.where(User.username.in_(list(usernames)))
    people = list(session.scalars(stmt))
    if not people:
        return []
    uids = [u.id for u in people]
    profiles = {p.user_id: p for p in session.scalars(
        select(InstallerProfile).where(InstallerProfile.user_id.in_(uids)))}
    weeks: dict[int, dict[int, tuple[time, time]]] = {}
    for row in session.scalars(select(WeeklyHours).where(WeeklyHours.user_id.in_(uids))):
        weeks.setdefault(row.user_id, {})[row.weekday] = (
            _clock(row.start_minute), _clock(row.end_minute))
    default = instance(host).week
    out = []
    for u in people:
        p = profiles.get(u.id)
        home = (p.home_lat, p.home_lon) if p and p.home_lat is not None else None
        out.append(Installer(
            id=u.id, username=u.username, name=u.display_name, team=p.team if p else "",
            home=home, skills=frozenset(p.skills.split()) if p else frozenset(),
            week=dict(sorted(weeks.get(u.id, default).items())), own_week=u.id in weeks,
            projects=known[u.id]))
    out = [i for i in out if team is None or i.team == team]
    return sorted(out, key=lambda i: (i.team.casefold(), i.name.casefold(), i.id))


def installer(host: Amsflow, session: Session, user_id: int) -> Installer:
    """One installer, or NotFound."""
    found = installers(host, session, ids=[user_id])
    if not found:
        raise NotFound(_("Montøren finnes ikke."))
    return found[0]


def absences(session: Session, installer_ids: Iterable[int], start: datetime,
             end: datetime) -> list[Absence]:
    """Absences of those installers that overlap ``[start, end)``."""
    ids = list(installer_ids)
    if not ids:
        return []
    rows = session.scalars(select(AbsenceRow).where(
        AbsenceRow.user_id.in_(ids), AbsenceRow.start < end, AbsenceRow.end > start)
        .order_by(AbsenceRow.start))
    return [Absence(r.id, r.user_id, r.start, r.end, r.reason) for r in rows]


def working_days(host: Amsflow, session: Session, people: Sequence[Installer],
                 first: date, last: date) -> list[WorkingDay]:
    """Every working day of ``people`` from ``first`` to ``last`` (both included),
    with the absences that overlap each (days off are left out)."""
    lunch = instance(host).lunch
    start = datetime.combine(first, time(0), OSLO)
    end = datetime.combine(last + timedelta(days=1), time(0), OSLO)
    away: dict[int, list[Absence]] = {}
    for a in absences(session, [p.id for p in people], start, end):
        away.setdefault(a.installer_id, []).append(a)
    out = []
    for person in people:
        day = first
        while day <= last:
            span = person.week.get(day.isoweekday())
            if span is not None:
                s = datetime.combine(day, span[0], OSLO)
                e = datetime.combine(day, span[1], OSLO)
                cut = tuple(a for a in away.get(person.id, ()) if a.start < e and a.end > s)
                out.append(WorkingDay(person.id, day, s, e, lunch, cut))
            day += timedelta(days=1)
    return out


def why_not(host: Amsflow, session: Session, person: Installer, start: datetime,
            end: datetime) -> str | None:
    """Why ``person`` cannot take a visit from ``start`` to ``end``: ``day_off``,
    ``outside_hours`` or ``absent``; None when they can."""
    local = start.astimezone(OSLO)
    days = working_days(host, session, [person], local.date(), local.date())
    if not days:
        return DAY_OFF
    day = days[0]
    if start < day.start or end > day.end:
        return OUTSIDE_HOURS
    if any(a.start < end and a.end > start for a in day.absences):
        return ABSENT
    return None


# -- writing -------------------------------------------------------------------
def can_edit(host: Amsflow, session: Session, user: User | None) -> bool:
    """Admins, and planners (``assign`` in a project enabling Bookit)."""
    if perms.is_admin(host, user):
        return True
    return any(perms.allowed(host, session, user, "assign", host.catalog.project_ids[key])
               for key in host.plugins.projects_enabling("bookit")
               if key in host.catalog.project_ids)


def _require_edit(host: Amsflow, session: Session, user: User | None) -> None:
    if not can_edit(host, session, user):
        raise Forbidden(_("Bare planleggere og administratorer kan endre tilgjengelighet."))


def _profile(host: Amsflow, session: Session, user_id: int) -> InstallerProfile:
    installer(host, session, user_id)  # NotFound unless an installer
    row = session.get(InstallerProfile, user_id)
    if row is None:
        row = InstallerProfile(user_id=user_id, team="", skills="")
        session.add(row)
    return row


def set_profile(host: Amsflow, session: Session, actor: User | None, user_id: int, *,
                team: str | None = None, home: Point | None | bool = False,
                skills: Iterable[str] | None = None) -> Installer:
    """Change an installer's team, home base (None clears it; leave out to keep) or
    skills (words, such as ``trefase``)."""
    _require_edit(host, session, actor)
    row = _profile(host, session, user_id)
    errors: dict[str, str] = {}
    if team is not None:
        if len(team.strip()) > 100:
            errors["team"] = _("Teamnavnet kan ha høyst 100 tegn.")
        row.team = team.strip()
    if home is not False:
        if home is None:
            row.home_lat = row.home_lon = None
        elif not (-90 <= home[0] <= 90 and -180 <= home[1] <= 180):
            errors["home"] = _("Hjemmebasen må være breddegrad og lengdegrad i grader.")
        else:
            row.home_lat, row.home_lon = float(home[0]), float(home[1])
    if skills is not None:
        words = sorted({s.strip().lower() for s in skills if s.strip()})
        if any(len(w) > 40 or not w.replace("-", "").replace("_", "").isalnum()
               for w in words):
            errors["skills"] = _("En ferdighet er ett ord (bokstaver, tall, - og _).")
        row.skills = " ".join(words)
    if errors:
        raise InvalidInput(errors=errors)
    row.updated = host.now()
    session.flush()
    return installer(host, session, user_id)


def set_week(host: Amsflow, session: Session, actor: User | None, user_id: int,
             week: Week | None) -> Installer:
    """Give an installer their own weekly pattern (weekdays left out are days off), or
    ``None`` to go back to the instance's default week."""
    _require_edit(host, session, actor)
    row = _profile(host, session, user_id)
    for weekday, (start, end) in (week or {}).items():
        if weekday not in range(1, 8):
            raise InvalidInput(errors={"week": _("Ukedag må være 1 (mandag) til 7 (søndag).")})
        if end <= start:
            raise InvalidInput(errors={"week": _("Arbeidstiden må slutte etter at den "
                                                 "begynner.")})
    session.execute(delete(WeeklyHours).where(WeeklyHours.user_id == user_id))
    for weekday, (start, end) in sorted((week or {}).items()):
        session.add(WeeklyHours(user_id=user_id, weekday=weekday,
                                start_minute=start.hour * 60 + start.minute,
                                end_minute=end.hour * 60 + end.minute))
    row.updated = host.now()
    session.flush()
    return installer(host, session, user_id)


def add_absence(host: Amsflow, session: Session, actor: User | None, user_id: int,
                start: datetime, end: datetime, reason: str = "") -> Absence:
    _require_edit(host, session, actor)
    _profile(host, session, user_id).updated = host.now()
    if start.tzinfo is None or end.tzinfo is None:
        start, end = start.replace(tzinfo=start.tzinfo or OSLO), end.replace(
            tzinfo=end.tzinfo or OSLO)
    if end <= start:
        raise InvalidInput(errors={"end": _("Fraværet må slutte etter at det begynner.")})
    if end - start > timedelta(days=366):
        raise InvalidInput(errors={"end": _("Et fravær kan vare høyst ett år.")})
    row = AbsenceRow(user_id=user_id, start=start, end=end, reason=reason.strip()[:200],
                     created_by=actor.id if actor else None)
    session.add(row)
    session.flush()
    return Absence(row.id, user_id, row.start, row.end, row.reason)


def delete_absence(host: Amsflow, session: Session, actor: User | None,
                   absence_id: int) -> None:
    _require_edit(host, session, actor)
    row = session.get(AbsenceRow, absence_id)
    if row is None:
        raise NotFound(_("Fraværet finnes ikke."))
    _profile(host, session, row.user_id).updated = host.now()
    session.delete(row)
    session.flush()


def stamp(session: Session) -> str:
    """Changes when any installer's availability changes (for live calendars)."""
    from sqlalchemy import func

    latest = session.scalar(select(func.max(InstallerProfile.updated)))
    away = session.execute(select(func.count(), func.max(AbsenceRow.id))).one()
    week = session.scalar(select(func.sum(WeeklyHours.user_id * 7 + WeeklyHours.weekday
                                          + WeeklyHours.start_minute
                                          + WeeklyHours.end_minute)))
    return f"{latest.isoformat() if latest else ''}/{away[0]}/{away[1]}/{week}"


def _clock(minute: int) -> time:
    return time(23, 59, 59) if minute >= 24 * 60 else time(minute // 60, minute % 60)


__all__ = ["ABSENT", "DAY_OFF", "OUTSIDE_HOURS", "Absence", "Installer", "Week", "WorkingDay",
           "absences", "add_absence", "can_edit", "delete_absence", "installer",
           "installer_ids", "installers", "set_profile", "set_week", "stamp", "why_not",
           "working_days"]
