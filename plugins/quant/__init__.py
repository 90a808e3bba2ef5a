"""Quant integration plugin: order intake, KIS fields, cancellations, validation.

Registered through the core's hooks like any third-party plugin. Quant calls the
REST API under ``/rest/quant/1`` (see ``api``); closing an order with resolution Ok
(AUTO_CLOSE) queues ``quant.validate`` (see ``sender``).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from core.hookspecs import hookimpl

from .config import QuantConfigSchema
from .refs import PLUGIN


@hookimpl
def plugin_config_schema() -> Any:
    return QuantConfigSchema


@hookimpl
def register_models() -> None:
    from . import models  # noqa: F401 - importing adds the table to Base


@hookimpl
def plugin_migrations() -> Path:
    return Path(__file__).parent / "migrations"


@hookimpl
def register_workflow_functions(registry: Any) -> None:
    @registry.post_function("quant.send_for_validation")
    def send_for_validation(ctx: Any, args: dict[str, Any]) -> None:
        """Mark the closed order as awaiting validation and queue the request; it is
        sent only if the transition commits."""
        from .models import PENDING
        from .refs import ensure_ref

        ref = ensure_ref(ctx.host, ctx.session, ctx.issue)
        ref.validation_status = PENDING
        ref.validation_reason = ""
        ref.validation_at = ctx.host.now()
        # A job id of our own (rq-safe characters): the run is always recorded.
        ctx.enqueue("quant.validate", issue_key=ctx.issue.key,
                    job_id=f"quant-validate-{ctx.issue.key}-{uuid.uuid4().hex[:16]}",
                    background=bool(ctx.settings.get("send_in_background", True)))


@hookimpl
def register_jobs(registry: Any) -> None:
    @registry.job("quant.validate")
    def validate(host: Any, issue_key: str) -> dict[str, Any]:
        """Send a closed order to Quant (or the outbox folder); raises on failure."""
        from .sender import send_for_validation

        return send_for_validation(host, issue_key)


@hookimpl
def register_blueprints(app: Any) -> list[Any]:
    from .api import make_blueprint

    bp = make_blueprint()
    app.extensions["csrf"].exempt(bp)
    return [bp]


@hookimpl
def issue_panels(host: Any, issue: Any, user: Any) -> list[Any]:
    from .panel import quant_panel

    if not host.plugins.enabled(issue.project.key, PLUGIN):
        return []
    panel = quant_panel(host, issue)
    return [panel] if panel else []
