"""The map page ``/mapit/``, its top-menu entry and *Se saken i Mapit*."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request, url_for

from core.filters.service import favourites
from core.i18n import _
from core.registries import IssueAction, NavItem
from core.services.issues import get_value
from core.web.common import host, login_required, user

from . import geo
from .settings import settings

bp = Blueprint("mapit", __name__, url_prefix="/mapit", template_folder="templates",
               static_folder="static", static_url_path="/static")
CALENDAR_PATH = "/bookit/"


def blueprint() -> Blueprint:
    return bp


def nav_items(user: Any) -> list[NavItem]:
    return [NavItem(_("Kart"), "mapit.map_page", order=30)]


def has_position(host: Any, issue: Any) -> bool:
    """A valid position: the field holds a latitude and longitude on the globe, not 0,0
    (what a missing coordinate often becomes in an import)."""
    fid = geo.position_field(host)
    value = get_value(host, issue, fid) if fid else None
    return value is not None and (abs(value[0]) > 1e-9 or abs(value[1]) > 1e-9)


def show_on_map(host: Any, issue: Any) -> list[IssueAction]:
    """*Se saken i Mapit*, in a new tab as the guide says, only for a placed order."""
    if not has_position(host, issue):
        return []
    return [IssueAction(_("Se saken i Mapit"), url_for("mapit.map_page", focus=issue.key),
                        id="mapit-show", new_tab=True)]


def _calendar_url() -> str | None:
    """The calendar's page when a plugin serves one (Bookit), else None."""
    adapter = current_app.url_map.bind("")
    try:
        adapter.match(CALENDAR_PATH)
    except Exception:  # noqa: BLE001 - NotFound, or a redirect: no calendar page
        return None
    return CALENDAR_PATH


@bp.get("/")
@login_required
def map_page() -> Any:
    h, me = host(), user()
    conf = settings(h)
    s = h.db.session()
    wanted = {x for x in request.args.getlist("filter") if x.isdigit()}
    layers = [{"id": f.id, "name": f.name, "on": not wanted or str(f.id) in wanted}
              for f in favourites(h, s, me)]
    jql = request.args.get("jql")
    if jql is not None:
        layers.insert(0, {"id": None, "name": _("Søk: %(jql)s", jql=jql or _("alle ordrer")),
                          "jql": jql, "on": True})
    focus = (request.args.get("focus") or "").strip().upper() or None
    calendar = _calendar_url()
    calendar_args = {k: request.args[k] for k in ("date", "view") if request.args.get(k)}
    page = {
        "split": bool(calendar) and request.args.get("split") == "1",
        "layers": layers, "legend": geo.legend(h), "focus": focus,
        "tiles": {"url": conf["tile_url"], "attribution": conf["tile_attribution"]},
        "center": conf["center"], "zoom": conf["zoom"],
        "urls": {"features": url_for("api.get_api_features"),
                 "order": url_for("api.get_api_order", key="KEY"),
                 "browse": url_for("web.issue", key="KEY"),
                 "navigator": url_for("filters_web.navigator"),
                 "bulk": url_for("bulk_web.orders"),
                 "calendar": calendar,
                 "atlas": url_for("web.vendor_file", filename="world-atlas/countries-110m.json"),
                 "atlasDetail": url_for("web.vendor_file",
                                        filename="world-atlas/countries-50m.json")},
        "maxResults": conf["max_results"],
        # The split view's calendar: the day and view asked for pass through.
        "calendarFrame": f"{calendar}?{urlencode(calendar_args)}" if calendar else None,
    }
    return render_template("mapit/map.html", page=page)
