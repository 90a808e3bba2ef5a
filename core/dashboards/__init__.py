"""Dashboards of gadgets (*Dashbord*, *miniprogrammer*), an essential plugin of the core.

The package is the plugin: its tables (its own Alembic branch, ``migrations/``), its
pages and REST routes, and the reader of ``register_gadgets`` (the gadget-type
contract is ``contract.GadgetType``; the types themselves live in the ``gadgets``
plugin and in any plugin that adds its own). Its UI words are in its own catalog
(``translations/``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..hookspecs import hookimpl
from . import dashboard_api, gadget_api  # noqa: F401 - fill the API route table

PLUGIN_NAME = "dashboards"


@hookimpl
def register_models() -> None:
    from . import models  # noqa: F401 - the tables join core.models.Base


@hookimpl
def plugin_migrations() -> Path:
    return Path(__file__).parent / "migrations"


@hookimpl
def register_blueprints(app: Any) -> list[Any]:
    from .pages import blueprint

    return [blueprint()]


@hookimpl
def register_nav_items(user: Any) -> list[Any]:
    from flask_babel import gettext as _

    from ..registries import NavItem

    return [NavItem(_("Dashbord"), "dashboards_web.landing", order=5)]
