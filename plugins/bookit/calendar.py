"""What the calendar shows for a range of days: installers as resources grouped by
team, their working hours and absences as background, and the orders planned on
them as events coloured by status.

The orders come in one query: the planned start's index (``field_id, value_date``)
finds the range, the assignee list narrows it, and the few fields a block shows join
in by primary key, with the caller's browse rule in the same ``WHERE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from core import permissions as perms
from core.fields import OSLO
from core.i18n import _, in_language
from core.models import ChangeGroup, FieldValue, Issue, User

from . import availability as av
from .schedule import ESTIMATE, LONGEST, PLANNED, default_estimate
from .travel import travel_model

if TYPE_CHECKING:
    from core.host import Amsflow

SHOWN = ("important_info", "address", "customer_name", "postcode", "post_town", "position")
MAX_DAYS = 31


@dataclass(frozen=True)
class Range:
    first: date
    last: date  # included

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), OSLO)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), OSLO)


def local(dt: datetime) -> str:
    """An aware ISO time in Oslo (the calendar shifts it into its own zone)."""
    return dt.astimezone(OSLO).isoformat(timespec="seconds")


def offset(day: date) -> str:
    """Oslo's UTC offset on ``day`` as the calendar's ``timeZone`` (``+01:00``)."""
    text = datetime.combine(day, time(12), OSLO).strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def resources(people: list[av.Installer]) -> list[dict[str, Any]]:
    """Installers under their team (``children``), teams and people by name."""
    teams: dict[str, list[av.Installer]] = {}
    for p in people:
        teams.setdefault(p.team, []).append(p)
    out = []
    for team, members in teams.items():
        out.append({"id": f"team:{team}", "title": team or _("Uten team"),
                    "extendedProps": {"team": True},
                    "children": [{"id": str(p.id), "title": p.name, "extendedProps": {
                        "username": p.username, "team": p.team, "skills": sorted(p.skills),
                        "home": p.home}} for p in members]})
    return out


def backgrounds(host: Amsflow, session: Session, people: list[av.Installer],
                span: Range) -> list[dict[str, Any]]:
    """Working hours (tinted), days off and absences (grey; absences with the reason)."""
    out = []
    working = av.working_days(host, session, people, span.first, span.last)
    on = {(d.installer_id, d.day) for d in working}
    for p in people:
        day = span.first
        while day <= span.last:
            if (p.id, day) not in on:
                out.append({"id": f"off:{p.id}:{day}", "resourceIds": [str(p.id)],
                            "start": local(datetime.combine(day, time(0), OSLO)),
                            "end": local(datetime.combine(day + timedelta(days=1), time(0),
                                                          OSLO)),
                            "display": "background", "classNames": ["bk-off"]})
            day += timedelta(days=1)
    for day in working:
        out.append({"id": f"work:{day.installer_id}:{day.day}",
                    "resourceIds": [str(day.installer_id)], "start": local(day.start),
                    "end": local(day.end), "display": "background",
                    "classNames": ["bk-work"],
                    "extendedProps": {"dayKey": f"{day.installer_id}:{day.day}"}})
    for a in av.absences(session, [p.id for p in people], span.start, span.end):
        out.append({"id": f"absence:{a.id}", "resourceIds": [str(a.installer_id)],
                    "start": local(max(a.start, span.start)),
                    "end": local(min(a.end, span.end)), "display": "background",
                    "classNames": ["bk-absent"], "title": a.reason or _("Fravær"),
                    "extendedProps": {"absence": a.id, "reason": a.reason}})
    return out


def orders(host: Amsflow, session: Session, user: User | None, installer_ids: list[int],
           span: Range, *, only: Any = None) -> list[dict[str, Any]]:
    """The orders planned on those installers in the range, as calendar events
    (``only``: a subquery of issue ids, such as a saved filter's, to show just those).

    A week of 7,500 orders is one query of plain rows (no ORM objects), with the
    per-status colours and names worked out once."""
    if not installer_ids:
        return []
    fields = {k: host.fields.get(k) for k in (PLANNED, ESTIMATE, *SHOWN)}
    pv = aliased(FieldValue, name="fv_planned")
    wanted = {ESTIMATE: "value_num", "important_info": "value_num",
              "customer_name": "value_str", "address": "value_str",
              "postcode": "value_str", "post_town": "value_str"}
    cols, joins = [], []
    for k, column in wanted.items():
        if fields.get(k) is None:
            cols.append(literal_column("NULL"))
            continue
        a = aliased(FieldValue, name=f"fv_{k}")
        joins.append((a, fields[k].id))
        cols.append(getattr(a, column))
    if fields.get("position") is not None:
        a = aliased(FieldValue, name="fv_position")
        joins.append((a, fields["position"].id))
        cols += [a.value_num, a.value_num2]
    else:
        cols += [literal_column("NULL"), literal_column("NULL")]
    stmt = select(Issue.key, Issue.version, Issue.summary, Issue.status_id,
                  Issue.assignee_id, Issue.project_id, Issue.issue_type_id, pv.value_date,
                  *cols).select_from(pv).join(Issue, Issue.id == pv.issue_id)
    for a, fid in joins:
        stmt = stmt.outerjoin(a, and_(a.issue_id == Issue.id, a.field_id == fid))
    stmt = stmt.where(pv.field_id == fields[PLANNED].id,
                      pv.value_date >= span.start - LONGEST, pv.value_date < span.end,
                      Issue.assignee_id.in_(installer_ids),
                      perms.browse_clause(host, session, user))
    if only is not None:
        stmt = stmt.where(Issue.id.in_(only))
    looks: dict[int, tuple[str, str, str, str]] = {}
    for status_id, key in host.catalog.status_keys.items():
        st = host.all_statuses().get(key)
        colour = host.status_colour(key)
        looks[status_id] = (key, in_language(st.name, st.name_en) if st else key, colour,
                            _ink(colour))
    zone = _zone(span)
    first = span.start
    out = []
    for (key, version, summary, status_id, uid, pid, tid, when, secs, important, customer,
         address, postcode, town, lat, lon) in session.execute(stmt).tuples():
        secs = int(secs) if secs else default_estimate(host, pid, tid)
        end = when + timedelta(seconds=secs)
        if end <= first:
            continue
        status, name, colour, ink = looks[status_id]
        out.append({
            "id": key, "resourceIds": [str(uid)], "start": zone(when), "end": zone(end),
            "title": key, "backgroundColor": colour, "textColor": ink,
            "extendedProps": {
                "key": key, "version": version, "summary": summary, "status": status,
                "statusName": name, "estimate": secs, "important": bool(important),
                "customer": customer or "",
                "address": " ".join(x for x in (address, postcode, town) if x),
                "position": [lat, lon] if lat is not None else None}})
    return out


def _zone(span: Range) -> Any:
    """``local`` for one range: a fixed offset when Oslo keeps one through it (almost
    every week), which formats faster than the zone database."""
    a, b = span.start.utcoffset(), (span.end - timedelta(seconds=1)).astimezone(OSLO).utcoffset()
    if a != b:
        return local
    fixed = timezone(a)
    return lambda dt: dt.astimezone(fixed).isoformat(timespec="seconds")


def stamp(session: Session) -> str:
    """Changes whenever an order or an installer's availability changes: open calendars
    poll it and reload only then. Every change of an order writes a history group, so
    the newest group's id (a primary-key lookup) moves with each."""
    latest = session.scalar(select(func.max(ChangeGroup.id)))
    return f"{latest or 0}|{av.stamp(session)}"


def _ink(colour: str) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#172b4d" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "#ffffff"


def driving(host: Amsflow, people: list[av.Installer],
            events: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Total driving per installer-day (``"id:YYYY-MM-DD"``), home base to home base,
    over the orders with a position, in planned order: what each row shows."""
    travel = travel_model(host)
    homes = {str(p.id): p.home for p in people}
    days: dict[str, list[tuple[str, Any]]] = {}
    for e in events:
        p = e.get("extendedProps") or {}
        if e.get("display") == "background" or not p.get("position"):
            continue
        days.setdefault(f"{e['resourceIds'][0]}:{e['start'][:10]}", []).append(
            (e["start"], tuple(p["position"])))
    out = {}
    for key, stops in days.items():
        home = homes.get(key.split(":")[0])
        places = ([home] if home else []) + [pl for _s, pl in sorted(stops)] + \
            ([home] if home else [])
        legs = [travel(a, b) for a, b in zip(places, places[1:], strict=False)]
        out[key] = {"seconds": sum(x.seconds for x in legs),
                    "metres": sum(x.metres for x in legs), "stops": len(stops)}
    return out


def data(host: Amsflow, session: Session, user: User | None, span: Range, *,
         usernames: list[str] | None = None, team: str | None = None,
         only: Any = None) -> dict[str, Any]:
    """Everything the calendar page draws for ``span``."""
    people = av.installers(host, session, usernames=usernames, team=team)
    placed = orders(host, session, user, [p.id for p in people], span, only=only)
    return {"start": span.first.isoformat(), "end": (span.last + timedelta(days=1)).isoformat(),
            "timeZone": offset(span.first), "resources": resources(people),
            "events": backgrounds(host, session, people, span) + placed,
            "driving": driving(host, people, placed), "stamp": stamp(session)}
