"""The core's essential plugin: registered through the same hooks as any other,
but enabled for every project and impossible to disable."""

from __future__ import annotations

from typing import Any

from ..hookspecs import hookimpl
from . import workflow_functions


@hookimpl
def register_workflow_functions(registry: Any) -> None:
    workflow_functions.register(registry)


@hookimpl
def register_blueprints(app: Any) -> list[Any]:
    """The core's own web pages and REST API, one line each."""
    from ..api import blueprint as api_blueprint
    from ..web import blueprint as web_blueprint

    return [
        api_blueprint(app),
        web_blueprint(),
    ]
