"""The planner queries the search benchmark runs, with values taken from the data
(the most common stage, municipality, postcode, installer...), so every query
finds orders whatever the generator's seed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.jql.render import word
from core.models import FieldValue, Issue, User

if TYPE_CHECKING:
    from core.host import Amsflow


def _common(host: Amsflow, s: Session, key: str, offset: int = 0, project: str = "") -> str:
    fid = host.fields[key].id
    stmt = select(FieldValue.value_str).where(FieldValue.field_id == fid)
    if project:
        stmt = stmt.join(Issue, Issue.id == FieldValue.issue_id).where(
            Issue.project_id == host.catalog.project_ids[project])
    stmt = (stmt
            .group_by(FieldValue.value_str).order_by(func.count().desc()).offset(offset).limit(1))
    return s.scalar(stmt) or ""


def _busy_installer(s: Session) -> str:
    stmt = (select(User.username).join(Issue, Issue.assignee_id == User.id)
            .where(User.username.like("montor%"))
            .group_by(User.username).order_by(func.count().desc()).limit(1))
    return s.scalar(stmt) or "montor1"


def _street(s: Session) -> str:
    summary = s.scalar(select(Issue.summary).order_by(Issue.id).offset(1234).limit(1)) or "x y"
    return summary.split()[1]


def planner_queries(host: Amsflow, s: Session) -> list[tuple[str, str, bool]]:
    """(name, JQL, is a text/history query) for the benchmark."""
    st = {k: word(v.name) for k, v in host.all_statuses().items()}
    stage = word(_common(host, s, "stage", 2, "ELV"))
    municipality = word(_common(host, s, "municipality", 1, "ELV"))
    postcodes = ", ".join(word(_common(host, s, "postcode", i)) for i in range(3))
    installer = _busy_installer(s)
    street = word(_street(s), force_quotes=True)
    return [
        ("status", f"status = {st['manual_followup']}", False),
        ("status, default order (big)", f"status = {st['open']}", False),
        ("assignee and status", f"assignee = {installer} AND status in ({st['ready']}, "
                                f"{st['in_progress']})", False),
        ("stage and municipality", f"project = ELV AND Løsningsperiode = {stage} AND "
                                   f"Kommunenummer = {municipality}", False),
        ("postcodes, open", f"Postnummer in ({postcodes}) AND status = {st['open']}", False),
        ("planned start range", '"Planlagt starttid" >= startOfDay("-3d") AND '
                                '"Planlagt starttid" < endOfDay("+3d")', False),
        ("unplanned, ORDER BY planned", f"project = FJN AND status = {st['planning']} "
                                        'ORDER BY "Planlagt starttid" ASC', False),
        ("ORDER BY planned start", 'project = ELV AND "Planlagt starttid" is not EMPTY '
                                   'ORDER BY "Planlagt starttid" ASC', False),
        ("unresolved by updated", "resolution = Unresolved ORDER BY updated DESC", False),
        ("text ~ street", f"text ~ {street}", True),
        ("summary ~ street, open", f"summary ~ {street} AND status = {st['open']}", True),
        ("status WAS followup", f"status WAS {st['manual_followup']}", True),
        ("status CHANGED last 7 days", "status CHANGED AFTER -7d", True),
        ("assignee WAS installer", f"assignee WAS {installer}", True),
    ]
