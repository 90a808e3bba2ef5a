"""The map's REST API under ``/rest/mapit/1``, declared in the core's route table so it
gets the API's authentication, Jira-style errors and a place in the OpenAPI document.

``features``: GeoJSON of a filter's or a JQL query's orders in a bounding box, as
points (paged by ``startAt``/``maxResults``) or as the server's grid clusters for a
zoom (``cluster=auto`` clusters when more than ``cluster_above`` orders are in view).
``order/{key}``: what the map's popup shows. ``layers``: the caller's favourite
filters, the status legend and the tile settings.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, jsonify, request, url_for

from core.api.common import caller, ctx
from core.api.routes import route
from core.filters.rest import int_arg
from core.filters.service import favourites, get_filter
from core.i18n import _
from core.jql import JqlError
from core.services.errors import InvalidInput

from . import geo, popup
from .settings import settings

TAG = "mapit"
PREFIX = "/rest/mapit/1"
MAX_ZOOM = 22


def _query() -> tuple[str, int | None]:
    """The JQL of ``filter`` or ``jql`` (at most one), and the filter's id."""
    h, s, me = ctx()
    filter_id, jql = request.args.get("filter"), request.args.get("jql")
    if filter_id and jql is not None:
        raise InvalidInput(errors={"filter": _("Oppgi enten filter eller jql, ikke begge.")})
    if filter_id:
        return get_filter(h, s, me, filter_id).jql, int(filter_id)
    return jql or "", None


def _box() -> geo.Box:
    try:
        return geo.Box.parse(request.args.get("bbox"))
    except ValueError:
        raise InvalidInput(errors={"bbox": _(
            "bbox må være fire tall vest,sør,øst,nord i grader (sør ≤ nord, "
            "vest ≤ øst), ikke %(value)r.", value=request.args.get("bbox"))}) from None


def _cluster_mode() -> str:
    mode = (request.args.get("cluster") or "auto").lower()
    if mode not in ("auto", "true", "false"):
        raise InvalidInput(errors={"cluster": _("cluster må være auto, true eller false.")})
    return mode


@route("GET", f"{PREFIX}/features", "Orders of a filter or JQL query as GeoJSON (points "
       "or clusters) in a bounding box", TAG,
       query=("filter", "jql", "bbox", "zoom", "cluster", "startAt", "maxResults"))
def features() -> Any:
    h, s, me = ctx()
    caller()
    conf = settings(h)
    jql, filter_id = _query()
    box = _box()
    mode = _cluster_mode()
    zoom_raw = request.args.get("zoom")
    zoom = int_arg(zoom_raw, "zoom", -1)
    if zoom_raw not in (None, "") and not 0 <= zoom <= MAX_ZOOM:
        raise InvalidInput(errors={"zoom": _("zoom må være mellom 0 og %(max)s.", max=MAX_ZOOM)})
    if mode == "true" and zoom < 0:
        raise InvalidInput(errors={"zoom": _("Klynger trenger zoom.")})
    start_at = int_arg(request.args.get("startAt"), "startAt", 0)
    max_results = int_arg(request.args.get("maxResults"), "maxResults", conf["max_results"])
    if start_at < 0 or max_results < 1:
        raise InvalidInput(_("startAt kan ikke være negativ, og maxResults må være minst 1."))
    max_results = min(max_results, conf["max_results"])
    envelope = {"type": "FeatureCollection", "filter": filter_id, "jql": jql,
                "bbox": [box.west, box.south, box.east, box.north]}
    try:
        if mode != "false" and zoom >= 0:
            found, total = geo.clusters(h, s, me, jql, box, zoom)
            if mode == "true" or total > conf["cluster_above"]:
                return jsonify({**envelope, "features": found, "clustered": True,
                                "total": total, "startAt": 0, "maxResults": len(found),
                                "isLast": True})
        texts, last, total = geo.points(h, s, me, jql, box, start_at, max_results)
    except JqlError as exc:
        raise InvalidInput(errors={"jql": exc.message}) from None
    head = json.dumps({**envelope, "clustered": False, "total": total, "startAt": start_at,
                       "maxResults": max_results, "isLast": last})
    # 50,000 features as text: the envelope through json, the features joined in.
    return Response(f'{head[:-1]},"features":[{",".join(texts)}]}}',
                    mimetype="application/json")


@route("GET", f"{PREFIX}/order/<key>", "What the map's popup shows of one order", TAG)
def order(key: str) -> Any:
    h, s, me = ctx()
    return jsonify(popup.details(h, s, caller(), key))


@route("GET", f"{PREFIX}/layers", "The caller's favourite filters as map layers, the status "
       "legend and the tile settings", TAG)
def layers() -> Any:
    h, s, me = ctx()
    conf = settings(h)
    mine = favourites(h, s, caller())
    return jsonify({
        "layers": [{"id": f.id, "name": f.name, "jql": f.jql,
                    "url": url_for("api.get_api_features", filter=f.id)} for f in mine],
        "legend": geo.legend(h),
        "tiles": {"url": conf["tile_url"], "attribution": conf["tile_attribution"]},
    })
