"""SMS booking plugin: gateway providers, templates, booking, replies, delivery reports,
reminders and the SMS log. Registered like any plugin, through the hooks in
``core.hookspecs``; the modules beside this file hold the work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.hookspecs import hookimpl

__version__ = "1.0.0"


@hookimpl
def plugin_config_schema() -> Any:
    from plugins.sms.config import SmsConfigSchema

    return SmsConfigSchema


@hookimpl
def register_models() -> None:
    import plugins.sms.models  # noqa: F401 - the import adds the table to Base


@hookimpl
def plugin_migrations() -> Path:
    return Path(__file__).parent / "migrations"


@hookimpl
def register_workflow_functions(registry: Any) -> None:
    from plugins.sms import flows, store

    registry.condition("sms.booking_enabled")(flows.booking_enabled)
    registry.post_function(store.BOOKING_FUNCTION, batchable=True)(flows.send_booking)


@hookimpl
def register_blueprints(app: Any) -> list[Any]:
    from plugins.sms import panel, views, webhooks

    app.add_template_filter(panel.sms_time, "sms_time")
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(webhooks.bp)
        csrf.exempt(views.api)
    return [views.bp, views.api, webhooks.bp]


@hookimpl
def register_periodic_tasks(registry: Any) -> None:
    from plugins.sms import reminders

    registry.periodic("sms.flush_held", 60)(reminders.flush_held)
    registry.periodic("sms.reminders", 300)(reminders.run_reminders)


@hookimpl
def bulk_chunk_starting(host: Any, session: Any, task: Any, issues: list[Any],
                        params: dict[str, Any]) -> None:
    """Read a booking chunk's log rows and free reply codes in two queries."""
    if task.operation == "transition":
        from plugins.sms.store import prepare_chunk

        prepare_chunk(host, session, issues, str(params["transition"]))


@hookimpl
def register_nav_items(user: Any) -> list[Any]:
    from flask_babel import gettext

    from core.registries import NavItem
    from core.web.common import db, host
    from plugins.sms.visibility import acting_projects

    if user is None or not acting_projects(host(), db(), user):  # only who may act
        return []
    return [NavItem(label=gettext("SMS-svar"), url="/sms/unmatched", order=60)]


@hookimpl
def issue_actions(host: Any, issue: Any, user: Any) -> list[Any]:
    from plugins.sms import panel

    return panel.actions(host, issue, user)


@hookimpl
def issue_panels(host: Any, issue: Any, user: Any) -> list[Any]:
    from plugins.sms import panel

    return [panel.panel(host, issue, user)]
