"""The calendar page ``/bookit/`` and its top-menu entry *Kalender*."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request, url_for

from core.filters.service import favourites, my_filters
from core.i18n import _
from core.registries import NavItem
from core.web.common import host, login_required, user

from . import availability as av
from . import calendar as cal
from .autoplan.web import autoplan_page
from .settings import instance
from .sidelist import DEFAULT_JQL

bp = Blueprint("bookit", __name__, url_prefix="/bookit", template_folder="templates",
               static_folder="static", static_url_path="/static")


def nav_items(user: Any) -> list[NavItem]:
    return [NavItem(_("Kalender"), "bookit.calendar_page", order=20)] if user else []


def _filters(h: Any, s: Any, me: Any) -> list[dict[str, Any]]:
    seen: dict[int, dict[str, Any]] = {}
    for f in [*favourites(h, s, me), *my_filters(s, me)]:
        seen.setdefault(f.id, {"id": f.id, "name": f.name, "jql": f.jql})
    return list(seen.values())


@bp.get("/")
@login_required
def calendar_page() -> Any:
    h, me = host(), user()
    s = h.db.session()
    conf = instance(h)
    try:
        start = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        start = h.now().date()
    view = request.args.get("view")
    page = {
        "date": start.isoformat(), "timeZone": cal.offset(start),
        "view": view if view in ("day", "3day", "week") else "week",
        "snapMinutes": conf.snap_minutes, "pollSeconds": conf.poll_seconds,
        "canEdit": av.can_edit(h, s, me), "show": request.args.get("show") or "",
        "filters": _filters(h, s, me), "defaultJql": DEFAULT_JQL,
        "source": {"filter": request.args.get("filter"), "jql": request.args.get("jql"),
                   "issues": request.args.get("issues")},
        "urls": {"calendar": url_for("api.get_api_calendar"),
                 "stamp": url_for("api.get_api_stamp"),
                 "orders": url_for("api.get_api_get_orders"),
                 "schedule": url_for("api.put_api_put_schedule", key="KEY"),
                 "route": url_for("api.get_api_get_route"),
                 "optimise": url_for("api.post_api_post_optimise"),
                 "apply": url_for("api.post_api_post_apply"),
                 "browse": url_for("web.issue", key="KEY"),
                 "navigator": url_for("filters_web.navigator")},
    }
    page["autoplan"] = autoplan_page(h, start)
    return render_template("bookit/calendar.html", page=page)


@bp.get("/feed/<token>.ics")
def ical_feed(token: str) -> Any:
    """An installer's confirmed orders for their phone's calendar (no login: the
    token in the address is the key)."""
    from flask import Response, abort

    from .feed import feed, installer_of

    h = host()
    s = h.db.session()
    uid = installer_of(s, token)
    if uid is None:
        abort(404)
    return Response(feed(h, s, uid), mimetype="text/calendar",
                    headers={"Cache-Control": "private, max-age=300"})
