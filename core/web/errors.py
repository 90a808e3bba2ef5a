"""Error pages in the page language; API paths keep Jira-style JSON errors."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..services.errors import ServiceError
from . import bp

API_PREFIXES = ("/rest/", "/api/", "/-/")


def wants_json() -> bool:
    return request.path.startswith(API_PREFIXES) or (
        request.accept_mimetypes.best == "application/json")


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood.")),
        403: (_("No access"), _("You do not have permission to see this page.")),
        404: (_("Not found"), _("The page or work order does not exist, or you do not "
                                "have access to it.")),
        405: (_("Not allowed"), _("This page cannot be used that way.")),
        409: (_("Conflict"), _("Someone else changed this at the same time.")),
        413: (_("Too large"), _("The file is larger than allowed.")),
        429: (_("Too many attempts"), _("Wait a while and try again.")),
    }


def error_page(status: int, messages: list[str] | None = None) -> tuple[str, int]:
    title, text = _titles().get(status, (_("Something went wrong"),
                                         _("An unexpected error occurred.")))
    return render_template("errors/error.html", status=status, title=title, text=text,
                           messages=messages or []), status


@bp.app_errorhandler(CSRFError)
def _csrf(exc: CSRFError) -> Any:
    if wants_json():
        return jsonify({"errorMessages": [exc.description], "errors": {}}), 400
    return error_page(400, [_("The form had expired or was not sent from this site. "
                              "Go back, reload the page and try again.")])


@bp.app_errorhandler(HTTPException)
def _http(exc: HTTPException) -> Any:
    status = exc.code or 500
    if wants_json():
        return jsonify({"errorMessages": [exc.description or exc.name], "errors": {}}), status
    return error_page(status)


@bp.errorhandler(ServiceError)
def _service(exc: ServiceError) -> Any:
    """A service refusal the view did not show in its own form (403, 404, ...)."""
    if exc.status in (403, 404):
        return error_page(exc.status)
    return error_page(exc.status, exc.messages + list(exc.errors.values()))
