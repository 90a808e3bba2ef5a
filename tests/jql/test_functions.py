"""JQL functions: plugin-registered ones through the host's registry, and date functions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.jql import JqlError
from core.jql.dates import OSLO, parse_date, parse_relative, period_bound
from core.models import FieldValue


@pytest.fixture(scope="module")
def plugin_functions(jql_host):
    """Register two functions as a plugin would in ``register_jql_functions``."""
    registry = jql_host.plugins.jql_functions
    if "issueswithpostcode" not in registry:
        register = registry.bind("testplugin")

        @register.function("issuesWithPostcode")
        def issues_with_postcode(ctx, code):
            if not code.isdigit():
                raise ValueError(f"'{code}' is not a postcode.")
            return select(FieldValue.issue_id).where(
                FieldValue.field_id == ctx.host.fields["postcode"].id,
                FieldValue.value_str == code)

        @register.function("stagesOf")
        def stages_of(ctx, *numbers):
            return [f"Etappe {n}" for n in numbers]

        registry.bind("core")
    return registry


def test_plugin_function_returning_a_subquery(find, plugin_functions) -> None:
    assert find('issuekey in issuesWithPostcode("0150")') == {"A", "C"}
    assert find("key not in issuesWithPostcode(0150)") == {"B", "D"}


def test_plugin_function_returning_values(find, plugin_functions) -> None:
    assert find("Løsningsperiode in stagesOf(2)") == {"B"}
    assert find("Løsningsperiode in stagesOf(1, 2)") == {"A", "B", "C"}


def test_plugin_function_errors_become_jql_errors(find, plugin_functions) -> None:
    with pytest.raises(JqlError, match="'x' is not a postcode."):
        find("key in issuesWithPostcode(x)")
    with pytest.raises(JqlError, match="wrong number of arguments"):
        find("key in issuesWithPostcode()")


def test_function_names_are_case_insensitive(find, plugin_functions) -> None:
    assert find("key in ISSUESWITHPOSTCODE(6800)") == find("reporter = planner AND "
                                                          "project = FJN")


NOW = datetime(2024, 5, 15, 10, 30, tzinfo=UTC)  # a Wednesday, 12:30 in Oslo


@pytest.mark.parametrize(
    ("period", "end", "increment", "local"),
    [("day", False, None, datetime(2024, 5, 15)),
     ("day", False, "-1d", datetime(2024, 5, 14)),
     ("day", True, None, datetime(2024, 5, 15, 23, 59, 59, 999000)),
     ("week", False, None, datetime(2024, 5, 13)),
     ("week", True, "-1", datetime(2024, 5, 12, 23, 59, 59, 999000)),
     ("month", False, "+1", datetime(2024, 6, 1)),
     ("month", True, None, datetime(2024, 5, 31, 23, 59, 59, 999000)),
     ("year", False, None, datetime(2024, 1, 1)),
     ("year", True, "-1", datetime(2023, 12, 31, 23, 59, 59, 999000))],
)
def test_period_bounds_in_oslo(period, end, increment, local) -> None:
    assert period_bound(period, end, NOW, increment) == local.replace(tzinfo=OSLO)


def test_relative_and_absolute_dates() -> None:
    week_two_days = parse_relative("-1w 2d")
    assert week_two_days is not None and week_two_days.days == -9
    assert parse_date("-7d", NOW).at == NOW - (NOW - NOW.replace(day=8))
    whole = parse_date("2024-05-01", NOW)
    assert whole.whole_day and whole.at == datetime(2024, 5, 1, tzinfo=OSLO)
    assert whole.day_end == datetime(2024, 5, 2, tzinfo=OSLO)
    assert not parse_date("2024/05/01 10:00", NOW).whole_day
    assert parse_date("01.05.2024", NOW).at == whole.at
    assert parse_date("fredag", NOW) is None
