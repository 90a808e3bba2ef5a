"""Driving an order through the AMS workflow the way people do, for test set-up."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.models import ChangeGroup, Comment, Issue
from core.services.issues import edit_issue
from core.workflow.engine import transition_issue


def fresh(host: Any, key: str) -> Issue:
    session = host.db.session()
    session.expire_all()
    return session.scalar(select(Issue).where(Issue.key == key))


def step(host: Any, user: Any, key: str, ref: str, **inputs: Any) -> Issue:
    session = host.db.session()
    issue = fresh(host, key)
    transition_issue(host, session, user, issue, ref, inputs=inputs or None)
    host.db.commit(session)
    return fresh(host, key)


def to_ready(host: Any, planner: Any, installer: Any, key: str) -> Issue:
    """Åpen → Under planlegging → Manuell oppfølging → Klar til utførelse."""
    step(host, planner, key, "START_PLANNING")
    session = host.db.session()
    edit_issue(host, session, planner, fresh(host, key),
               {"assignee": installer.username, "planned_start": "22.04.2026 10:00"})
    host.db.commit(session)
    step(host, planner, key, "FOLLOW_UP")
    return step(host, planner, key, "SEND_TO_EXECUTION")


def resolve(host: Any, planner: Any, installer: Any, key: str, resolution: str) -> Issue:
    to_ready(host, planner, installer, key)
    return step(host, installer, key, "RESOLVE", resolution=resolution)


def comments(host: Any, key: str) -> list[str]:
    issue = fresh(host, key)
    return list(host.db.session().scalars(select(Comment.body).where(
        Comment.issue_id == issue.id).order_by(Comment.id)))


def change_count(host: Any, key: str) -> int:
    issue = fresh(host, key)
    return host.db.session().scalar(select(func.count(ChangeGroup.id)).where(
        ChangeGroup.issue_id == issue.id))
