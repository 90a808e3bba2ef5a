"""Booking by letter: reply codes and PDF letters, *Klar til utskrift* and
*Generer brev* (PC_TRANSITION_PRINTED).

Public API for other code: ``bulk.ready_to_print(...)`` (a fast bulk run),
``workflow.latest_letter(...)``, ``orders.ensure_reply_code(...)``,
``render.render_run(...)``.

Letters share the SMS plugin's reply codes (one code space per project, so a reply
by SMS finds a letter's order), so letters *requires* sms: ``check-config`` refuses
a project that enables letters without sms. SMS reads the letters' reminder delay
from the host's settings and never imports letters.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.hookspecs import hookimpl

requires = ["sms"]  # the reply codes (plugins/sms/replycodes.py, store.py)


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
