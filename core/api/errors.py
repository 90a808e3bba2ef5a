"""Jira-style errors for every API failure: ``{"errorMessages": [...], "errors": {...}}``
with the right status, whatever raised it (a service, marshmallow, werkzeug)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..i18n import _
from ..services.errors import ServiceError

REALM = 'Basic realm="amsflow", Bearer realm="amsflow"'


def error_response(status: int, messages: list[str] | None = None,
                   errors: dict[str, str] | None = None) -> Response:
    response = jsonify({"errorMessages": messages or [], "errors": errors or {}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = REALM
    return response


def flatten(messages: Any, prefix: str = "") -> dict[str, str]:
    """marshmallow's nested messages as Jira's flat ``errors`` map."""
    if isinstance(messages, dict):
        out: dict[str, str] = {}
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten(value, name))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "request": " ".join(messages)}
    return {prefix or "request": str(messages)}


def install(bp: Blueprint) -> None:
    @bp.errorhandler(ServiceError)
    def _service(exc: ServiceError) -> Response:
        return error_response(exc.status, exc.messages, exc.errors)

    @bp.errorhandler(ValidationError)
    def _invalid(exc: ValidationError) -> Response:
        return error_response(400, [], flatten(exc.messages))

    @bp.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge) -> Response:
        return error_response(413, [_("Forespørselen er for stor.")])

    @bp.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        return error_response(exc.code or 500, [exc.description or exc.name])
