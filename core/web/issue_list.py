"""A minimal, paged list of the latest orders the user may browse.

Placeholder for the JQL issue navigator, which will take over ``/issues/``; until
then ``jql`` is accepted and ignored, ``project`` narrows the list.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from sqlalchemy import func, select

from .. import permissions as perms
from ..models import Issue, Project
from ..services.issues import values_of
from . import bp
from .common import db, host, login_required, user

PAGE_SIZE = 50


@bp.get("/issues/")
@login_required
def issue_list() -> Any:
    h, s, me = host(), db(), user()
    stmt = select(Issue).where(perms.browse_clause(h, s, me))
    project_key = request.args.get("project", "").strip().upper()
    if project_key:
        stmt = stmt.join(Project, Project.id == Issue.project_id).where(
            Project.key == project_key)
    total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    try:
        page = min(max(1, int(request.args.get("page", "1"))), pages)
    except ValueError:
        page = 1
    issues = s.scalars(stmt.order_by(Issue.updated.desc(), Issue.id.desc())
                       .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    rows = [{"issue": i, "values": values_of(h, i)} for i in issues]
    return render_template("issues/list.html", rows=rows, page=page, pages=pages,
                           total=total, project_key=project_key,
                           jql=request.args.get("jql", ""))
