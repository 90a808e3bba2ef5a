"""A NUL character anywhere in what a caller sends is a clear 400 that changes nothing
(PostgreSQL refuses NUL in any text, so it used to be a 500 there, and SQLite stored
it): in JSON bodies, query strings, the path, credentials and forms."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from core.filters.models import SavedFilter
from core.models import Comment, Issue

CASES = [
    ("POST", "/rest/api/2/issue", {"fields": {
        "project": {"key": "ELV"}, "issuetype": {"name": "Målerbytte"}, "summary": "a\x00b"}}),
    ("POST", "/rest/api/2/issue/ELV-1/comment", {"body": "x\x00y"}),
    ("PUT", "/rest/api/2/issue/ELV-1", {"fields": {"summary": "a\x00"}}),
    ("PUT", "/rest/api/2/issue/ELV-1", {"fields": {"labels\x00": "x"}}),
    ("POST", "/rest/api/2/filter", {"name": "f\x00", "jql": "project = ELV"}),
    ("GET", "/rest/api/2/search?jql=summary~%22a%00%22", None),
    ("GET", "/rest/api/2/user?username=a%00", None),
    ("GET", "/rest/api/2/user?user%00name=a", None),
    ("GET", "/rest/api/2/issue/ELV-1%00", None),
]


def _state(host: Any) -> tuple[Any, ...]:
    with host.db.new_session() as s:
        return (s.scalar(select(func.count()).select_from(Issue)),
                s.scalar(select(Issue.summary).where(Issue.key == "ELV-1")),
                s.scalar(select(func.count()).select_from(Comment)),
                s.scalar(select(func.count()).select_from(SavedFilter)))


@pytest.mark.parametrize(("method", "path", "body"), CASES)
def test_api_refuses_nul_with_a_jira_error_and_changes_nothing(http, order, host, backend,
                                                                method, path, body):
    order(summary="Målerbytte")
    before = _state(host)
    response = http(method, path, json=body)
    assert response.status_code == 400, response.text
    assert response.json() == {"errorMessages": [
        "Forespørselen inneholder et NUL-tegn (\\0), som ikke er tillatt i noen verdi."],
        "errors": {}}
    english = http(method, path, json=body, headers={"Accept-Language": "en"})
    assert english.json()["errorMessages"] == [
        "The request contains a NUL character (\\0), which is not allowed in any value."]
    assert _state(host) == before


def test_credentials_with_nul_are_refused(http, live, backend):
    import requests

    response = requests.get(live + "/rest/api/2/myself", auth=("plan\x00ner", "x"), timeout=10)
    assert response.status_code == 400
    assert "NUL" in response.json()["errorMessages"][0]
