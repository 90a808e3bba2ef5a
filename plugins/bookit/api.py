"""Bookit's REST API under ``/rest/bookit/1``, declared in the core's route table so it
gets the API's authentication, XSRF check, Jira-style errors and a place in the
OpenAPI document.

``calendar``: resources, working hours, absences and orders of a range of days;
``schedule/{key}``: a drop (assignee, start, estimate, version; ``undo``);
``stamp``: what open calendars poll; ``installers``: availability, read and edited.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import jsonify, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields

from core.api.common import body, caller, ctx, unit
from core.api.routes import route
from core.fields import OSLO, FieldValueError
from core.i18n import _
from core.services.errors import InvalidInput

from . import availability as av
from . import calendar as cal
from .schedule import ESTIMATE, PLANNED, schedule
from .settings import parse_span

TAG = "bookit"
PREFIX = "/rest/bookit/1"


class _Lenient(Schema):
    class Meta:
        unknown = EXCLUDE


class ScheduleSchema(_Lenient):
    assignee = fields.String(allow_none=True, load_default=None)
    start = fields.Raw(allow_none=True, load_default=None)
    estimate = fields.Raw(allow_none=True, load_default=None)
    version = fields.Integer(allow_none=True, load_default=None)
    undo = fields.Boolean(load_default=False)


class ProfileSchema(_Lenient):
    team = fields.String(allow_none=True, load_default=None)
    home = fields.List(fields.Float(), allow_none=True)
    skills = fields.List(fields.String(), allow_none=True, load_default=None)
    week = fields.Dict(keys=fields.String(), values=fields.String(), allow_none=True)


class AbsenceSchema(_Lenient):
    start = fields.Raw(required=True)
    end = fields.Raw(required=True)
    reason = fields.String(load_default="")


def day_arg(name: str, default: date | None = None) -> date:
    raw = request.args.get(name)
    if not raw:
        if default is None:
            raise InvalidInput(errors={name: _("%(name)s mangler (ÅÅÅÅ-MM-DD).", name=name)})
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(errors={name: _("%(name)s må være en dato ÅÅÅÅ-MM-DD, ikke "
                                           "%(value)r.", name=name, value=raw)}) from None


def span_args() -> cal.Range:
    first = day_arg("start")
    end = day_arg("end", first + timedelta(days=7))
    if end <= first or (end - first).days > cal.MAX_DAYS:
        raise InvalidInput(errors={"end": _("end må komme etter start, og høyst %(n)s "
                                            "dager etter.", n=cal.MAX_DAYS)})
    return cal.Range(first, end - timedelta(days=1))


def when(h: Any, raw: Any, name: str) -> datetime | None:
    if raw in (None, ""):
        return None
    try:
        return h.fields[PLANNED].parse(raw)
    except (FieldValueError, ValueError):
        raise InvalidInput(errors={name: _("'%(value)s' er ikke et tidspunkt.",
                                           value=raw)}) from None


def listed(name: str) -> list[str] | None:
    raw = request.args.get(name)
    return [x.strip() for x in raw.split(",") if x.strip()] if raw else None


def _only(h: Any, s: Any, me: Any) -> Any:
    """The issue ids of ``filter`` (a saved filter) or ``jql`` as a subquery, or None."""
    from core.filters.service import get_filter
    from core.jql import JqlError, compile_search
    from core.jql.parser import parse

    filter_id, jql = request.args.get("filter"), request.args.get("jql")
    if filter_id:
        jql = get_filter(h, s, me, filter_id).jql
    if not jql:
        return None
    try:
        return compile_search(h, parse(jql), me, s).ids().order_by(None)
    except JqlError as exc:
        raise InvalidInput(errors={"jql": exc.message}) from None


@route("GET", f"{PREFIX}/calendar", "Installers, working hours, absences and planned "
       "orders for a range of days (filter or jql: only those orders)", TAG,
       query=("start", "end", "installers", "team", "filter", "jql"))
def calendar() -> Any:
    h, s, _me = ctx()
    me = caller()
    span = span_args()
    return jsonify(cal.data(h, s, me, span, usernames=listed("installers"),
                            team=request.args.get("team"), only=_only(h, s, me)))


@route("GET", f"{PREFIX}/stamp", "Changes whenever an order or an installer's "
       "availability changes: poll it, reload the calendar when it differs", TAG)
def stamp() -> Any:
    h, s, _me = ctx()
    caller()
    return jsonify({"stamp": cal.stamp(s)})


@route("PUT", f"{PREFIX}/schedule/<key>", "Place an order on an installer and a time "
       "(a drop); start null takes it off the calendar", TAG, body=ScheduleSchema,
       responses={409: "The order changed since it was loaded"})
def put_schedule(key: str) -> Any:
    h, s, _me = ctx()
    me = caller()
    data = body(ScheduleSchema)
    start = when(h, data["start"], "start")
    estimate = None
    if data["estimate"] not in (None, ""):
        try:
            estimate = h.fields[ESTIMATE].parse(data["estimate"])
        except (FieldValueError, ValueError) as exc:
            raise InvalidInput(errors={"estimate": str(exc)}) from None
    done = unit(lambda: schedule(h, s, me, key, assignee=data["assignee"], start=start,
                                 estimate=estimate, expected_version=data["version"],
                                 undo=data["undo"]))
    prev = done.previous
    return jsonify({"key": done.issue.key, "version": done.issue.version,
                    "warnings": done.warnings, "changed": done.changed,
                    "previous": {"assignee": prev["assignee"],
                                 "start": cal.local(prev["start"]) if prev["start"] else None,
                                 "estimate": prev["estimate"]}})


def _installer_json(i: av.Installer) -> dict[str, Any]:
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return {"id": i.id, "name": i.username, "displayName": i.name, "team": i.team,
            "home": list(i.home) if i.home else None, "skills": sorted(i.skills),
            "week": {names[d - 1]: f"{a:%H:%M}-{b:%H:%M}" for d, (a, b) in i.week.items()},
            "ownWeek": i.own_week, "projects": list(i.projects)}


def _user_id(h: Any, s: Any, name: str) -> int:
    found = av.installers(h, s, usernames=[name])
    if not found:
        from core.services.errors import NotFound

        raise NotFound(_("Montøren finnes ikke."))
    return found[0].id


@route("GET", f"{PREFIX}/installers", "Installers with team, home base, skills and week",
       TAG, query=("team",))
def get_installers() -> Any:
    h, s, _me = ctx()
    caller()
    return jsonify([_installer_json(i) for i in av.installers(
        h, s, team=request.args.get("team"))])


@route("GET", f"{PREFIX}/installers/<name>/absences", "An installer's absences in a range",
       TAG, query=("start", "end"))
def get_absences(name: str) -> Any:
    h, s, _me = ctx()
    caller()
    span = span_args()
    return jsonify([{"id": a.id, "start": cal.local(a.start), "end": cal.local(a.end),
                     "reason": a.reason} for a in av.absences(s, [_user_id(h, s, name)],
                                                              span.start, span.end)])


@route("PUT", f"{PREFIX}/installers/<name>", "Change an installer's team, home base, "
       "skills or weekly hours (week null: the default week)", TAG, body=ProfileSchema)
def put_installer(name: str) -> Any:
    h, s, _me = ctx()
    me = caller()
    data = body(ProfileSchema)
    uid = _user_id(h, s, name)
    week: Any = False
    if "week" in data:
        try:
            week = None if data["week"] is None else {
                ("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(d) + 1: parse_span(v)
                for d, v in data["week"].items()}
        except (ValueError, ValidationError) as exc:
            raise InvalidInput(errors={"week": _("Ukedag er mon…sun og tiden HH:MM-HH:MM "
                                                 "(%(error)s).", error=exc)}) from None
    home: Any = False
    if "home" in data:
        home = None if data["home"] is None else tuple(data["home"])
        if home is not None and len(home) != 2:
            raise InvalidInput(errors={"home": _("Hjemmebasen er [breddegrad, lengdegrad].")})

    def change() -> av.Installer:
        person = av.set_profile(h, s, me, uid, team=data.get("team"), home=home,
                                skills=data.get("skills"))
        if week is not False:
            person = av.set_week(h, s, me, uid, week)
        return person

    return jsonify(_installer_json(unit(change)))


@route("POST", f"{PREFIX}/installers/<name>/absences", "Add an absence", TAG,
       body=AbsenceSchema, status=201)
def post_absence(name: str) -> Any:
    h, s, _me = ctx()
    me = caller()
    data = body(AbsenceSchema)
    uid = _user_id(h, s, name)
    start, end = when(h, data["start"], "start"), when(h, data["end"], "end")
    if start is None or end is None:
        raise InvalidInput(errors={"start": _("Fraværet trenger start og slutt.")})
    if isinstance(data["end"], str) and len(data["end"].strip()) == 10:
        end = datetime.combine(end.date() + timedelta(days=1), time(0), OSLO)  # whole day
    if isinstance(data["start"], str) and len(data["start"].strip()) == 10:
        start = datetime.combine(start.date(), time(0), OSLO)
    a = unit(lambda: av.add_absence(h, s, me, uid, start, end, data["reason"]))
    response = jsonify({"id": a.id, "start": cal.local(a.start), "end": cal.local(a.end),
                        "reason": a.reason})
    response.status_code = 201
    return response


@route("DELETE", f"{PREFIX}/absences/<int:absence_id>", "Remove an absence", TAG,
       status=204)
def delete_absence(absence_id: int) -> Any:
    h, s, _me = ctx()
    me = caller()
    unit(lambda: av.delete_absence(h, s, me, absence_id))
    return "", 204


@route("GET", f"{PREFIX}/orders", "Orders for the side list: a saved filter, a JQL query "
       "or keys (default: Under planlegging without a planned start)", TAG,
       query=("filter", "jql", "issues"))
def get_orders() -> Any:
    from core.filters.service import get_filter

    from . import sidelist

    h, s, _me = ctx()
    me = caller()
    filter_id, jql, keys = request.args.get("filter"), request.args.get("jql"), \
        listed("issues")
    if sum(x is not None for x in (filter_id, jql, keys)) > 1:
        raise InvalidInput(errors={"filter": _("Oppgi bare ett av filter, jql og issues.")})
    if filter_id:
        jql = get_filter(h, s, me, filter_id).jql
    elif keys:
        jql = sidelist.keys_jql(keys)
    return jsonify(sidelist.orders(h, s, me, jql or sidelist.DEFAULT_JQL))


class DaySchema(_Lenient):
    installer = fields.String(required=True)
    date = fields.Date(required=True)


class ApplySchema(_Lenient):
    installer = fields.String(required=True)
    stops = fields.List(fields.Dict(), required=True)


def _stop_json(st: Any) -> dict[str, Any]:
    return {"key": st.key, "version": st.version, "status": st.status,
            "start": cal.local(st.start), "end": cal.local(st.end), "held": st.held,
            "position": list(st.position) if st.position else None,
            "driveSeconds": st.drive_seconds, "driveMetres": st.drive_metres}


def _route_json(r: Any) -> dict[str, Any]:
    return {"installer": r.installer.username, "date": r.day.isoformat(),
            "stops": [_stop_json(x) for x in r.stops], "backSeconds": r.back_seconds,
            "backMetres": r.back_metres, "seconds": r.seconds, "metres": r.metres,
            "withoutPosition": r.unplaced}


def _person(h: Any, s: Any, name: str) -> av.Installer:
    return av.installer(h, s, _user_id(h, s, name))


@route("GET", f"{PREFIX}/route", "An installer-day's stops in planned order with the "
       "driving between them and the day's total", TAG, query=("installer", "date"))
def get_route() -> Any:
    from .route import day_route

    h, s, _me = ctx()
    caller()
    name = request.args.get("installer") or ""
    return jsonify(_route_json(day_route(h, s, _person(h, s, name), day_arg("date"))))


@route("POST", f"{PREFIX}/route/optimise", "Optimise this day: the stops reordered by the "
       "solver (held customer times kept), with the saving; nothing changes", TAG,
       body=DaySchema)
def post_optimise() -> Any:
    from .route import optimise

    h, s, _me = ctx()
    me = caller()
    data = body(DaySchema)
    if not av.can_edit(h, s, me):
        from core.services.errors import Forbidden

        raise Forbidden(_("Bare planleggere og administratorer kan endre tilgjengelighet."))
    p = optimise(h, s, _person(h, s, data["installer"]), data["date"])
    return jsonify({"current": _route_json(p.current), "stops": [_stop_json(x) for x in p.stops],
                    "seconds": p.seconds, "metres": p.metres, "savedSeconds": p.saved_seconds,
                    "savedMetres": p.saved_metres, "leftOut": p.left_out})


@route("POST", f"{PREFIX}/route/apply", "Apply a day's proposal: every stop placed at its "
       "new time in one transaction (a stop changed meanwhile: 409, nothing changes)", TAG,
       body=ApplySchema, responses={409: "A stop changed since the proposal was made"})
def post_apply() -> Any:
    from .route import apply

    h, s, _me = ctx()
    me = caller()
    data = body(ApplySchema)
    person = _person(h, s, data["installer"])
    stops = []
    for n, st in enumerate(data["stops"]):
        start = when(h, st.get("start"), f"stops.{n}.start")
        if not st.get("key") or start is None:
            raise InvalidInput(errors={f"stops.{n}": _("Hvert stopp trenger key og start.")})
        stops.append({"key": str(st["key"]), "start": start, "version": st.get("version")})
    warnings = unit(lambda: apply(h, s, me, person, stops))
    return jsonify({"applied": len(stops), "warnings": warnings})


@route("POST", f"{PREFIX}/installers/<name>/feed", "A new address for the installer's "
       "iCalendar feed of confirmed orders (the old one stops working)", TAG)
def post_feed(name: str) -> Any:
    from flask import url_for

    from .feed import new_token

    h, s, _me = ctx()
    me = caller()
    uid = _user_id(h, s, name)
    token = unit(lambda: new_token(h, s, me, uid))
    return jsonify({"url": url_for("bookit.ical_feed", token=token, _external=True)})
