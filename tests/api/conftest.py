"""A live server on a loopback port (for the ``jira`` client and concurrent
requests), and helpers to make orders and look at the database afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from jira import JIRA

from conftest import PASSWORD
from core.services.issues import create_issue
from core.services.uow import run


@pytest.fixture
def live(live_url: str) -> str:
    """The app on a loopback port (the root conftest's ``live_url``)."""
    return live_url


@pytest.fixture
def tokens(host: Any, users: dict[str, Any]) -> dict[str, str]:
    """An API token per test user (Basic auth with a token skips the slow scrypt)."""
    from core.auth import create_token
    from core.models import User

    with host.db.new_session() as s:
        return {name: create_token(s, s.get(User, u.id), "tests") for name, u in users.items()}


@pytest.fixture
def jira_as(live: str, tokens: dict[str, str]) -> Callable[..., JIRA]:
    """``jira_as("planner")``: the PyPI ``jira`` client logged in as a test user with
    an API token (``password=True``: with the password)."""
    def make(username: str, password: bool = False) -> JIRA:
        secret = PASSWORD if password else tokens[username]
        return JIRA(server=live, basic_auth=(username, secret), max_retries=0,
                    options={"check_update": False})

    return make


@pytest.fixture
def http(live: str, tokens: dict[str, str]) -> Callable[..., requests.Response]:
    """``http("GET", "/rest/...", user="planner", **requests_kwargs)`` (Bearer token)."""
    def call(method: str, path: str, user: str | None = "planner",
             headers: dict[str, str] | None = None, **kw: Any) -> requests.Response:
        head = {**({"Authorization": f"Bearer {tokens[user]}"} if user else {}),
                **(headers or {})}
        return requests.request(method, live + path, headers=head, timeout=30, **kw)

    return call


@pytest.fixture
def order(host: Any, session: Any, users: dict[str, Any]) -> Callable[..., Any]:
    """``order(summary=..., assignee=..., **fields)``: an ELV order made by the planner."""
    def make(summary: str = "Målerbytte Storgata 1", project: str = "ELV",
             **fields: Any) -> Any:
        return run(host, session, lambda: create_issue(
            host, session, users["planner"], project, "Målerbytte", summary,
            {"customer_name": "Åse Ødegård", **fields}))

    return make


def snapshot(host: Any, key: str) -> dict[str, Any]:
    """Everything about an order that an API call could change, read afresh."""
    from sqlalchemy import func, select

    from core.models import Attachment, ChangeGroup, Comment, Issue, IssueLink, Watcher

    with host.db.new_session() as s:
        issue = s.scalar(select(Issue).where(Issue.key == key))
        count = lambda model, col: s.scalar(  # noqa: E731
            select(func.count()).select_from(model).where(col == issue.id))
        return {"summary": issue.summary, "status": issue.status_id,
                "version": issue.version, "assignee": issue.assignee_id,
                "values": sorted((v.field_id, v.value_str, v.value_num, v.value_date)
                                 for v in issue.values),
                "comments": count(Comment, Comment.issue_id),
                "attachments": count(Attachment, Attachment.issue_id),
                "history": count(ChangeGroup, ChangeGroup.issue_id),
                "links": count(IssueLink, IssueLink.outward_id),
                "watchers": count(Watcher, Watcher.issue_id)}


@pytest.fixture
def bearer(tokens: dict[str, str]) -> Callable[[str], dict[str, str]]:
    """``bearer("planner")`` -> headers with that user's API token."""
    return lambda user: {"Authorization": f"Bearer {tokens[user]}"}
