"""What goes into one booking letter, and the Norwegian wording of dates and times.

Kept apart from rendering so the plugin (which reads orders) and the renderer
(which only sees these plain values) do not depend on each other.
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)  # fmt: skip
LOCAL_TZ = ZoneInfo("Europe/Oslo")
DEFAULT_ESTIMATE = timedelta(hours=1)


def local_time(moment: datetime, tz: ZoneInfo = LOCAL_TZ) -> datetime:
    """Wall-clock time for the customer; naive datetimes are taken as already local."""
    return moment.astimezone(tz) if moment.tzinfo else moment


def norwegian_date(moment: datetime, tz: ZoneInfo = LOCAL_TZ) -> str:
    """``tirsdag 22. april 2025``: the way a Norwegian letter names a day."""
    day = local_time(moment, tz)
    return f"{WEEKDAYS[day.weekday()]} {day.day}. {MONTHS[day.month - 1]} {day.year}"


def time_window(start: datetime, estimate: timedelta | None = None, tz: ZoneInfo = LOCAL_TZ) -> str:
    """``10:00–11:00``: from the planned start to start plus the estimate."""
    begin = local_time(start, tz)
    end = begin + (estimate or DEFAULT_ESTIMATE)
    return f"{begin:%H:%M}–{end:%H:%M}"


@dataclass(frozen=True)
class Sender:
    """The grid company sending letters: letterhead, return address, reply number."""

    name: str
    address_lines: tuple[str, ...] = ()
    reply_number: str = ""
    logo_data_uri: str = ""
    phone: str = ""
    email: str = ""

    @staticmethod
    def logo_from_file(path: Path) -> str:
        """Embed a logo file as a data URI: the renderer fetches nothing from disk or net."""
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


@dataclass(frozen=True)
class LetterData:
    """One order's letter, as plain values; all text is escaped by the template engine."""

    key: str
    customer_name: str
    address: str
    postcode: str
    city: str
    planned_start: datetime
    reply_code: str
    installer: str = ""
    estimate: timedelta | None = None
    meter_number: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def date_text(self) -> str:
        return norwegian_date(self.planned_start)

    @property
    def time_text(self) -> str:
        return time_window(self.planned_start, self.estimate)

    @property
    def file_stem(self) -> str:
        """``AMS-12_2025-04-22``: key and planned day, safe as a file name."""
        day = local_time(self.planned_start)
        safe_key = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.key)
        return f"{safe_key}_{day:%Y-%m-%d}"
