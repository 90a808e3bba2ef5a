"""What every view needs: the host, session and caller, the parsed JSON body, links
to resources, and the checks made before any view runs (auth, XSRF, admin)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from flask import Response, g, request
from marshmallow import Schema

from .. import permissions as perms
from ..app import host as current_host
from ..host import Amsflow
from ..i18n import gettext
from ..models import User
from ..services.errors import Forbidden, InvalidInput, NotAuthenticated
from ..services.uow import run
from . import routes

T = TypeVar("T")


def ctx() -> tuple[Amsflow, Any, User | None]:
    h = current_host()
    return h, h.db.session(), g.get("user")


def caller() -> User:
    user = g.get("user")
    if user is None:
        raise NotAuthenticated(gettext("Du må logge inn."))
    return user


def unit(fn: Callable[[], T]) -> T:
    """Run one unit of work (commit, or roll back and raise)."""
    h, s, _ = ctx()
    return run(h, s, fn)


@cache
def _schema(schema: type[Schema]) -> Schema:
    """One instance per schema class: building one deep-copies its fields, which cost
    more than the loading itself on every request (instances are stateless)."""
    return schema()


def body(schema: type[Schema] | None = None, *, allow_empty: bool = False) -> Any:
    """The request's JSON, checked by ``schema``; malformed JSON is a 400."""
    raw = request.get_data(cache=True, as_text=True)
    if not raw.strip():
        if allow_empty:
            return {} if schema is None else _schema(schema).load({})
        raise InvalidInput(gettext("Forespørselen mangler innhold (JSON)."))
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise InvalidInput(gettext("Ugyldig JSON: %(error)s", error=exc)) from None
    return _schema(schema).load(data) if schema is not None else data


def base_url() -> str:
    """The instance's address for ``self`` links: ``security.base_url`` when set (as in
    production: a forged ``Host`` header must not steer clients elsewhere), else the
    address the request came to (development, tests)."""
    configured = current_host().config["security"]["base_url"]
    return (configured or request.host_url).rstrip("/")


def api_url(path: str) -> str:
    return f"{base_url()}/rest/api/2/{path}"


def empty(status: int = 204) -> Response:
    return Response(status=status)


def check_request() -> None:
    """Before every API view: who is calling, admin routes (the XSRF check of browser
    writes is the core's, for every blueprint: ``core.guard``)."""
    route = routes.find(request.endpoint)
    user = g.get("user")
    if user is None and g.get("auth_failed"):
        raise NotAuthenticated(gettext("Brukernavn, passord eller token er feil."))
    if route is not None and route.anonymous:
        return
    if user is None:
        raise NotAuthenticated(gettext("Du må logge inn for å bruke API-et."))
    if route is not None and route.admin and not perms.is_admin(current_host(), user):
        raise Forbidden(gettext("Bare administratorer har tilgang."))
