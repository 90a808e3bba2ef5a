"""The phone's sync API under ``/rest/mobile/1``, declared in the core's route table
so it has the API's authentication, Jira-style errors and its place in the OpenAPI
document.

``GET sync?cursor=``: the caller's orders on the phone. ``keys`` is always the whole
set (the phone drops what left it: done, reassigned, cancelled); ``orders`` holds the
details of those changed since the cursor (all of them without one); ``cursor`` is
what to send next time. ``POST actions``: a batch of actions, each with its client
id, applied in order; one result per action (200/201 applied, 409 the order changed
meanwhile with its current state, 400/403/404/413 refused), and the current state
of every order the batch touched that the caller still sees.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from marshmallow import RAISE, Schema, fields, validate

from core.api.common import body, caller, ctx
from core.api.routes import route
from core.i18n import _
from core.services.errors import InvalidInput

from . import actions, orders

TAG = "mobile"
PREFIX = "/rest/mobile/1"
MAX_BATCH = 100


class ActionSchema(Schema):
    """One action; which of the optional fields count depends on ``type``."""

    class Meta:
        unknown = RAISE

    clientId = fields.String(required=True, validate=validate.Length(min=1, max=64))  # noqa: N815
    type = fields.String(required=True, validate=validate.OneOf(actions.KINDS))
    issue = fields.String(required=True, validate=validate.Length(min=1, max=40))
    base = fields.Integer(load_default=None, allow_none=True)
    created = fields.String(load_default=None, allow_none=True)  # when the phone made it
    resolution = fields.String(load_default=None, allow_none=True)
    newMeterNumber = fields.String(load_default=None, allow_none=True)  # noqa: N815
    reading = fields.String(load_default=None, allow_none=True)
    comment = fields.String(load_default=None, allow_none=True)
    body = fields.String(load_default=None, allow_none=True)
    filename = fields.String(load_default=None, allow_none=True)
    contentType = fields.String(load_default=None, allow_none=True)  # noqa: N815
    data = fields.String(load_default=None, allow_none=True)  # a photo, base64
    summary = fields.String(load_default=None, allow_none=True)
    description = fields.String(load_default=None, allow_none=True)


class BatchSchema(Schema):
    class Meta:
        unknown = RAISE

    actions = fields.List(fields.Nested(ActionSchema), required=True,
                          validate=validate.Length(max=MAX_BATCH))


def snapshot(h: Any, s: Any, me: Any, cursor: Any = None) -> dict[str, Any]:
    """The caller's orders as the phone stores them (``sync``'s answer)."""
    now = h.now()
    mine = orders.my_orders(h, s, me)
    changed = [i for i in mine if cursor is None or i.updated >= cursor]
    return {"cursor": orders.cursor_of(now), "serverTime": now.isoformat(),
            "keys": [i.key for i in mine], "orders": orders.details(h, s, changed),
            "projects": {key: orders.project_json(h, key) for key in orders.projects(h)}}


@route("GET", f"{PREFIX}/sync", "The caller's orders on the phone: every key, and the "
       "details of those changed since the cursor", TAG, query=("cursor",))
def sync() -> Any:
    h, s, me = ctx()
    raw = request.args.get("cursor")
    try:
        cursor = orders.parse_cursor(raw)
    except ValueError:
        raise InvalidInput(errors={"cursor": _("Ugyldig cursor: %(value)s", value=raw)}) \
            from None
    return jsonify(snapshot(h, s, caller(), cursor))


@route("POST", f"{PREFIX}/actions", "Apply a batch of the phone's actions, each once by its "
       "client id; a result per action (409: the order changed meanwhile)", TAG,
       body=BatchSchema, responses={413: "The request is larger than allowed"})
def post_actions() -> Any:
    h, s, me = ctx()
    me = caller()
    batch = body(BatchSchema)["actions"]
    results = actions.apply_batch(h, s, me, batch)
    touched = {str(a["issue"]).upper() for a in batch}
    current = {o["key"]: o for o in orders.details(h, s, orders.visible(h, s, me, touched))}
    for result in results:
        if result["status"] == 409:
            result["current"] = current.get(str(result["issue"]).upper())
    h.db.commit(s)  # only read since the last action: COMMIT keeps psycopg's statements
    return jsonify({"results": results, "orders": list(current.values())})
