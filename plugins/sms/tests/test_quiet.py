"""Quiet hours: next allowed send time, across midnight and DST."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from plugins.sms.quiet import QuietHours, parse_clock

OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (oslo(2025, 4, 22, 12, 0), oslo(2025, 4, 22, 12, 0)),
        (oslo(2025, 4, 22, 19, 59), oslo(2025, 4, 22, 19, 59)),
        (oslo(2025, 4, 22, 20, 0), oslo(2025, 4, 23, 8, 0)),
        (oslo(2025, 4, 22, 23, 30), oslo(2025, 4, 23, 8, 0)),
        (oslo(2025, 4, 23, 3, 0), oslo(2025, 4, 23, 8, 0)),
        (oslo(2025, 4, 23, 8, 0), oslo(2025, 4, 23, 8, 0)),
    ],
)
def test_default_window(now: datetime, expected: datetime) -> None:
    assert QuietHours().next_allowed(now) == expected


def test_utc_input_comes_back_in_utc() -> None:
    now = datetime(2025, 1, 10, 20, 0, tzinfo=UTC)  # 21:00 in Oslo (winter)
    result = QuietHours().next_allowed(now)
    assert result.tzinfo is UTC
    assert result == datetime(2025, 1, 11, 7, 0, tzinfo=UTC)


def test_dst_morning_is_still_eight_local() -> None:
    # Night of 29-30 March 2025: clocks go forward in Oslo.
    result = QuietHours().next_allowed(oslo(2025, 3, 29, 22, 0))
    assert result.astimezone(OSLO).time() == time(8, 0)
    assert result.astimezone(OSLO).day == 30


def test_daytime_window_and_empty_window() -> None:
    lunch = QuietHours(start=time(11), end=time(12))
    assert lunch.next_allowed(oslo(2025, 5, 5, 11, 30)) == oslo(2025, 5, 5, 12, 0)
    assert lunch.next_allowed(oslo(2025, 5, 5, 12, 30)) == oslo(2025, 5, 5, 12, 30)
    never = QuietHours(start=time(8), end=time(8))
    assert never.next_allowed(oslo(2025, 5, 5, 3, 0)) == oslo(2025, 5, 5, 3, 0)


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError):
        QuietHours().next_allowed(datetime(2025, 1, 1, 12, 0))


def test_parse_clock() -> None:
    assert parse_clock("20:00") == time(20, 0)
    assert parse_clock(" 7:30 ") == time(7, 30)
