"""amsflow's own API (``/rest/amsflow/1``): plugins and failed jobs for admins, and
each user's API tokens (shown once on creation, stored only as a hash)."""

from __future__ import annotations

import json
from typing import Any

from flask import jsonify, request
from sqlalchemy import select

from .. import permissions as perms
from ..auth import create_token
from ..i18n import gettext
from ..models import ApiToken, JobRecord
from ..services.errors import NotFound
from .common import body, caller, ctx, empty, unit
from .routes import route
from .schemas import TokenSchema
from .serialize import when

TAG = "amsflow"


@route("GET", "/rest/amsflow/1/plugins",
       "Plugins with version, hooks and the projects enabling each (admin)", TAG, admin=True)
def plugins() -> Any:
    h, _, _ = ctx()
    return jsonify(h.plugins.describe())


def _job_json(rec: JobRecord) -> dict[str, Any]:
    try:
        args = json.loads(rec.args_json or "{}")
    except ValueError:
        args = rec.args_json
    return {"id": rec.id, "name": rec.name, "status": rec.status, "args": args,
            "error": rec.error, "attempts": rec.attempts, "created": when(rec.created),
            "finished": when(rec.finished)}


@route("GET", "/rest/amsflow/1/jobs", "Background jobs, e.g. ?status=failed (admin)", TAG,
       admin=True, query=("status", "maxResults"))
def jobs() -> Any:
    _, s, _ = ctx()
    stmt = select(JobRecord).order_by(JobRecord.created.desc())
    if request.args.get("status"):
        stmt = stmt.where(JobRecord.status == request.args["status"])
    limit = min(request.args.get("maxResults", 200, type=int), 1000)
    return jsonify([_job_json(r) for r in s.scalars(stmt.limit(limit))])


def _token_json(t: ApiToken) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "created": when(t.created),
            "lastUsed": when(t.last_used), "revoked": t.revoked}


@route("GET", "/rest/amsflow/1/tokens", "Your API tokens", TAG)
def tokens() -> Any:
    _, s, _ = ctx()
    me = caller()
    rows = s.scalars(select(ApiToken).where(ApiToken.user_id == me.id).order_by(ApiToken.id))
    return jsonify([_token_json(t) for t in rows])


@route("POST", "/rest/amsflow/1/tokens", "Create an API token (the secret is shown once)",
       TAG, body=TokenSchema, status=201)
def new_token() -> Any:
    _, s, _ = ctx()
    me = caller()
    name = body(TokenSchema)["name"].strip()

    def work() -> tuple[str, ApiToken]:
        secret = create_token(s, me, name)
        s.flush()
        token = s.scalars(select(ApiToken).where(ApiToken.user_id == me.id)
                          .order_by(ApiToken.id.desc())).first()
        return secret, token

    secret, token = unit(work)
    return jsonify({**_token_json(token), "token": secret}), 201


@route("DELETE", "/rest/amsflow/1/tokens/<int:token_id>", "Revoke an API token", TAG,
       status=204)
def revoke(token_id: int) -> Any:
    h, s, _ = ctx()
    me = caller()
    token = s.get(ApiToken, token_id)
    if token is None or (token.user_id != me.id and not perms.is_admin(h, me)):
        raise NotFound(gettext("Tokenet finnes ikke."))

    def work() -> None:
        token.revoked = True

    unit(work)
    return empty()
