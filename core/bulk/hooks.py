"""Calling the ``bulk_task_starting`` / ``bulk_chunk_starting`` /
``bulk_task_finished`` hooks for the plugins the task's projects enable, so a plugin
can prepare work for a whole task (letters render ahead) or a chunk (SMS reads its
lookups in batches) without reading the bulk tables itself."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Issue, Project
from .models import BulkItem, BulkTask

if TYPE_CHECKING:
    from ..host import Amsflow

log = logging.getLogger("amsflow.bulk")


def _listening(host: Amsflow, project: str, hook: str) -> bool:
    return host.plugins.listening(project, hook)


def task_starting(host: Amsflow, session: Session, task: BulkTask,
                  params: dict[str, Any], start: int = -1) -> list[str]:
    """Tell each project's plugins which orders are pending, in this runner's run
    order (from seq ``start`` on, then the rest). Returns the projects told, for
    ``task_finished``. Orders are loaded only for projects with a plugin listening.
    Each runner of a task calls this for its own process."""
    pending = BulkItem.task_id == task.id, BulkItem.state == "pending"
    projects = list(session.scalars(
        select(Project.key).join(Issue, Issue.project_id == Project.id)
        .join(BulkItem, BulkItem.issue_id == Issue.id).where(*pending).distinct()))
    projects = [p for p in sorted(projects)
                if _listening(host, p, "bulk_task_starting")
                or _listening(host, p, "bulk_task_finished")]
    if not any(_listening(host, p, "bulk_task_starting") for p in projects):
        return projects
    by_project: dict[str, list[Issue]] = defaultdict(list)
    for issue in session.scalars(select(Issue).join(BulkItem, BulkItem.issue_id == Issue.id)
                                 .where(*pending)
                                 .order_by(BulkItem.seq < start, BulkItem.seq)).unique():
        by_project[issue.project.key].append(issue)
    for project in projects:
        if by_project.get(project):
            host.plugins.bulk_task_starting(host, project, task, by_project[project], params)
    return projects


def chunk_starting(host: Amsflow, session: Session, task: BulkTask, params: dict[str, Any],
                   issues: list[Issue]) -> None:
    """Tell each project's plugins which orders the chunk is about to change."""
    by_project: dict[str, list[Issue]] = defaultdict(list)
    for issue in issues:
        by_project[issue.project.key].append(issue)
    for project, chunk in by_project.items():
        if _listening(host, project, "bulk_chunk_starting"):
            host.plugins.bulk_chunk_starting(host, project, session, task, chunk, params)


def task_finished(host: Amsflow, task: BulkTask, projects: list[str]) -> None:
    """Let the plugins drop what they prepared; a plugin's error is logged, not raised,
    so it never hides how the task itself went."""
    for project in projects:
        try:
            host.plugins.bulk_task_finished(host, project, task)
        except Exception:
            log.exception("bulk_task_finished failed for %s in %s", task.id, project)
