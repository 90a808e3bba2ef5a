"""A transition as Jira lists it, with its screen fields under
``expand=transitions.fields`` (resolution with its allowed values)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..host import Amsflow
from ..models import Issue, Resolution
from ..workflow.model import Transition
from .fieldmeta import custom_field
from .serialize import resolution_json, status_json


def _required(t: Transition) -> set[str]:
    out = {"resolution"} if "resolution" in t.screen else set()
    for ref in t.validators:
        if ref.name == "fields_required":
            out |= set(ref.args.get("fields") or ())
    return out


def screen_fields(host: Amsflow, s: Session, t: Transition) -> dict[str, Any]:
    required = _required(t)
    out: dict[str, Any] = {}
    for name in t.screen:
        if name == "resolution":
            excluded = set()
            for ref in t.validators:
                if ref.name == "resolution_allowed":
                    excluded |= set(ref.args.get("exclude") or ())
            values = [resolution_json(r) for r in s.scalars(select(Resolution)
                                                            .order_by(Resolution.id))
                      if r.name not in excluded]
            out["resolution"] = {"required": True, "name": "Løsning", "key": "resolution",
                                 "schema": {"type": "resolution", "system": "resolution"},
                                 "operations": ["set"], "allowedValues": values}
        elif name in ("assignee", "reporter"):
            out[name] = {"required": name in required, "name": name, "key": name,
                         "schema": {"type": "user", "system": name}, "operations": ["set"],
                         "autoCompleteUrl": "/rest/api/2/user/search?username="}
        else:
            fdef = host.fields[name]
            meta = custom_field(fdef)
            field: dict[str, Any] = {"required": name in required or fdef.key in required,
                                     "name": fdef.name, "key": fdef.id,
                                     "schema": meta["schema"], "operations": ["set"]}
            if fdef.options:
                field["allowedValues"] = [{"value": o, "id": o} for o in fdef.options]
            out[fdef.id] = field
    return out


def transition_json(host: Amsflow, s: Session, issue: Issue, t: Transition,
                    with_fields: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"id": str(t.id), "name": t.name, "key": t.key,
                           "to": status_json(host, t.to), "hasScreen": bool(t.screen),
                           "isGlobal": False, "isInitial": False, "isAvailable": True,
                           "isConditional": bool(t.conditions)}
    if with_fields:
        out["fields"] = screen_fields(host, s, t)
    return out
