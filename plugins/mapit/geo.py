"""Orders of a JQL query as map points or grid clusters, inside a bounding box.

The query goes through the core's search (``core.jql.compile_search``), so the
caller's browse permission (an installer sees only their own orders) is the same SQL
clause the navigator and the counts use; this module only adds the position and the
box. Points are paged by issue id. Clusters are a ``GROUP BY`` on a grid whose cell is
about ``CELL_PX`` screen pixels at the asked zoom: the database sums 50,000 orders
into a few hundred rows instead of sending every one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, and_, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from core.jql import compile_search, parse
from core.jql.compiler import tune
from core.models import FieldValue, Issue, User

if TYPE_CHECKING:
    from core.host import Amsflow

PLUGIN = "mapit"
CELL_PX = 60  # a cluster stands for the orders in about this many pixels square
TILE_PX = 256
ALERT_COLOUR = "#ff8b00"  # the guide: an orange map icon with "!", whatever the status colour


@dataclass(frozen=True)
class Box:
    """West, south, east, north in degrees (WGS 84), as GeoJSON orders a bbox."""

    west: float = -180.0
    south: float = -90.0
    east: float = 180.0
    north: float = 90.0

    @classmethod
    def parse(cls, text: str | None) -> Box:
        """``"w,s,e,n"``; raises ValueError with the reason."""
        if not text:
            return cls()
        parts = text.split(",")
        if len(parts) != 4:
            raise ValueError("bbox must be four numbers: west,south,east,north")
        w, s, e, n = (float(p) for p in parts)
        if not (-90 <= s <= n <= 90):
            raise ValueError("bbox: south and north must lie within -90..90, south <= north")
        # A view panned across the antimeridian: the plain box covers all longitudes.
        if e - w >= 360 or w < -180 or e > 180:
            w, e = -180.0, 180.0
        if w > e:
            raise ValueError("bbox: west must not be east of east")
        return cls(w, s, e, n)


def position_field(host: Amsflow) -> str | None:
    """The id of the configured position field (the first of type ``position``)."""
    return next((f.id for f in host.fields if f.type == "position"), None)


def _enabled_projects(host: Amsflow) -> Any:
    """A clause on the projects that enable the map (None: all of them do)."""
    keys = set(host.plugins.projects_enabling(PLUGIN))
    every = {p["key"] for p in host.config["projects"]}
    if keys >= every:
        return None
    ids = [host.catalog.project_ids[k] for k in keys if k in host.catalog.project_ids]
    return Issue.project_id.in_(ids)


LAT, LON = FieldValue.value_num, FieldValue.value_num2


def _located(host: Amsflow, session: Session, user: User | None, jql: str, box: Box,
             *columns: Any) -> Select:
    """``select(*columns)`` over the orders of the query that the user may see and that
    have a position in the box (orders joined to their position row)."""
    compiled = compile_search(host, parse(jql), user, session)
    stmt = (select(*columns).select_from(Issue)
            .join(FieldValue, and_(FieldValue.issue_id == Issue.id,
                                   FieldValue.field_id == position_field(host)))
            .where(Issue.id.in_(compiled.ids().order_by(None)),
                   LAT.between(box.south, box.north), LON.between(box.west, box.east)))
    projects = _enabled_projects(host)
    if projects is not None:
        stmt = stmt.where(projects)
    tune(session)
    return stmt


def points(host: Amsflow, session: Session, user: User | None, jql: str, box: Box,
           start_at: int = 0, max_results: int = 1000) -> tuple[list[str], bool, int]:
    """One page of located orders (by id) as GeoJSON feature texts, whether it is the
    last, and how many there are in all (counted in the same query, by a window)."""
    stmt = (_located(host, session, user, jql, box, Issue.key, Issue.status_id, LAT, LON,
                     func.count().over())
            .order_by(Issue.id).offset(start_at).limit(max_results + 1))
    rows = session.execute(stmt).all()
    if not rows:
        return [], True, count(host, session, user, jql, box) if start_at else 0
    fragments = _status_fragments(host)
    out = [f'{{"type":"Feature","id":"{key}","geometry":{{"type":"Point","coordinates":'
           f'[{x:.6f},{y:.6f}]}},"properties":{{"key":"{key}",{fragments.get(st, _NONE)}}}}}'
           for key, st, y, x, _n in rows[:max_results]]
    return out, len(rows) <= max_results, int(rows[0][4])


_NONE = '"status":"","alert":false'


def _status_fragments(host: Amsflow) -> dict[int, str]:
    """``"status":"ready","alert":false`` per status id: 50,000 features are written as
    text (keys are ``PROJECT-N``, status keys config names), not dicts through json."""
    alert = alert_statuses(host)
    return {sid: f'"status":{json.dumps(key)},"alert":{"true" if key in alert else "false"}'
            for sid, key in host.catalog.status_keys.items()}


def count(host: Amsflow, session: Session, user: User | None, jql: str, box: Box) -> int:
    return int(session.scalar(_located(host, session, user, jql, box, func.count())) or 0)


def cell_degrees(zoom: int) -> float:
    """Degrees of longitude in ``CELL_PX`` pixels at ``zoom`` (Web Mercator tiles)."""
    return 360.0 / (2 ** zoom) * CELL_PX / TILE_PX


def clusters(host: Amsflow, session: Session, user: User | None, jql: str, box: Box,
             zoom: int) -> tuple[list[dict[str, Any]], int]:
    """Grid clusters of the located orders (count, centre, the alert orders among them;
    a cell holding one order is that order's point), and the orders in all."""
    cell = cell_degrees(zoom)
    # Latitude cells shrink with cos(lat) on the map; one factor for Norway's band
    # keeps them about square there without a trigonometric function in SQL.
    gx = cast((LON + 180.0) / cell, Integer)
    gy = cast((LAT + 90.0) / (cell / 2), Integer)
    alert_ids = [host.catalog.status_ids[s] for s in alert_statuses(host)
                 if s in host.catalog.status_ids]
    alerts = func.sum(cast(Issue.status_id.in_(alert_ids), Integer)) if alert_ids \
        else func.sum(0)
    stmt = _located(host, session, user, jql, box, func.count(), func.avg(LAT), func.avg(LON),
                    func.min(Issue.key), func.min(Issue.status_id), alerts).group_by(gx, gy)
    keys = host.catalog.status_keys
    alert = alert_statuses(host)
    out, total = [], 0
    for n, y, x, key, st, n_alert in session.execute(stmt):
        total += n
        coords = [round(float(x), 6), round(float(y), 6)]
        if n == 1:
            status = keys.get(st, "")
            out.append({"type": "Feature", "id": key,
                        "geometry": {"type": "Point", "coordinates": coords},
                        "properties": {"key": key, "status": status, "alert": status in alert}})
        else:
            out.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": coords},
                        "properties": {"cluster": True, "point_count": int(n),
                                       "alerts": int(n_alert or 0)}})
    return out, total


def alert_statuses(host: Amsflow) -> frozenset[str]:
    from .settings import settings

    return frozenset(settings(host)["alert_statuses"])


def legend(host: Amsflow) -> list[dict[str, Any]]:
    """The statuses in workflow order with their configured colour and alert mark."""
    from core.web.common import status_name

    alert = alert_statuses(host)
    return [{"key": key, "name": status_name(key), "colour": host.status_colour(key),
             "alert": key in alert,
             "marker": ALERT_COLOUR if key in alert else host.status_colour(key)}
            for key in host.all_statuses()]
