"""Dashboards and their gadgets as the REST API shows them (Jira's dashboard shape:
id, name, self, view, owner, isFavourite, popularity, sharePermissions; plus the
layout and gadgets, as Jira Cloud's ``dashboard/{id}/gadget`` has them)."""

from __future__ import annotations

from typing import Any

from ..api.common import api_url, base_url
from ..filters.filter_json import share_json
from .gadget_service import settings_of
from .models import Dashboard, DashboardGadget
from .service import can_edit, is_favourite, popularity


def ordered(d: Dashboard) -> list[DashboardGadget]:
    """The gadgets column by column, top to bottom (also right after a move)."""
    return sorted(d.gadgets, key=lambda g: (g.column, g.position, g.id))


def gadget_json(d: Dashboard, g: DashboardGadget) -> dict[str, Any]:
    return {"id": g.id, "moduleKey": g.type, "type": g.type,
            "position": {"column": g.column, "row": g.position},
            "config": settings_of(g),
            "data": api_url(f"dashboard/{d.id}/gadget/{g.id}/data")}


def dashboard_json(host: Any, s: Any, me: Any, d: Dashboard, *, gadgets: bool = True
                   ) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(d.id), "name": d.name, "description": d.description,
        "self": api_url(f"dashboard/{d.id}"), "view": f"{base_url()}/dashboards/{d.id}",
        "owner": ({"name": d.owner.username, "key": d.owner.username,
                   "displayName": d.owner.display_name} if d.owner else None),
        "predefined": d.system_key is not None, "systemKey": d.system_key,
        "isFavourite": is_favourite(s, me, d), "popularity": popularity(s, d),
        "editable": can_edit(host, me, d), "columns": d.columns,
        "sharePermissions": [share_json(host, sh) for sh in d.shares],
    }
    if gadgets:
        out["gadgets"] = [gadget_json(d, g) for g in ordered(d)]
    return out
