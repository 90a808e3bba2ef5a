"""Create and edit pages for work orders (Jira's *Opprett* and *Rediger sak*)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import permissions as perms
from ..models import Project, User
from ..services.errors import ServiceError
from ..services.issues import create_issue, edit_issue, get_issue
from . import bp
from .common import (
    assignable_users,
    db,
    editable_fields,
    host,
    login_required,
    run,
    system_fields,
    user,
)
from .fieldforms import changes_for_create, changes_for_edit, field_errors, initial_values


def _creatable_projects() -> list[Project]:
    h, s, me = host(), db(), user()
    return [p for p in s.scalars(select(Project).order_by(Project.name))
            if perms.allowed(h, s, me, "create", p.id)]


def _issue_types(project_key: str | None) -> list[str]:
    h = host()
    names = [t["name"] for t in h.config["issue_types"]]
    if project_key:
        try:
            allowed = h.project_config(project_key).get("issue_types")
        except KeyError:
            allowed = None
        if allowed:
            names = [n for n in names if n in allowed]
    return names


def _people() -> list[User]:
    s = db()
    return [u for u in s.scalars(select(User).where(User.active.is_(True))
                                 .order_by(User.display_name))]


@bp.route("/issues/new", methods=["GET", "POST"])
@login_required
def create() -> Any:
    projects = _creatable_projects()
    if not projects:
        return render_template("errors/error.html", status=403, title=_("No access"),
                               text=_("You may not create work orders in any project."),
                               messages=[]), 403
    chosen = request.values.get("project", projects[0].key).upper()
    ctx: dict[str, Any] = {"projects": projects, "project_key": chosen,
                           "issue_types": _issue_types(chosen), "people": _people(),
                           "fields": editable_fields(), "errors": {}, "messages": []}
    if request.method == "GET":
        return render_template("issues/create.html", values={}, **ctx,
                               issue_type=request.args.get("issuetype", ""))
    changes, typed = changes_for_create(request.form)
    issue_type = request.form.get("issuetype", "")
    h, s, me = host(), db(), user()
    try:
        issue = run(lambda: create_issue(h, s, me, chosen, issue_type, typed["summary"],
                                         changes, description=typed["description"]))
    except ServiceError as exc:
        errors, messages = field_errors(exc)
        ctx.update(errors=errors, messages=messages)
        return render_template("issues/create.html", values=typed, issue_type=issue_type,
                               **ctx), exc.status
    flash(_("Work order %(key)s was created.", key=issue.key), "success")
    return redirect(url_for("web.issue", key=issue.key))


@bp.route("/browse/<key>/edit", methods=["GET", "POST"])
@login_required
def edit(key: str) -> Any:
    h, s, me = host(), db(), user()
    issue = get_issue(h, s, me, key)
    perms.require(h, s, me, "edit", issue)
    may_assign = perms.allowed(h, s, me, "assign", issue.project_id)
    initial = initial_values(issue)
    ctx: dict[str, Any] = {"issue": issue, "fields": editable_fields(),
                           "kis_fields": system_fields(), "may_assign": may_assign,
                           "people": assignable_users(issue.project_id), "initial": initial,
                           "errors": {}, "messages": []}
    if request.method == "GET":
        return render_template("issues/edit.html", values=initial, version=issue.version,
                               **ctx)
    changes, typed = changes_for_edit(request.form, initial, may_assign)
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        version = None
    try:
        run(lambda: edit_issue(h, s, me, issue, changes, expected_version=version))
    except ServiceError as exc:
        errors, messages = field_errors(exc)
        ctx.update(errors=errors, messages=messages)
        issue = get_issue(h, s, me, key)  # reloaded after the rollback
        ctx.update(issue=issue, initial=initial_values(issue))
        return render_template("issues/edit.html", values={**initial, **typed},
                               version=version, **ctx), exc.status
    flash(_("%(key)s was updated.", key=issue.key), "success")
    return redirect(url_for("web.issue", key=issue.key))
