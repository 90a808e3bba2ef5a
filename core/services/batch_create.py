"""Create many orders in one statement per table, for integrations' batch intake.

``create_issue`` makes one order with its permission checks, parsing and flushes;
a thousand of them cost a thousand round trips each. ``prepare_new`` checks and
parses one order exactly as ``create_issue`` would (so each element's error names its
field), and ``create_prepared`` writes the checked orders together: one counter
update for the keys, the issues and their field values as multi-row inserts
(the database's own triggers keep the search projections), ``issue_created`` after
commit for the plugins that listen. System writers only (Quant): no permission check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ..fields import FieldValueError
from ..i18n import _
from ..models import FieldValue, Issue, Project
from .errors import InvalidInput

if TYPE_CHECKING:
    from ..host import Amsflow

_TEXT = {"summary": 255}


@dataclass
class NewIssue:
    """One checked order, ready to write (``id`` and ``key`` are set by the write)."""

    project_key: str
    type_id: int
    status_id: int
    summary: str
    description: str
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)  # field id -> cols
    id: int = 0
    key: str = ""


def prepare_new(host: Amsflow, project_key: str, issue_type: str, summary: Any,
                description: Any, values: dict[str, Any]) -> NewIssue:
    """Check and parse one order (system rules: KIS fields allowed, lenient parsing);
    every mistake is in one InvalidInput naming its field."""
    errors: dict[str, str] = {}
    type_id = host.catalog.issue_type_ids.get(issue_type)
    allowed = host.project_config(project_key).get("issue_types")
    if type_id is None or (allowed and issue_type not in allowed):
        errors["issuetype"] = _("Sakstypen '%(name)s' finnes ikke i prosjektet.",
                                name=issue_type)
    summary = "" if summary is None else str(summary).strip()
    if not summary:
        errors["summary"] = _("Emne må fylles ut.")
    elif len(summary) > _TEXT["summary"]:
        errors["summary"] = _("Emne kan ha høyst 255 tegn.")
    columns = {}
    for name, raw in values.items():
        fdef = host.fields.get(name)
        if fdef is None:
            errors[name] = _("Feltet '%(name)s' finnes ikke.", name=name)
            continue
        try:
            value = fdef.parse(raw, strict=False)
        except FieldValueError as exc:
            errors[fdef.id] = str(exc)
            continue
        if value is not None:
            columns[fdef.id] = fdef.to_columns(value)
    if errors:
        raise InvalidInput(errors=errors)
    workflow = host.workflow_for(project_key, issue_type)
    return NewIssue(project_key, type_id, host.catalog.status_ids[workflow.initial], summary,
                    "" if description is None else str(description).strip(), columns)


def create_prepared(host: Amsflow, session: Session, user: Any,
                    orders: list[NewIssue]) -> list[NewIssue]:
    """Write checked orders of one project (no commit here); sets their id and key."""
    if not orders:
        return orders
    project_key = orders[0].project_key
    project_id = host.catalog.project_ids[project_key]
    last = session.execute(update(Project).where(Project.id == project_id)
                           .values(issue_counter=Project.issue_counter + len(orders))
                           .returning(Project.issue_counter)).scalar_one()
    now = host.now()
    rows = []
    for number, order in enumerate(orders, start=last - len(orders) + 1):
        order.key = f"{project_key}-{number}"
        rows.append({"project_id": project_id, "number": number, "key": order.key,
                     "issue_type_id": order.type_id, "summary": order.summary,
                     "description": order.description, "status_id": order.status_id,
                     "reporter_id": user.id if user else None, "created": now,
                     "updated": now, "version": 1})
    ids = session.execute(insert(Issue).returning(Issue.id, sort_by_parameter_order=True),
                          rows).scalars().all()
    values = []
    for order, issue_id in zip(orders, ids, strict=True):
        order.id = issue_id
        values.extend({"issue_id": issue_id, "field_id": fid, **cols}
                      for fid, cols in order.columns.items())
    if values:
        session.execute(insert(FieldValue), values)
    if host.plugins.listening(project_key, "issue_created"):
        created = [o.id for o in orders]

        def tell() -> None:
            with host.db.new_session() as s:
                for issue in s.scalars(select(Issue).where(Issue.id.in_(created))):
                    host.plugins.issue_created(host, issue, user)

        host.db.after_commit(session, tell)
    return orders
