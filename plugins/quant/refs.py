"""Finding orders by Quant's id, and describing an order's state back to Quant."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import _
from core.models import Issue
from core.services.errors import Forbidden, InvalidInput, NotFound

from .models import QuantOrderRef

if TYPE_CHECKING:
    from core.host import Amsflow

PLUGIN = "quant"


def choose_project(projects: list[str], requested: str | None) -> str:
    """The project a message is for: the one named, if the caller's secret covers it,
    or the only project the secret covers."""
    if requested:
        key = str(requested).strip().upper()
        if key not in projects:
            raise Forbidden(_("Nøkkelen gir ikke tilgang til prosjektet '%(key)s'.", key=key))
        return key
    if len(projects) == 1:
        return projects[0]
    raise InvalidInput(errors={"project": _("Oppgi prosjekt: nøkkelen gjelder flere "
                                            "prosjekter (%(keys)s).",
                                            keys=", ".join(sorted(projects)))})


def find_ref(session: Session, projects: list[str], external_id: str,
             requested: str | None = None) -> QuantOrderRef:
    """The order with Quant's id among the caller's projects; 404 if none."""
    candidates = [choose_project(projects, requested)] if requested else projects
    refs = list(session.scalars(select(QuantOrderRef).where(
        QuantOrderRef.project_key.in_(candidates),
        QuantOrderRef.external_id == external_id)))
    if not refs:
        raise NotFound(_("Ordren '%(id)s' finnes ikke.", id=external_id))
    if len(refs) > 1:
        raise InvalidInput(errors={"project": _("Ordren '%(id)s' finnes i flere "
                                                "prosjekter; oppgi prosjekt.", id=external_id)})
    return refs[0]


def ref_of(session: Session, issue: Issue) -> QuantOrderRef | None:
    return session.scalar(select(QuantOrderRef).where(QuantOrderRef.issue_id == issue.id))


def ensure_ref(host: Amsflow, session: Session, issue: Issue) -> QuantOrderRef:
    """The issue's row, made on first need (orders a person created have none)."""
    ref = ref_of(session, issue)
    if ref is None:
        now = host.now()
        ref = QuantOrderRef(issue_id=issue.id, project_key=issue.project.key,
                            external_id=None, created=now, updated=now)
        session.add(ref)
        session.flush()
    return ref


def status_key(host: Amsflow, issue: Issue) -> str:
    return host.catalog.status_keys[issue.status_id]


def status_name(host: Amsflow, issue: Issue, key: str | None = None) -> str:
    key = key or status_key(host, issue)
    status = host.workflow_of(issue).statuses.get(key)
    return status.name if status is not None else key


def state_of(host: Amsflow, issue: Issue, ref: QuantOrderRef, **extra: Any) -> dict[str, Any]:
    """What Quant is told about an order after any message."""
    return {
        "id": str(issue.id),
        "key": issue.key,
        "externalId": ref.external_id,
        "project": ref.project_key,
        "status": {"key": status_key(host, issue), "name": status_name(host, issue)},
        "resolution": issue.resolution.name if issue.resolution else None,
        "cancelled": ref.cancelled_at is not None,
        "validation": {
            "status": ref.validation_status or None,
            "reason": ref.validation_reason or None,
            "at": ref.validation_at.isoformat() if ref.validation_at else None,
        },
        **extra,
    }


def issue_of(session: Session, ref: QuantOrderRef) -> Issue:
    issue = session.get(Issue, ref.issue_id)
    if issue is None:  # pragma: no cover - the row cascades with its issue
        raise NotFound(_("Saken finnes ikke lenger."))
    return issue
