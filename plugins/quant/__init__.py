"""Quant integration plugin: order intake, KIS fields, cancellations, validation.

Registered through the core's hooks like any third-party plugin. Quant calls the
signed REST API under ``/rest/quant/1`` (see ``api``); closing an order with
resolution Ok (AUTO_CLOSE) writes a validation request to the outbox in the same
transaction (``outbox``), which the ``quant.deliver`` job sends (``delivery``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.hookspecs import hookimpl

from . import openapi  # noqa: F401 - describes the routes in the instance's document
from .config import QuantConfigSchema
from .refs import PLUGIN


@hookimpl
def plugin_config_schema() -> Any:
    return QuantConfigSchema


@hookimpl
def register_models() -> None:
    from . import models  # noqa: F401 - importing adds the tables to Base


@hookimpl
def plugin_migrations() -> Path:
    return Path(__file__).parent / "migrations"


@hookimpl
def register_workflow_functions(registry: Any) -> None:
    @registry.post_function("quant.send_for_validation")
    def send_for_validation(ctx: Any, args: dict[str, Any]) -> None:
        """Mark the closed order as awaiting validation and put the request in the
        outbox, in the transition's transaction: it exists exactly if the close does."""
        from . import outbox
        from .contract import contract_for
        from .models import PENDING
        from .refs import ensure_ref

        ref = ensure_ref(ctx.host, ctx.session, ctx.issue)
        ref.validation_status = PENDING
        ref.validation_reason = ""
        ref.validation_at = ctx.host.now()
        contract = contract_for(ctx.host, ctx.issue.project.key)
        data = contract.validation_request(ctx.host, ctx.issue, ref.external_id)
        outbox.add(ctx.host, ctx.session, outbox.VALIDATION_REQUEST, ctx.issue,
                   ref.external_id, contract.event(outbox.VALIDATION_REQUEST,
                                                   ctx.host.now(), data))


@hookimpl
def register_jobs(registry: Any) -> None:
    @registry.job("quant.deliver")
    def deliver(host: Any) -> dict[str, Any]:
        """Send the outbox's due messages to Quant (or the outbox folder)."""
        from .delivery import drain

        return drain(host)


@hookimpl
def register_periodic_tasks(registry: Any) -> None:
    @registry.periodic("quant.outbox", 15)
    def outbox_due(host: Any) -> None:
        """Queue a delivery when retries fall due or a killed worker's lease ended."""
        from . import outbox

        if outbox.due_count(host):
            outbox.kick(host)


@hookimpl
def register_blueprints(app: Any) -> list[Any]:
    from .admin import bp as admin_bp
    from .api import make_blueprint

    bp = make_blueprint()
    app.extensions["csrf"].exempt(bp)
    return [bp, admin_bp]


@hookimpl
def issue_panels(host: Any, issue: Any, user: Any) -> list[Any]:
    from .panel import quant_panel

    if not host.plugins.enabled(issue.project.key, PLUGIN):
        return []
    panel = quant_panel(host, issue)
    return [panel] if panel else []


@hookimpl
def register_nav_items(user: Any) -> list[Any]:
    from flask_babel import gettext

    from core.app import host
    from core.permissions import is_admin
    from core.registries import NavItem

    if user is None or not is_admin(host(), user):
        return []
    return [NavItem(label=gettext("Quant-meldinger"), url="/admin/quant/", order=90)]
