"""Property tests: rendering round-trips, and no input crashes the parser."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from core.jql import JqlError, parse, to_jql
from core.jql.ast import Query

from .strategies import queries

JQL_ALPHABET = st.sampled_from(
    list("abcæøå ()\"',=!<>~&|[]-\\*@0123456789")
    + ["and", "or", "not", "in", "is", "was", "empty", "order by", "changed", "cf[1]", "after"]
)


@settings(max_examples=300, deadline=None)
@given(queries)
def test_rendered_query_parses_back_equal(query: Query) -> None:
    assert parse(to_jql(query)) == query


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(JQL_ALPHABET, max_size=15).map(" ".join)))
def test_any_text_parses_or_raises_jql_error(text: str) -> None:
    try:
        result = parse(text)
    except JqlError as error:
        assert error.message.startswith("Error in the JQL Query: ")
        assert error.line is not None and error.column is not None
    else:
        assert isinstance(result, Query)
