"""The blueprint of the navigator and filter pages (templates and static files
live beside this package, under ``templates/filters`` and ``static``)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("filters_web", __name__, template_folder="templates",
               static_folder="static", static_url_path="/static/filters")


def blueprint() -> Blueprint:
    from . import filter_pages, navigator  # noqa: F401 - attach the routes

    return bp
