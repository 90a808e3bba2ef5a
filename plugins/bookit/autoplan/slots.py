"""Free slots for one more visit in installers' days, cheapest extra driving first.

Used by the customer's self-service page (pick another time) and by *Re-plan the
day* (fill a gap with a waiting order). A day is what the calendar already holds:
the installer's working hours, break and home, and the visits that hold time on it
(confirmed, and proposed while the customer answers). A slot is a start where the
new visit fits between two of them with the travel on both sides, inside the hours,
clear of the break; its cost is the driving it adds to the day.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

Point = tuple[float, float]
Travel = Callable[[Point, Point], tuple[int, int]]  # (seconds, metres)


@dataclass(frozen=True)
class Held:
    """A visit already on the day: where, and the time it holds."""

    id: Hashable
    place: Point
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Day:
    installer: Hashable
    start: datetime
    end: datetime
    home: Point
    held: Sequence[Held] = ()
    break_start: datetime | None = None  # the break as the calendar places it
    break_end: datetime | None = None


@dataclass(frozen=True)
class Slot:
    installer: Hashable
    start: datetime
    end: datetime
    extra_seconds: int  # driving it adds
    extra_metres: int


def free_slots(days: Sequence[Day], place: Point, service: timedelta, travel: Travel, *,
               step: timedelta = timedelta(minutes=15), not_before: datetime | None = None,
               per_day: int = 1, limit: int = 6) -> list[Slot]:
    """The cheapest slots (at most ``per_day`` per installer-day, ``limit`` in all),
    each starting on a ``step`` boundary; cheapest extra driving first, then earliest."""
    found: list[Slot] = []
    for day in days:
        stops = sorted(day.held, key=lambda h: h.start)
        blocks = [(h.start, h.end) for h in stops]
        if day.break_start and day.break_end:
            blocks.append((day.break_start, day.break_end))
        day_slots: list[Slot] = []
        previous: list[tuple[Point, datetime]] = [(day.home, day.start)]
        previous += [(h.place, h.end) for h in stops]
        following: list[tuple[Point, datetime]] = [(h.place, h.start) for h in stops]
        following.append((day.home, day.end))
        for (here, free_from), (there, free_until) in zip(previous, following, strict=True):
            to_s, to_m = travel(here, place)
            on_s, on_m = travel(place, there)
            direct_s, direct_m = travel(here, there)
            start = _ceil(free_from + timedelta(seconds=to_s), day.start, step)
            if not_before and start < not_before:
                start = _ceil(not_before, day.start, step)
            while start + service + timedelta(seconds=on_s) <= free_until:
                end = start + service
                clash = next((b for b in blocks if b[0] < end and start < b[1]), None)
                if clash is None:
                    day_slots.append(Slot(day.installer, start, end,
                                          to_s + on_s - direct_s, to_m + on_m - direct_m))
                    break
                start = _ceil(clash[1], day.start, step)
        day_slots.sort(key=lambda s: (s.extra_seconds, s.start))
        found.extend(day_slots[:per_day])
    found.sort(key=lambda s: (s.extra_seconds, s.start))
    return found[:limit]


def _ceil(moment: datetime, origin: datetime, step: timedelta) -> datetime:
    """``moment`` rounded up to the next ``step`` counted from ``origin``."""
    steps = -(-(moment - origin) // step)
    return origin + steps * step
