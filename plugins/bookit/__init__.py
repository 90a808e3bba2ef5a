"""Bookit: the installers' calendar.

Installers over time (``/bookit/``, *Kalender* in the top menu), scheduling by drag
through the core's edit service, availability (weekly hours, absences, skills, home
base), the travel model and day routes, an iCalendar feed per installer and the REST
API under ``/rest/bookit/1``. Its Python API for other plugins (auto-planning, the
map) is ``plugins.bookit.availability``, ``plugins.bookit.travel`` and
``plugins.bookit.schedule``; see README.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.hookspecs import hookimpl

from . import api  # noqa: F401 - fills the API route table

__version__ = "1.0.0"


@hookimpl
def plugin_config_schema() -> Any:
    from .settings import ProjectSchema

    return ProjectSchema


@hookimpl
def register_models() -> None:
    from . import models  # noqa: F401 - the import adds the tables to Base
    from .autoplan import models as autoplan_models  # noqa: F401


@hookimpl
def plugin_migrations() -> Path:
    return Path(__file__).parent / "migrations"


@hookimpl
def startup(host: Any) -> None:
    from .settings import check_statuses, instance

    instance(host)  # a bad plugins.bookit block fails at start-up, with its line
    check_statuses(host)


@hookimpl
def register_jobs(registry: Any) -> None:
    from .autoplan import proposals

    registry.job(proposals.JOB)(proposals.run)


@hookimpl
def register_blueprints(app: Any) -> list[Any]:
    from . import pages  # noqa: F401 - the availability pages join the blueprint
    from .autoplan import api as autoplan_api  # noqa: F401 - fills the API route table
    from .autoplan.web import bp as public
    from .web import bp

    return [bp, public]


@hookimpl
def register_nav_items(user: Any) -> list[Any]:
    from .web import nav_items

    return nav_items(user)


@hookimpl
def register_gadgets(registry: Any) -> None:
    from .gadget import TYPES

    for gtype in TYPES:
        registry.gadget(gtype)


@hookimpl
def message_values(host: Any, session: Any, issue: Any, kind: str) -> dict[str, str] | None:
    """A booking SMS or letter carries the customer's own link when the project turns
    it on (``autoplan.selfservice.enabled``)."""
    from .autoplan.links import enabled, link_for

    if kind in ("booking", "letter") and enabled(host, issue.project.key):
        return {"selfservice_link": link_for(host, session, issue)}
    return None
