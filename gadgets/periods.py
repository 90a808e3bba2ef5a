"""Series over days, weeks or months: *Framdrift* (meters exchanged, resolved or
created per period, optionally by installer or status) and *Opprettet mot løst*."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from marshmallow import Schema, fields, validate

from core.dashboards.contract import GadgetContext, GadgetType
from core.dashboards.query import NONE, period_label, period_start
from core.fields import OSLO
from core.i18n import _, _l

SCRIPT = ("gadgets.static", "gadgets.js")
CHART_JS = ("chart.js/dist/chart.umd.min.js",)
PERIODS = (("day", _l("Dag")), ("week", _l("Uke")), ("month", _l("Måned")))
MEASURES = (("exchanged", _l("Målere byttet (løst med Ok)")), ("resolved", _l("Løst")),
            ("created", _l("Opprettet")))
SPLITS = (("none", _l("Ingen")), ("assignee", _l("Montør (ansvarlig)")),
          ("status", _l("Status")), ("project", _l("Nettselskap")))
SUCCESS = "Ok"


def _period_field() -> fields.String:
    return fields.String(load_default="week", validate=validate.OneOf(
        [p for p, _label in PERIODS], labels=[label for _p, label in PERIODS]),
        metadata={"label": "Periode", "label_en": "Period"})


def _count_field(default: int) -> fields.Integer:
    return fields.Integer(load_default=default, validate=validate.Range(1, 366), metadata={
        "label": "Antall perioder", "label_en": "Number of periods"})


def period_starts(now: datetime, period: str, count: int) -> list[date]:
    """The first days of the last ``count`` periods up to today (Oslo), oldest first."""
    today = now.astimezone(OSLO).date()
    starts = [period_start(today, period)]
    while len(starts) < count:
        previous = starts[-1] - timedelta(days=1)
        starts.append(period_start(previous, period))
    return starts[::-1]


def since_of(first: date) -> datetime:
    return datetime.combine(first, time(0), tzinfo=OSLO)


def _series(counts: Counter[tuple[date, Any]], starts: list[date], period: str
            ) -> dict[Any, list[int]]:
    index = {start: i for i, start in enumerate(starts)}
    out: dict[Any, list[int]] = {}
    for (day, value), n in counts.items():
        i = index.get(period_start(day, period))
        if i is None:
            continue
        out.setdefault(value, [0] * len(starts))[i] += n
    return out


class ProgressSettings(Schema):
    measure = fields.String(load_default="exchanged", validate=validate.OneOf(
        [m for m, _label in MEASURES], labels=[label for _m, label in MEASURES]),
        metadata={"label": "Mål", "label_en": "Measure"})
    period = _period_field()
    periods = _count_field(12)
    split = fields.String(load_default="none", validate=validate.OneOf(
        [s for s, _label in SPLITS], labels=[label for _s, label in SPLITS]),
        metadata={"label": "Fordelt på", "label_en": "Split by"})


def progress(ctx: GadgetContext) -> dict[str, Any]:
    cfg = ctx.config
    starts = period_starts(ctx.now, cfg["period"], cfg["periods"])
    q = ctx.query
    where: tuple[Any, ...] = ()
    column = "created" if cfg["measure"] == "created" else "resolution_date"
    if cfg["measure"] == "exchanged":
        ok = ctx.host.catalog.resolution_ids.get(SUCCESS)
        where = (q.column("resolution_id") == ok,)
    split = None if cfg["split"] == "none" else cfg["split"]
    counts = q.buckets(column, since=since_of(starts[0]), split=split, where=where)
    series = _series(counts, starts, cfg["period"])
    labeller = q.labeller(split) if split else (
        lambda _v: str(dict(MEASURES)[cfg["measure"]]))
    datasets = [{"value": NONE if v is None else v, "label": labeller(v), "counts": c,
                 "total": sum(c)} for v, c in series.items()]
    datasets.sort(key=lambda d: (-d["total"], d["label"]))
    return {"measure": cfg["measure"], "period": cfg["period"],
            "labels": [period_label(s, cfg["period"]) for s in starts],
            "starts": [s.isoformat() for s in starts], "datasets": datasets,
            "total": sum(d["total"] for d in datasets), "stacked": split is not None}


class CreatedResolvedSettings(Schema):
    period = _period_field()
    periods = _count_field(12)


def created_vs_resolved(ctx: GadgetContext) -> dict[str, Any]:
    cfg = ctx.config
    starts = period_starts(ctx.now, cfg["period"], cfg["periods"])
    since = since_of(starts[0])
    made = _series(ctx.query.buckets("created", since=since), starts, cfg["period"])
    done = _series(ctx.query.buckets("resolution_date", since=since), starts, cfg["period"])
    created, resolved = made.get(None, [0] * len(starts)), done.get(None, [0] * len(starts))
    return {"labels": [period_label(s, cfg["period"]) for s in starts],
            "starts": [s.isoformat() for s in starts],
            "datasets": [{"value": "created", "label": _("Opprettet"), "counts": created,
                          "total": sum(created)},
                         {"value": "resolved", "label": _("Løst"), "counts": resolved,
                          "total": sum(resolved)}],
            "total": sum(created) + sum(resolved)}


TYPES = [
    GadgetType(key="gadgets.progress", name="Framdrift per periode",
               name_en="Progress per period",
               description="Målere byttet (eller løst, opprettet) per dag, uke eller måned, "
                           "eventuelt fordelt på montør eller status.",
               description_en="Meters exchanged (or resolved, created) per day, week or "
                              "month, optionally by installer or status.",
               config=ProgressSettings, data=progress, script=SCRIPT, vendor=CHART_JS),
    GadgetType(key="gadgets.created_vs_resolved", name="Opprettet mot løst",
               name_en="Created vs resolved",
               description="Ordre opprettet og løst per periode.",
               description_en="Orders created and resolved per period.",
               config=CreatedResolvedSettings, data=created_vs_resolved, script=SCRIPT,
               vendor=CHART_JS),
]
