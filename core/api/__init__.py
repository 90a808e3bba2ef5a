"""The Jira REST v2 compatible API, plus amsflow's own admin and token API.

Views are thin: they check input with marshmallow (``schemas``), call the core
services, and shape Jira JSON (``serialize``, ``issue_json``). Every route is
declared in the route table (``routes``), from which the blueprint and the OpenAPI
document are both built.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from . import (  # noqa: F401 - importing the view modules fills the route table
    admin,
    attachments,
    comments,
    issues,
    links,
    meta,
    openapi,
    transitions,
    watchers,
)
from .common import check_request
from .errors import install
from .routes import add_routes


def blueprint(app: Any = None) -> Blueprint:
    """A fresh blueprint (one per app), exempt from the forms' CSRF check: API
    callers use Basic or Bearer auth, and cookie callers pass ``check_request``'s
    XSRF check instead."""
    bp = Blueprint("api", __name__)
    add_routes(bp)
    bp.before_request(check_request)
    install(bp)
    if app is not None and "csrf" in app.extensions:
        app.extensions["csrf"].exempt(bp)
    return bp
