"""``issue/{key}/watchers``: list, start and stop watching."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from ..i18n import _
from ..services import watchers
from ..services.errors import InvalidInput
from ..services.issues import get_issue
from .common import api_url, body, ctx, empty, unit
from .routes import route
from .serialize import user_json

TAG = "Watchers"


@route("GET", "/rest/api/2/issue/<key>/watchers", "Who watches the issue", TAG)
def list_watchers(key: str) -> Any:
    h, s, user = ctx()
    issue = get_issue(h, s, user, key)
    people = watchers.list_watchers(s, issue)
    return jsonify({"self": api_url(f"issue/{issue.key}/watchers"),
                    "isWatching": watchers.is_watching(s, issue, user),
                    "watchCount": len(people), "watchers": [user_json(u) for u in people]})


@route("POST", "/rest/api/2/issue/<key>/watchers",
       "Add a watcher (body: a JSON string username; empty: yourself)", TAG, status=204)
def add(key: str) -> Any:
    h, s, user = ctx()
    name = body(allow_empty=True)
    if name == {}:
        name = None
    if name is not None and not isinstance(name, str):
        raise InvalidInput(errors={"watcher": _("Forventet et brukernavn som JSON-streng.")})
    issue = get_issue(h, s, user, key)
    unit(lambda: watchers.add_watcher(h, s, user, issue, name))
    return empty()


@route("DELETE", "/rest/api/2/issue/<key>/watchers", "Remove a watcher", TAG, status=204,
       query=("username", "accountId"))
def remove(key: str) -> Any:
    h, s, user = ctx()
    name = request.args.get("username") or request.args.get("accountId")
    issue = get_issue(h, s, user, key)
    unit(lambda: watchers.remove_watcher(h, s, user, issue, name))
    return empty()
