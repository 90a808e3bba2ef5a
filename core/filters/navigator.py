"""The issue navigator: basic and advanced search, columns, sorting, paging,
selection and CSV export. Every state is in the URL (``jql``, ``startAt``,
``columns``, ``filter``, ``mode``), so any page or plugin can link to a search:
``url_for("filters_web.navigator", jql="status = Klar")``."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import csvsafe
from .. import permissions as perms
from ..jql import JqlError, ast, compile_query, parse, search, to_jql
from ..jql.compiler import tune
from ..jql.timeout import bounded
from ..models import IssueType, Project, User
from ..services.errors import NotFound
from ..services.ids import ID_MAX
from ..web.common import db, host, login_required, user
from . import basic as basic_mode
from . import service
from .columns import available, cell_text, parse_columns
from .pages import bp

PAGE_SIZE = 50
EXPORT_LIMIT = 10000


def navigator_url(**params: Any) -> str:
    """A link to the navigator; empty parameters are left out."""
    return url_for("filters_web.navigator", **{k: v for k, v in params.items()
                                                 if v not in (None, "")})


def sorted_jql(jql: str, field: str, descending: bool) -> str | None:
    """``jql`` sorted by ``field`` first (the earlier sort keys follow), or None."""
    try:
        query = parse(jql)
    except JqlError:
        return None
    ref = parse(f"ORDER BY {field}").order_by[0].field
    key = ast.SortKey(ref, descending)
    same = ref.name.casefold()
    rest = tuple(k for k in (query.order_by or ()) if k.field.name.casefold() != same)
    return to_jql(ast.Query(query.where, (key, *rest)[:3])).strip()


def _sort_state(jql: str) -> tuple[str, bool] | None:
    try:
        query = parse(jql)
    except JqlError:
        return None
    if not query.order_by:
        return None
    first = query.order_by[0]
    return first.field.name.casefold(), bool(first.descending)


def _choices() -> dict[str, Any]:
    h, s, me = host(), db(), user()
    ids = set(perms.browsable_project_ids(h, s, me))
    people = s.scalars(select(User).where(User.active.is_(True), User.username != "system")
                       .order_by(User.display_name)).all()
    return {
        "projects": [p for p in s.scalars(select(Project).order_by(Project.key)) if p.id in ids],
        "types": list(s.scalars(select(IssueType.name).order_by(IssueType.name))),
        "statuses": list(h.all_statuses().values()),
        "people": people,
        "more": basic_mode.more_fields(h),
    }


@bp.get("/navigator/")
@bp.get("/issues/")
@login_required
def navigator() -> Any:
    h, s, me = host(), db(), user()
    error = None
    current = None
    if request.args.get("filter"):
        try:
            current = service.get_filter(h, s, me, request.args["filter"])
        except NotFound as exc:
            error = exc.messages[0]
    jql = request.args.get("jql") if "jql" in request.args else (current.jql if current else "")
    cols_raw = request.args.get("columns") or (current.columns if current else "")
    columns = parse_columns(h, cols_raw)
    try:
        start_at = min(max(0, int(request.args.get("startAt", "0"))), ID_MAX)
    except ValueError:
        start_at = 0
    issues: list[Any] = []
    total = 0
    if error is None:
        try:
            issues, total = search(h, s, jql or "", me, start_at, PAGE_SIZE)
        except JqlError as exc:
            error = exc.message
    basic = basic_mode.from_query_text(h, jql or "")
    mode = request.args.get("mode") or ("basic" if basic is not None else "advanced")
    if mode == "basic" and basic is None:
        mode = "advanced"
    return render_template(
        "filters/navigator.html", jql=jql or "", error=error, issues=issues, total=total,
        start_at=start_at, page_size=PAGE_SIZE, columns=columns, all_columns=available(h),
        column_ids=",".join(c.id for c in columns), current=current,
        modified=current is not None and (jql or "") != current.jql,
        is_favourite=service.is_favourite(s, me, current) if current else False,
        can_save=current is not None and current.owner_id == me.id,
        mode=mode, basic=basic or basic_mode.BasicSearch(), sort=_sort_state(jql or ""),
        sorted_jql=sorted_jql, navigator_url=navigator_url,
        my_filters=service.my_filters(s, me), favourites=service.favourites(h, s, me),
        cell_text=lambda issue, col: cell_text(h, issue, col), **_choices())


@bp.get("/navigator/basic")
@login_required
def build_basic() -> Any:
    """The basic form's submit: its choices as JQL, then the navigator with that JQL."""
    h = host()
    form = request.args
    chosen = basic_mode.BasicSearch()
    for key in basic_mode.MAIN:
        chosen.values[key] = [v for v in form.getlist(key) if v]
    for fdef in basic_mode.more_fields(h):
        if fdef.type in ("datetime", "date"):
            start, end = form.get(f"{fdef.key}_from", ""), form.get(f"{fdef.key}_to", "")
            if start or end:
                chosen.ranges[fdef.key] = (start, end)
        else:
            raw = form.get(fdef.key, "")
            values = [v.strip() for v in raw.split(",") if v.strip()]
            if values:
                chosen.values[fdef.key] = values
    chosen.text = form.get("text", "")
    jql = basic_mode.to_query_text(h, chosen, basic_mode.order_text(form.get("jql", "")))
    return redirect(navigator_url(jql=jql, columns=form.get("columns"),
                                  filter=form.get("filter"), mode="basic"))


@bp.get("/navigator/export.csv")
@login_required
def export_csv() -> Any:
    """All results (up to 10 000) with the chosen columns; semicolons for Excel in Norway."""
    h, s, me = host(), db(), user()
    jql = request.args.get("jql", "")
    columns = parse_columns(h, request.args.get("columns"))
    try:
        stmt = compile_query(h, parse(jql), me, s)
    except JqlError as exc:
        return Response(exc.message, status=400, mimetype="text/plain")
    out = io.StringIO()
    out.write("\ufeff")
    writer = csvsafe.writer(out)
    writer.writerow([c.label for c in columns])
    tune(s)
    for offset in range(0, EXPORT_LIMIT, 500):
        try:
            with bounded(s):
                batch = list(s.scalars(stmt.offset(offset).limit(500)).unique())
        except JqlError as exc:
            return Response(exc.message, status=400, mimetype="text/plain")
        for issue in batch:
            writer.writerow([cell_text(h, issue, c) for c in columns])
        if len(batch) < 500:
            break
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=amsflow-sok.csv"})


@bp.app_template_global("navigator_link")
def navigator_link(jql: str = "", **params: Any) -> str:
    """For any template: a link to a search, e.g. ``navigator_link('assignee = x')``."""
    return navigator_url(jql=jql, **params)
