"""REST for gadget types: the gallery's list, and a type's data for settings that
no dashboard holds yet (the gadget form's preview; plugins' tests)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import get_locale

from ..api.common import body, caller, ctx
from ..api.routes import route
from ..i18n import _
from ..services.errors import InvalidInput
from .data import CommonConfig, describe, gadget_data, gadget_type

TAG = "dashboards"


def request_lang() -> str:
    return str(get_locale() or "nb")[:2]


def fresh_arg() -> bool:
    return request.args.get("refresh", "").lower() in ("1", "true", "yes")


def config_body() -> dict[str, Any]:
    data = body(allow_empty=True)
    if not isinstance(data, dict):
        raise InvalidInput(_("Forespørselen må være et JSON-objekt."))
    return data


@route("GET", "/rest/api/2/dashboard/gadgets", "Gadget types that can be added", TAG)
def gadget_types() -> Any:
    h, _s, _me = ctx()
    caller()
    return jsonify({"gadgets": [describe(h, entry.fn) for entry in h.plugins.gadgets]})


@route("POST", "/rest/api/2/dashboard/gadgets/<key>/data",
       "A gadget type's data for the given settings (filterId or jql, and the type's own)",
       TAG, body=CommonConfig, query=("refresh",))
def gadget_type_data(key: str) -> Any:
    h, s, _me = ctx()
    me = caller()
    gtype = gadget_type(h, key)
    return jsonify(gadget_data(h, s, me, gtype, config_body(), lang=request_lang(),
                               fresh=fresh_arg()))
