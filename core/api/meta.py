"""Who am I, what exists: serverInfo, myself, fields, projects, issue types,
statuses, resolutions, priorities and users."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from sqlalchemy import func, or_, select

from .. import permissions as perms
from ..i18n import gettext
from ..models import IssueType, Project, Resolution, User
from ..services.errors import NotFound
from .common import base_url, caller, ctx
from .fieldmeta import all_fields
from .routes import route
from .serialize import issuetype_json, project_json, resolution_json, status_json, user_json

TAG = "Metadata"
VERSION = (8, 20, 0)


@route("GET", "/rest/api/2/serverInfo", "Server version (anonymous)", TAG, anonymous=True)
def server_info() -> Any:
    h, _, _ = ctx()
    return jsonify({"baseUrl": base_url(), "version": ".".join(map(str, VERSION)),
                    "versionNumbers": list(VERSION), "deploymentType": "Server",
                    "buildNumber": 820000, "serverTitle": h.config["instance_name"],
                    "serverTime": h.now().isoformat(timespec="milliseconds")})


@route("GET", "/rest/api/2/myself", "The caller", TAG)
def myself() -> Any:
    user = caller()
    names = sorted(g.name for g in user.groups)
    return jsonify({**user_json(user),
                    "groups": {"size": len(names), "items": [{"name": n} for n in names]}})


@route("GET", "/rest/api/2/field", "System and custom fields", TAG)
def fields() -> Any:
    h, _, _ = ctx()
    return jsonify(all_fields(h))


def _projects(h: Any, s: Any, user: User | None) -> list[Project]:
    ids = set(perms.browsable_project_ids(h, s, user))
    return [p for p in s.scalars(select(Project).order_by(Project.key)) if p.id in ids]


def _types_of(h: Any, s: Any, p: Project) -> list[IssueType]:
    allowed = h.project_config(p.key).get("issue_types")
    return [t for t in s.scalars(select(IssueType).order_by(IssueType.id))
            if not allowed or t.name in allowed]


@route("GET", "/rest/api/2/project", "Projects the caller can browse", TAG,
       query=("expand",))
def projects() -> Any:
    h, s, user = ctx()
    return jsonify([project_json(h, p, _types_of(h, s, p)) for p in _projects(h, s, user)])


@route("GET", "/rest/api/2/project/<key>", "One project (by key or id)", TAG,
       query=("expand",))
def project(key: str) -> Any:
    h, s, user = ctx()
    for p in _projects(h, s, user):
        if key.upper() == p.key or key == str(p.id):
            lead = s.get(User, p.lead_id) if p.lead_id else None
            return jsonify(project_json(h, p, _types_of(h, s, p), lead))
    raise NotFound(gettext("Prosjektet '%(key)s' finnes ikke, eller du har ikke tilgang.",
                           key=key))


@route("GET", "/rest/api/2/issuetype", "Issue types", TAG)
def issue_types() -> Any:
    _, s, _ = ctx()
    return jsonify([issuetype_json(t) for t in s.scalars(select(IssueType)
                                                         .order_by(IssueType.id))])


@route("GET", "/rest/api/2/status", "Statuses with category and colour", TAG)
def statuses() -> Any:
    h, _, _ = ctx()
    return jsonify([status_json(h, key) for key in h.all_statuses()])


@route("GET", "/rest/api/2/status/<ref>", "One status (id or name)", TAG)
def status(ref: str) -> Any:
    h, _, _ = ctx()
    for key, st in h.all_statuses().items():
        if ref in (str(h.catalog.status_ids[key]), key) or ref.casefold() == st.name.casefold():
            return jsonify(status_json(h, key))
    raise NotFound(gettext("Statusen '%(name)s' finnes ikke.", name=ref))


@route("GET", "/rest/api/2/resolution", "Resolutions", TAG)
def resolutions() -> Any:
    _, s, _ = ctx()
    return jsonify([resolution_json(r) for r in s.scalars(select(Resolution)
                                                          .order_by(Resolution.id))])


@route("GET", "/rest/api/2/priority", "Priorities (none are used)", TAG)
def priorities() -> Any:
    return jsonify([])


def _search(s: Any, text: str, include_inactive: bool) -> list[User]:
    stmt = select(User).where(User.username != perms.SYSTEM_USERNAME).order_by(User.username)
    if text and text not in (".", "%"):
        like = f"%{text.casefold()}%"
        stmt = stmt.where(or_(func.lower(User.username).like(like),
                              func.lower(User.display_name).like(like),
                              func.lower(User.email).like(like)))
    if not include_inactive:
        stmt = stmt.where(User.active.is_(True))
    return list(s.scalars(stmt))


def _page(users: list[User]) -> Any:
    start = request.args.get("startAt", 0, type=int)
    size = min(request.args.get("maxResults", 50, type=int), 1000)
    return jsonify([user_json(u) for u in users[start:start + size]])


@route("GET", "/rest/api/2/user/search", "Find users by name, display name or e-mail", TAG,
       query=("username", "query", "startAt", "maxResults", "includeInactive"))
def user_search() -> Any:
    _, s, _ = ctx()
    text = request.args.get("username") or request.args.get("query") or ""
    inactive = request.args.get("includeInactive", "false").lower() == "true"
    return _page(_search(s, text, inactive))


@route("GET", "/rest/api/2/user/assignable/search",
       "Users who can be assigned an issue or a project's issues", TAG,
       query=("username", "issueKey", "project", "startAt", "maxResults"))
def assignable() -> Any:
    h, s, user = ctx()
    from ..services.issues import get_issue

    if request.args.get("issueKey"):
        pid = get_issue(h, s, user, request.args["issueKey"]).project_id
    else:
        pid = h.catalog.project_ids.get((request.args.get("project") or "").upper())
        if pid is None or not perms.allowed(h, s, user, "browse", pid):
            raise NotFound(gettext("Prosjektet finnes ikke, eller du har ikke tilgang."))
    text = request.args.get("username") or request.args.get("query") or ""
    return _page([u for u in _search(s, text, False) if perms.allowed(h, s, u, "browse", pid)])


@route("GET", "/rest/api/2/user", "One user", TAG, query=("username", "key"))
def user() -> Any:
    _, s, _ = ctx()
    name = request.args.get("username") or request.args.get("key") or ""
    found = s.scalar(select(User).where(User.username == name))
    if found is None or found.username == perms.SYSTEM_USERNAME:
        raise NotFound(gettext("Brukeren '%(name)s' finnes ikke.", name=name))
    return jsonify(user_json(found))
