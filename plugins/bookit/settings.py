"""Bookit's settings, checked at start-up with the file and line of a bad value.

Two levels, because the calendar is one for the instance (a planner sees installers of
both grid companies) while what may be planned is each grid company's rule:

```yaml
plugins:                       # instance-wide: installers and travel
  bookit:
    installer_role: Montør     # who is a row on the calendar
    week: {mon: "07:30-15:30", tue: "07:30-15:30", wed: "07:30-15:30",
           thu: "07:30-15:30", fri: "07:30-15:30"}   # default weekly pattern
    lunch: {earliest: "11:00", latest: "12:30", minutes: 30}   # null: no break
    travel: {detour_factor: 1.3, speed_kmh: 40}    # haversine model
    snap_minutes: 15
    poll_seconds: 5            # how often an open calendar asks for others' changes
projects:
  - key: ELV
    plugins:
      bookit:                  # per grid company: what may be planned and how
        plannable_statuses: [planning, manual_followup, reopened]
        overlap: warn          # warn | refuse
        held_statuses: [awaiting_response, ready, in_progress]   # optimising keeps these
        feed_statuses: [ready, in_progress]   # confirmed: in the installer's iCalendar feed
        default_estimate: 1h
        estimates: {Målerbytte: 1h, Tilleggsarbeid: 2h}
```
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import TYPE_CHECKING, Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from core.fields import FieldDef
from core.yamlsource import ConfigError, first_error

from .autoplan.settings import AutoplanSchema

if TYPE_CHECKING:
    from core.host import Amsflow

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # ISO weekday 1..7
DEFAULT_WEEK = {d: "07:30-15:30" for d in DAYS[:5]}
_DURATION = FieldDef(id="bookit", key="estimate", name="Estimat", type="duration")


def parse_clock(text: str) -> time:
    """``"07:30"`` -> 07:30; ``"24:00"`` is the end of the day (23:59:59)."""
    hh, _, mm = str(text).strip().partition(":")
    if not (hh.isdigit() and mm.isdigit() and len(mm) == 2):
        raise ValidationError(f"'{text}' is not a time of day (HH:MM)")
    h, m = int(hh), int(mm)
    if (h, m) == (24, 0):
        return time(23, 59, 59)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValidationError(f"'{text}' is not a time of day (HH:MM)")
    return time(h, m)


def parse_span(text: str) -> tuple[time, time]:
    """``"07:30-15:30"`` -> (07:30, 15:30); the end must come after the start."""
    start, sep, end = str(text).partition("-")
    if not sep:
        raise ValidationError(f"'{text}' is not a span of time (HH:MM-HH:MM)")
    a, b = parse_clock(start), parse_clock(end)
    if b <= a:
        raise ValidationError(f"'{text}' ends before it starts")
    return a, b


def parse_estimate(text: Any) -> int:
    """``"1h 30m"`` or seconds -> seconds, as the Estimat field parses it."""
    try:
        seconds = _DURATION.parse(text)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if seconds <= 0:
        raise ValidationError("an estimate must be longer than zero")
    return seconds


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class LunchSchema(_Strict):
    earliest = fields.String(load_default="11:00")
    latest = fields.String(load_default="12:30")
    minutes = fields.Integer(load_default=30, validate=validate.Range(min=1, max=240))

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        if parse_clock(data["latest"]) < parse_clock(data["earliest"]):
            raise ValidationError("latest comes before earliest", "latest")


class TravelSchema(_Strict):
    detour_factor = fields.Float(load_default=1.3, validate=validate.Range(min=1.0, max=5.0))
    speed_kmh = fields.Float(load_default=40.0, validate=validate.Range(min=1.0, max=200.0))


class InstanceSchema(_Strict):
    installer_role = fields.String(load_default="Montør")
    week = fields.Dict(keys=fields.String(validate=validate.OneOf(DAYS)),
                       values=fields.String(), load_default=lambda: dict(DEFAULT_WEEK))
    lunch = fields.Nested(LunchSchema, allow_none=True,
                          load_default=lambda: LunchSchema().load({}))
    travel = fields.Nested(TravelSchema, load_default=lambda: TravelSchema().load({}))
    snap_minutes = fields.Integer(load_default=15, validate=validate.OneOf([5, 10, 15, 30, 60]))
    poll_seconds = fields.Integer(load_default=5, validate=validate.Range(min=1, max=300))

    @validates_schema
    def _spans(self, data: dict[str, Any], **_: Any) -> None:
        for day, span in data.get("week", {}).items():
            try:
                parse_span(span)
            except ValidationError as exc:
                raise ValidationError(exc.messages, f"week.{day}") from None


class ProjectSchema(_Strict):
    """``projects[].plugins.bookit``: the grid company's planning rules."""

    plannable_statuses = fields.List(fields.String(), load_default=lambda: [
        "planning", "manual_followup", "reopened"])
    overlap = fields.String(load_default="warn", validate=validate.OneOf(["warn", "refuse"]))
    # the customer holds the time in these: Optimise this day keeps it
    held_statuses = fields.List(fields.String(), load_default=lambda: [
        "awaiting_response", "ready", "in_progress"])
    # confirmed with the customer: these go to the installer's iCalendar feed
    feed_statuses = fields.List(fields.String(), load_default=lambda: ["ready", "in_progress"])
    default_estimate = fields.Raw(load_default="1h")
    estimates = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=dict)
    autoplan = fields.Nested(AutoplanSchema,
                             load_default=lambda: AutoplanSchema().load({}))

    @validates_schema
    def _estimates(self, data: dict[str, Any], **_: Any) -> None:
        parse_estimate(data.get("default_estimate", "1h"))
        for name, value in data.get("estimates", {}).items():
            try:
                parse_estimate(value)
            except ValidationError as exc:
                raise ValidationError(exc.messages, f"estimates.{name}") from None


