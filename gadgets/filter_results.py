"""*Filterresultater*: the filter's first orders as a table of chosen columns."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from core.dashboards.contract import GadgetContext, GadgetType
from core.filters.columns import cell_text, parse_columns
from core.i18n import in_language

SCRIPT = ("gadgets.static", "gadgets.js")


class Settings(Schema):
    columns = fields.String(load_default="", metadata={
        "label": "Kolonner (felt-id, kommaseparert; tomt: filterets)",
        "label_en": "Columns (field ids, comma-separated; empty: the filter's)"})
    limit = fields.Integer(load_default=10, validate=validate.Range(1, 100), metadata={
        "label": "Antall rader", "label_en": "Number of rows"})


def data(ctx: GadgetContext) -> dict[str, Any]:
    raw = ctx.config["columns"] or (ctx.filter.columns if ctx.filter is not None else "")
    cols = parse_columns(ctx.host, raw)
    issues = ctx.issues(ctx.config["limit"])
    labels = []
    for col in cols:
        fdef = ctx.host.fields.get(col.id) if col.field_type != "system" else None
        labels.append(in_language(fdef.name, fdef.name_en) if fdef else str(col.label))
    return {
        "total": ctx.count(),
        "columns": [{"id": c.id, "label": label} for c, label in zip(cols, labels,
                                                                      strict=True)],
        "rows": [{"key": i.key, "status": i.status.key,
                  "cells": [cell_text(ctx.host, i, c) for c in cols]} for i in issues],
    }


TYPES = [GadgetType(
    key="gadgets.filter_results", name="Filterresultater", name_en="Filter results",
    description="Ordrene i et filter som en tabell med valgte kolonner.",
    description_en="A filter's orders as a table of chosen columns.",
    config=Settings, data=data, script=SCRIPT)]
