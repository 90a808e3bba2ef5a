"""Installers' calendars for demo orders: booked slots in working hours, Oslo time.

Bookit and the map look wrong with visits at 03:00 on a Sunday or ten orders on one
installer at the same minute; these helpers keep demo times where real ones fall.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from core.fields import OSLO

DAY_START, DAY_END = time(8, 0), time(15, 30)


def working_time(moment: datetime) -> datetime:
    """The same instant moved into a weekday between 07:30 and 16:00 (Oslo), same week."""
    local = moment.astimezone(OSLO)
    if local.weekday() >= 5:
        local -= timedelta(days=local.weekday() - 4)
    if local.hour < 7 or (local.hour == 7 and local.minute < 30):
        local = local.replace(hour=7, minute=30 + local.minute % 30)
    elif local.hour >= 16:
        local = local.replace(hour=15, minute=local.minute % 60)
    return local.astimezone(moment.tzinfo)


def _next_workday(day: datetime) -> datetime:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class InstallerCalendar:
    """Hands out consecutive visit slots per installer, from the next working day."""

    def __init__(self, installers: list[str], now: datetime, seed: int = 0) -> None:
        first = _next_workday(now.astimezone(OSLO)).replace(
            hour=DAY_START.hour, minute=DAY_START.minute, second=0, microsecond=0)
        self.cursor = {name: first for name in installers}
        self.rng = random.Random(seed)

    def next_slot(self, installer: str, seconds: int) -> datetime:
        """The installer's next free start time for a visit of ``seconds``."""
        start = self.cursor[installer]
        end = start + timedelta(seconds=seconds)
        if end.time() > DAY_END:
            start = _next_workday(start).replace(hour=DAY_START.hour, minute=DAY_START.minute)
            end = start + timedelta(seconds=seconds)
        self.cursor[installer] = end
        return start

    def past_slot(self, after: datetime, before: datetime) -> datetime:
        """A half-hour start in working hours between ``after`` and ``before``."""
        if after >= before:
            return before
        for _ in range(50):
            moment = after + (before - after) * self.rng.random()
            local = moment.astimezone(OSLO)
            if local.weekday() < 5 and DAY_START <= local.time() <= DAY_END:
                local = local.replace(minute=30 if local.minute >= 30 else 0, second=0,
                                      microsecond=0)
                if after <= local <= before:
                    return local
        return before
