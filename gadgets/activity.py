"""*Aktivitetsstrøm*: the latest changes (status, assignee, fields) on the orders the
viewer may see, newest first, optionally only those of a filter."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.dashboards.contract import GadgetContext, GadgetType
from core.fields import OSLO
from core.i18n import in_language
from core.models import ChangeGroup, Issue

SCRIPT = ("gadgets.static", "gadgets.js")
SYSTEM_NAMES = {"status": ("Status", "Status"), "assignee": ("Ansvarlig", "Assignee"),
                "resolution": ("Løsningsstatus", "Resolution"),
                "summary": ("Sammendrag", "Summary")}


class ActivitySettings(Schema):
    limit = fields.Integer(load_default=15, validate=validate.Range(1, 100), metadata={
        "label": "Antall endringer", "label_en": "Number of changes"})


def _field_name(ctx: GadgetContext, field: str) -> str:
    if field in SYSTEM_NAMES:
        return in_language(*SYSTEM_NAMES[field])
    fdef = ctx.host.fields.get(field)
    return in_language(fdef.name, fdef.name_en) if fdef else field


def activity(ctx: GadgetContext) -> dict[str, Any]:
    q = ctx.query
    stmt = (select(ChangeGroup.id).select_from(ChangeGroup)
            .join(q.table, q.id_col == ChangeGroup.issue_id)
            .where(*q.compiled.conditions)
            .order_by(ChangeGroup.created.desc(), ChangeGroup.id.desc())
            .limit(ctx.config["limit"]))
    ids = list(ctx.session.scalars(stmt))
    groups = {g.id: g for g in ctx.session.scalars(
        select(ChangeGroup).where(ChangeGroup.id.in_(ids)))} if ids else {}
    keys = dict(ctx.session.execute(select(Issue.id, Issue.key).where(
        Issue.id.in_({g.issue_id for g in groups.values()}))).all()) if groups else {}
    out = []
    for gid in ids:
        g = groups[gid]
        out.append({"key": keys.get(g.issue_id, ""), "when": g.created.astimezone(OSLO)
                    .isoformat(), "who": g.author.display_name if g.author else "",
                    "changes": [{"field": _field_name(ctx, i.field),
                                 "from": i.from_string or "", "to": i.to_string or ""}
                                for i in g.items]})
    return {"events": out}


TYPES = [GadgetType(
    key="gadgets.activity", name="Aktivitetsstrøm", name_en="Activity stream",
    description="De siste endringene på ordrene du har tilgang til.",
    description_en="The latest changes on the orders you may see.",
    config=ActivitySettings, data=activity, script=SCRIPT, uses_filter=False)]
