"""The ``amsflow`` command: database, config check, users, tokens, demo data,
server, worker and scheduler. Plugins add commands through ``register_commands``."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

import click

from .app import config_from, create_app
from .yamlsource import ConfigError


class _State:
    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path
        self._host: Any = None

    def config(self) -> Any:
        try:
            return config_from(self.config_path)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc

    def host(self) -> Any:
        if self._host is None:
            from .host import create_host

            try:
                self._host = create_host(self.config())
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from exc
        return self._host


pass_state = click.make_pass_decorator(_State)


class _Cli(click.Group):
    """Adds plugin commands lazily, so ``--help`` lists them too."""

    def _plugins_added(self, ctx: click.Context) -> None:
        if getattr(self, "_loaded", False):
            return
        self._loaded = True
        try:
            state = ctx.ensure_object(_State) if ctx.obj else _State(
                os.environ.get("AMSFLOW_CONFIG"))
            state.host().plugins.add_commands(self)
        except click.ClickException:
            pass  # a broken config still lets `amsflow check-config` report it

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._plugins_added(ctx)
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        found = super().get_command(ctx, name)
        if found is None:
            self._plugins_added(ctx)
            found = super().get_command(ctx, name)
        return found


@click.group(cls=_Cli)
@click.option("--config", "config_path", envvar="AMSFLOW_CONFIG", default=None,
              help="Instance config YAML (default: config/demo.yaml).")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """amsflow: work orders for smart-meter rollouts."""
    ctx.obj = _State(config_path)


def _add_builtin_groups() -> None:
    from .demo.cli import demo

    main.add_command(demo)


@main.command("check-config")
@pass_state
def check_config(state: _State) -> None:
    """Validate the config, its workflows and every plugin's settings."""
    from .workflow.check import lost_transitions

    host = state.host()
    lost = lost_transitions(host)
    for line in lost:
        click.echo(f"note: {line}")
    if lost:
        click.echo(f"{len(lost)} transitions are not available in some projects (above); "
                   "enable the plugin in the project, or give the project a workflow "
                   "without them.")
    click.echo(f"OK: {len(host.config['projects'])} projects, "
               f"{len(host.workflows)} workflows, {len(host.plugins.names)} plugins")


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_state
def db_upgrade(state: _State) -> None:
    """Create or upgrade the schema with Alembic, then sync config rows."""
    from .migrate import MigrationError, upgrade

    host = state.host()
    try:
        upgrade(host)
    except MigrationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("Database is up to date.")


@db.command("revision")
@click.option("-m", "--message", required=True, help="What the revision changes.")
@click.option("--plugin", default="core", show_default=True,
              help="The branch: the core's or an installed plugin's (its first revision "
                   "starts the branch in the plugin's plugin_migrations directory).")
@pass_state
def db_revision(state: _State, message: str, plugin: str) -> None:
    """Write a revision from the difference between the models and the database."""
    from .migrate import MigrationError, autogenerate

    try:
        autogenerate(state.host(), message, plugin)
    except MigrationError as exc:
        raise click.ClickException(str(exc)) from exc


@main.group()
def user() -> None:
    """Users and roles."""


@user.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--email", default="")
@click.option("--group", "groups", multiple=True)
@pass_state
def user_create(state: _State, username: str, display_name: str, password: str, email: str,
                groups: tuple[str, ...]) -> None:
    from .services.errors import ServiceError
    from .services.users import create_user

    host = state.host()
    try:
        with host.db.new_session() as s:
            create_user(s, username, display_name, password, email, groups)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created user {username}.")


