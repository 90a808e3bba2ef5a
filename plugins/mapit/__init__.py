"""Mapit: orders of favourite filters on a map, coloured by status.

Pages (``/mapit/``, *Kart* in the top menu), the GeoJSON API (``/rest/mapit/1``, in
the core's route table and OpenAPI document), *Se saken i Mapit* on the issue view.
A project enables the plugin to put its orders on the map; the map's own settings
are instance-wide (``plugins.mapit``, see ``settings``).
"""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl

from . import api  # noqa: F401 - fills the API route table


@hookimpl
def register_blueprints(app: Any) -> list[Any]:
    from .web import blueprint

    return [blueprint()]


@hookimpl
def register_nav_items(user: Any) -> list[Any]:
    from .web import nav_items

    return nav_items(user)


@hookimpl
def issue_actions(host: Any, issue: Any, user: Any) -> list[Any]:
    from .web import show_on_map

    return show_on_map(host, issue)


@hookimpl
def register_gadgets(registry: Any) -> None:
    from .gadget import TYPES

    for gtype in TYPES:
        registry.gadget(gtype)


@hookimpl
def startup(host: Any) -> None:
    from .settings import settings

    settings(host)  # a bad plugins.mapit block fails at start-up, with its line
