"""Administration pages: plugins, background jobs (failures with their error),
users and their API tokens, throttled logins. Instance administrators only."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import throttle
from ..models import ApiToken, JobRecord, User
from ..services.errors import ServiceError
from ..services.users import create_user
from . import bp
from .common import admin_required, db, host, run
from .fieldforms import field_errors

JOB_STATUSES = ("failed", "queued", "started", "finished")


@bp.get("/admin/")
@admin_required
def admin_home() -> Any:
    return redirect(url_for("web.admin_plugins"))


@bp.get("/admin/plugins")
@admin_required
def admin_plugins() -> Any:
    """Every discovered plugin: version, hooks it implements, projects enabling it."""
    return render_template("admin/plugins.html", plugins=host().plugins.describe())


@bp.get("/admin/jobs")
@admin_required
def admin_jobs() -> Any:
    status = request.args.get("status", "failed")
    if status not in JOB_STATUSES:
        status = "failed"
    s = db()
    counts = dict(s.execute(select(JobRecord.status, func.count())
                            .group_by(JobRecord.status)).all())
    jobs = s.scalars(select(JobRecord).where(JobRecord.status == status)
                     .order_by(JobRecord.created.desc()).limit(200)).all()
    return render_template("admin/jobs.html", jobs=jobs, status=status, counts=counts,
                           statuses=JOB_STATUSES)


@bp.get("/admin/logins")
@admin_required
def admin_logins() -> Any:
    """Accounts and client addresses whose logins are being slowed down now."""
    return render_template("admin/logins.html", rows=throttle.throttled(host(), db()))


def _users_page(values: dict[str, str], errors: dict[str, str], messages: list[str],
                status: int = 200) -> Any:
    s = db()
    people = s.scalars(select(User).where(User.username != "system")
                       .order_by(User.username)).all()
    tokens = s.scalars(select(ApiToken).order_by(ApiToken.created.desc())).all()
    return render_template("admin/users.html", people=people, tokens=tokens, values=values,
                           errors=errors, messages=messages), status


@bp.get("/admin/users")
@admin_required
def admin_users() -> Any:
    return _users_page({}, {}, [])


@bp.post("/admin/users")
@admin_required
def admin_create_user() -> Any:
    form = {k: request.form.get(k, "").strip() for k in
            ("username", "display_name", "email", "groups", "locale")}
    password = request.form.get("password", "")
    groups = tuple(g.strip() for g in form["groups"].split(",") if g.strip())
    errors: dict[str, str] = {}
    if not form["display_name"]:
        errors["display_name"] = _("Enter a name.")
    if len(password) < 8:
        errors["password"] = _("The password must have at least 8 characters.")
    if errors:
        return _users_page(form, errors, [], 400)
    s = db()
    try:
        made = run(lambda: create_user(s, form["username"], form["display_name"], password,
                                       form["email"], groups=groups,
                                       locale=form["locale"] or "nb"))
    except ServiceError as exc:
        by_input, top = field_errors(exc)
        by_input.update({k: v for k, v in exc.errors.items() if k == "username"})
        return _users_page(form, by_input, top, exc.status)
    flash(_("User %(name)s was created.", name=made.username), "success")
    return redirect(url_for("web.admin_users"))


@bp.post("/admin/tokens/<int:token_id>/revoke")
@admin_required
def admin_revoke_token(token_id: int) -> Any:
    s = db()
    token = s.get(ApiToken, token_id)
    if token is not None:
        run(lambda: setattr(token, "revoked", True))
        flash(_("The token was revoked."), "success")
    return redirect(url_for("web.admin_users"))
