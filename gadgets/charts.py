"""Count charts over one or two fields: *Kakediagram* and *Todimensjonal
filterstatistikk*."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from core.dashboards.contract import GadgetContext, GadgetType

SCRIPT = ("gadgets.static", "gadgets.js")
CHART_JS = ("chart.js/dist/chart.umd.min.js",)


class PieSettings(Schema):
    field = fields.String(load_default="status", metadata={
        "label": "Felt", "label_en": "Field", "choices": "fields"})


def pie(ctx: GadgetContext) -> dict[str, Any]:
    rows = ctx.counts_by(ctx.config["field"])
    return {"field": ctx.config["field"], "fieldLabel": ctx.query.field_label(ctx.config["field"]),
            "total": sum(r["count"] for r in rows), "slices": rows}


class TwoDSettings(Schema):
    x = fields.String(load_default="status", metadata={
        "label": "Kolonner (felt)", "label_en": "Columns (field)", "choices": "fields"})
    y = fields.String(load_default="assignee", metadata={
        "label": "Rader (felt)", "label_en": "Rows (field)", "choices": "fields"})
    rows = fields.Integer(load_default=20, validate=validate.Range(1, 200), metadata={
        "label": "Høyst antall rader", "label_en": "Most rows"})


def two_dimensional(ctx: GadgetContext) -> dict[str, Any]:
    x, y = ctx.config["x"], ctx.config["y"]
    q = ctx.query
    lx, ly = q.labeller(x), q.labeller(y)
    cells: dict[tuple[str, str], int] = {}
    xs: dict[str, int] = {}
    ys: dict[str, int] = {}
    for vx, vy, n in q.raw_counts(x, y):
        kx, ky = lx(vx), ly(vy)
        cells[(ky, kx)] = cells.get((ky, kx), 0) + int(n)
        xs[kx] = xs.get(kx, 0) + int(n)
        ys[ky] = ys.get(ky, 0) + int(n)
    cols = sorted(xs, key=lambda k: (-xs[k], k))
    rows = sorted(ys, key=lambda k: (-ys[k], k))[:ctx.config["rows"]]
    return {"xLabel": q.field_label(x), "yLabel": q.field_label(y), "columns": cols,
            "rows": [{"label": r, "counts": [cells.get((r, c), 0) for c in cols],
                      "total": ys[r]} for r in rows],
            "columnTotals": [xs[c] for c in cols], "total": sum(xs.values())}


TYPES = [
    GadgetType(key="gadgets.pie", name="Kakediagram", name_en="Pie chart",
               description="Ordrene i et filter fordelt på et valgfritt felt.",
               description_en="A filter's orders split by any field.",
               config=PieSettings, data=pie, script=SCRIPT, vendor=CHART_JS),
    GadgetType(key="gadgets.two_dimensional", name="Todimensjonal filterstatistikk",
               name_en="Two-dimensional filter statistics",
               description="Antall ordre for hver kombinasjon av to felt.",
               description_en="Orders counted for each pair of values of two fields.",
               config=TwoDSettings, data=two_dimensional, script=SCRIPT),
]
