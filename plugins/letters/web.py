"""Admin pages: edit a project's letter template and preview it on a real order."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core.models import FieldValue, Issue, Project
from core.registries import NavItem
from core.services.issues import values_of
from core.web.common import admin_required, db, host, run, user

from .errors import LetterError
from .letterdata import LetterData
from .models import LetterTemplate
from .orders import PLUGIN, letter_data, render_settings, sender_for, template_source
from .render import render_pdf
from .templating import check_template

PREVIEW_CODE = "PRØVE"


def blueprint() -> Blueprint:
    bp = Blueprint("letters", __name__, url_prefix="/letters", template_folder="templates")
    bp.add_url_rule("/admin", view_func=index)
    bp.add_url_rule("/admin/<project>/template", view_func=edit, methods=["GET", "POST"])
    bp.add_url_rule("/admin/<project>/reset", view_func=reset, methods=["POST"])
    bp.add_url_rule("/admin/<project>/preview", view_func=preview, methods=["POST"])
    return bp


def nav_items(current: Any) -> list[NavItem]:
    from core import permissions as perms

    if current is None or not perms.is_admin(host(), current):
        return []
    if not host().plugins.projects_enabling(PLUGIN):
        return []
    return [NavItem(_("Brevmaler"), "letters.index", order=80)]


def _project(key: str) -> str:
    if key not in host().plugins.projects_enabling(PLUGIN):
        abort(404)
    return key


@admin_required
def index() -> Any:
    projects = host().plugins.projects_enabling(PLUGIN)
    if len(projects) == 1:
        return redirect(url_for("letters.edit", project=projects[0]))
    return render_template("letters/index.html", projects=projects)


@admin_required
def edit(project: str) -> Any:
    project = _project(project)
    session = db()
    if request.method == "POST":
        source = request.form.get("source", "")
        try:
            check_template(source)
        except LetterError as exc:
            return _form(project, source, exc.user_message), 400

        def save() -> None:
            row = session.get(LetterTemplate, project) or LetterTemplate(project_key=project)
            row.source = source
            row.updated = host().now()
            row.updated_by = user().username if user() else None
            session.add(row)

        run(save)
        flash(_("Brevmalen er lagret."), "success")
        return redirect(url_for("letters.edit", project=project))
    return _form(project, template_source(host(), session, project))


@admin_required
def reset(project: str) -> Any:
    project = _project(project)
    session = db()

    def drop() -> None:
        row = session.get(LetterTemplate, project)
        if row is not None:
            session.delete(row)

    run(drop)
    flash(_("Brevmalen er satt tilbake til standard."), "success")
    return redirect(url_for("letters.edit", project=project))


@admin_required
def preview(project: str) -> Any:
    """The letter of a real order with the (unsaved) template; assigns no reply code."""
    project = _project(project)
    source = request.form.get("source", "")
    key = request.form.get("order", "").strip().upper()
    session = db()
    issue = session.scalar(select(Issue).where(Issue.key == key)) if key else None
    if issue is None or issue.project.key != project:
        return _form(project, source, _("Fant ingen ordre «%(key)s» i %(project)s.", key=key,
                                         project=project)), 400
    values = values_of(host(), issue)
    if values.get("planned_start") is None:
        return _form(project, source, _("%(key)s har ingen planlagt starttid å vise.",
                                         key=key)), 400
    data: LetterData = letter_data(host(), issue, values.get("reply_code") or PREVIEW_CODE)
    settings = render_settings(host().plugins.plugin_settings(project, PLUGIN))
    try:
        pdf = render_pdf(data, sender_for(host(), project), source, settings)
    except LetterError as exc:
        return _form(project, source, exc.user_message), 400
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="forhandsvisning-{key}.pdf"'},
    )


def _form(project: str, source: str, error: str | None = None) -> str:
    session = db()
    planned = host().fields["planned_start"]
    orders = session.scalars(
        select(Issue.key)
        .join(Project, Project.id == Issue.project_id)
        .join(FieldValue, FieldValue.issue_id == Issue.id)
        .where(Project.key == project, FieldValue.field_id == planned.id)
        .order_by(Issue.id.desc())
        .limit(50)
    ).all()
    saved = session.get(LetterTemplate, project)
    return render_template(
        "letters/edit.html",
        project=project,
        source=source,
        error=error,
        orders=orders,
        saved=saved,
    )
