"""Property tests against a real database: any query gives issues or a JqlError."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.jql import JqlError, parse, search, to_jql
from core.jql.ast import Query

from .strategies import build_queries

FIELDS = ["project", "status", "assignee", "reporter", "summary", "description", "comment",
          "text", "created", "updated", "resolved", "resolution", "key", "issuetype",
          "statusCategory", "watcher", "Løsningsperiode", "Planlagt starttid", "Estimat",
          "Postnummer", "Vanskelig måler", "Posisjon", "På vent til", "customer_name"]
VALUES = ["ELV", "FJN", "Åpen", "Under planlegging", "planner", "installer2", "admin",
          "Målerbytte", "Avvik", "Ok", "Unresolved", "0150", "Etappe 1", "ja", "nei", "1h",
          "-1d", "2024-05-01", "2024-05-03 10:00", "ELV-1", "planleggere", "-2", "+1",
          "målerbytte", "Ødegård", "Tassen"]
FUNCTIONS = ["currentUser", "membersOf", "now", "startOfDay", "endOfWeek", "startOfMonth",
             "linkedIssues", "watchedIssues", "fooBar"]
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _run(host: Any, user: Any, jql: str | Query) -> None:
    session = host.db.session()
    try:
        issues, total = search(host, session, jql, user, 0, 20)
    except JqlError as error:
        assert error.message
        return
    finally:
        session.rollback()
    assert len(issues) <= min(total, 20)


@SETTINGS
@given(query=build_queries(FIELDS, VALUES, FUNCTIONS))
def test_valid_queries_run_or_raise_jql_error(jql_host, jql_users, orders, query) -> None:
    _run(jql_host, jql_users["planner"], query)
    _run(jql_host, jql_users["admin"], parse(to_jql(query)))


@SETTINGS
@given(text=st.one_of(st.text(max_size=60), st.lists(
    st.sampled_from(FIELDS + VALUES + ["=", "!=", "~", "in", "(", ")", ",", "and", "or",
                                       "not", "was", "changed", "after", "by", "is",
                                       "empty", "order by", '"', "currentUser()"]),
    max_size=12).map(" ".join)))
def test_random_text_gives_results_or_jql_error(jql_host, jql_users, orders, text) -> None:
    _run(jql_host, jql_users["admin"], text)
