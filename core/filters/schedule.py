"""When a subscription is due: daily at a time, on chosen weekdays, or a cron string.

Times are Norwegian wall-clock times (Europe/Oslo, summer time included); the
result is the latest due time at or before ``now``, in UTC, so the sender can
send each due time once and never the ones before the subscription existed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from croniter import croniter

from ..fields import OSLO
from ..i18n import _

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
KINDS = ("daily", "weekly", "cron")


class ScheduleError(ValueError):
    """A schedule that cannot be used; the message names the bad part."""


def parse_days(raw: str | list[str]) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    days = [d.strip().lower()[:3] for d in items if d.strip()]
    bad = [d for d in days if d not in DAYS]
    if bad:
        raise ScheduleError(_("ukjent ukedag: %(day)s (bruk %(days)s)", day=bad[0],
                               days=", ".join(DAYS)))
    return [d for d in DAYS if d in days]


def validate(kind: str, time: str, days: str, cron: str) -> None:
    """Raise ScheduleError unless the schedule is complete and well formed."""
    if kind not in KINDS:
        raise ScheduleError(_("ukjent plan: %(kind)s (bruk %(kinds)s)", kind=kind,
                               kinds=", ".join(KINDS)))
    if kind == "cron":
        if not croniter.is_valid(cron or ""):
            raise ScheduleError(_("ugyldig cron-uttrykk: %(cron)r", cron=cron))
        return
    if not _TIME.match(time or ""):
        raise ScheduleError(_("ugyldig klokkeslett: %(time)r (bruk TT:MM)", time=time))
    if kind == "weekly" and not parse_days(days):
        raise ScheduleError(_("velg minst én ukedag"))


def latest_due(kind: str, time: str, days: str, cron: str, now: datetime) -> datetime:
    """The latest due time at or before ``now`` (aware UTC)."""
    local = now.astimezone(OSLO)
    if kind == "cron":
        it = croniter(cron, local + timedelta(seconds=1))
        return it.get_prev(datetime).astimezone(UTC)
    hour, minute = (int(x) for x in time.split(":"))
    allowed = set(range(7)) if kind == "daily" else {DAYS.index(d) for d in parse_days(days)}
    for back in range(0, 8):
        day = (local - timedelta(days=back)).date()
        if day.weekday() not in allowed:
            continue
        due = datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)
        if due <= local:
            return due.astimezone(UTC)
    raise ScheduleError("planen har ingen tidspunkt")  # unreachable when validated


def describe(kind: str, time: str, days: str, cron: str) -> str:
    """The schedule in Norwegian, for lists and mails."""
    names = {"mon": "man", "tue": "tir", "wed": "ons", "thu": "tor", "fri": "fre",
             "sat": "lør", "sun": "søn"}
    if kind == "cron":
        return f"cron «{cron}»"
    if kind == "daily":
        return f"hver dag kl. {time}"
    return f"{', '.join(names[d] for d in parse_days(days))} kl. {time}"
