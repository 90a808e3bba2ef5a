"""The issue as Jira returns it, with ``fields=`` selection and the ``expand``
options clients use: changelog, renderedFields, names, transitions."""

from __future__ import annotations

import html
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from .. import permissions as perms
from ..host import Amsflow
from ..models import Attachment, ChangeGroup, Comment, Issue, IssueLink, User, Watcher
from ..services import attachments, comments, links, watchers
from ..workflow.engine import available_transitions
from .common import api_url
from .fieldmeta import NOT_NAVIGABLE, SYSTEM_IDS, field_names
from .serialize import (
    attachment_json,
    comment_json,
    issue_ref,
    issuetype_json,
    link_type_json,
    project_json,
    resolution_json,
    status_json,
    user_json,
    when,
)
from .transition_json import transition_json

EXPANDS = ("renderedFields", "names", "schema", "transitions", "operations", "editmeta",
           "changelog", "versionedRepresentations")


def wanted_fields(host: Amsflow, spec: str | None) -> set[str]:
    """Jira's ``fields=`` rules: ``*all`` (default), ``*navigable``, ids, ``-id``."""
    every = set(SYSTEM_IDS) | {f.id for f in host.fields}
    parts = [p.strip() for p in (spec or "*all").split(",") if p.strip()]
    chosen: set[str] = set()
    for part in parts:
        if part == "*all":
            chosen |= every
        elif part == "*navigable":
            chosen |= every - NOT_NAVIGABLE
        elif not part.startswith("-"):
            fdef = host.fields.get(part)
            chosen.add(fdef.id if fdef else part)
    for part in parts:
        if part.startswith("-"):
            fdef = host.fields.get(part[1:])
            chosen.discard(fdef.id if fdef else part[1:])
    return chosen or every


def present_collections(s: Session, issue: Issue, wanted: set[str]) -> set[str]:
    """Which of the order's comments, attachments, links and watchers exist, asked in
    one round trip: most orders have none, and four empty reads cost more than one."""
    checks = {
        "comment": exists().where(Comment.issue_id == issue.id),
        "attachment": exists().where(Attachment.issue_id == issue.id),
        "issuelinks": exists().where(or_(IssueLink.outward_id == issue.id,
                                         IssueLink.inward_id == issue.id)),
        "watches": exists().where(Watcher.issue_id == issue.id),
    }
    chosen = [(fid, check) for fid, check in checks.items() if fid in wanted]
    if not chosen:
        return set()
    row = s.execute(select(*(check.label(fid) for fid, check in chosen))).one()
    return {fid for (fid, _), found in zip(chosen, row, strict=True) if found}


def _system(host: Amsflow, s: Session, viewer: User | None, issue: Issue,
            fid: str, present: set[str]) -> Any:
    if fid == "summary":
        return issue.summary
    if fid == "description":
        return issue.description or None
    if fid == "status":
        return status_json(host, host.catalog.status_keys[issue.status_id])
    if fid == "issuetype":
        return issuetype_json(issue.issue_type)
    if fid == "project":
        return project_json(host, issue.project)
    if fid in ("assignee", "reporter"):
        return user_json(getattr(issue, fid))
    if fid == "resolution":
        return resolution_json(issue.resolution)
    if fid in ("resolutiondate", "created", "updated"):
        return when(issue.resolution_date if fid == "resolutiondate" else getattr(issue, fid))
    if fid == "comment":
        items = [comment_json(issue, c) for c in comments.list_comments(s, issue)] \
            if fid in present else []
        return {"comments": items, "maxResults": len(items), "total": len(items),
                "startAt": 0}
    if fid == "attachment":
        return [attachment_json(a) for a in attachments.list_attachments(s, issue)] \
            if fid in present else []
    if fid == "issuelinks":
        return links_json(host, s, viewer, issue) if fid in present else []
    if fid == "watches":
        people = watchers.list_watchers(s, issue) if fid in present else []
        return {"self": api_url(f"issue/{issue.key}/watchers"), "watchCount": len(people),
                "isWatching": viewer is not None and any(u.id == viewer.id for u in people)}
    return None


def links_json(host: Amsflow, s: Session, viewer: User | None,
               issue: Issue) -> list[dict[str, Any]]:
    """Links from this issue's side, leaving out issues the viewer cannot see."""
    types = {lt.name: lt for lt in links.link_types(host)}
    out = []
    for link in links.links_of(s, issue):
        other, side = (link.inward, "outwardIssue") if link.outward_id == issue.id else \
            (link.outward, "inwardIssue")
        lt = types.get(link.link_type)
        if lt is None or not perms.can_browse(host, s, viewer, other):
            continue
        out.append({"id": str(link.id), "self": api_url(f"issueLink/{link.id}"),
                    "type": link_type_json(lt), side: issue_ref(host, other)})
    return out


def issue_json(host: Amsflow, s: Session, viewer: User | None, issue: Issue,
               fields: str | None = None, expand: str | None = None) -> dict[str, Any]:
    wanted = wanted_fields(host, fields)
    expands = {e.strip() for e in (expand or "").split(",") if e.strip()}
    out_fields: dict[str, Any] = {}
    present = present_collections(s, issue, wanted)
    for fid in SYSTEM_IDS:
        if fid in wanted and fid != "issuekey":
            out_fields[fid] = _system(host, s, viewer, issue, fid, present)
    rows = {row.field_id: row for row in issue.values}
    for fdef in host.fields:
        if fdef.id in wanted:
            out_fields[fdef.id] = fdef.to_json(fdef.from_row(rows.get(fdef.id)))
    out: dict[str, Any] = {"expand": ",".join(EXPANDS), "id": str(issue.id),
                           "self": api_url(f"issue/{issue.id}"), "key": issue.key,
                           "fields": out_fields}
    if "renderedFields" in expands:
        out["renderedFields"] = rendered(out_fields)
    if "names" in expands:
        names = field_names(host)
        out["names"] = {k: names.get(k, k) for k in out_fields}
    if "transitions" in expands:
        out["transitions"] = [transition_json(host, s, issue, t, with_fields=False)
                              for t in available_transitions(host, s, viewer, issue)]
    if "changelog" in expands:
        out["changelog"] = changelog_json(host, s, issue)
    return out


def _html(text: str | None) -> str | None:
    return None if text is None else html.escape(text).replace("\n", "<br/>")


def rendered(fields: dict[str, Any]) -> dict[str, Any]:
    """``renderedFields``: text as escaped HTML, the way Jira renders wiki text."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "comment" and value:
            out[key] = {**value, "comments": [{**c, "body": _html(c["body"])}
                                              for c in value["comments"]]}
        elif isinstance(value, str):
            out[key] = _html(value)
        else:
            out[key] = value
    return out


def changelog_json(host: Amsflow, s: Session, issue: Issue) -> dict[str, Any]:
    groups = s.scalars(select(ChangeGroup).where(ChangeGroup.issue_id == issue.id)
                       .order_by(ChangeGroup.created, ChangeGroup.id)).all()
    histories = []
    for g in groups:
        items = []
        for it in g.items:
            fdef = host.fields.get(it.field) if it.field.startswith("customfield_") else None
            items.append({"field": fdef.name if fdef else it.field,
                          "fieldtype": "custom" if fdef else "jira",
                          "fieldId": it.field, "from": it.from_value,
                          "fromString": it.from_string, "to": it.to_value,
                          "toString": it.to_string})
        histories.append({"id": str(g.id), "author": user_json(g.author),
                          "created": when(g.created), "items": items})
    return {"startAt": 0, "maxResults": len(histories), "total": len(histories),
            "histories": histories}
