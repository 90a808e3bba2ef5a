"""*Kart* as a dashboard gadget: the filter's orders as the server's clusters at the
gadget's zoom (a few hundred rows whatever the filter's size), drawn by Leaflet with
the map's pins and legend colours (``static/gadget.js``)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from core.dashboards.contract import GadgetContext, GadgetType

from . import geo
from .settings import settings


class GadgetSettings(Schema):
    zoom = fields.Integer(load_default=6, validate=validate.Range(2, 16), metadata={
        "label": "Klyngenes zoomnivå (2–16)", "label_en": "Zoom level of the clusters (2–16)"})


def data(ctx: GadgetContext) -> dict[str, Any]:
    found, total = geo.clusters(ctx.host, ctx.session, ctx.viewer, ctx.jql, geo.Box(),
                                ctx.config["zoom"])
    conf = settings(ctx.host)
    return {"total": total, "zoom": ctx.config["zoom"], "features": found,
            "legend": geo.legend(ctx.host),
            "tiles": {"url": conf["tile_url"], "attribution": conf["tile_attribution"]}}


TYPES = [GadgetType(
    key="mapit.map", name="Kart", name_en="Map",
    description="Ordrene i et filter på kartet, i klynger, farget etter status.",
    description_en="A filter's orders on the map, in clusters, coloured by status.",
    config=GadgetSettings, data=data, script=("mapit.static", "gadget.js"),
    vendor=("leaflet/dist/leaflet.js",))]
