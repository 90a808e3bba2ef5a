"""The route table: every API route is declared once here, with what the OpenAPI
document says about it, and the blueprint and the document are both built from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint


@dataclass(frozen=True)
class Route:
    method: str
    rule: str  # a Flask rule: /rest/api/2/issue/<key>
    view: Callable[..., Any]
    summary: str
    tag: str
    body: type | None = None  # marshmallow schema of the JSON body
    status: int = 200
    anonymous: bool = False
    admin: bool = False
    query: tuple[str, ...] = ()
    responses: dict[int, str] = field(default_factory=dict)

    @property
    def endpoint(self) -> str:
        return f"{self.method.lower()}_{self.view.__module__.rsplit('.', 1)[-1]}_" \
               f"{self.view.__name__}"


ROUTES: list[Route] = []


def route(method: str, rule: str, summary: str, tag: str, **kw: Any) -> Callable[..., Any]:
    """Declare a view in the route table (decorator)."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        ROUTES.append(Route(method, rule, fn, summary, tag, **kw))
        return fn

    return deco


# Routes other blueprints serve (search, filters, autocomplete), described here only
# so the OpenAPI document covers them; ``tests/api/test_openapi_fuzz.py`` fails for
# any ``/rest/api/2`` rule of the app that neither table holds.
DOCUMENTED: list[Route] = []


def document_route(method: str, rule: str, summary: str, tag: str,
                   **kw: Any) -> Callable[..., Any]:
    """Describe a view served by another blueprint in the OpenAPI document."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        DOCUMENTED.append(Route(method, rule, fn, summary, tag, **kw))
        return fn

    return deco


LATEST = "_latest"


def add_routes(bp: Blueprint) -> None:
    """Every route, and each ``/rest/api/2/`` one also under ``/rest/api/latest/``
    (the ``jira`` client uses that for a few calls, as Jira allows)."""
    for r in ROUTES:
        bp.add_url_rule(r.rule, endpoint=r.endpoint, view_func=r.view, methods=[r.method])
        if r.rule.startswith("/rest/api/2/"):
            bp.add_url_rule(r.rule.replace("/rest/api/2/", "/rest/api/latest/", 1),
                            endpoint=r.endpoint + LATEST, view_func=r.view,
                            methods=[r.method])


def find(endpoint: str | None) -> Route | None:
    """The route of a Flask endpoint (``api.get_issues_get``)."""
    endpoint = (endpoint or "").rsplit(".", 1)[-1].removesuffix(LATEST)
    for r in ROUTES:
        if r.endpoint == endpoint:
            return r
    return None
