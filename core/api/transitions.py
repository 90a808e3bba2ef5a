"""``issue/{key}/transitions``: what the caller may do now, and doing it."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from ..i18n import _
from ..services.errors import InvalidInput
from ..services.issues import get_issue
from ..workflow.engine import available_transitions, transition_issue
from .common import body, ctx, empty, unit
from .payload import read_update
from .routes import route
from .schemas import TransitionSchema
from .transition_json import transition_json

TAG = "Transitions"


@route("GET", "/rest/api/2/issue/<key>/transitions", "Transitions the caller may do", TAG,
       query=("expand", "transitionId"))
def list_transitions(key: str) -> Any:
    h, s, user = ctx()
    issue = get_issue(h, s, user, key)
    with_fields = "transitions.fields" in (request.args.get("expand") or "")
    only = request.args.get("transitionId")
    items = [transition_json(h, s, issue, t, with_fields)
             for t in available_transitions(h, s, user, issue)
             if only is None or str(t.id) == only]
    return jsonify({"expand": "transitions", "transitions": items})


@route("POST", "/rest/api/2/issue/<key>/transitions", "Do a transition", TAG,
       body=TransitionSchema, status=204)
def do_transition(key: str) -> Any:
    h, s, user = ctx()
    data = body(TransitionSchema)
    issue = get_issue(h, s, user, key, with_values=False)
    changes = read_update(h, data["fields"], data["update"])
    if changes.links:
        raise InvalidInput(errors={"issuelinks": _("Koblinger kan ikke legges til i en "
                                                   "overgang.")})
    adds = [c for verb, c in changes.comments if verb == "add"]
    if len(adds) != len(changes.comments) or len(adds) > 1:
        raise InvalidInput(errors={"comment": _("En overgang tar høyst én ny kommentar.")})
    comment = adds[0].get("body") if adds else None
    if comment is not None and not isinstance(comment, str):
        raise InvalidInput(errors={"comment": _("Kommentaren må være tekst.")})
    ref = data["transition"]["id"] or data["transition"]["name"]
    # The workflow's screens name custom fields by key.
    inputs = {(h.fields.get(k).key if h.fields.get(k) else k): v
              for k, v in changes.fields.items()}
    unit(lambda: transition_issue(h, s, user, issue, ref, inputs=inputs,
                                  comment=comment))
    return empty()
