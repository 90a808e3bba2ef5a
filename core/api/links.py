"""Issue links and their types (from the instance config)."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from ..i18n import gettext
from ..services import comments, links
from ..services.errors import NotFound
from ..services.issues import get_issue
from .common import body, ctx, empty, unit
from .routes import route
from .schemas import IssueLinkSchema
from .serialize import issue_ref, link_type_json

TAG = "Issue links"


@route("POST", "/rest/api/2/issueLink",
       "Link two issues (inwardIssue is the source, as in Jira)", TAG, body=IssueLinkSchema,
       status=201)
def create() -> Any:
    h, s, user = ctx()
    data = body(IssueLinkSchema)
    source = get_issue(h, s, user, data["inwardIssue"]["key"] or data["inwardIssue"]["id"] or "")
    dest = get_issue(h, s, user, data["outwardIssue"]["key"] or data["outwardIssue"]["id"] or "")
    note = (data.get("comment") or {}).get("body")

    def work() -> None:
        links.link_issues(h, s, user, data["type"], source, dest)
        if note:
            comments.add_comment(h, s, user, source, note)

    unit(work)
    return empty(201)


@route("GET", "/rest/api/2/issueLink/<link_id>", "Get a link", TAG)
def get(link_id: str) -> Any:
    h, s, user = ctx()
    link = links.get_link(h, s, user, link_id)
    lt = links.find_link_type(h, link.link_type)
    return jsonify({"id": str(link.id), "type": link_type_json(lt),
                    "inwardIssue": issue_ref(h, link.outward),
                    "outwardIssue": issue_ref(h, link.inward)})


@route("DELETE", "/rest/api/2/issueLink/<link_id>", "Delete a link", TAG, status=204)
def delete(link_id: str) -> Any:
    h, s, user = ctx()
    unit(lambda: links.delete_link(h, s, user, link_id))
    return empty()


@route("GET", "/rest/api/2/issueLinkType", "Link types", TAG)
def types() -> Any:
    h, _, _ = ctx()
    return jsonify({"issueLinkTypes": [link_type_json(lt) for lt in links.link_types(h)]})


@route("GET", "/rest/api/2/issueLinkType/<type_id>", "One link type", TAG)
def one_type(type_id: str) -> Any:
    h, _, _ = ctx()
    for lt in links.link_types(h):
        if str(lt.id) == type_id:
            return jsonify(link_type_json(lt))
    raise NotFound(gettext("Koblingstypen '%(name)s' finnes ikke.", name=type_id))
