"""What the core does for every route, core or plugin, so no blueprint can forget it.

- Text no database can hold is refused with a 400 before any view reads it: a NUL
  character, a lone UTF-16 surrogate, JSON nested deeper than ``MAX_JSON_DEPTH``.
- A write (POST, PUT, PATCH, DELETE) authenticated by the session cookie must prove
  it comes from our pages: ``X-Atlassian-Token: no-check`` (Jira's rule; a browser
  cannot send it cross-site without CORS) or a valid CSRF token (form field or
  ``X-CSRFToken`` header). Basic and Bearer callers are no browser and need neither.
- Every response carries a Content-Security-Policy (scripts from our own origin,
  ``/static`` and ``/vendor``, or with the request's nonce), ``nosniff``,
  ``SAMEORIGIN`` framing, and the request id, stripped to safe characters.
- An exception no view handled becomes an answer in the caller's language: a
  service's refusal with its status, a JQL or validation error or a value the
  database cannot take (out of range, too deep) a 400, and anything else a logged 500,
  as Jira JSON on API paths and an error page for people.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
import uuid
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, request
from flask_wtf.csrf import validate_csrf
from marshmallow import ValidationError
from sqlalchemy.exc import DataError, StatementError
from werkzeug.exceptions import HTTPException
from wtforms.validators import ValidationError as CsrfInvalid

from .i18n import _

log = logging.getLogger("amsflow.web")
MAX_JSON_DEPTH = 64
SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "TRACE"))
_REQUEST_ID = re.compile(r"[^A-Za-z0-9._:-]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _bad_text(value: str) -> str | None:
    if "\x00" in value:
        return _("Forespørselen inneholder et NUL-tegn (\\0), som ikke er tillatt i noen "
                 "verdi.")
    if _SURROGATE.search(value):
        return _("Forespørselen inneholder et ugyldig Unicode-tegn (et enslig "
                 "surrogattegn).")
    return None


def _walk(value: Any) -> str | None:
    """The first problem in a JSON value, walked without recursion (depth checked)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return _("JSON-innholdet er nøstet for dypt (høyst %(max)s nivåer).",
                     max=MAX_JSON_DEPTH)
        if isinstance(item, str):
            problem = _bad_text(item)
            if problem:
                return problem
        elif isinstance(item, dict):
            stack.extend((k, depth + 1) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return None


def _credentials() -> str:
    """The Authorization header, with Basic credentials decoded."""
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        try:
            return base64.b64decode(header[6:], validate=True).decode("utf-8", "replace")
        except ValueError:
            return header
    return header


def _pairs(pairs: Any) -> str | None:
    for key, value in pairs.items(multi=True):
        problem = _bad_text(key) or _bad_text(value)
        if problem:
            return problem
    return None


def request_problem() -> str | None:
    """Why this request's text cannot be taken (path, query, form, JSON, credentials,
    file names), or None."""
    problem = _bad_text(request.path) or _bad_text(_credentials()) or _pairs(request.args)
    if problem:
        return problem
    if request.is_json:
        raw = request.get_data(cache=True, as_text=True)
        if not raw.strip():
            return None
        try:
            data = json.loads(raw)
        except RecursionError:
            return _("JSON-innholdet er nøstet for dypt (høyst %(max)s nivåer).",
                     max=MAX_JSON_DEPTH)
        except ValueError:
            return None  # the view words malformed JSON itself
        return _walk(data)
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return _pairs(request.form) or next(
            (p for f in request.files.values() if (p := _bad_text(f.filename or ""))), None)
    return None


def wants_json() -> bool:
    from .web.errors import wants_json as page_wants_json

    return page_wants_json()


def refusal(status: int, messages: list[str], errors: dict[str, str] | None = None) -> Any:
    """A refusal as Jira JSON for API callers, else as an error page."""
    if wants_json():
        response = jsonify({"errorMessages": messages, "errors": errors or {}})
        response.status_code = status
        if status == 401:
            from .api.errors import REALM

            response.headers["WWW-Authenticate"] = REALM
        return response
    from .web.errors import error_page

    return error_page(status, messages + list((errors or {}).values()))


def refuse_bad_text() -> Any:
    problem = request_problem()
    return refusal(400, [problem]) if problem else None


def request_id() -> str:
    """The caller's ``X-Request-Id`` with only safe characters kept, else a new one:
    it goes into log lines and a response header, where CR/LF would forge lines."""
    given = _REQUEST_ID.sub("", request.headers.get("X-Request-Id", ""))[:64]
    return given or uuid.uuid4().hex[:16]


def check_xsrf() -> Any:
    """A cookie-authenticated write must carry the XSRF proof (see the module doc)."""
    if g.get("auth_method") != "session" or request.method in SAFE_METHODS:
        return None
    if request.headers.get("X-Atlassian-Token", "").lower() == "no-check":
        return None
    token = request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token")
    if token is None and request.mimetype in ("multipart/form-data",
                                              "application/x-www-form-urlencoded"):
        token = request.form.get("csrf_token")
    try:
        validate_csrf(token)
        return None
    except CsrfInvalid:
        return refusal(403, [_("XSRF-sjekk feilet: send X-Atlassian-Token: no-check.")])


def csp_nonce() -> str:
    """This request's CSP nonce, for an inline ``<script nonce=...>`` or ``<style>``."""
    try:
        nonce = g.get("csp_nonce")
        if nonce is None:
            nonce = g.csp_nonce = secrets.token_urlsafe(16)
        return nonce
    except RuntimeError:  # rendered outside a request (a letter, a mail)
        return ""


def content_security_policy() -> str:
    """Our own origin for scripts, styles, fonts and connections (``/static``,
    ``/vendor``; never a CDN); inline scripts only with the request's nonce, inline
    event handlers and ``eval`` never. Images may come from anywhere (map tiles are a
    per-project setting of mapit, and an image cannot run script). Styles may be
    inline: status colours are CSS variables in ``style=""`` and Leaflet adds
    ``<style>`` elements; CSS cannot run script."""
    nonce = csp_nonce()
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src * data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ))


