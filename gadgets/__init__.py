"""The built-in dashboard gadget types, registered through ``register_gadgets``
exactly as a third-party plugin registers its own (see ``core.dashboards.contract``).

Each type is a module here: its settings schema and its data function; the browser
side of all of them is ``static/gadgets.js``. The predefined dashboards (Daglig,
Ukentlig, Månedlig framdrift, Tillegg, Avvik, Bomtur) are this plugin's too.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from core.hookspecs import hookimpl

PLUGIN_NAME = "gadgets"


@hookimpl
def register_gadgets(registry: Any) -> None:
    from . import activity, charts, filter_results, periods, stats

    for module in (filter_results, charts, periods, stats, activity):
        for gtype in module.TYPES:
            registry.gadget(gtype)


@hookimpl
def plugin_config_schema() -> Any:
    from .predefined import ProjectSettings

    return ProjectSettings


@hookimpl
def schema_ready(host: Any) -> None:
    from .predefined import sync

    sync(host)


@hookimpl
def startup(host: Any) -> None:
    from .predefined import instance_settings

    instance_settings(host.config)  # a bad plugins.gadgets block stops start-up


@hookimpl
def register_blueprints(app: Any) -> list[Any]:
    return [Blueprint("gadgets", __name__, static_folder="static",
                      static_url_path="/gadgets/static")]
