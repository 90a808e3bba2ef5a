"""Bounded JQL on SQLite and PostgreSQL: queries over a limit are a Jira-style 400
naming the setting, queries within the limits run (no 500 from SQLite's expression
depth or PostgreSQL's stack), a search over its time limit is stopped with a 400,
and a hypothesis fuzz of huge and deep queries always gets a 4xx back."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from core.app import create_app
from core.config import parse_config
from core.hookspecs import hookimpl
from core.jql.limits import DEFAULT_LIMITS as L
from core.models import Issue
from core.services.issues import create_issue
from core.services.uow import run

SEARCH = "/rest/api/2/search"


def _search(client: Any, headers: dict[str, str], jql: str) -> Any:
    return client.post(SEARCH, json={"jql": jql, "maxResults": 5}, headers=headers)


def _refused(response: Any, setting: str) -> None:
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    data = response.get_json()
    assert set(data) == {"errorMessages", "errors"}
    assert f"limits.{setting}" in data["errorMessages"][0]


@pytest.fixture
def planner(users: Any, auth: Any) -> dict[str, str]:
    return auth("planner")


@pytest.fixture
def make_issue(host: Any, users: Any) -> Any:
    def make() -> str:
        s = host.db.session()
        key = run(host, s, lambda: create_issue(host, s, users["planner"], "ELV", "Målerbytte",
                                                "Målerbytte Storgata 1", {})).key
        return key

    return make


def test_a_query_longer_than_the_limit_is_refused(client, planner, backend):
    words = " OR ".join(f"summary ~ ord{i}" for i in range(10_000))  # the audit's 188 KB
    _refused(_search(client, planner, words), "jql_max_length")


def test_more_terms_than_the_limit_is_refused(client, planner, backend):
    jql = " OR ".join(f"key = ELV-{i}" for i in range(1, L.jql_max_terms + 2))
    _refused(_search(client, planner, jql), "jql_max_terms")


def test_nesting_deeper_than_the_limit_is_refused(client, planner, backend):
    _refused(_search(client, planner, "NOT " * 900 + "status = Åpen"), "jql_max_depth")
    deep = "(" * 500 + "status = Åpen" + ")" * 500
    assert _search(client, planner, deep).status_code == 200  # plain parentheses: flat
    alternating = "status = Åpen"
    for i in range(L.jql_max_depth + 1):
        alternating = f"key = ELV-{i} {'AND' if i % 2 else 'OR'} ({alternating})"
    _refused(_search(client, planner, alternating), "jql_max_depth")


def test_a_longer_list_than_the_limit_is_refused(client, planner, backend):
    jql = "key in (" + ", ".join(str(i) for i in range(L.jql_max_list + 1)) + ")"
    _refused(_search(client, planner, jql), "jql_max_list")


def test_more_words_than_the_limit_in_a_text_search_is_refused(client, planner, backend):
    _refused(_search(client, planner, 'text ~ "' + " ".join(["ord"] * 2_000) + '"'),
             "jql_max_words")


def test_queries_at_the_limits_run(client, planner, backend, make_issue):
    key = make_issue()
    terms = " OR ".join(f"summary ~ ord{i}" for i in range(L.jql_max_terms - 1))
    assert _search(client, planner, f"{terms} OR key = {key}").get_json()["total"] == 1
    listed = ", ".join(f"ELV-{i}" for i in range(2, 800)) + ", " + key
    response = _search(client, planner, f"key in ({listed})")
    assert response.status_code == 200 and response.get_json()["total"] == 1
    nots = "NOT " * (L.jql_max_depth - 2) + f"key = {key}"  # an even number of NOTs
    assert _search(client, planner, nots).get_json()["total"] == 1


def test_limits_are_settings(backend, config_dict, users, auth):
    config_dict["limits"] = {"jql_max_terms": 2}
    app = create_app(parse_config(config_dict), overrides={"TESTING": True})
    try:
        client = app.test_client()
        ok = _search(client, auth("planner"), "key = ELV-1 OR key = ELV-2")
        assert ok.status_code == 200
        refused = _search(client, auth("planner"), "key = ELV-1 OR key = ELV-2 OR key = ELV-3")
        _refused(refused, "jql_max_terms")
        assert "2" in refused.get_json()["errorMessages"][0]
    finally:
        app.extensions["amsflow"].db.dispose()


class SlowFunction:
    """A JQL function whose subquery keeps the database busy for half a minute."""

    @hookimpl
    def register_jql_functions(self, registry: Any) -> None:
        @registry.function("slowIssues")
        def slow(ctx: Any) -> Any:
            if ctx.session.get_bind().dialect.name == "postgresql":
                return select(Issue.id).where(text("(SELECT count(*) FROM pg_sleep(30)) > 0"))
            return select(Issue.id).where(text(
                "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                "WHERE x < 3000000000) SELECT count(*) FROM c) > 0"))


def test_a_search_over_its_time_limit_is_stopped_with_a_400(backend, config_dict, users,
                                                             auth, make_issue):
    make_issue()  # a row, so the slow condition is evaluated
    config_dict["limits"] = {"search_timeout_seconds": 0.3}
    app = create_app(parse_config(config_dict), extra_plugins=(SlowFunction(),),
                     overrides={"TESTING": True})
    try:
        client = app.test_client()
        _refused(_search(client, auth("planner"), "key in slowIssues()"),
                 "search_timeout_seconds")
        after = _search(client, auth("planner"), "project = ELV")  # the worker is free again
        assert after.status_code == 200
    finally:
        app.extensions["amsflow"].db.dispose()


_FIELDS = st.sampled_from(["summary ~ ord", "key = ELV-1", "status = Åpen", "cf[10011] > 1h",
                           "assignee = planner", "created > -1d", "Kundenavn ~ Åse"])


@st.composite
def huge_or_deep(draw: Any) -> str:
    """A query over one of the limits: long, many terms, deep, a long list, many words."""
    kind = draw(st.sampled_from(["terms", "not", "nest", "list", "words", "length"]))
    term = draw(_FIELDS)
    if kind == "terms":
        n = draw(st.integers(L.jql_max_terms + 1, 4 * L.jql_max_terms))
        return f" {draw(st.sampled_from(['OR', 'AND']))} ".join([term] * n)
    if kind == "not":
        return "NOT " * draw(st.integers(L.jql_max_depth + 1, 3_000)) + term
    if kind == "nest":
        query = term
        for i in range(draw(st.integers(L.jql_max_depth + 1, 400))):
            query = f"{term} {'AND' if i % 2 else 'OR'} ({query})"
        return query
    if kind == "list":
        n = draw(st.integers(L.jql_max_list + 1, 2_400))
        return "key in (" + ",".join(str(i) for i in range(n)) + ")"
    if kind == "words":
        n = draw(st.integers(L.jql_max_words + 1, 1_500))
        return 'text ~ "' + " ".join(draw(st.sampled_from(["a", "ord", "Ødegård"])) * 1
                                     for _ in range(n)) + '"'
    return term + " OR " + "x" * (L.jql_max_length + draw(st.integers(0, 50_000)))


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(jql=huge_or_deep())
def test_huge_and_deep_queries_get_a_4xx(client, planner, backend, jql):
    response = _search(client, planner, jql)  # bounded: the request returns
    assert 400 <= response.status_code < 500, (jql[:200], response.get_data(as_text=True))
    assert response.get_json()["errorMessages"]