def tag_response(response: Response) -> Response:
    response.headers["X-Request-Id"] = g.get("request_id", "")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    return response


_BAD_VALUE = (DataError, OverflowError, RecursionError, UnicodeError)


def _bad_value(exc: BaseException) -> bool:
    if isinstance(exc, StatementError) and isinstance(exc.orig, _BAD_VALUE):
        return True
    return isinstance(exc, _BAD_VALUE)


def handle_exception(exc: Exception) -> Any:
    """Any exception a blueprint did not handle (see the module doc)."""
    from .jql.errors import JqlError
    from .services.errors import ServiceError

    if isinstance(exc, HTTPException):
        return exc
    host = current_app.extensions["amsflow"]
    host.db.session().rollback()
    if isinstance(exc, ServiceError):
        return refusal(exc.status, exc.messages, exc.errors)
    if isinstance(exc, JqlError):
        return refusal(400, [exc.message])
    if isinstance(exc, ValidationError):
        from .api.errors import flatten

        return refusal(400, [], flatten(exc.messages))
    if _bad_value(exc):
        log.warning("input the database cannot take: %s", exc.__class__.__name__)
        return refusal(400, [_("En verdi i forespørselen er utenfor det tillatte "
                               "området eller ugyldig.")])
    propagate = current_app.config.get("PROPAGATE_EXCEPTIONS")
    if propagate or (propagate is None and (current_app.testing or current_app.debug)):
        raise exc  # tests and the debugger see the traceback, as Flask does
    log.exception("unhandled error")
    return refusal(500, [_("En uventet feil oppstod (forespørsel %(id)s).",
                           id=g.get("request_id", "-"))])


def install_first(app: Flask) -> None:
    """Hooks that run before the caller is identified."""
    app.before_request(refuse_bad_text)


def install_after_identify(app: Flask) -> None:
    app.before_request(check_xsrf)
    app.after_request(tag_response)
    app.register_error_handler(Exception, handle_exception)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
