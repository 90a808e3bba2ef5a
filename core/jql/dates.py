"""Dates in JQL: absolute and relative literals, and the start/end-of-period functions.

Calendar arithmetic happens in Europe/Oslo (a day starts at local midnight, a
week on Monday), results are aware datetimes compared with UTC columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
_RELATIVE = re.compile(r"^\s*([+-]?)\s*((?:\d+\s*[wdhmM]\s*)+)$")
_PART = re.compile(r"(\d+)\s*([wdhmM])")
_UNIT = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1),
         "m": timedelta(minutes=1)}
_FORMATS = ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d",
            "%d.%m.%Y %H:%M", "%d.%m.%Y")


@dataclass(frozen=True)
class DateValue:
    """A point in time, and whether it was written as a whole day (no time)."""

    at: datetime
    whole_day: bool = False

    @property
    def day_end(self) -> datetime:
        """Start of the next local day: the exclusive end of a whole-day value."""
        local = self.at.astimezone(OSLO).date() + timedelta(days=1)
        return datetime.combine(local, time(), tzinfo=OSLO)


def parse_relative(text: str) -> timedelta | None:
    """``-7d``, ``"-1w 2d"``, ``4h``, ``+30m``: an offset from now (``M`` is months x 30d)."""
    match = _RELATIVE.match(text)
    if not match:
        return None
    total = timedelta()
    for amount, unit in _PART.findall(match.group(2)):
        total += timedelta(days=30 * int(amount)) if unit == "M" else _UNIT[unit] * int(amount)
    return -total if match.group(1) == "-" else total


def parse_date(text: str, now: datetime) -> DateValue | None:
    """A date literal: relative to ``now``, ``2024-05-01``, ``2024/05/01 10:00``, ``01.05.2024``.

    Returns None when the text is no date, so callers can word the error.
    """
    try:
        offset = parse_relative(text)
        if offset is not None:
            return DateValue(now + offset)
    except OverflowError:  # "-99999999d": beyond the calendar, so no date
        return None
    stripped = text.strip()
    for fmt in _FORMATS:
        try:
            parsed = datetime.strptime(stripped, fmt)
        except ValueError:
            continue
        return DateValue(parsed.replace(tzinfo=OSLO), whole_day="%H" not in fmt)
    try:
        parsed = datetime.fromisoformat(stripped.replace("Z", "+00:00"))
    except ValueError:
        return None
    return DateValue(parsed if parsed.tzinfo else parsed.replace(tzinfo=OSLO))


def _shift(day: date, unit: str, amount: int) -> date:
    """Move a local date by whole days, weeks, months or years."""
    if unit == "d":
        return day + timedelta(days=amount)
    if unit == "w":
        return day + timedelta(weeks=amount)
    months = amount * (12 if unit == "y" else 1)
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1, day=1)


_PERIOD_UNIT = {"day": "d", "week": "w", "month": "M", "year": "y"}
_INC = re.compile(r"^\s*([+-]?\d+)\s*([dwMy]?)\s*$")


def period_bound(period: str, end: bool, now: datetime, increment: str | None) -> datetime:
    """``startOfDay("-1d")``, ``endOfMonth()``...: a bound of the local period around now.

    The increment moves the result (``-1`` is one period back, ``"+2d"`` two
    days later); ``end`` gives the last moment of the period.
    """
    unit = _PERIOD_UNIT[period]
    local = now.astimezone(OSLO).date()
    if period == "week":
        start = local - timedelta(days=local.weekday())
    elif period == "month":
        start = local.replace(day=1)
    elif period == "year":
        start = local.replace(month=1, day=1)
    else:
        start = local
    if end:
        start = _shift(start, "y" if unit == "y" else unit.replace("M", "m"), 1)
    shift_unit, amount = ("y" if unit == "y" else unit.replace("M", "m")), 0
    if increment:
        match = _INC.match(increment)
        if not match:
            raise ValueError(increment)
        amount = int(match.group(1))
        if match.group(2):
            shift_unit = {"M": "m"}.get(match.group(2), match.group(2))
    moved = _shift_any(start, shift_unit, amount)
    result = datetime.combine(moved, time(), tzinfo=OSLO)
    return result - timedelta(milliseconds=1) if end else result


def _shift_any(day: date, unit: str, amount: int) -> date:
    """Like ``_shift`` but keeps the day of month when moving by months."""
    if unit in ("d", "w") or amount == 0:
        return _shift(day, unit, amount)
    months = amount * (12 if unit == "y" else 1)
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    for dom in range(day.day, 27, -1):
        try:
            return day.replace(year=year, month=month, day=dom)
        except ValueError:
            continue
    return day.replace(year=year, month=month, day=min(day.day, 28))
