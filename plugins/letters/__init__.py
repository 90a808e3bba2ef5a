"""Letters plugin. TEMPORARY wiring placeholder written by the lead so the AMS
workflow loads; the letters engineer replaces this file in phase 2."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl


@hookimpl
def register_workflow_functions(registry: Any) -> None:
    @registry.post_function("letters.generate_letter")
    def generate_letter(ctx: Any, args: dict[str, Any]) -> None:
        raise ctx.abort("Brevgenerering er ikke koblet til ennå.")

    @registry.post_function("letters.mark_printed")
    def mark_printed(ctx: Any, args: dict[str, Any]) -> None:
        raise ctx.abort("Brevgenerering er ikke koblet til ennå.")
