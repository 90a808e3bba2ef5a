"""Saved filters, shares and subscriptions as Jira's REST API returns them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from flask import url_for
from sqlalchemy.orm import Session

from ..api.common import api_url
from ..api.serialize import project_json, user_json
from ..models import User
from .models import FilterShare, FilterSubscription, SavedFilter
from .service import is_favourite, popularity
from .sharing import can_edit, role_id

if TYPE_CHECKING:
    from ..host import Amsflow


def share_json(host: Amsflow, share: FilterShare) -> dict[str, Any]:
    out: dict[str, Any] = {"id": share.id, "type": share.type}
    if share.type == "group" and share.group is not None:
        out["group"] = {"name": share.group.name,
                        "self": api_url(f"group?groupname={quote(share.group.name)}")}
    elif share.type in ("project", "projectRole") and share.project is not None:
        out["type"] = "project"  # Jira shows a role share as a project share with a role
        out["project"] = project_json(host, share.project)
        if share.role:
            rid = role_id(share.role)
            out["role"] = {"id": rid, "name": share.role,
                           "self": api_url(f"project/{share.project.key}/role/{rid}")}
    elif share.type == "user" and share.user is not None:
        out["user"] = user_json(share.user)
    return out


def subscription_json(sub: FilterSubscription) -> dict[str, Any]:
    out: dict[str, Any] = {"id": sub.id, "kind": sub.kind, "time": sub.time,
                           "days": [d for d in sub.days.split(",") if d], "cron": sub.cron,
                           "emailOnEmpty": sub.email_on_empty}
    if sub.user is not None:
        out["user"] = user_json(sub.user)
    if sub.group is not None:
        out["group"] = {"name": sub.group.name}
    return out


def filter_json(host: Amsflow, s: Session, viewer: User | None,
                f: SavedFilter) -> dict[str, Any]:
    from .subscriptions import subscriptions_of

    subs = subscriptions_of(s, f)
    return {
        "self": api_url(f"filter/{f.id}"),
        "id": str(f.id),
        "name": f.name,
        "description": f.description,
        "owner": user_json(f.owner),
        "jql": f.jql,
        "viewUrl": url_for("filters_web.navigator", filter=f.id, _external=True),
        "searchUrl": api_url(f"search?jql={quote(f.jql)}"),
        "favourite": is_favourite(s, viewer, f),
        "favouritedCount": popularity(s, f),
        "editable": can_edit(host, viewer, f),
        "sharePermissions": [share_json(host, sh) for sh in f.shares],
        "sharedUsers": {"size": 0, "items": [], "max-results": 1000, "start-index": 0,
                        "end-index": 0},
        "subscriptions": {"size": len(subs), "items": [subscription_json(x) for x in subs],
                          "max-results": 1000, "start-index": 0,
                          "end-index": max(0, len(subs) - 1)},
    }
