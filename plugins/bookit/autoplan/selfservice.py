"""What a customer may do from their link: confirm the proposed time, pick another
free slot, or ask to be called. Each choice is a comment and history on the order,
and moves the workflow as the SMS replies ``OK`` and ``KONTAKT`` do.

Two customers racing for one slot: the choice locks the installer's row (a write, so
SQLite serialises it too), then checks
the slot against every visit holding time on that installer's day, then writes; the
second finds it taken and is told so. A link is used once (its row locked too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.models import Issue, User
from core.services.comments import add_comment
from core.services.issues import edit_issue, get_value
from core.workflow.engine import transition_issue

from .models import SelfServiceLink
from .slots import Slot

if TYPE_CHECKING:
    from core.host import Amsflow

CONFIRM, PICK, CALL_ME = "confirm", "pick", "call_me"
# statuses in which the customer is being asked (the link works only then)
ASKING = ("awaiting_response",)


class ChoiceRefused(Exception):
    """The choice cannot be made; ``reason`` is a key the page translates."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


SLOT_TAKEN, NOT_ASKING, NO_SUCH_SLOT = "slot_taken", "not_asking", "no_such_slot"


@dataclass(frozen=True)
class Settings:
    confirm_transition: str  # awaiting response -> ready (the SMS reply OK's)
    call_me_transition: str  # awaiting response -> manual follow-up (KONTAKT's)


def status_of(host: Amsflow, issue: Issue) -> str:
    return host.catalog.status_keys[issue.status_id]


def choose(host: Amsflow, session: Session, link: SelfServiceLink, choice: str,
           settings: Settings, *, slot: Slot | None = None,
           holds: Callable[[User, datetime, datetime, Issue], bool] | None = None) -> Issue:
    """Carry out the customer's choice on the link's order (nothing is committed
    here). ``holds`` tells whether another visit holds time on the installer in the
    interval (checked after the installer's row is locked); ``slot`` is the slot the
    customer picked, already checked to be one the page offered."""
    issue = session.get(Issue, link.issue_id)
    if issue is None or status_of(host, issue) not in ASKING:
        raise ChoiceRefused(NOT_ASKING)
    system = host.system_user(session)
    when = _local(get_value(host, issue, "planned_start"))
    if choice == CONFIRM:
        add_comment(host, session, system, issue,
                    f"Kunden bekreftet tidspunktet {when} via lenken i bookingmeldingen.",
                    system=True)
        transition_issue(host, session, system, issue, settings.confirm_transition,
                         system=True)
    elif choice == CALL_ME:
        add_comment(host, session, system, issue,
                    f"Kunden ba om å bli ringt opp om tidspunktet {when} "
                    "(via lenken i bookingmeldingen).", system=True)
        transition_issue(host, session, system, issue, settings.call_me_transition,
                         system=True)
    elif choice == PICK:
        if slot is None or holds is None:
            raise ChoiceRefused(NO_SUCH_SLOT)
        # A write first: it takes the installer's row lock on PostgreSQL and the write
        # lock on SQLite, so the check below sees every pick committed before it.
        locked = session.execute(update(User).where(User.id == slot.installer)
                                 .values(active=User.active))
        installer = session.get(User, slot.installer) if locked.rowcount else None
        if installer is None:
            raise ChoiceRefused(NO_SUCH_SLOT)
        if holds(installer, slot.start, slot.end, issue):
            raise ChoiceRefused(SLOT_TAKEN)
        edit_issue(host, session, system, issue, {
            "assignee": installer.username, "planned_start": slot.start.isoformat(),
            "estimate": int((slot.end - slot.start).total_seconds())}, system=True)
        add_comment(host, session, system, issue,
                    f"Kunden valgte et nytt tidspunkt via lenken: {_local(slot.start)} "
                    f"(var {when}), montør {installer.display_name or installer.username}.",
                    system=True)
        transition_issue(host, session, system, issue, settings.confirm_transition,
                         system=True)
    else:
        raise ChoiceRefused(NO_SUCH_SLOT)
    link.used_at = host.now()
    link.choice = choice
    return issue


def _local(moment: Any) -> str:
    if not isinstance(moment, datetime):
        return "(uten tid)"
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/Oslo")).strftime("%d.%m.%Y kl. %H:%M")


def service_of(estimate_seconds: int | None, default: timedelta) -> timedelta:
    return timedelta(seconds=estimate_seconds) if estimate_seconds else default
