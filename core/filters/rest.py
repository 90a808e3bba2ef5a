"""The blueprint of the search and filter REST API, with Jira-style errors.

Authentication and the XSRF rule for browser writes are the REST API's own
(``core.api.common.check_request``), so every ``/rest/api/2`` route behaves alike.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response
from werkzeug.exceptions import HTTPException

from ..api.common import check_request
from ..api.errors import error_response
from ..i18n import _
from ..jql import JqlError
from ..services.errors import ServiceError

bp = Blueprint("filters_api", __name__, url_prefix="/rest/api/2")


@bp.before_request
def _check() -> None:
    check_request()


@bp.errorhandler(ServiceError)
def _service(exc: ServiceError) -> Response:
    return error_response(exc.status, exc.messages, exc.errors)


@bp.errorhandler(JqlError)
def _jql(exc: JqlError) -> Response:
    return error_response(400, [exc.message])


@bp.errorhandler(HTTPException)
def _http(exc: HTTPException) -> Response:
    return error_response(exc.code or 500, [exc.description or exc.name])


def int_arg(raw: Any, name: str, default: int) -> int:
    """An integer request parameter; junk is a 400 naming the parameter."""
    from ..services.errors import InvalidInput

    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise InvalidInput(_("Parameteren %(name)s må være et heltall, ikke %(value)r.",
                             name=name, value=raw)) from None


def blueprint() -> Blueprint:
    from . import api_filters, api_search  # noqa: F401 - attach the routes

    return bp
