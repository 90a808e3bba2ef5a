"""The side list: orders to drag onto the calendar, from a saved filter, a JQL query
or a list of keys (the map's *Send til kalenderen*), through the core's search, so a
planner sees exactly what the navigator shows for the same query."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from core.i18n import in_language
from core.jql import JqlError
from core.jql.compiler import search
from core.models import User
from core.services.errors import InvalidInput
from core.services.issues import values_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from core.host import Amsflow

DEFAULT_JQL = 'status = "Under planlegging" AND "Planlagt starttid" IS EMPTY ORDER BY key'
KEY = re.compile(r"^[A-Z][A-Z0-9]{1,9}-\d{1,9}$")
LIMIT = 200


def keys_jql(keys: list[str]) -> str:
    """``key in (...)`` for keys of the right shape (others are an input error)."""
    bad = [k for k in keys if not KEY.match(k.upper())]
    if bad:
        raise InvalidInput(errors={"issues": f"{bad[0]!r}"})
    return f"key in ({', '.join(k.upper() for k in keys)}) ORDER BY key"


def orders(host: Amsflow, session: Session, user: User | None, jql: str,
           limit: int = LIMIT) -> dict[str, Any]:
    """Up to ``limit`` orders of ``jql`` with what a side-list card shows."""
    try:
        found, total = search(host, session, jql, user, 0, limit)
    except JqlError as exc:
        raise InvalidInput(errors={"jql": exc.message}) from None
    statuses = host.all_statuses()
    out = []
    for issue in found:
        values = values_of(host, issue)
        status = host.catalog.status_keys[issue.status_id]
        st = statuses.get(status)
        out.append({
            "key": issue.key, "version": issue.version, "summary": issue.summary,
            "status": status, "statusName": in_language(st.name, st.name_en) if st else status,
            "colour": host.status_colour(status),
            "assignee": issue.assignee.username if issue.assignee else None,
            "estimate": values.get("estimate"),
            "important": bool(values.get("important_info")),
            "customer": values.get("customer_name") or "",
            "address": " ".join(str(values[k]) for k in ("address", "postcode", "post_town")
                                if values.get(k)),
            "planned": values["planned_start"].isoformat() if values.get("planned_start")
            else None})
    return {"jql": jql, "total": total, "issues": out}
