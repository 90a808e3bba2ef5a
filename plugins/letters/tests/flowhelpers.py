"""Orders for the letters tests: FJN (books by letter) orders made through the services."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.models import Attachment, Comment, Issue
from core.services import uow
from core.services.issues import create_issue
from core.workflow.engine import transition_issue

CUSTOMER = {
    "customer_name": "Åse Øvrebø Ærlig",
    "address": "Blåbærstien 3",
    "postcode": "1430",
    "mobile": "91234567",
    "planned_start": "22.04.2025 10:00",
    "estimate": "1h",
}


def planned_order(host: Any, session: Any, planner: Any, installer: Any, **fields: Any) -> Issue:
    """An FJN order in Under planlegging, assigned and timed unless ``fields`` say otherwise."""
    values = {**CUSTOMER, "assignee": installer.username, **fields}
    values = {k: v for k, v in values.items() if v is not None}
    issue = uow.run(
        host,
        session,
        lambda: create_issue(host, session, planner, "FJN", "Målerbytte", "Målerbytte", values),
    )
    uow.run(
        host, session, lambda: transition_issue(host, session, planner, issue, "START_PLANNING")
    )
    return issue


def move(host: Any, session: Any, user: Any, issue: Issue, ref: str) -> None:
    uow.run(host, session, lambda: transition_issue(host, session, user, issue, ref))


def status_key(host: Any, session: Any, issue: Issue) -> str:
    session.expire_all()
    fresh = session.get(Issue, issue.id)
    return host.catalog.status_keys[fresh.status_id]


def comments(session: Any, issue: Issue) -> list[str]:
    stmt = select(Comment.body).where(Comment.issue_id == issue.id).order_by(Comment.id)
    return list(session.scalars(stmt))


def attachments(session: Any, issue: Issue) -> list[Attachment]:
    stmt = select(Attachment).where(Attachment.issue_id == issue.id).order_by(Attachment.id)
    return list(session.scalars(stmt))
