"""*Kalender* for dashboards: a filter's orders planned in the coming days, per
installer and day (orders and hours booked), with a link that opens the calendar on
that filter. Registered through ``register_gadgets`` like any gadget type."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import url_for
from marshmallow import Schema, fields, validate

from core.dashboards.contract import GadgetContext, GadgetType
from core.fields import OSLO

from . import availability as av
from . import calendar as cal


class Settings(Schema):
    days = fields.Integer(load_default=5, validate=validate.Range(1, 14), metadata={
        "label": "Antall dager fra i dag", "label_en": "Days from today"})


def data(ctx: GadgetContext) -> dict[str, Any]:
    first = (ctx.now or ctx.host.now()).astimezone(OSLO).date()
    span = cal.Range(first, first + timedelta(days=ctx.config["days"] - 1))
    people = av.installers(ctx.host, ctx.session)
    only = ctx.query.compiled.ids().order_by(None)
    events = cal.orders(ctx.host, ctx.session, ctx.viewer, [p.id for p in people], span,
                        only=only)
    cells: dict[tuple[str, str], dict[str, int]] = {}
    for e in events:
        c = cells.setdefault((e["resourceIds"][0], e["start"][:10]), {"orders": 0,
                                                                        "minutes": 0})
        c["orders"] += 1
        c["minutes"] += e["extendedProps"]["estimate"] // 60
    days = [(span.first + timedelta(days=n)).isoformat() for n in range(ctx.config["days"])]
    rows = [{"installer": p.name, "username": p.username,
             "days": [cells.get((str(p.id), d), {"orders": 0, "minutes": 0}) for d in days]}
            for p in people if any((str(p.id), d) in cells for d in days)]
    link: dict[str, Any] = {"date": first.isoformat()}
    if ctx.filter is not None:
        link["show"] = ctx.filter.id
    return {"days": days, "rows": rows, "total": len(events),
            "calendar": url_for("bookit.calendar_page", **link)}


TYPES = [GadgetType(
    key="bookit.calendar", name="Kalender", name_en="Calendar",
    description="Filterets ordrer planlagt de neste dagene, per montør og dag.",
    description_en="The filter's orders planned in the coming days, per installer and day.",
    config=Settings, data=data, script=("bookit.static", "gadget.js"))]
