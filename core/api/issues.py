"""Issue create, get, edit, delete and assign: thin views over core.services.issues."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from .. import permissions as perms
from ..host import Amsflow
from ..i18n import _
from ..models import Issue, User
from ..services import comments, links
from ..services.errors import Forbidden, InvalidInput
from ..services.ids import is_id
from ..services.issues import create_issue, delete_issue, edit_issue, get_issue
from .common import api_url, body, ctx, empty, unit
from .issue_json import issue_json
from .payload import Changes, read_fields, read_update
from .routes import route
from .schemas import AssigneeSchema, IssueCreateSchema, IssueEditSchema

TAG = "Issues"


def _project_key(h: Amsflow, ref: Any) -> str:
    if isinstance(ref, dict):
        ref = ref.get("key") or ref.get("id")
    text = str(ref or "").strip()
    for key, pid in h.catalog.project_ids.items():
        if text in (key, str(pid)):
            return key
    raise InvalidInput(errors={"project": _("Prosjektet '%(key)s' finnes ikke.", key=text)})


def _type_name(h: Amsflow, ref: Any) -> str:
    if isinstance(ref, dict):
        ref = ref.get("name") or ref.get("id")
    text = str(ref or "").strip()
    for name, tid in h.catalog.issue_type_ids.items():
        if text in (name, str(tid)):
            return name
    raise InvalidInput(errors={"issuetype": _("Sakstypen '%(name)s' finnes ikke.", name=text)})


def apply_extras(h: Amsflow, s: Any, user: User | None, issue: Issue,
                 changes: Changes) -> None:
    """Comment and link operations from an ``update`` payload, in the same unit."""
    for verb, value in changes.comments:
        if verb == "add":
            comments.add_comment(h, s, user, issue, value.get("body"))
        elif verb == "edit":
            comments.edit_comment(h, s, user, issue, value.get("id"), value.get("body"))
        else:
            comments.delete_comment(h, s, user, issue, value.get("id"))
    for value in changes.links:
        other = value.get("outwardIssue") or value.get("inwardIssue") or {}
        target = get_issue(h, s, user, other.get("key") or other.get("id") or "")
        source, dest = (issue, target) if "outwardIssue" in value else (target, issue)
        links.link_issues(h, s, user, value.get("type"), source, dest)


@route("POST", "/rest/api/2/issue", "Create an issue", TAG, body=IssueCreateSchema,
       status=201)
def create() -> Any:
    h, s, user = ctx()
    data = body(IssueCreateSchema)
    raw = dict(data["fields"])
    missing = {k: _("Feltet '%(name)s' må fylles ut.", name=k)
               for k in ("project", "issuetype", "summary")
               if raw.get(k) in (None, "")}
    if missing:
        raise InvalidInput(errors=missing)
    project, itype = _project_key(h, raw.pop("project")), _type_name(h, raw.pop("issuetype"))
    summary, description = raw.pop("summary"), raw.pop("description", "") or ""
    if not isinstance(summary, str) or not isinstance(description, str):
        raise InvalidInput(errors={"summary" if not isinstance(summary, str) else
                                   "description": _("Forventet tekst.")})
    fields = read_fields(h, raw, extra_blocked=frozenset({"resolution"}))
    changes = read_update(h, {}, data["update"])

    def work() -> Issue:
        issue = create_issue(h, s, user, project, itype, summary,
                             {**fields, **changes.fields}, description=description)
        apply_extras(h, s, user, issue, changes)
        return issue

    issue = unit(work)
    return jsonify({"id": str(issue.id), "key": issue.key,
                    "self": api_url(f"issue/{issue.id}")}), 201


@route("GET", "/rest/api/2/issue/<key>", "Get an issue", TAG,
       query=("fields", "expand", "properties"))
def get(key: str) -> Any:
    h, s, user = ctx()
    issue = get_issue(h, s, user, key)
    response = jsonify(issue_json(h, s, user, issue, request.args.get("fields"),
                                  request.args.get("expand")))
    response.set_etag(str(issue.version))
    return response


def _expected_version() -> int | None:
    raw = request.headers.get("If-Match") or request.args.get("version")
    if not raw or raw.strip() == "*":
        return None
    text = raw.strip().removeprefix("W/").strip('"')
    if not is_id(text):
        raise InvalidInput(errors={"version": _("If-Match må være sakens versjon (et tall).")})
    return int(text)


@route("PUT", "/rest/api/2/issue/<key>", "Edit an issue (fields and update verbs)", TAG,
       body=IssueEditSchema, status=204, query=("notifyUsers",),
       responses={409: "The issue was changed by someone else (stale edit)"})
def edit(key: str) -> Any:
    h, s, user = ctx()
    data = body(IssueEditSchema)
    issue = get_issue(h, s, user, key)
    if request.args.get("notifyUsers", "true").lower() == "false" and \
            not perms.allowed(h, s, user, "administer", issue.project_id):
        raise Forbidden(_("Bare prosjektadministratorer kan slå av varsler."))
    changes = read_update(h, data["fields"], data["update"],
                          extra_blocked=frozenset({"resolution"}))
    expected = _expected_version()

    def work() -> None:
        if changes.fields or expected is not None:
            edit_issue(h, s, user, issue, changes.fields, expected_version=expected)
        apply_extras(h, s, user, issue, changes)

    unit(work)
    return empty()


@route("DELETE", "/rest/api/2/issue/<key>", "Delete an issue", TAG, status=204,
       query=("deleteSubtasks",))
def delete(key: str) -> Any:
    h, s, user = ctx()
    issue = get_issue(h, s, user, key)
    from ..services.attachments import delete_files_after_commit

    def work() -> None:
        delete_files_after_commit(h, s, issue)
        delete_issue(h, s, user, issue)

    unit(work)
    return empty()


@route("PUT", "/rest/api/2/issue/<key>/assignee", "Assign an issue", TAG,
       body=AssigneeSchema, status=204)
def assign(key: str) -> Any:
    h, s, user = ctx()
    data = body(AssigneeSchema)
    issue = get_issue(h, s, user, key)
    name = data.get("name") or data.get("key") or data.get("accountId")
    if name == "-1":  # Jira's "automatic": we have no default assignee
        name = None
    unit(lambda: edit_issue(h, s, user, issue, {"assignee": name}))
    return empty()
