"""``issue/{key}/comment``: list, add, get, edit, delete."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from ..services import comments
from ..services.issues import get_issue
from .common import body, ctx, empty, unit
from .routes import route
from .schemas import CommentSchema
from .serialize import comment_json

TAG = "Comments"


@route("GET", "/rest/api/2/issue/<key>/comment", "List comments", TAG,
       query=("startAt", "maxResults", "orderBy"))
def list_comments(key: str) -> Any:
    h, s, user = ctx()
    issue = get_issue(h, s, user, key)
    items = [comment_json(issue, c) for c in comments.list_comments(s, issue)]
    if request.args.get("orderBy", "").startswith("-"):
        items.reverse()
    start = request.args.get("startAt", 0, type=int)
    size = request.args.get("maxResults", 5000, type=int)
    page = items[start:start + size]
    return jsonify({"startAt": start, "maxResults": len(page), "total": len(items),
                    "comments": page})


@route("POST", "/rest/api/2/issue/<key>/comment", "Add a comment", TAG,
       body=CommentSchema, status=201)
def add(key: str) -> Any:
    h, s, user = ctx()
    data = body(CommentSchema)
    issue = get_issue(h, s, user, key)
    c = unit(lambda: comments.add_comment(h, s, user, issue, data["body"]))
    return jsonify(comment_json(issue, c)), 201


@route("GET", "/rest/api/2/issue/<key>/comment/<comment_id>", "Get a comment", TAG)
def get(key: str, comment_id: str) -> Any:
    h, s, user = ctx()
    issue = get_issue(h, s, user, key)
    return jsonify(comment_json(issue, comments.get_comment(s, issue, comment_id)))


@route("PUT", "/rest/api/2/issue/<key>/comment/<comment_id>", "Edit a comment", TAG,
       body=CommentSchema)
def edit(key: str, comment_id: str) -> Any:
    h, s, user = ctx()
    data = body(CommentSchema)
    issue = get_issue(h, s, user, key)
    c = unit(lambda: comments.edit_comment(h, s, user, issue, comment_id, data["body"]))
    return jsonify(comment_json(issue, c))


@route("DELETE", "/rest/api/2/issue/<key>/comment/<comment_id>", "Delete a comment", TAG,
       status=204)
def delete(key: str, comment_id: str) -> Any:
    h, s, user = ctx()
    issue = get_issue(h, s, user, key)
    unit(lambda: comments.delete_comment(h, s, user, issue, comment_id))
    return empty()
