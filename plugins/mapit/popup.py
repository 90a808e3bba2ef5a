"""What the map's popup shows of one order: key, summary, status (with its colour),
customer, address, planned start, installer and a link to the order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from core.models import User
from core.services.issues import get_issue, values_of
from core.web.common import fmt_dt, status_name
from core.web.shell import ink_for

from .geo import alert_statuses, position_field

if TYPE_CHECKING:
    from core.host import Amsflow


def _address(values: dict[str, Any]) -> str:
    town = " ".join(str(values[k]) for k in ("postcode", "post_town") if values.get(k))
    return ", ".join(p for p in (values.get("address"), town) if p)


def details(host: Amsflow, session: Session, user: User, key: str) -> dict[str, Any]:
    """The popup's data; 404 when the order does not exist or the user may not see it."""
    issue = get_issue(host, session, user, key)
    values = values_of(host, issue)
    status = host.catalog.status_keys.get(issue.status_id, "")
    planned = values.get("planned_start")
    pos_id = position_field(host)
    position = next((host.fields[pos_id].from_row(r) for r in issue.values
                     if r.field_id == pos_id), None) if pos_id else None
    return {
        "key": issue.key, "summary": issue.summary,
        "status": {"key": status, "name": status_name(status),
                   "colour": host.status_colour(status), "ink": ink_for(host.status_colour(status)),
                   "alert": status in alert_statuses(host)},
        "customer": values.get("customer_name") or "",
        "address": _address(values),
        "plannedStart": planned.isoformat() if planned else None,
        "plannedStartText": fmt_dt(planned) if planned else "",
        "installer": issue.assignee.display_name if issue.assignee else "",
        "assignee": issue.assignee.username if issue.assignee else None,
        "position": {"lat": position[0], "lon": position[1]} if position else None,
        "url": f"/browse/{issue.key}",
    }
