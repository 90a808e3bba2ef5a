"""Cancellation messages from Quant, by the order's status (the guide's
"Kansellering av arbeidsordre").

- Åpen: closed with resolution Kansellert and a clear comment; nothing to follow up.
- Started (Under planlegging ... Under arbeid): to Manuell oppfølging with a comment
  naming the previous status, for a planner to assess.
- Løst with a failure resolution (bomtur): reopened into Manuell oppfølging with a
  comment naming the previous status and resolution.
- Lukket: refused (409, ``CancelRefused``); the API also puts the refusal in the
  outbox, so Quant is told even if it dropped the answer.

A second cancellation of the same order changes nothing and answers 200.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from core.i18n import _
from core.services.errors import Conflict
from core.workflow.engine import transition_issue

from .models import QuantOrderRef
from .refs import issue_of, state_of, status_key, status_name

if TYPE_CHECKING:
    from core.host import Amsflow

CANCELLED = "Kansellert"
FOLLOW_UP = ("Planlegger må vurdere saken: kontakt kunden hvis avtale er booket, og "
             "montøren hvis ordren er ute hos montør. Lukk deretter saken med "
             "løsningsstatus Kansellert.")


class CancelRefused(Conflict):
    """A Lukket order cannot be cancelled."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status_name = status


def cancel_order(host: Amsflow, session: Session, ref: QuantOrderRef,
                 reason: str = "") -> dict[str, Any]:
    """Apply one cancellation (no commit here); returns the order's state."""
    issue = issue_of(session, ref)
    if ref.cancelled_at is not None:
        return state_of(host, issue, ref, changed=False,
                        message=f"{issue.key} er allerede kansellert; ingenting er endret.")
    status = status_key(host, issue)
    previous = status_name(host, issue, status)
    resolution = issue.resolution.name if issue.resolution else None
    why = f"\nÅrsak fra Quant: {reason.strip()}" if reason.strip() else ""
    system = host.system_user(session)
    if status == "closed" or (status == "resolved" and resolution == "Ok"):
        raise CancelRefused(_("%(key)s er %(status)s (utført) og kan ikke kanselleres.",
                              key=issue.key, status=previous.lower()), previous)
    if status == "open":
        comment = ("KANSELLERT FRA QUANT: Ordren er kansellert i KIS før arbeidet startet. "
                   f"Den er lukket med løsningsstatus {CANCELLED} og trenger ingen "
                   f"oppfølging.{why}")
        transition_issue(host, session, system, issue, "CLOSE",
                         inputs={"resolution": CANCELLED}, comment=comment, system=True)
    elif status == "resolved":
        comment = ("KANSELLERT FRA QUANT: Ordren er kansellert i KIS etter et forsøk i felt. "
                   f"Forrige status var «{previous}» med løsningsstatus «{resolution}». "
                   f"Saken er gjenåpnet til Manuell oppfølging. {FOLLOW_UP}{why}")
        transition_issue(host, session, system, issue, "CANCELLED_BY_QUANT",
                         comment=comment, system=True)
    else:
        comment = ("KANSELLERT FRA QUANT: Ordren er kansellert i KIS. "
                   f"Forrige status var «{previous}». {FOLLOW_UP}{why}")
        transition_issue(host, session, system, issue, "CANCELLED_BY_QUANT",
                         comment=comment, system=True)
    ref.cancelled_at = host.now()
    ref.updated = ref.cancelled_at
    session.flush()
    return state_of(host, issue, ref, changed=True, previousStatus=previous,
                    previousResolution=resolution,
                    message=f"{issue.key} er kansellert (forrige status «{previous}»).")
