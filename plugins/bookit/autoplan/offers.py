"""The times a customer's page offers: free slots in the installers' days near the
order, cheapest extra driving first (``slots.free_slots`` over ``inputs``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from core.fields import OSLO
from core.models import Issue, User
from core.services.issues import get_value

from ..travel import travel_model
from . import inputs
from .selfservice import Settings
from .settings import autoplan_settings
from .slots import Day, Held, Slot, free_slots

if TYPE_CHECKING:
    from core.host import Amsflow


@dataclass
class Offers:
    host: Amsflow
    project: str
    workflow: Settings
    days_ahead: int
    limit: int

    @classmethod
    def for_issue(cls, host: Amsflow, issue: Issue) -> Offers:
        conf = autoplan_settings(inputs.settings(host, issue.project.key))["selfservice"]
        return cls(host, issue.project.key, Settings(
            confirm_transition=conf["confirm_transition"],
            call_me_transition=conf["call_me_transition"]),
            days_ahead=conf["days_ahead"], limit=conf["slots"])

    def offered(self, session: Session, issue: Issue) -> list[Slot]:
        """Free slots from tomorrow over ``days_ahead`` days, at most one per
        installer-day, ``limit`` in all."""
        place = get_value(self.host, issue, "position")
        if not place:
            return []
        people = [p for p in inputs.av.installers(self.host, session, project=self.project)
                  if p.home is not None]
        tomorrow = (self.host.now().astimezone(OSLO) + timedelta(days=1)).date()
        days = inputs.installer_days(self.host, session, self.project, people, tomorrow,
                                     tomorrow + timedelta(days=self.days_ahead - 1))
        service = timedelta(seconds=inputs.service_seconds(
            self.host, issue, inputs.settings(self.host, self.project)))
        model = travel_model(self.host)
        return free_slots([_slot_day(d, issue.id) for d in days], tuple(place), service,
                          lambda a, b: tuple(model(a, b)), limit=self.limit)

    def holds(self, session: Session) -> Callable[[User, datetime, datetime, Issue], bool]:
        """Whether another visit holds time on an installer in ``[start, end)``."""
        def check(installer: User, start: datetime, end: datetime, issue: Issue) -> bool:
            return any(v.issue_id != issue.id for v in inputs.holding(
                self.host, session, [installer.id], start, end))
        return check


def _slot_day(day: inputs.InstallerDay, exclude: int) -> Day:
    """A working day as the slot finder sees it; the break at its earliest."""
    held = [Held(v.issue_id, v.place, v.start, v.end) for v in day.held
            if v.issue_id != exclude]
    brk: dict[str, Any] = {}
    if day.break_minutes and day.break_earliest:
        brk = {"break_start": day.break_earliest,
               "break_end": day.break_earliest + timedelta(minutes=day.break_minutes)}
    return Day(day.user_id, day.start, day.end, day.home, held, **brk)
