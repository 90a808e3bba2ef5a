"""``/rest/api/2/search`` (GET and POST) and the JQL autocomplete endpoints."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from ..api.common import body, ctx
from ..api.fieldmeta import field_names
from ..api.issue_json import issue_json
from ..api.routes import document_route
from ..i18n import _
from ..jql import search
from ..services.errors import InvalidInput
from . import autocomplete
from .api_schemas import SearchBody
from .rest import bp, int_arg

MAX_RESULTS = 1000
DEFAULT_RESULTS = 50
DEFAULT_FIELDS = "*navigable"


def _fields(raw: Any) -> str:
    if raw is None:
        return DEFAULT_FIELDS
    if isinstance(raw, list | tuple):
        return ",".join(str(x) for x in raw if str(x).strip()) or DEFAULT_FIELDS
    return str(raw) or DEFAULT_FIELDS


def run_search(params: dict[str, Any]) -> dict[str, Any]:
    """One page as Jira answers it: startAt, maxResults (capped), total, issues."""
    h, s, me = ctx()
    start_at = int_arg(params.get("startAt"), "startAt", 0)
    max_results = int_arg(params.get("maxResults"), "maxResults", DEFAULT_RESULTS)
    if start_at < 0 or max_results < 0:
        raise InvalidInput(_("startAt og maxResults kan ikke være negative."))
    max_results = min(max_results, MAX_RESULTS)
    expand = params.get("expand") or ""
    if isinstance(expand, list):
        expand = ",".join(expand)
    issues, total = search(h, s, params.get("jql") or "", me, start_at, max_results)
    fields = _fields(params.get("fields"))
    out: dict[str, Any] = {"expand": "schema,names", "startAt": start_at,
                           "maxResults": max_results, "total": total,
                           "issues": [issue_json(h, s, me, i, fields, expand) for i in issues]}
    if "names" in expand.split(","):
        out["names"] = field_names(h)
    return out


@document_route("GET", "/rest/api/2/search",
                "Search orders with JQL", "Search",
                query=("jql", "startAt", "maxResults", "fields", "expand"))
@bp.get("/search")
def search_get() -> Any:
    fields = request.args.getlist("fields")
    params = {k: request.args.get(k) for k in ("jql", "startAt", "maxResults", "expand")}
    params["fields"] = ",".join(fields) if fields else None
    return jsonify(run_search(params))


@document_route("POST", "/rest/api/2/search",
                "Search orders with JQL (JSON body)", "Search", body=SearchBody)
@bp.post("/search")
def search_post() -> Any:
    data = body()
    if not isinstance(data, dict):
        raise InvalidInput(_("Forespørselen må være et JSON-objekt."))
    return jsonify(run_search(data))


@document_route("GET", "/rest/api/2/jql/autocompletedata",
                "Fields, operators and functions for JQL completion", "Search")
@bp.get("/jql/autocompletedata")
def autocomplete_data() -> Any:
    h, s, me = ctx()
    return jsonify(autocomplete.autocomplete_data(h))


@document_route("GET", "/rest/api/2/jql/autocompletedata/suggestions",
                "Value suggestions for a field", "Search", query=("fieldName", "fieldValue"))
@bp.get("/jql/autocompletedata/suggestions")
def autocomplete_suggestions() -> Any:
    h, s, me = ctx()
    name = request.args.get("fieldName", "")
    value = request.args.get("fieldValue", "")
    results = autocomplete.suggestions(h, s, me, name, value)
    return jsonify({"results": results})
