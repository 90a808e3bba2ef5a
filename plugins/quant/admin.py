"""The admin page of failing and dead Quant messages, with retry and filters by
project and age (instance administrators only)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core.web.common import admin_required, db, host, run

from . import outbox
from .labels import DIRECTIONS, kind_label, status_label
from .models import DEAD, IN, OUT, REFUSED, RETRYING, SENDING, QuantMessage
from .refs import PLUGIN

bp = Blueprint("quant_admin", __name__, url_prefix="/admin/quant",
               template_folder="templates")
M = QuantMessage
VIEWS = {"failing": (OUT, (RETRYING, SENDING)), "dead": (OUT, (DEAD,)),
         "refused": (IN, (REFUSED,))}
VIEW_LABELS = {"failing": _l("Feiler (prøves igjen)"), "dead": _l("Døde"),
               "refused": _l("Avviste innkommende")}
AGES = {"": (None, None), "1h": (None, 1), "24h": (1, 24), "old": (24, None)}
AGE_LABELS = {"": _l("Alle"), "1h": _l("Siste time"), "24h": _l("1–24 timer"),
              "old": _l("Eldre enn 24 timer")}


def _query(view: str, project: str, age: str) -> Any:
    direction, statuses = VIEWS[view]
    stmt = select(M).where(M.direction == direction, M.status.in_(statuses))
    if project:
        stmt = stmt.where(M.project_key == project)
    older, newer = AGES[age]
    now = host().now()
    if older is not None:
        stmt = stmt.where(M.created <= now - timedelta(hours=older))
    if newer is not None:
        stmt = stmt.where(M.created > now - timedelta(hours=newer))
    return stmt


def _args() -> tuple[str, str, str]:
    view = request.values.get("view", "failing")
    project = request.values.get("project", "")
    age = request.values.get("age", "")
    projects = host().plugins.projects_enabling(PLUGIN)
    return (view if view in VIEWS else "failing", project if project in projects else "",
            age if age in AGES else "")


@bp.get("/")
@admin_required
def messages() -> Any:
    view, project, age = _args()
    s = db()
    counts = {}
    for name, (direction, statuses) in VIEWS.items():
        counts[name] = s.scalar(select(func.count()).select_from(M).where(
            M.direction == direction, M.status.in_(statuses))) or 0
    rows = s.scalars(_query(view, project, age).order_by(M.id.desc()).limit(500)).all()
    keys = _issue_keys(s, rows)
    return render_template(
        "quant/messages.html", rows=rows, view=view, project=project, age=age,
        counts=counts, views=VIEW_LABELS, ages=AGE_LABELS, keys=keys,
        projects=host().plugins.projects_enabling(PLUGIN), kind_label=kind_label,
        status_label=status_label, directions=DIRECTIONS)


def _issue_keys(s: Any, rows: list[Any]) -> dict[int, str]:
    from core.models import Issue

    ids = {r.issue_id for r in rows if r.issue_id}
    if not ids:
        return {}
    return dict(s.execute(select(Issue.id, Issue.key).where(Issue.id.in_(ids))).all())


@bp.post("/retry")
@admin_required
def retry() -> Any:
    """Retry the chosen outbound messages (or every one the filters show)."""
    view, project, age = _args()
    h, s = host(), db()
    if request.form.get("all"):
        ids = list(s.scalars(_query(view, project, age).with_only_columns(M.id)))
    else:
        ids = [int(v) for v in request.form.getlist("id") if v.isdigit()]
    count = run(lambda: outbox.retry(h, s, ids)) if ids else 0
    if count:
        outbox.kick(h)
        flash(_("%(n)d meldinger sendes på nytt.", n=count), "success")
    else:
        flash(_("Ingen meldinger å sende på nytt."), "warning")
    return redirect(url_for("quant_admin.messages", view=view, project=project, age=age))
