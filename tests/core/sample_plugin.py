"""A third-party-style plugin that implements every hook, for the hook tests and
as the plugin-writer's guide example (README). It is passed to ``create_app``
through ``extra_plugins`` exactly as an entry-point plugin would be discovered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import Blueprint, jsonify
from markupsafe import Markup
from marshmallow import Schema, fields
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.hookspecs import hookimpl
from core.models import Base
from core.registries import IssueAction, IssuePanel, NavItem

PLUGIN_NAME = "sample"
CALLS: list[tuple[str, Any]] = []


class SampleNote(Base):
    """A plugin-owned table, made by the plugin's own migration branch."""

    __tablename__ = "sample_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(100))


class SampleSettings(Schema):
    greeting = fields.String(load_default="Hei")
    limit = fields.Integer(load_default=3)


@hookimpl
def plugin_config_schema() -> type[Schema]:
    return SampleSettings


@hookimpl
def register_workflow_functions(registry: Any) -> None:
    @registry.post_function("sample.stamp")
    def stamp(ctx: Any, args: dict[str, Any]) -> None:
        """Writes a comment naming the transition: the guide's example."""
        CALLS.append(("stamp", ctx.issue.key))
        ctx.add_comment(f"{ctx.settings['greeting']}: {ctx.transition.name} "
                        f"({ctx.from_status} -> {ctx.to_status})")

    @registry.post_function("sample.boom")
    def boom(ctx: Any, args: dict[str, Any]) -> None:
        CALLS.append(("boom", ctx.issue.key))
        raise ctx.abort("Sample failed on purpose", comment="Sample: overgangen feilet.")

    @registry.condition("sample.never")
    def never(ctx: Any, args: dict[str, Any]) -> bool:
        return False


@hookimpl
def register_blueprints(app: Any) -> list[Blueprint]:
    bp = Blueprint("sample", __name__)

    @bp.get("/sample/ping")
    def ping() -> Any:
        return jsonify({"pong": True})

    return [bp]


@hookimpl
def register_nav_items(user: Any) -> list[NavItem]:
    return [NavItem("Sample", "/sample/ping")]


@hookimpl
def register_jobs(registry: Any) -> None:
    @registry.job("sample.echo")
    def echo(host: Any, text: str) -> str:
        CALLS.append(("job", text))
        if text == "fail":
            raise RuntimeError("sample job failed")
        return text


@hookimpl
def register_periodic_tasks(registry: Any) -> None:
    @registry.periodic("sample.tick", seconds=60)
    def tick(host: Any) -> None:
        CALLS.append(("tick", None))


@hookimpl
def register_jql_functions(registry: Any) -> None:
    @registry.function("sampleKeys")
    def sample_keys(*args: Any, **kwargs: Any) -> list[str]:
        return ["ELV-1"]


@hookimpl
def register_gadgets(registry: Any) -> None:
    @registry.gadget("sample.counter", name="Teller", name_en="Counter")
    def counter(ctx: Any) -> dict[str, int]:
        """A third-party gadget type: how many orders of the filter the viewer sees."""
        return {"count": ctx.count()}


@hookimpl
def register_commands(cli: Any) -> None:
    @cli.command("sample-hello")
    def hello() -> None:
        click.echo("hello from sample")


@hookimpl
def register_models() -> None:
    CALLS.append(("models", SampleNote.__tablename__))


@hookimpl
def plugin_migrations() -> Path:
    """The plugin's Alembic branch ``sample`` (``db upgrade`` creates sample_notes)."""
    return Path(__file__).parent / "sample_migrations"


@hookimpl
def startup(host: Any) -> None:
    CALLS.append(("startup", host.config["instance_name"]))


@hookimpl
def issue_created(host: Any, issue: Any, user: Any) -> None:
    CALLS.append(("created", issue.key))


@hookimpl
def issue_updated(host: Any, issue: Any, user: Any, changes: dict[str, Any]) -> None:
    CALLS.append(("updated", (issue.key, sorted(changes))))


@hookimpl
def issue_transitioned(issue: Any, from_status: str, to_status: str) -> None:
    CALLS.append(("transitioned", (issue.key, from_status, to_status)))


@hookimpl
def issue_commented(issue: Any, comment: Any) -> None:
    CALLS.append(("commented", (issue.key, comment.body)))


@hookimpl
def issue_actions(issue: Any, user: Any) -> list[IssueAction]:
    return [IssueAction("Sample-handling", f"/sample/ping?key={issue.key}", id="sample")]


@hookimpl
def issue_panels(issue: Any, user: Any) -> list[IssuePanel]:
    return [IssuePanel("Sample", Markup("<b>{}</b>").format(issue.key), id="sample")]
