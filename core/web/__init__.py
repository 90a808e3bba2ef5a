"""The server-rendered web shell (Jinja, little JavaScript, bokmål by default).

One blueprint, ``web``, holds the pages; the essential plugin ``core.builtin``
registers it through ``register_blueprints`` like any plugin's pages. Views are
thin: they parse the form, call the core services in one unit of work and show a
``ServiceError``'s messages next to the fields that caused them.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__)


def blueprint() -> Blueprint:
    """The web shell's blueprint (for the ``register_blueprints`` hook)."""
    return bp


# The view modules attach their routes to ``bp`` when imported.
from . import (  # noqa: E402
    admin,
    auth_views,
    errors,
    home,
    issue_actions,
    issue_forms,
    issue_view,
    shell,
    tokens,
    transitions,
    vendor,
)

__all__ = ["admin", "auth_views", "blueprint", "bp", "errors", "home", "issue_actions",
           "issue_forms", "issue_view", "shell", "tokens", "transitions",
           "vendor"]
