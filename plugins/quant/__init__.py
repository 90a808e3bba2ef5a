"""Quant integration plugin (intake, KIS fields, cancellations, validation)."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl


@hookimpl
def register_workflow_functions(registry: Any) -> None:
    @registry.post_function("quant.send_for_validation")
    def send_for_validation(ctx: Any, args: dict[str, Any]) -> None:
        """Queue the closed order for validation in Quant's component register."""
        ctx.enqueue("quant.validate", issue_key=ctx.issue.key)


@hookimpl
def register_jobs(registry: Any) -> None:
    @registry.job("quant.validate")
    def validate(host: Any, issue_key: str) -> None:
        """Send a closed order to Quant; the outbox folder stands in for the HTTP
        call on the embedded default."""
        import json

        outbox = host.data_dir / "quant" / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / f"{issue_key}.json").write_text(json.dumps({"key": issue_key}))
