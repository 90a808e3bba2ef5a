"""Mobile: the installer's phone app (``/m/``, an installable PWA that works offline)
and its sync API (``/rest/mobile/1``, in the core's route table and OpenAPI document).

A project enables the plugin to put its installers' orders on their phones. Every
change a phone sends goes through the core's services and the workflow engine as
the installer; the plugin's own table is the ledger that makes sync idempotent and
keeps input that met a conflict (see ``actions``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.hookspecs import hookimpl

from . import api  # noqa: F401 - fills the API route table

__version__ = "1.0.0"


@hookimpl
def plugin_config_schema() -> Any:
    from .config import MobileConfigSchema

    return MobileConfigSchema


@hookimpl
def register_models() -> None:
    from . import models  # noqa: F401 - the import adds the table to Base


@hookimpl
def plugin_migrations() -> Path:
    return Path(__file__).parent / "migrations"


@hookimpl
def register_blueprints(app: Any) -> list[Any]:
    from .web import blueprint

    return [blueprint()]


@hookimpl
def register_nav_items(user: Any) -> list[Any]:
    from .web import nav_items

    return nav_items(user)


@hookimpl
def issue_panels(host: Any, issue: Any, user: Any) -> list[Any]:
    from .panel import panel

    return panel(host, issue, user)
