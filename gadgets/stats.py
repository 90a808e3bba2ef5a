"""*Gjennomsnittlig alder* of the filter's unresolved orders, and *Bomtur*: the
resolved orders that were not done, by failure reason."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import func

from core.dashboards.contract import GadgetContext, GadgetType
from core.dashboards.query import NONE
from core.i18n import _l

SCRIPT = ("gadgets.static", "gadgets.js")
CHART_JS = ("chart.js/dist/chart.umd.min.js",)
DAY = 86400.0
UNIX_JULIAN_DAY = 2440587.5


class AgeSettings(Schema):
    field = fields.String(load_default="status", metadata={
        "label": "Fordelt på (felt)", "label_en": "Split by (field)", "choices": "fields"})


def _days(session: Any, col: Any) -> Any:
    """A time column as days since 1970 (UTC), in SQL on either database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", col) / DAY
    return func.julianday(col) - UNIX_JULIAN_DAY


def average_age(ctx: GadgetContext) -> dict[str, Any]:
    """Average days since creation of the unresolved orders, per value of a field."""
    q = ctx.query
    unresolved = q.column("resolution_id").is_(None)
    created = q.column("created")
    stmt = q.grouped(ctx.config["field"], where=(unresolved,),
                     measures=(func.count(), func.avg(_days(ctx.session, created))))
    now = ctx.now.astimezone(UTC).timestamp() / DAY
    labels = q.labeller(ctx.config["field"])
    rows, total_n, total_age = [], 0, 0.0
    for value, n, mean_created in ctx.session.execute(stmt):
        days = now - float(mean_created)
        rows.append({"value": NONE if value is None else value, "label": labels(value),
                     "count": int(n), "averageDays": round(days, 1)})
        total_n += int(n)
        total_age += days * int(n)
    rows.sort(key=lambda r: (-r["averageDays"], r["label"]))
    return {"fieldLabel": q.field_label(ctx.config["field"]), "rows": rows, "count": total_n,
            "averageDays": round(total_age / total_n, 1) if total_n else None}


class BomturSettings(Schema):
    chart = fields.String(load_default="bar", validate=validate.OneOf(
        ["bar", "pie"], labels=[_l("Stolper"), _l("Kake")]),
        metadata={"label": "Diagram", "label_en": "Chart"})
    success = fields.String(load_default="Ok,Kansellert", metadata={
        "label": "Løsningsstatuser som ikke er bomtur (kommaseparert)",
        "label_en": "Resolutions that are not failed visits (comma-separated)"})


def bomtur(ctx: GadgetContext) -> dict[str, Any]:
    """Orders resolved with a failure reason (any resolution but the successful ones,
    ``Ok`` and ``Kansellert`` by default), by reason: the guide's bomtur figure."""
    not_failures = {name.strip().casefold() for name in ctx.config["success"].split(",")}
    rows = [r for r in ctx.counts_by("resolution")
            if r["value"] != NONE and r["label"].casefold() not in not_failures]
    return {"chart": ctx.config["chart"], "fieldLabel": ctx.query.field_label("resolution"),
            "slices": rows, "total": sum(r["count"] for r in rows)}


TYPES = [
    GadgetType(key="gadgets.average_age", name="Gjennomsnittlig alder",
               name_en="Average age",
               description="Hvor mange dager de uløste ordrene i filteret har vært åpne, "
                           "i snitt, fordelt på et felt.",
               description_en="How many days the filter's unresolved orders have been "
                              "open on average, split by a field.",
               config=AgeSettings, data=average_age, script=SCRIPT, vendor=CHART_JS),
    GadgetType(key="gadgets.bomtur", name="Bomtur per årsak", name_en="Failed visits by reason",
               description="Ordre som ble forsøkt utført men ikke gjennomført, per årsak.",
               description_en="Orders attempted but not done, by failure reason.",
               config=BomturSettings, data=bomtur, script=SCRIPT, vendor=CHART_JS),
]
