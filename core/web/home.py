"""The start page: the projects (grid companies) the user may browse, with counts."""

from __future__ import annotations

from typing import Any

from flask import render_template
from sqlalchemy import func, select

from .. import permissions as perms
from ..models import Issue, Project, Status
from . import bp
from .common import db, host, login_required, user


@bp.get("/")
@login_required
def home() -> Any:
    h, s, me = host(), db(), user()
    visible = perms.browse_clause(h, s, me)
    counts: dict[tuple[int, str], int] = {}
    rows = s.execute(select(Issue.project_id, Status.category, func.count())
                     .join(Status, Status.id == Issue.status_id)
                     .where(visible).group_by(Issue.project_id, Status.category))
    for project_id, category, n in rows:
        counts[(project_id, category)] = n
    projects = []
    for p in s.scalars(select(Project).order_by(Project.name)):
        if not perms.allowed(h, s, me, "browse", p.id):
            continue
        projects.append({
            "key": p.key, "name": p.name, "description": p.description,
            "todo": counts.get((p.id, "new"), 0),
            "doing": counts.get((p.id, "indeterminate"), 0),
            "done": counts.get((p.id, "done"), 0),
            "can_create": perms.allowed(h, s, me, "create", p.id),
        })
    mine = s.scalars(select(Issue).where(visible, Issue.assignee_id == me.id)
                     .join(Status, Status.id == Issue.status_id)
                     .where(Status.category != "done")
                     .order_by(Issue.updated.desc()).limit(10)).all()
    return render_template("home.html", projects=projects, mine=mine)
