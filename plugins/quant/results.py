"""Validation results from Quant's component register.

A rejection moves a closed order to Avvist i Quant (system transition
QUANT_REJECTED) with a comment; an acceptance is noted in a comment. A result for an
order never sent for validation (such as one closed as Kansellert) is refused with
409: there is nothing to answer. The same
result twice changes nothing the second time: a new validation round (the order
closed again) resets the recorded result, so only then does a rejection apply again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy.orm import Session

from core.i18n import _
from core.services.comments import add_comment
from core.services.errors import Conflict
from core.workflow.engine import transition_issue

from .models import ACCEPTED, NOT_SENT, REJECTED, QuantOrderRef
from .refs import issue_of, state_of, status_key, status_name

if TYPE_CHECKING:
    from core.host import Amsflow


class ResultSchema(Schema):
    class Meta:
        unknown = RAISE

    result = fields.String(required=True, validate=validate.OneOf(["accepted", "rejected"]))
    reason = fields.String(load_default="")
    project = fields.String(load_default=None)

    @validates_schema
    def _reason_for_rejection(self, data: dict[str, Any], **_kw: Any) -> None:
        if data["result"] == "rejected" and not data["reason"].strip():
            raise ValidationError(_("Oppgi årsak når ordren avvises."), "reason")


def record_result(host: Amsflow, session: Session, ref: QuantOrderRef, result: str,
                  reason: str = "") -> dict[str, Any]:
    """Apply one validation result (no commit here); returns the order's state."""
    issue = issue_of(session, ref)
    reason = reason.strip()
    status = status_key(host, issue)
    if result == REJECTED:
        if status == "rejected_quant" or (ref.validation_status == REJECTED
                                          and ref.validation_reason == reason):
            return state_of(host, issue, ref, changed=False,
                            message=f"Avvisningen av {issue.key} er allerede mottatt.")
        _require_round(issue, ref)
        if status != "closed":
            raise Conflict(f"{issue.key} har status «{status_name(host, issue, status)}»; "
                           "bare lukkede ordre kan avvises.")
        system = host.system_user(session)
        transition_issue(host, session, system, issue, "QUANT_REJECTED", system=True,
                         comment=("AVVIST I QUANT: Valideringen i komponentregisteret feilet."
                                  f"\nÅrsak: {reason}\nFlytt ordren til Manuell "
                                  "oppfølging og rett opp feilen."))
    else:
        if ref.validation_status == ACCEPTED:
            return state_of(host, issue, ref, changed=False,
                            message=f"Godkjenningen av {issue.key} er allerede mottatt.")
        _require_round(issue, ref)
        add_comment(host, session, host.system_user(session), issue,
                    "Ordren er validert og godkjent i Quant.", system=True)
    ref.validation_status = result
    ref.validation_reason = reason if result == REJECTED else ""
    ref.validation_at = host.now()
    ref.updated = ref.validation_at
    session.flush()
    return state_of(host, issue, ref, changed=True,
                    message=f"{issue.key}: valideringsresultat «{result}» er registrert.")


def _require_round(issue: Any, ref: QuantOrderRef) -> None:
    """Only an order we sent for validation can get a result."""
    if ref.validation_status == NOT_SENT:
        raise Conflict(_("%(key)s er ikke sendt til validering i Quant (for eksempel "
                         "lukket som Kansellert); resultatet er ikke brukt.", key=issue.key))