@dataclass(frozen=True)
class Lunch:
    """A break of ``minutes`` starting between ``earliest`` and ``latest`` (local time)."""

    earliest: time
    latest: time
    minutes: int


@dataclass(frozen=True)
class Instance:
    installer_role: str
    week: dict[int, tuple[time, time]]  # ISO weekday -> working span
    lunch: Lunch | None
    detour_factor: float
    speed_kmh: float
    snap_minutes: int
    poll_seconds: int


def load_instance(config: Any) -> Instance:
    raw = (config.get("plugins") or {}).get("bookit") or {}
    try:
        out = InstanceSchema().load(raw)
    except ValidationError as exc:
        where, message = first_error(exc.messages)
        path = ("plugins", "bookit", *".".join(map(str, where)).split("."))
        raise ConfigError(f"{'.'.join(path)}: {message}", config.path,
                          config.line(*path)) from exc
    lunch = out["lunch"]
    return Instance(
        installer_role=out["installer_role"],
        week={DAYS.index(d) + 1: parse_span(s) for d, s in out["week"].items()},
        lunch=Lunch(parse_clock(lunch["earliest"]), parse_clock(lunch["latest"]),
                    lunch["minutes"]) if lunch else None,
        detour_factor=out["travel"]["detour_factor"], speed_kmh=out["travel"]["speed_kmh"],
        snap_minutes=out["snap_minutes"], poll_seconds=out["poll_seconds"])


def instance(host: Amsflow) -> Instance:
    """The instance-wide settings (loaded once per host)."""
    cached = getattr(host, "_bookit_settings", None)
    if cached is None:
        cached = load_instance(host.config)
        host._bookit_settings = cached  # type: ignore[attr-defined]
    return cached


def project(host: Amsflow, project_key: str) -> dict[str, Any]:
    """A grid company's planning rules ({} when it does not enable Bookit)."""
    return host.plugins.plugin_settings(project_key, "bookit")


def estimate_for(host: Amsflow, project_key: str, issue_type: str) -> int:
    """The default estimate in seconds for an order of ``issue_type``."""
    conf = project(host, project_key) or ProjectSchema().load({})
    return parse_estimate(conf["estimates"].get(issue_type, conf["default_estimate"]))


def check_statuses(host: Amsflow) -> None:
    """Each project's plannable statuses must exist (a start-up error otherwise)."""
    known = set(host.all_statuses())
    for i, p in enumerate(host.config["projects"]):
        conf = project(host, p["key"])
        for name in ("plannable_statuses", "held_statuses", "feed_statuses"):
            for n, status in enumerate(conf.get(name, [])):
                if status not in known:
                    raise host.config.error(
                        f"plugin 'bookit': unknown status '{status}' (known: "
                        f"{', '.join(sorted(known))})",
                        "projects", i, "plugins", "bookit", name, n)
