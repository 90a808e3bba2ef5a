"""Helpers for the web shell's tests: a browser-like client that logs in through the
login form and sends the CSRF token a real form would carry."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import PASSWORD
from core.services.issues import create_issue

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class Browser:
    """A Flask test client used the way a person uses the pages."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.token = ""

    def get(self, url: str, **kw: Any) -> Any:
        response = self.client.get(url, **kw)
        if 'name="csrf_token"' in response.text:
            self.token = csrf_of(response.text)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        if not self.token:
            self.get("/login")
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, **kw)

    def login(self, username: str, password: str = PASSWORD) -> Any:
        self.get("/login")
        response = self.post("/login", {"username": username, "password": password})
        if response.status_code == 302:
            self.get("/")  # a new session: the forms carry a new token
        return response


@pytest.fixture
def browser(client: Any) -> Browser:
    return Browser(client)


@pytest.fixture
def as_user(app: Any, users: dict[str, Any]) -> Any:
    """``as_user("planner")`` -> a Browser logged in as that test user."""

    def make(name: str) -> Browser:
        b = Browser(app.test_client())
        response = b.login(name)
        assert response.status_code == 302, response.text
        return b

    return make


@pytest.fixture
def make_order(host: Any, users: dict[str, Any]) -> Any:
    """``make_order(assignee="installer", **fields)`` -> key of a new ELV order."""

    def make(summary: str = "Målerbytte Storgata 1", assignee: str | None = None,
             **fields: Any) -> str:
        s = host.db.session()
        values = {"customer_name": "Åse Ødegård", "mobile": "91234567", **fields}
        if assignee:
            values["assignee"] = assignee
        issue = create_issue(host, s, users["planner"], "ELV", "Målerbytte", summary, values)
        key = issue.key
        host.db.commit(s)
        return key

    return make
