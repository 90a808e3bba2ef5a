"""Quiet hours: SMS to customers are held until morning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Europe/Oslo"


@dataclass(frozen=True)
class QuietHours:
    """A daily window (may span midnight) in which nothing is sent."""

    start: time = time(20, 0)
    end: time = time(8, 0)
    tz: str = DEFAULT_TZ

    def is_quiet(self, moment: datetime) -> bool:
        """True when moment (timezone-aware) falls inside the window."""
        local = moment.astimezone(ZoneInfo(self.tz)).time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, moment: datetime) -> datetime:
        """moment itself when sending is allowed, else the end of the window (aware)."""
        if moment.tzinfo is None:
            raise ValueError("quiet hours need a timezone-aware datetime")
        if not self.is_quiet(moment):
            return moment
        zone = ZoneInfo(self.tz)
        local = moment.astimezone(zone)
        day = local.date()
        if local.time() >= self.end and self.start > self.end:
            day = day + timedelta(days=1)
        # Building from the wall-clock end time keeps 08:00 right across DST changes.
        return datetime.combine(day, self.end, tzinfo=zone).astimezone(moment.tzinfo)


def parse_clock(text: str) -> time:
    """'20:00' -> time(20, 0); raises ValueError on anything else."""
    hours, _, minutes = text.strip().partition(":")
    return time(int(hours), int(minutes or 0))
