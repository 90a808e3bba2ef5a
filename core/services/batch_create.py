"""Create many orders in one statement per table, for integrations' batch intake.

``create_issue`` makes one order with its permission checks, parsing and flushes;
a thousand of them cost a thousand round trips each. ``prepare_new`` checks and
parses one order exactly as ``create_issue`` would (so each element's error names its
field), and ``create_prepared`` writes the checked orders together: one counter
update for the keys, ids reserved in one query, the issues and their field values
streamed with ``COPY`` on PostgreSQL (``core.demo.rowwriter``, not in its
trigger-skipping mode), their search rows in one set-based statement
(``projection.fill_written``), ``issue_created`` after commit for the plugins that
listen. System writers only (Quant): no permission check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..demo.rowwriter import RowWriter
from ..fields import FieldValueError
from ..i18n import _
from ..jql.projection import fill_written
from ..models import FieldValue, Issue, Project
from .errors import InvalidInput

if TYPE_CHECKING:
    from ..host import Amsflow

_TEXT = {"summary": 255}
ISSUE_ROW = ("id", "project_id", "number", "key", "issue_type_id", "summary", "description",
             "status_id", "reporter_id", "created", "updated", "version")
VALUE_ROW = ("issue_id", "field_id", "value_str", "value_text", "value_num", "value_num2",
             "value_date")


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
    writer = RowWriter(session.connection(), trust_rows=False)  # COPY on PostgreSQL
    to_time = writer.processor(Issue.__table__, "created")
    stamp = to_time(now)
    ids = writer.reserve_ids(Issue.__table__, len(orders))
    rows, values = [], []
    reporter = user.id if user else None
    for number, order, issue_id in zip(range(last - len(orders) + 1, last + 1), orders, ids,
                                       strict=True):
        order.id, order.key = issue_id, f"{project_key}-{number}"
        rows.append((issue_id, project_id, number, order.key, order.type_id, order.summary,
                     order.description, order.status_id, reporter, stamp, stamp, 1))
        for fid, cols in order.columns.items():
            when = cols["value_date"]
            values.append((issue_id, fid, cols["value_str"], cols["value_text"],
                           cols["value_num"], cols["value_num2"],
                           None if when is None else to_time(when)))
    writer.write(Issue.__table__, ISSUE_ROW, rows)
    values.sort(key=itemgetter(1))  # grouped by field, rows land together in its indexes
    writer.write(FieldValue.__table__, VALUE_ROW, values)
    fill_written(session, ids)
    if host.plugins.listening(project_key, "issue_created"):
        created = [o.id for o in orders]

        def tell() -> None:
            with host.db.new_session() as s:
                for issue in s.scalars(select(Issue).where(Issue.id.in_(created))):
                    host.plugins.issue_created(host, issue, user)

        host.db.after_commit(session, tell)
    return orders
