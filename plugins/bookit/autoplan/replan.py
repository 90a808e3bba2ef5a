"""*Re-plan the day*: when an order drops out of an installer's day (KONTAKT, a
bomtur, a cancellation, illness), the waiting orders that fit the gaps best, each
with the slot it would take and the driving it adds."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from core.i18n import _
from core.jql.compiler import compile_query
from core.jql.errors import JqlError
from core.jql.parser import parse
from core.models import User
from core.services.errors import InvalidInput
from core.services.issues import get_value

from ..travel import travel_model
from . import inputs
from .offers import _slot_day
from .slots import free_slots

if TYPE_CHECKING:
    from core.host import Amsflow

WAITING = 'status = "Under planlegging" AND "Planlagt starttid" IS EMPTY'
SUGGESTIONS = 5
CANDIDATES = 500  # waiting orders looked at, in the query's order


def suggest(host: Amsflow, session: Session, user: User, project: str, installer: str,
            day: date, jql: str | None = None) -> dict[str, Any]:
    """The best fill-ins for ``installer`` on ``day`` from the waiting orders of
    ``project`` (or of ``jql``), cheapest extra driving first."""
    project = project.upper()
    inputs.project_row(session, project)
    people = inputs.installers(host, session, project, [installer])
    days = inputs.installer_days(host, session, project, people, day, day)
    if not days:
        raise InvalidInput(errors={"day": _("%(name)s arbeider ikke %(day)s.", name=installer,
                                                 day=day.isoformat())})
    query = jql or f"project = {project} AND {WAITING}"
    try:
        stmt = compile_query(host, parse(query), user, session)
    except JqlError as exc:
        raise InvalidInput(errors={"jql": str(exc)}) from exc
    waiting = list(session.scalars(stmt.limit(CANDIDATES)).unique())
    conf = inputs.settings(host, project)
    model = travel_model(host)
    slot_day = _slot_day(days[0], exclude=-1)
    found = []
    for issue in waiting:
        place = get_value(host, issue, "position")
        if not place or inputs.unplannable(host, issue, conf):
            continue
        need = inputs.required_skills(host, issue, conf)
        if not need <= days[0].skills:
            continue
        service = timedelta(seconds=inputs.service_seconds(host, issue, conf))
        best = free_slots([slot_day], tuple(place), service,
                          lambda a, b: tuple(model(a, b)), limit=1)
        if best:
            found.append((best[0], issue))
    found.sort(key=lambda f: (f[0].extra_seconds, f[0].start))
    return {"installer": installer, "day": day.isoformat(), "suggestions": [
        {"key": issue.key, "summary": issue.summary, "start": slot.start.isoformat(),
         "end": slot.end.isoformat(), "extraMinutes": round(slot.extra_seconds / 60),
         "extraKm": round(slot.extra_metres / 1000, 1)}
        for slot, issue in found[:SUGGESTIONS]]}
