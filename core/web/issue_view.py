"""The issue view: fields, status, buttons, transitions, plugin actions and panels,
comments, attachments, history, links and watchers on one page."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select

from .. import permissions as perms
from ..models import ChangeGroup, Issue
from ..registries import IssueAction, IssuePanel
from ..services.attachments import list_attachments
from ..services.comments import list_comments
from ..services.issues import get_issue, values_of
from ..services.links import link_types, links_of
from ..services.watchers import is_watching, list_watchers
from ..workflow.engine import available_transitions
from . import bp
from .common import db, field_label, host, login_required, user

FLAG_KEYS = ("important_info", "difficult_meter")


def plugin_actions(issue: Issue) -> list[IssueAction]:
    """*Flere handlinger* entries from the plugins the issue's project enables."""
    h = host()
    return h.plugins.issue_actions(h, issue, user())


def plugin_panels(issue: Issue) -> list[IssuePanel]:
    """Panels from enabled plugins: html escaped unless Markup, an error box for a
    plugin that failed (``HookCalls.issue_panels``)."""
    h = host()
    return h.plugins.issue_panels(h, issue, user())


def history_label(field: str) -> str:
    names = {"status": _("Status"), "resolution": _("Resolution"), "assignee": _("Assignee"),
             "reporter": _("Reporter"), "summary": _("Summary"),
             "description": _("Description")}
    if field in names:
        return names[field]
    fdef = host().fields.get(field)
    return field_label(fdef) if fdef else field


def history(issue: Issue) -> list[dict[str, Any]]:
    groups = db().scalars(select(ChangeGroup).where(ChangeGroup.issue_id == issue.id)
                          .order_by(ChangeGroup.created, ChangeGroup.id))
    return [{"author": g.author, "created": g.created,
             "items": [{"field": history_label(i.field), "from": i.from_string or "",
                        "to": i.to_string or ""} for i in g.items]} for g in groups]


def links(issue: Issue) -> list[dict[str, Any]]:
    """Links the user may follow: the other end must be browsable too."""
    h, s, me = host(), db(), user()
    texts = {lt.name: lt for lt in link_types(h)}
    out = []
    for link in links_of(s, issue):
        outward = link.outward_id == issue.id
        other = link.inward if outward else link.outward
        if not perms.can_browse(h, s, me, other):
            continue
        lt = texts.get(link.link_type)
        phrase = (lt.outward if outward else lt.inward) if lt else link.link_type
        out.append({"id": link.id, "phrase": phrase, "other": other})
    return out


def field_groups(issue: Issue) -> tuple[list[tuple[Any, Any]], list[tuple[Any, Any]]]:
    """(people's fields with a value, KIS/read-only fields) as (FieldDef, value) pairs."""
    values = values_of(host(), issue)
    people, systems = [], []
    for f in host().fields:
        value = values.get(f.key)
        if f.kis or f.readonly:
            systems.append((f, value))
        elif value is not None and f.key not in FLAG_KEYS:
            people.append((f, value))
    return people, systems


def render_issue(issue: Issue, status: int = 200, **state: Any) -> Any:
    """The issue page; POST handlers pass their form state (typed text, errors)."""
    h, s, me = host(), db(), user()
    pid = issue.project_id
    values = values_of(h, issue)
    people_fields, kis_fields = field_groups(issue)
    may = {p: perms.allowed(h, s, me, p, pid)
           for p in ("edit", "assign", "comment", "attach", "link", "watch")}
    for name, default in (("comment_text", ""), ("errors", {}), ("messages", []),
                          ("link_other", ""), ("link_type_chosen", "")):
        state.setdefault(name, default)
    return render_template(
        "issues/view.html", issue=issue, values=values, may=may,
        important=bool(values.get("important_info")),
        difficult=bool(values.get("difficult_meter")),
        flag_fields=[host().fields.get(k) for k in FLAG_KEYS if host().fields.get(k)],
        people_fields=people_fields, kis_fields=kis_fields,
        transitions=available_transitions(h, s, me, issue),
        actions=plugin_actions(issue), panels=plugin_panels(issue),
        comments=list_comments(s, issue), attachments=list_attachments(s, issue),
        history=history(issue), links=links(issue), link_types=link_types(h),
        watchers=list_watchers(s, issue), watching=is_watching(s, issue, me),
        **state), status


@bp.get("/browse/<key>")
@login_required
def issue(key: str) -> Any:
    return render_issue(get_issue(host(), db(), user(), key))
