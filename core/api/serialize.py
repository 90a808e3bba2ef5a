"""Jira-shaped JSON for users, projects, types, statuses, resolutions, comments,
attachments and links. Text is returned as stored: escaping is the page's job."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..fields import jira_datetime
from ..host import Amsflow
from ..models import Attachment, Comment, Issue, IssueType, Project, Resolution, User
from ..services.links import LinkType
from .common import api_url, base_url

CATEGORIES = {
    "new": {"id": 2, "key": "new", "name": "To Do", "colorName": "blue-gray"},
    "indeterminate": {"id": 4, "key": "indeterminate", "name": "In Progress",
                      "colorName": "yellow"},
    "done": {"id": 3, "key": "done", "name": "Done", "colorName": "green"},
}


def when(value: Any) -> str | None:
    return jira_datetime(value) if value is not None else None


def user_json(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    avatar = f"{base_url()}/static/avatar.png"
    return {"self": api_url(f"user?username={quote(user.username)}"), "key": user.username,
            "name": user.username, "emailAddress": user.email,
            "displayName": user.display_name, "active": user.active,
            "timeZone": "Europe/Oslo", "locale": user.locale,
            "avatarUrls": {size: avatar for size in ("48x48", "24x24", "16x16", "32x32")}}


def status_json(host: Amsflow, key: str) -> dict[str, Any]:
    st = host.all_statuses()[key]
    sid = host.catalog.status_ids[key]
    return {"self": api_url(f"status/{sid}"), "id": str(sid), "name": st.name,
            "description": st.description, "iconUrl": "", "statusColor": host.status_colour(key),
            "untranslatedName": st.name_en or st.name,
            "statusCategory": {"self": api_url(f"statuscategory/{CATEGORIES[st.category]['id']}"),
                               **CATEGORIES[st.category]}}


def issuetype_json(it: IssueType) -> dict[str, Any]:
    return {"self": api_url(f"issuetype/{it.id}"), "id": str(it.id), "name": it.name,
            "description": it.description, "subtask": it.subtask, "iconUrl": ""}


def resolution_json(r: Resolution | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"self": api_url(f"resolution/{r.id}"), "id": str(r.id), "name": r.name,
            "description": r.description}


def project_json(host: Amsflow, p: Project, types: list[IssueType] | None = None,
                 lead: User | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"self": api_url(f"project/{p.id}"), "id": str(p.id), "key": p.key,
                           "name": p.name, "description": p.description,
                           "projectTypeKey": "business", "avatarUrls": {}}
    if types is not None:
        out["issueTypes"] = [issuetype_json(t) for t in types]
    if lead is not None:
        out["lead"] = user_json(lead)
    out["plugins"] = sorted(n for n in host.plugins.settings.get(p.key, {}) if n != "core")
    return out


def comment_json(issue: Issue, c: Comment) -> dict[str, Any]:
    return {"self": api_url(f"issue/{issue.id}/comment/{c.id}"), "id": str(c.id),
            "author": user_json(c.author), "updateAuthor": user_json(c.author),
            "body": c.body, "created": when(c.created), "updated": when(c.updated)}


def attachment_json(a: Attachment) -> dict[str, Any]:
    return {"self": api_url(f"attachment/{a.id}"), "id": str(a.id), "filename": a.filename,
            "author": user_json(a.author), "created": when(a.created), "size": a.size,
            "mimeType": a.mime_type,
            "content": f"{base_url()}/secure/attachment/{a.id}/{quote(a.filename)}"}


def link_type_json(lt: LinkType) -> dict[str, Any]:
    return {"self": api_url(f"issueLinkType/{lt.id}"), "id": str(lt.id), "name": lt.name,
            "inward": lt.inward, "outward": lt.outward}


def issue_ref(host: Amsflow, issue: Issue) -> dict[str, Any]:
    """The short issue object links and searches show."""
    return {"id": str(issue.id), "key": issue.key, "self": api_url(f"issue/{issue.id}"),
            "fields": {"summary": issue.summary,
                       "status": status_json(host, host.catalog.status_keys[issue.status_id]),
                       "issuetype": issuetype_json(issue.issue_type)}}
