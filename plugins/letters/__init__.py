"""Booking by letter: reply codes and PDF letters, *Klar til utskrift* and
*Generer brev* (PC_TRANSITION_PRINTED).

Public API for other code: ``bulk.ready_to_print(...)`` (a fast bulk run),
``workflow.latest_letter(...)``, ``orders.ensure_reply_code(...)``,
``render.render_run(...)`` and ``booked_by_letter(...)`` / ``reminder_hours(...)``
for the SMS plugin's booking reminder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.hookspecs import hookimpl

if TYPE_CHECKING:
    from core.host import Amsflow


@hookimpl
def plugin_config_schema() -> Any:
    from .config import LettersConfigSchema

    return LettersConfigSchema


@hookimpl
def register_models() -> None:
    from . import models  # noqa: F401 - importing adds the tables to Base


@hookimpl
def plugin_migrations() -> Path:
    return Path(__file__).parent / "migrations"


@hookimpl
def register_workflow_functions(registry: Any) -> None:
    from . import workflow

    workflow.register(registry)


@hookimpl
def register_blueprints(app: Any) -> list[Any]:
    from .web import blueprint

    return [blueprint()]


@hookimpl
def startup(host: Any) -> None:
    """Fail early on a configured template that does not compile."""
    from .orders import PLUGIN
    from .templating import check_template

    for project in host.plugins.projects_enabling(PLUGIN):
        path = host.plugins.plugin_settings(project, PLUGIN).get("template")
        if path:
            check_template(host.config.resolve_path(path).read_text(encoding="utf-8"))


def booked_by_letter(session: Session, issue_id: int) -> bool:
    """True when the order's latest booking went out as a printed letter."""
    from .models import LetterRecord

    stmt = select(LetterRecord.id).where(
        LetterRecord.issue_id == issue_id, LetterRecord.printed.is_not(None)
    )
    return session.scalar(stmt.limit(1)) is not None


def reminder_hours(host: Amsflow, project_key: str) -> float | None:
    """Hours to wait for a reply to a letter before the booking reminder (None: off)."""
    settings = host.plugins.plugin_settings(project_key, "letters")
    return settings.get("booking_reminder_hours") if settings else None


@hookimpl
def register_nav_items(user: Any) -> list[Any]:
    from .web import nav_items

    return nav_items(user)


@hookimpl
def bulk_task_starting(host: Any, task: Any, issues: list[Any]) -> None:
    """Note a core bulk transition's orders so letters can be rendered ahead in windows."""
    if task.operation == "transition":
        from . import ahead

        ahead.task_starting(host, task.id, issues)


@hookimpl
def bulk_task_finished(host: Any, task: Any) -> None:
    from . import ahead

    ahead.task_finished(host, task.id)
