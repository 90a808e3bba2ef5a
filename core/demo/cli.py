"""``amsflow demo ...``: load the demo set, or bulk-load orders for a benchmark.

The ``demo`` group plugs into the main command (``main.add_command(demo)``) and
also runs on its own as ``python -m core.demo --config FILE ...``.
"""

from __future__ import annotations

import os
from typing import Any

import click


def _host(ctx: click.Context) -> Any:
    """The main CLI's host when running under it, else one built from ``--config``."""
    state = ctx.find_root().obj
    if state is not None and hasattr(state, "host"):
        host = state.host()
    else:
        from core.app import config_from
        from core.host import create_host

        host = create_host(config_from(ctx.find_root().params.get("config_path")
                                       or os.environ.get("AMSFLOW_CONFIG")))
    _ensure_schema(host)
    return host


def _ensure_schema(host: Any) -> None:
    """Tables as ``amsflow db upgrade`` makes them (from the models while no Alembic
    revision exists yet), and the config's projects, statuses and types synced."""
    from sqlalchemy import inspect

    from core.migrate import MIGRATIONS, upgrade

    if inspect(host.db.engine).has_table("issues"):
        host.after_schema()
    elif any((MIGRATIONS / "versions").glob("*.py")):
        upgrade(host)
    else:
        host.create_schema()


@click.group("demo")
def demo() -> None:
    """Demo and benchmark data."""


@demo.command("load")
@click.option("--orders", "orders", default=1500, show_default=True,
              help="Orders per project.")
@click.option("--seed", default=1, show_default=True)
@click.pass_context
def demo_load(ctx: click.Context, orders: int, seed: int) -> None:
    """Demo users (known passwords) and orders in every status, in every project."""
    from core.demo.load import load_demo

    load_demo(_host(ctx), click.echo, orders_per_project=orders, seed=seed)


@demo.command("bulk")
@click.argument("project")
@click.option("-n", "count", default=100_000, show_default=True, help="Orders to insert.")
@click.option("--seed", default=1, show_default=True)
@click.option("--batch-size", default=5000, show_default=True)
@click.pass_context
def demo_bulk(ctx: click.Context, project: str, count: int, seed: int,
              batch_size: int) -> None:
    """Insert COUNT open orders into PROJECT as fast as the database allows."""
    from core.analyze import analyze
    from core.demo.bulk import bulk_load

    host = _host(ctx)
    stats = bulk_load(host, project, count, seed=seed, batch_size=batch_size)
    click.echo(f"{stats.orders} orders ({stats.first_key}..{stats.last_key}), "
               f"{stats.field_values} field values in {stats.seconds:.1f} s: "
               f"{stats.rate:,.0f} orders/s")
    # Planner statistics now, not when autovacuum gets to it (see core.analyze).
    click.echo(f"tables analysed in {analyze(host.db.engine):.1f} s")


@click.group()
@click.option("--config", "config_path", envvar="AMSFLOW_CONFIG", default=None,
              help="Instance config YAML (default: config/demo.yaml).")
def standalone(config_path: str | None) -> None:
    """amsflow demo data (standalone entry)."""


standalone.add_command(demo_load)
standalone.add_command(demo_bulk)