@user.command("password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@pass_state
def user_password(state: _State, username: str, password: str) -> None:
    """Set USERNAME's password; every browser session of theirs ends."""
    from sqlalchemy import select

    from .models import User
    from .services.errors import ServiceError
    from .services.users import set_password

    host = state.host()
    try:
        with host.db.new_session() as s:
            found = s.scalar(select(User).where(User.username == username))
            if found is None:
                raise click.ClickException(f"No user {username!r}.")
            set_password(s, found, password)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Password of {username} set; their sessions ended.")


@user.command("grant")
@click.argument("username")
@click.argument("project")
@click.argument("role")
@pass_state
def user_grant(state: _State, username: str, project: str, role: str) -> None:
    """Give USERNAME the project ROLE (Administrator, Planlegger, Montør)."""
    from sqlalchemy import select

    from .models import User
    from .services.errors import ServiceError
    from .services.users import grant_role

    host = state.host()
    try:
        with host.db.new_session() as s:
            found = s.scalar(select(User).where(User.username == username))
            if found is None:
                raise click.ClickException(f"No user '{username}'.")
            grant_role(s, project, role, user=found)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{username} is {role} in {project}.")


@main.command("create-token")
@click.argument("username")
@click.argument("name")
@pass_state
def create_token_cmd(state: _State, username: str, name: str) -> None:
    """Create an API token for USERNAME; the secret is printed once."""
    from sqlalchemy import select

    from .auth import create_token
    from .models import User

    host = state.host()
    with host.db.new_session() as s:
        found = s.scalar(select(User).where(User.username == username))
        if found is None:
            raise click.ClickException(f"No user '{username}'.")
        secret = create_token(s, found, name)
    click.echo(secret)


@main.command("run")
@click.option("--host", "bind", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo/--no-demo", default=False,
              help="Create the schema and load the demo data when the database is empty.")
@click.option("--demo-orders", default=1500, show_default=True, type=int,
              help="Orders per project that --demo loads.")
@pass_state
def run(state: _State, bind: str, port: int, demo: bool, demo_orders: int) -> None:
    """Serve the app (the embedded default also runs jobs and periodic tasks here)."""
    from werkzeug.serving import run_simple

    from .migrate import upgrade

    config = state.config()
    if demo:
        from .host import create_host

        host = create_host(config)
        upgrade(host)
        _load_demo_if_empty(host, demo_orders)
        host.db.dispose()
    app = create_app(config)
    host = app.extensions["amsflow"]
    if host.jobs.in_process:
        threading.Thread(target=_periodic_loop, args=(host,), daemon=True,
                         name="periodic").start()
    click.echo(f"amsflow serving on http://{bind}:{port}/  (Ctrl+C to stop)")
    run_simple(bind, port, app, threaded=True, use_reloader=False)


def _load_demo_if_empty(host: Any, orders: int) -> None:
    from sqlalchemy import func, select

    from .models import Issue

    with host.db.new_session() as s:
        count = s.scalar(select(func.count()).select_from(Issue))
    if count:
        click.echo(f"Database already holds {count} orders; demo data not reloaded.")
        return
    from .demo.load import load_demo

    click.echo("Loading demo data ...")
    started = time.perf_counter()
    load_demo(host, progress=lambda msg: click.echo(f"  {msg}"), orders_per_project=orders)
    click.echo(f"Demo data loaded in {time.perf_counter() - started:.1f} s.")


def _periodic_loop(host: Any, every: float = 60.0) -> None:
    from .jobs import run_periodic_once

    while True:
        time.sleep(every)
        run_periodic_once(host)


@main.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--name", default=None)
@pass_state
def worker(state: _State, burst: bool, name: str | None) -> None:
    """Run an rq worker (needs redis_url); it builds its app through the factory."""
    from .jobs import run_worker

    host = state.host()
    if host.jobs.in_process:
        raise click.ClickException("redis_url is not configured: jobs run in process.")
    host.load_catalog()
    run_worker(host, burst=burst, name=name)


@main.command("scheduler")
@click.option("--every", default=60.0, show_default=True, help="Seconds between rounds.")
@click.option("--once", is_flag=True)
@pass_state
def scheduler(state: _State, every: float, once: bool) -> None:
    """Run the periodic tasks (reminders and such) on a schedule."""
    from .jobs import run_periodic_once

    host = state.host()
    host.load_catalog()
    while True:
        ran = run_periodic_once(host)
        click.echo(f"ran {len(ran)} periodic tasks")
        if once:
            return
        time.sleep(every)



_add_builtin_groups()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
