"""SMS texts as sandboxed Jinja templates, with Norwegian defaults.

Admins write these in per-project config, so they run in a sandbox and unknown
variables are errors found when config loads, not blanks sent to customers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from jinja2 import StrictUndefined, Template, TemplateError, meta
from jinja2.sandbox import SandboxedEnvironment

BOOKING = "booking"
BOOKING_REMINDER = "booking_reminder"
BOOKING_CONFIRMATION = "booking_confirmation"
APPOINTMENT_REMINDER = "appointment_reminder"
FREE_TEXT = "free_text"

KINDS = (BOOKING, BOOKING_REMINDER, BOOKING_CONFIRMATION, APPOINTMENT_REMINDER, FREE_TEXT)
KIND_LABELS = {
    BOOKING: "Booking",
    BOOKING_REMINDER: "Bookingpåminnelse",
    BOOKING_CONFIRMATION: "Bookingbekreftelse",
    APPOINTMENT_REMINDER: "Avtalepåminnelse",
    FREE_TEXT: "Fritekst",
}
VARIABLES = (
    "customer", "address", "date", "time", "when", "installer",
    "reply_code", "reply_number", "instructions", "text",
)

DEFAULT_TEMPLATES: dict[str, str] = {
    BOOKING: (
        "Hei {{ customer }}! Vi kommer for å bytte strømmåleren din i {{ address }} "
        "{{ when }}. Montør: {{ installer }}. Svar {{ reply_code }} OK for å bekrefte, "
        "eller {{ reply_code }} KONTAKT om tidspunktet ikke passer, til {{ reply_number }}."
        "{% if instructions %} {{ instructions }}{% endif %}"
    ),
    BOOKING_REMINDER: (
        "Påminnelse: Vi har foreslått å bytte strømmåleren din i {{ address }} {{ when }}. "
        "Svar {{ reply_code }} OK eller {{ reply_code }} KONTAKT til {{ reply_number }}."
    ),
    BOOKING_CONFIRMATION: (
        "Bookingbekreftelse: Montør {{ installer }} kommer for å bytte strømmåleren i "
        "{{ address }} {{ when }}.{% if instructions %} {{ instructions }}{% endif %}"
    ),
    APPOINTMENT_REMINDER: (
        "Påminnelse: I morgen, {{ when }}, kommer montør {{ installer }} for å bytte "
        "strømmåleren i {{ address }}."
    ),
    FREE_TEXT: "{{ text }}",
}

WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


@lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    """Compiling costs more than rendering; sources come from config, so they are few."""
    return _ENV.from_string(source)


def norwegian_date(moment: datetime, tz: str = "Europe/Oslo") -> str:
    """'tirsdag 22. april' in the given zone."""
    local = moment.astimezone(ZoneInfo(tz)) if moment.tzinfo else moment
    return f"{WEEKDAYS[local.weekday()]} {local.day}. {MONTHS[local.month - 1]}"


def norwegian_datetime(moment: datetime, tz: str = "Europe/Oslo") -> str:
    """'tirsdag 22. april kl. 10:00' in the given zone (naive datetimes are taken as UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))
    local = aware.astimezone(ZoneInfo(tz))
    return f"{norwegian_date(local, tz)} kl. {local:%H:%M}"


def build_context(
    *,
    customer: str | None = None,
    address: str | None = None,
    start: datetime | None = None,
    installer: str | None = None,
    reply_code: str | None = None,
    reply_number: str | None = None,
    instructions: str | None = None,
    text: str | None = None,
    tz: str = "Europe/Oslo",
) -> dict[str, str]:
    """Every template variable, as strings, so a template never meets None."""
    aware = None
    if start is not None:
        aware = start if start.tzinfo else start.replace(tzinfo=ZoneInfo("UTC"))
        aware = aware.astimezone(ZoneInfo(tz))
    return {
        "customer": customer or "",
        "address": address or "",
        "date": norwegian_date(aware, tz) if aware else "",
        "time": f"{aware:%H:%M}" if aware else "",
        "when": norwegian_datetime(aware, tz) if aware else "",
        "installer": installer or "",
        "reply_code": reply_code or "",
        "reply_number": reply_number or "",
        "instructions": instructions or "",
        "text": text or "",
    }


def template_source(kind: str, overrides: Mapping[str, str] | None = None) -> str:
    """The project's template for kind, or the default."""
    if kind not in KINDS:
        raise KeyError(f"unknown SMS template {kind!r}")
    return (overrides or {}).get(kind) or DEFAULT_TEMPLATES[kind]


def render(
    kind: str, context: Mapping[str, str], overrides: Mapping[str, str] | None = None
) -> str:
    """Render the template of kind with context; blank runs collapse, line breaks stay."""
    text = _compiled(template_source(kind, overrides)).render(**context)
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.strip().splitlines())
    return "\n".join(lines)


@lru_cache(maxsize=256)
def names_used(source: str) -> frozenset[str]:
    """The variables a template names (``{{ x }}``, ``{% if x is defined %}``)."""
    return frozenset(meta.find_undeclared_variables(_ENV.parse(source)))


def template_error(source: str) -> str | None:
    """Why source would fail to render with the known variables, or None when it is fine."""
    try:
        _ENV.from_string(source).render(**build_context())
    except TemplateError as exc:
        return str(exc)
    return None
