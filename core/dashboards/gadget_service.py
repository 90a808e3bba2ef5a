"""Gadgets on a dashboard: add (from the gallery), configure, move, remove.

Settings are checked by the gadget's type when saved (``data.load_settings``), except
the filter: a gadget may name a filter that is later deleted or unshared, and then
shows why instead of failing the page.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from ..i18n import _
from ..models import User
from ..services.errors import InvalidInput, NotFound
from .data import CommonConfig, gadget_type
from .models import Dashboard, DashboardGadget
from .service import require_edit


def settings_of(g: DashboardGadget) -> dict[str, Any]:
    try:
        value = json.loads(g.config or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def checked_settings(host: Any, gtype_key: str, config: Any) -> dict[str, Any]:
    """The settings as stored: the common ones and the type's, each checked."""
    from marshmallow import ValidationError

    from .data import _invalid

    gtype = gadget_type(host, gtype_key)
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise InvalidInput(_("Innstillingene må være et JSON-objekt."))
    try:
        common = CommonConfig().load(config)
        own = gtype.load_config(config)
    except ValidationError as exc:
        raise _invalid(exc) from None
    stored = {k: v for k, v in common.items() if v not in (None, "")}
    stored.update(own)
    return stored


def gadget_of(d: Dashboard, gadget_id: Any) -> DashboardGadget:
    for g in d.gadgets:
        if str(g.id) == str(gadget_id):
            return g
    raise NotFound(_("Miniprogrammet %(id)s finnes ikke på dashbordet.", id=gadget_id))


def add_gadget(host: Any, s: Session, user: User, d: Dashboard, type_key: str,
               config: dict[str, Any] | None = None, column: int = 0) -> DashboardGadget:
    """At the top of ``column``; the type's defaults fill what ``config`` leaves out."""
    require_edit(host, user, d)
    gtype = gadget_type(host, type_key)
    stored = checked_settings(host, type_key, {**gtype.default_config, **(config or {})})
    column = max(0, min(int(column or 0), d.columns - 1))
    for other in d.gadgets:
        if other.column == column:
            other.position += 1
    g = DashboardGadget(type=type_key, column=column, position=0, config=json.dumps(stored))
    d.gadgets.append(g)
    d.updated = host.now()
    s.flush()
    return g


def configure_gadget(host: Any, s: Session, user: User, d: Dashboard, g: DashboardGadget,
                     config: dict[str, Any]) -> DashboardGadget:
    require_edit(host, user, d)
    g.config = json.dumps(checked_settings(host, g.type, config))
    d.updated = host.now()
    s.flush()
    return g


def remove_gadget(host: Any, s: Session, user: User, d: Dashboard, g: DashboardGadget) -> None:
    require_edit(host, user, d)
    d.gadgets.remove(g)
    s.delete(g)
    d.updated = host.now()
    s.flush()


def arrange(host: Any, s: Session, user: User, d: Dashboard,
            layout: list[list[Any]], columns: int | None = None) -> None:
    """Place the gadgets as ``layout`` lists them: one list of gadget ids per column
    (after a drag). Every gadget of the dashboard must be named exactly once."""
    require_edit(host, user, d)
    if columns is not None:
        from .service import _columns

        d.columns = _columns(columns)
    if not isinstance(layout, list) or len(layout) > d.columns or \
            not all(isinstance(col, list) for col in layout):
        raise InvalidInput(errors={"layout": _("Én liste med miniprogrammer per kolonne.")})
    named = [str(i) for col in layout for i in col]
    if sorted(named) != sorted(str(g.id) for g in d.gadgets):
        raise InvalidInput(errors={"layout": _("Hvert miniprogram skal stå nøyaktig én gang.")})
    for c, col in enumerate(layout):
        for p, gid in enumerate(col):
            g = gadget_of(d, gid)
            g.column, g.position = c, p
    d.updated = host.now()
    s.flush()
