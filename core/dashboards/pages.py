"""Dashboard pages: the dashboard (where a user lands), *Administrer dashbord*
(Favoritter, Mine, Populær, Søk), create (empty or as a copy), edit with shares,
delete, favourite. Gadgets are added, configured, moved and removed by the page's
script through the REST API."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..config import ROLES
from ..filters import service as filters
from ..models import Group, Project
from ..services.errors import ServiceError
from ..web.common import db, host, login_required, run, user
from . import service
from .dashboard_json import dashboard_json
from .data import describe

bp = Blueprint("dashboards_web", __name__, template_folder="templates",
               static_folder="static", static_url_path="/dashboards/static")
TABS = ("favourites", "mine", "popular", "search")
INTERVALS = (0, 5, 15, 30, 60)


def texts() -> dict[str, str]:
    """The page script's words, in the page's language."""
    return {"empty": _("Dashbordet er tomt. Velg «Legg til et miniprogram»."),
            "refresh": _("Oppdater"), "edit": _("Rediger"), "remove": _("Fjern"),
            "menu": _("Valg for miniprogrammet"), "loading": _("Henter …"),
            "confirmRemove": _("Fjerne miniprogrammet fra dashbordet?"),
            "noRenderer": _("Ingen visning for denne miniprogramtypen."),
            "updated": _("oppdatert"), "addNow": _("Legg til nå"), "added": _("Lagt til"),
            "settings": _("Innstillinger"), "title": _("Tittel"), "filter": _("Filter"),
            "orJql": _("… eller JQL"), "interval": _("Oppdateringsintervall"),
            "total": _("Totalt"), "none": _("Ingen ordre."), "days": _("dager"),
            "orders": _("Ordre")}


def blueprint() -> Blueprint:
    return bp


def _error(exc: ServiceError) -> None:
    for message in [*(exc.messages or []), *(exc.errors or {}).values()]:
        flash(message, "error")


def _assets(h: Any) -> tuple[list[str], list[tuple[str, str]]]:
    """The npm files and scripts every gadget type needs, each once, in order."""
    vendor: list[str] = []
    scripts: list[tuple[str, str]] = []
    for entry in h.plugins.gadgets:
        for name in entry.fn.vendor:
            if name not in vendor:
                vendor.append(name)
        if entry.fn.script not in scripts:
            scripts.append(entry.fn.script)
    return vendor, scripts


def menu(h: Any, s: Any, me: Any) -> list[Any]:
    return service.favourites(h, s, me)


@bp.get("/dashboards/")
@login_required
def landing() -> Any:
    h, s, me = host(), db(), user()
    d = service.landing(h, s, me)
    if d is None:
        return render_template("dashboards/none.html", favourites=[])
    return redirect(url_for("dashboards_web.view", dashboard_id=d.id))


@bp.get("/dashboards/<int:dashboard_id>")
@login_required
def view(dashboard_id: int) -> Any:
    h, s, me = host(), db(), user()
    try:
        d = service.get_dashboard(h, s, me, dashboard_id)
    except ServiceError as exc:
        _error(exc)
        return redirect(url_for("dashboards_web.manage"))
    run(lambda: service.remember(h, s, me, d))
    vendor, scripts = _assets(h)
    filter_choices = [{"id": f.id, "name": f.name}
                      for f, _n in filters.search_filters(h, s, me, limit=500)]
    page = {"dashboard": dashboard_json(h, s, me, d),
            "types": [describe(h, e.fn) for e in h.plugins.gadgets],
            "filters": filter_choices, "texts": texts(),
            "intervals": [{"value": m, "label": _("Aldri") if not m else
                           _("Hvert %(n)s. minutt", n=m)} for m in INTERVALS]}
    return render_template("dashboards/view.html", d=d, page=page, vendor=vendor,
                           scripts=scripts, favourites=menu(h, s, me),
                           editable=service.can_edit(h, me, d),
                           starred=service.is_favourite(s, me, d))


@bp.get("/dashboards/manage")
@login_required
def manage() -> Any:
    h, s, me = host(), db(), user()
    tab = request.args.get("tab", "favourites")
    tab = tab if tab in TABS else "favourites"
    q = request.args.get("q", "")
    if tab == "favourites":
        rows = [(d, service.popularity(s, d)) for d in service.favourites(h, s, me)]
    elif tab == "mine":
        rows = [(d, service.popularity(s, d)) for d in service.mine(s, me)]
    else:
        rows = service.search(h, s, me, q, popular=tab == "popular")
    stars = service.favourite_ids(s, me)
    return render_template("dashboards/manage.html", tab=tab, q=q, rows=rows, stars=stars,
                           favourites=menu(h, s, me))


def _share_targets(s: Any) -> dict[str, Any]:
    return {"groups": list(s.scalars(select(Group.name).order_by(Group.name))),
            "projects": list(s.execute(select(Project.key, Project.name)
                                       .order_by(Project.name))),
            "roles": ROLES}


@bp.get("/dashboards/new")
@login_required
def new() -> Any:
    h, s, me = host(), db(), user()
    copies = [d for d, _n in service.search(h, s, me, limit=500)]
    return render_template("dashboards/new.html", copies=copies,
                           copy_of=request.args.get("copy", type=int),
                           favourites=menu(h, s, me), **_share_targets(s))


def _share_from_form(h: Any, s: Any, me: Any, d: Any, form: Any) -> None:
    kind = form.get("share_type") or ""
    if not kind:
        return
    service.add_share(h, s, me, d, kind, group=form.get("share_group"),
                      project=form.get("share_project"), role=form.get("share_role"),
                      username=form.get("share_user"))


@bp.post("/dashboards/new")
@login_required
def create() -> Any:
    h, s, me = host(), db(), user()
    form = request.form

    def work() -> Any:
        source = form.get("start_from", "")
        copy_of = service.get_dashboard(h, s, me, source) if source.isdigit() else None
        d = service.create_dashboard(h, s, me, form.get("name", ""),
                                     form.get("description", ""), copy_of=copy_of,
                                     columns=form.get("columns", type=int),
                                     favourite=bool(form.get("favourite")))
        _share_from_form(h, s, me, d, form)
        return d

    try:
        d = run(work)
    except ServiceError as exc:
        _error(exc)
        return redirect(url_for("dashboards_web.new", copy=form.get("start_from") or None))
    flash(_("Dashbordet «%(name)s» er opprettet.", name=d.name), "success")
    return redirect(url_for("dashboards_web.view", dashboard_id=d.id))


@bp.get("/dashboards/<int:dashboard_id>/edit")
@login_required
def edit(dashboard_id: int) -> Any:
    h, s, me = host(), db(), user()
    try:
        d = service.get_dashboard(h, s, me, dashboard_id)
        service.require_edit(h, me, d)
    except ServiceError as exc:
        _error(exc)
        return redirect(url_for("dashboards_web.manage"))
    return render_template("dashboards/edit.html", d=d, favourites=menu(h, s, me),
                           **_share_targets(s))


@bp.post("/dashboards/<int:dashboard_id>/edit")
@login_required
def save(dashboard_id: int) -> Any:
    h, s, me = host(), db(), user()
    form = request.form

    def work() -> None:
        d = service.get_dashboard(h, s, me, dashboard_id)
        action = form.get("action", "save")
        if action == "share":
            _share_from_form(h, s, me, d, form)
        elif action == "unshare":
            service.remove_share(h, s, me, d, form.get("share_id", type=int) or 0)
        else:
            service.update_dashboard(h, s, me, d, name=form.get("name", ""),
                                     description=form.get("description", ""),
                                     columns=form.get("columns", type=int))

    try:
        run(work)
    except ServiceError as exc:
        _error(exc)
    else:
        flash(_("Dashbordet er lagret."), "success")
    return redirect(url_for("dashboards_web.edit", dashboard_id=dashboard_id))


@bp.post("/dashboards/<int:dashboard_id>/delete")
@login_required
def delete(dashboard_id: int) -> Any:
    h, s, me = host(), db(), user()
    try:
        run(lambda: service.delete_dashboard(h, s, me,
                                             service.get_dashboard(h, s, me, dashboard_id)))
    except ServiceError as exc:
        _error(exc)
        return redirect(url_for("dashboards_web.manage"))
    flash(_("Dashbordet er slettet."), "success")
    return redirect(url_for("dashboards_web.manage", tab="mine"))


@bp.post("/dashboards/<int:dashboard_id>/favourite")
@login_required
def favourite(dashboard_id: int) -> Any:
    h, s, me = host(), db(), user()
    try:
        run(lambda: service.set_favourite(
            s, me, service.get_dashboard(h, s, me, dashboard_id), request.form.get("on") == "1"))
    except ServiceError as exc:
        _error(exc)
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("dashboards_web.view", dashboard_id=dashboard_id))
