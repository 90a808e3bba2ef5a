"""Hook implementations of the essential ``filters`` plugin: its tables, the search
and filter REST API, the navigator pages, and the subscription sender."""

from __future__ import annotations

from typing import Any

from ..hookspecs import hookimpl
from ..registries import NavItem

PLUGIN_NAME = "filters"
SUBSCRIPTION_CHECK_SECONDS = 60


@hookimpl
def register_models() -> None:
    from . import models  # noqa: F401 - the tables join core.models.Base


@hookimpl
def register_blueprints(app: Any) -> list[Any]:
    from . import pages, rest

    api = rest.blueprint()
    app.extensions["csrf"].exempt(api)
    return [api, pages.blueprint()]


@hookimpl
def register_periodic_tasks(registry: Any) -> None:
    from .subscriptions import send_due

    registry.periodic("filters.send_subscriptions", SUBSCRIPTION_CHECK_SECONDS)(send_due)


@hookimpl
def register_jobs(registry: Any) -> None:
    from .subscriptions import send_due

    registry.job("filters.send_subscriptions")(lambda host, **_kw: send_due(host))


@hookimpl
def register_nav_items(user: Any) -> list[NavItem]:
    from flask_babel import gettext as _

    return [NavItem(_("Søk"), "filters_web.navigator", order=10),
            NavItem(_("Filtre"), "filters_web.filter_list", order=11)]


@hookimpl
def startup(host: Any) -> None:
    from .settings import settings

    settings(host)  # a bad plugins.filters block fails at start-up, with its line
