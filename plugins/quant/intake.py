"""Orders from Quant: create by Quant's id, or update the KIS fields of one we have.

Quant is the only writer of KIS fields (people get InvalidInput when they try), so
updates go through ``edit_issue(..., system=True)`` and touch KIS fields only: a
planner's work on other fields (mobile number, assignee) is never overwritten.

Out of order: an update older (by ``webhook-timestamp``) than the last one applied is
ignored as stale; an update of a Lukket order is refused (409); a cancellation that
came before its order waits in the message log and is applied when the order is
created.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.i18n import _
from core.services.errors import Conflict, InvalidInput
from core.services.issues import create_issue, edit_issue

from .contract import BatchSchema, OrderSchema  # noqa: F401 - the schemas' old home
from .models import IN, PROCESSED, WAITING, QuantMessage, QuantOrderRef
from .refs import PLUGIN, choose_project, issue_of, status_key

if TYPE_CHECKING:
    from core.host import Amsflow


def upsert_order(host: Amsflow, session: Session, projects: list[str],
                 data: dict[str, Any], sent_at: datetime | None = None) -> dict[str, Any]:
    """Create or update one order; returns what happened (no commit here)."""
    project = choose_project(projects, data.get("project"))
    external_id = data["externalId"].strip()
    check_field_names(host, data["values"])
    ref = session.scalar(select(QuantOrderRef).where(
        QuantOrderRef.project_key == project, QuantOrderRef.external_id == external_id))
    system = host.system_user(session)
    if ref is None:
        return _create(host, session, system, project, external_id, data, sent_at)
    issue = issue_of(session, ref)
    answer = {"id": str(issue.id), "key": issue.key, "externalId": external_id,
              "project": project, "created": False}
    if sent_at is not None and ref.message_at is not None and sent_at < ref.message_at:
        return {**answer, "changed": [], "ignored": sorted(data["values"]), "stale": True}
    if status_key(host, issue) == "closed":
        raise Conflict(_("%(key)s er lukket; oppdateringen fra Quant er ikke brukt.",
                         key=issue.key))
    kis = {name: value for name, value in data["values"].items() if host.fields[name].kis}
    ignored = sorted(name for name in data["values"] if name not in kis)
    ignored += [name for name in ("summary", "description", "issueType") if data.get(name)]
    history = edit_issue(host, session, system, issue, kis, system=True)
    if history:
        ref.updated = host.now()
    if sent_at is not None:
        ref.message_at = sent_at
    return {**answer, "changed": [h[0] for h in history], "ignored": ignored}


def _create(host: Amsflow, session: Session, system: Any, project: str, external_id: str,
            data: dict[str, Any], sent_at: datetime | None) -> dict[str, Any]:
    check_new(data)
    issue_type = data.get("issueType") or host.plugins.plugin_settings(project, PLUGIN).get(
        "issue_type", "Målerbytte")
    issue = create_issue(host, session, system, project, issue_type, data["summary"],
                         dict(data["values"]), description=data.get("description") or "",
                         system=True)
    now = host.now()
    ref = QuantOrderRef(issue_id=issue.id, project_key=project, external_id=external_id,
                        created=now, updated=now, message_at=sent_at)
    session.add(ref)
    session.flush()
    answer = {"id": str(issue.id), "key": issue.key, "externalId": external_id,
              "project": project, "created": True,
              "changed": sorted(host.fields[name].id for name in data["values"]),
              "ignored": []}
    if apply_waiting_cancel(host, session, ref, issue):
        answer["cancelled"] = True
    return answer


def check_new(data: dict[str, Any]) -> None:
    if not (data.get("summary") or "").strip():
        raise InvalidInput(errors={"summary": _("Emne må fylles ut når Quant oppretter en "
                                                "ordre.")})


def apply_waiting_cancel(host: Amsflow, session: Session, ref: QuantOrderRef,
                         issue: Any) -> bool:
    """Apply a cancellation that arrived before its order; True if there was one."""
    from .cancel import cancel_order

    waiting = list(session.scalars(select(QuantMessage).where(
        QuantMessage.direction == IN, QuantMessage.kind == "cancel",
        QuantMessage.status == WAITING, QuantMessage.project_key == ref.project_key,
        QuantMessage.external_id == ref.external_id).order_by(QuantMessage.id)))
    if not waiting:
        return False
    reason = json.loads(waiting[0].payload or "{}").get("reason") or ""
    cancel_order(host, session, ref, str(reason))
    session.execute(update(QuantMessage).where(QuantMessage.id.in_([w.id for w in waiting]))
                    .values(status=PROCESSED, issue_id=issue.id, updated=host.now())
                    .execution_options(synchronize_session=False))
    return True


def check_field_names(host: Amsflow, values: dict[str, Any]) -> None:
    unknown = {name: _("Feltet '%(name)s' finnes ikke.", name=name) for name in values
               if host.fields.get(name) is None}
    if unknown:
        raise InvalidInput(errors=unknown)
