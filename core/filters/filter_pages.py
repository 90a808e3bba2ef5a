"""Filter pages: save / save as from the navigator, favourites, and one filter's
page with its shares, subscriptions, owner and deletion. Views are thin: they
call the filter services in one unit of work and show a ServiceError's message."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..config import ROLES
from ..models import Group, Project
from ..services.errors import ServiceError
from ..web.common import db, host, login_required, run, user
from . import service, sharing, subscriptions
from .pages import bp
from .schedule import DAYS, describe


def _error(exc: ServiceError) -> None:
    for message in exc.messages or []:
        flash(message, "error")
    for message in (exc.errors or {}).values():
        flash(message, "error")


def _back(f_id: int | None = None, **extra: Any) -> Any:
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    if f_id is not None:
        return redirect(url_for("filters_web.navigator", filter=f_id, **extra))
    return redirect(url_for("filters_web.filter_list"))


@bp.post("/navigator/filters")
@login_required
def save_as() -> Any:
    h, s, me = host(), db(), user()
    form = request.form
    try:
        f = run(lambda: service.create_filter(h, s, me, form.get("name", ""), form.get("jql", ""),
                                              form.get("description", ""), True,
                                              form.get("columns", "")))
    except ServiceError as exc:
        _error(exc)
        return redirect(url_for("filters_web.navigator", jql=form.get("jql", ""),
                                columns=form.get("columns") or None))
    flash(_("Filteret «%(name)s» er lagret.", name=f.name), "success")
    return redirect(url_for("filters_web.navigator", filter=f.id))


@bp.post("/navigator/filters/<int:filter_id>/save")
@login_required
def save(filter_id: int) -> Any:
    h, s, me = host(), db(), user()
    form = request.form
    try:
        f = service.get_filter(h, s, me, filter_id)
        run(lambda: service.update_filter(h, s, me, f, jql=form.get("jql", ""),
                                          columns=form.get("columns") or None))
        flash(_("Filteret «%(name)s» er oppdatert.", name=f.name), "success")
    except ServiceError as exc:
        _error(exc)
    return redirect(url_for("filters_web.navigator", filter=filter_id))


@bp.post("/navigator/filters/<int:filter_id>/favourite")
@login_required
def toggle_favourite(filter_id: int) -> Any:
    h, s, me = host(), db(), user()
    try:
        f = service.get_filter(h, s, me, filter_id)
        on = not service.is_favourite(s, me, f)
        run(lambda: service.set_favourite(s, me, f, on))
    except ServiceError as exc:
        _error(exc)
    return _back(filter_id)


@bp.get("/navigator/filters/")
@login_required
def filter_list() -> Any:
    h, s, me = host(), db(), user()
    text = request.args.get("q", "")
    found = service.search_filters(h, s, me, text)
    fav_ids = {f.id for f in service.favourites(h, s, me)}
    return render_template("filters/list.html", found=found, fav_ids=fav_ids, q=text,
                           mine=service.my_filters(s, me))


@bp.get("/navigator/filters/<int:filter_id>")
@login_required
def filter_page(filter_id: int) -> Any:
    h, s, me = host(), db(), user()
    try:
        f = service.get_filter(h, s, me, filter_id)
    except ServiceError as exc:
        _error(exc)
        return redirect(url_for("filters_web.filter_list"))
    return render_template(
        "filters/filter.html", f=f, editable=sharing.can_edit(h, me, f),
        favourite=service.is_favourite(s, me, f), popularity=service.popularity(s, f),
        subs=subscriptions.subscriptions_of(s, f), describe=describe, days=DAYS,
        groups=list(s.scalars(select(Group).order_by(Group.name))),
        projects=list(s.scalars(select(Project).order_by(Project.key))), roles=ROLES)


def _act(filter_id: int, fn: Any, done: str) -> Any:
    h, s, me = host(), db(), user()
    try:
        f = service.get_filter(h, s, me, filter_id)
        run(lambda: fn(h, s, me, f))
        flash(done, "success")
    except ServiceError as exc:
        _error(exc)
    return redirect(url_for("filters_web.filter_page", filter_id=filter_id))


@bp.post("/navigator/filters/<int:filter_id>/details")
@login_required
def edit_details(filter_id: int) -> Any:
    form = request.form
    return _act(filter_id, lambda h, s, me, f: service.update_filter(
        h, s, me, f, name=form.get("name", ""), description=form.get("description", ""),
        jql=form.get("jql", "")), _("Filteret er endret."))


@bp.post("/navigator/filters/<int:filter_id>/shares")
@login_required
def add_share(filter_id: int) -> Any:
    form = request.form
    return _act(filter_id, lambda h, s, me, f: sharing.add_share(
        h, s, me, f, form.get("type", ""), group=form.get("group"),
        project=form.get("project"), role=form.get("role"), username=form.get("username")),
        _("Filteret er delt."))


@bp.post("/navigator/filters/<int:filter_id>/shares/<int:share_id>/delete")
@login_required
def remove_share(filter_id: int, share_id: int) -> Any:
    return _act(filter_id, lambda h, s, me, f: sharing.remove_share(h, s, me, f, share_id),
                _("Delingen er fjernet."))


@bp.post("/navigator/filters/<int:filter_id>/subscriptions")
@login_required
def add_subscription(filter_id: int) -> Any:
    form = request.form
    return _act(filter_id, lambda h, s, me, f: subscriptions.subscribe(
        h, s, me, f, kind=form.get("kind", "daily"), time=form.get("time", "07:00"),
        days=form.getlist("days"), cron=form.get("cron", ""),
        group=form.get("group") or None, email_on_empty=bool(form.get("email_on_empty"))),
        _("Abonnementet er lagret."))


@bp.post("/navigator/filters/<int:filter_id>/subscriptions/<int:sub_id>/delete")
@login_required
def remove_subscription(filter_id: int, sub_id: int) -> Any:
    return _act(filter_id, lambda h, s, me, f: subscriptions.unsubscribe(h, s, me, f, sub_id),
                _("Abonnementet er slettet."))


@bp.post("/navigator/filters/<int:filter_id>/owner")
@login_required
def change_owner(filter_id: int) -> Any:
    form = request.form
    return _act(filter_id, lambda h, s, me, f: service.change_owner(
        h, s, me, f, form.get("username", "")), _("Filteret har fått ny eier."))


@bp.post("/navigator/filters/<int:filter_id>/delete")
@login_required
def delete(filter_id: int) -> Any:
    h, s, me = host(), db(), user()
    try:
        f = service.get_filter(h, s, me, filter_id)
        name = f.name
        run(lambda: service.delete_filter(h, s, me, f))
        flash(_("Filteret «%(name)s» er slettet.", name=name), "success")
    except ServiceError as exc:
        _error(exc)
    return redirect(url_for("filters_web.filter_list"))
