"""Availability pages: ``/bookit/installers`` lists the installers; each one's page
edits team, home base, skills and weekly hours, lists and adds absences, and makes
the iCalendar feed's address. Planners and admins edit; an installer sees their own
page (and may make their feed). Every change goes through ``availability``; a bad
value is a message on the page and changes nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from core.fields import OSLO
from core.i18n import _
from core.services.errors import ServiceError
from core.web.common import host, login_required, run, user

from . import availability as av
from .settings import DAYS
from .web import bp


def day_names() -> list[str]:
    return [_("Mandag"), _("Tirsdag"), _("Onsdag"), _("Torsdag"), _("Fredag"), _("Lørdag"),
            _("Søndag")]


def _span(a: av.Absence) -> str:
    """``07.12.2026 – 08.12.2026``; an absence ending at midnight ends the day before."""
    start, end = a.start.astimezone(OSLO), (a.end - timedelta(seconds=1)).astimezone(OSLO)
    if start.time() == time(0) and end.time() == time(23, 59, 59):
        return f"{start:%d.%m.%Y} – {end:%d.%m.%Y}"
    return f"{start:%d.%m.%Y %H:%M} – {a.end.astimezone(OSLO):%d.%m.%Y %H:%M}"


def _installer_or_404(h: Any, s: Any, name: str) -> av.Installer:
    found = av.installers(h, s, usernames=[name])
    if not found:
        abort(404)
    return found[0]


@bp.get("/installers")
@login_required
def installers_page() -> Any:
    h = host()
    s = h.db.session()
    return render_template("bookit/installers.html", people=av.installers(h, s),
                           can_edit=av.can_edit(h, s, user()))


def _clock(text: str) -> time:
    hh, _sep, mm = text.partition(":")
    return time(int(hh), int(mm))


def _week_from_form() -> dict[int, tuple[time, time]] | None:
    if request.form.get("default_week"):
        return None
    week = {}
    for n, day in enumerate(DAYS, 1):
        start, end = request.form.get(f"{day}_start", ""), request.form.get(f"{day}_end", "")
        if start and end:
            try:
                week[n] = (_clock(start), _clock(end))
            except ValueError:
                raise ServiceError(_("Arbeidstiden må være klokkeslett (TT:MM).")) from None
    return week


@bp.route("/installers/<name>", methods=["GET", "POST"])
@login_required
def installer_page(name: str) -> Any:
    h, me = host(), user()
    s = h.db.session()
    person = _installer_or_404(h, s, name)
    editable = av.can_edit(h, s, me)
    if not editable and me.id != person.id:
        abort(403)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "profile":
                home: Any = None
                lat, lon = request.form.get("home_lat", "").strip(), \
                    request.form.get("home_lon", "").strip()
                if lat or lon:
                    try:
                        home = (float(lat.replace(",", ".")), float(lon.replace(",", ".")))
                    except ValueError:
                        raise ServiceError(errors={"home": _(
                            "Hjemmebasen må være breddegrad og lengdegrad i grader.")}) from None
                week = _week_from_form()

                def save() -> None:
                    av.set_profile(h, s, me, person.id, team=request.form.get("team", ""),
                                   home=home, skills=request.form.get("skills", "").split())
                    av.set_week(h, s, me, person.id, week)

                run(save)
                flash(_("Tilgjengeligheten til %(name)s er lagret.", name=person.name),
                      "success")
            elif action == "absence":
                start = datetime.combine(_date(request.form.get("start")), time(0), OSLO)
                end = datetime.combine(_date(request.form.get("end")) + timedelta(days=1),
                                       time(0), OSLO)
                run(lambda: av.add_absence(h, s, me, person.id, start, end,
                                           request.form.get("reason", "")))
                flash(_("Fraværet er lagt inn."), "success")
            elif action == "delete_absence":
                run(lambda: av.delete_absence(h, s, me, int(request.form.get("id", "0"))))
                flash(_("Fraværet er fjernet."), "success")
            elif action == "feed":
                from .feed import new_token

                token = run(lambda: new_token(h, s, me, person.id))
                flash(_("Ny kalenderlenke: %(url)s", url=url_for(
                    "bookit.ical_feed", token=token, _external=True)), "success")
            return redirect(url_for("bookit.installer_page", name=name))
        except ServiceError as exc:
            errors = exc.errors or {"form": " ".join(exc.messages)}
            if exc.messages:
                errors.setdefault("form", " ".join(exc.messages))
        person = _installer_or_404(h, s, name)
    now = h.now()
    away = av.absences(s, [person.id], now - timedelta(days=7), now + timedelta(days=365))
    return render_template("bookit/installer.html", person=person, editable=editable,
                           errors=errors, away=[(a, _span(a)) for a in away],
                           days=list(zip(DAYS, day_names(), range(1, 8), strict=True)))


def _date(raw: str | None) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        raise ServiceError(errors={"absence": _("Fravær trenger datoer (ÅÅÅÅ-MM-DD).")}) \
            from None
