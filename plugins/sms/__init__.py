"""SMS booking plugin. TEMPORARY wiring placeholder written by the lead so the
AMS workflow loads; the SMS engineer replaces this file in phase 2."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl


@hookimpl
def register_workflow_functions(registry: Any) -> None:
    @registry.condition("sms.booking_enabled")
    def booking_enabled(ctx: Any, args: dict[str, Any]) -> bool:
        return bool(ctx.settings.get("booking", True))

    @registry.post_function("sms.send_booking")
    def send_booking(ctx: Any, args: dict[str, Any]) -> None:
        raise ctx.abort("SMS-utsending er ikke koblet til ennå.")
