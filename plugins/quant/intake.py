"""Orders from Quant: create by Quant's id, or update the KIS fields of one we have.

Quant is the only writer of KIS fields (people get InvalidInput when they try), so
updates go through ``edit_issue(..., system=True)`` and touch KIS fields only: a
planner's work on other fields (mobile number, assignee) is never overwritten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from marshmallow import RAISE, Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import _
from core.services.errors import InvalidInput
from core.services.issues import create_issue, edit_issue

from .models import QuantOrderRef
from .refs import PLUGIN, choose_project, issue_of

if TYPE_CHECKING:
    from core.host import Amsflow


class OrderSchema(Schema):
    """One order message; ``fields`` are keyed by field key (or id, or name)."""

    class Meta:
        unknown = RAISE

    externalId = fields.String(required=True, validate=validate.Length(min=1, max=100))
    project = fields.String(load_default=None)
    issueType = fields.String(load_default=None)
    summary = fields.String(load_default=None)
    description = fields.String(load_default=None)
    values = fields.Dict(keys=fields.String(), load_default=dict, data_key="fields")


class BatchSchema(Schema):
    class Meta:
        unknown = RAISE

    orders = fields.List(fields.Dict(), required=True,
                         validate=validate.Length(min=1, max=1000))


def upsert_order(host: Amsflow, session: Session, projects: list[str],
                 data: dict[str, Any]) -> dict[str, Any]:
    """Create or update one order; returns what happened (no commit here)."""
    project = choose_project(projects, data.get("project"))
    external_id = data["externalId"].strip()
    _check_field_names(host, data["values"])
    ref = session.scalar(select(QuantOrderRef).where(
        QuantOrderRef.project_key == project, QuantOrderRef.external_id == external_id))
    system = host.system_user(session)
    if ref is None:
        return _create(host, session, system, project, external_id, data)
    issue = issue_of(session, ref)
    kis = {name: value for name, value in data["values"].items() if host.fields[name].kis}
    ignored = sorted(name for name in data["values"] if name not in kis)
    ignored += [name for name in ("summary", "description", "issueType") if data.get(name)]
    history = edit_issue(host, session, system, issue, kis, system=True)
    if history:
        ref.updated = host.now()
    return {"id": str(issue.id), "key": issue.key, "externalId": external_id,
            "project": project, "created": False, "changed": [h[0] for h in history],
            "ignored": ignored}


def _create(host: Amsflow, session: Session, system: Any, project: str, external_id: str,
            data: dict[str, Any]) -> dict[str, Any]:
    if not (data.get("summary") or "").strip():
        raise InvalidInput(errors={"summary": _("Emne må fylles ut når Quant oppretter en "
                                                "ordre.")})
    issue_type = data.get("issueType") or host.plugins.plugin_settings(project, PLUGIN).get(
        "issue_type", "Målerbytte")
    issue = create_issue(host, session, system, project, issue_type, data["summary"],
                         dict(data["values"]), description=data.get("description") or "",
                         system=True)
    now = host.now()
    session.add(QuantOrderRef(issue_id=issue.id, project_key=project, external_id=external_id,
                              created=now, updated=now))
    session.flush()
    return {"id": str(issue.id), "key": issue.key, "externalId": external_id,
            "project": project, "created": True,
            "changed": sorted(host.fields[name].id for name in data["values"]), "ignored": []}


def _check_field_names(host: Amsflow, values: dict[str, Any]) -> None:
    unknown = {name: _("Feltet '%(name)s' finnes ikke.", name=name) for name in values
               if host.fields.get(name) is None}
    if unknown:
        raise InvalidInput(errors=unknown)
