"""Configured (custom) fields: their definitions and typed values.

One place converts a value between the forms it takes: what a person or a Jira
client sends, what the database stores (``FieldValue`` columns), what the API
returns and what a page shows. Everything else asks this module.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers

from .i18n import _

OSLO = ZoneInfo("Europe/Oslo")
_DURATION = re.compile(r"(\d+(?:[.,]\d+)?)\s*([wdhm])", re.I)
_UNIT_SECONDS = {"w": 5 * 8 * 3600, "d": 8 * 3600, "h": 3600, "m": 60}
_TRUE = {"true", "1", "yes", "ja", "y", "on"}
_FALSE = {"false", "0", "no", "nei", "n", "off", ""}


MAX_DURATION = 100 * 365 * 24 * 3600  # a century in seconds: more is a typing error


class FieldValueError(ValueError):
    """A value a field cannot take; the message is for the person who sent it."""


@dataclass(frozen=True)
class FieldDef:
    id: str
    key: str
    name: str
    type: str
    options: tuple[str, ...] = ()
    kis: bool = False
    readonly: bool = False
    mobile: bool = True
    pattern: str | None = None
    name_en: str | None = None
    description: str = ""

    @property
    def number(self) -> int:
        return int(self.id.rsplit("_", 1)[1])

    @property
    def schema_type(self) -> str:
        """The Jira ``schema.type`` clients expect for this field."""
        return {"number": "number", "duration": "number", "datetime": "datetime",
                "date": "date", "select": "option", "user": "user", "flag": "boolean",
                "position": "any"}.get(self.type, "string")

    # -- input -----------------------------------------------------------------
    def parse(self, value: Any, strict: bool = True) -> Any:
        """Turn input into the Python value stored; ``None`` clears the field.

        ``strict=False`` is for systems (Quant, demo data) whose data we keep even
        when invalid, such as a mobile number that is not one.
        """
        if value is None or (isinstance(value, str) and not value.strip()
                             and self.type != "flag"):
            return None
        parser = getattr(self, f"_parse_{self.type}", None)
        return parser(value, strict) if parser else self._parse_text(value, strict)

    def _parse_text(self, value: Any, strict: bool) -> str:
        if isinstance(value, dict | list):
            raise FieldValueError(_("Forventet tekst."))
        text = str(value).strip()
        if self.type == "text" and len(text) > 255:
            raise FieldValueError(_("Teksten er for lang (høyst 255 tegn)."))
        if self.pattern and strict and not re.fullmatch(self.pattern, text):
            raise FieldValueError(_("Ugyldig verdi for %(field)s: '%(value)s'.",
                                    field=self.name, value=text))
        return text

    _parse_textarea = _parse_text

    def _parse_number(self, value: Any, strict: bool) -> float:
        if isinstance(value, bool):
            raise FieldValueError(_("Forventet et tall."))
        try:
            number = float(str(value).replace(",", ".").strip())
        except ValueError:
            number = math.nan
        if not math.isfinite(number):  # NaN and Infinity are no amounts to store
            raise FieldValueError(_("'%(value)s' er ikke et tall.", value=value))
        return number

    def _parse_duration(self, value: Any, strict: bool) -> int:
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value) or abs(value) > MAX_DURATION:
                raise FieldValueError(_("'%(value)s' er ikke en varighet (for eksempel "
                                        "1h 30m).", value=value))
            return int(value)
        text = str(value).strip()
        if text.isascii() and text.isdigit():
            return self._parse_duration(int(text), strict)
        parts = _DURATION.findall(text)
        if not parts or _DURATION.sub("", text).strip():
            raise FieldValueError(_("'%(value)s' er ikke en varighet (for eksempel 1h 30m).",
                                    value=text))
        return self._parse_duration(sum(float(n.replace(",", ".")) * _UNIT_SECONDS[u.lower()]
                                        for n, u in parts), strict)

    def _parse_datetime(self, value: Any, strict: bool) -> datetime:
        if isinstance(value, datetime):
            dt = value
        else:
            dt = parse_datetime_text(str(value).strip())
        return _in_range(dt if dt.tzinfo else dt.replace(tzinfo=OSLO), value)

    def _parse_date(self, value: Any, strict: bool) -> datetime:
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            d = value
        else:
            text = str(value).strip()
            for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
                try:
                    d = datetime.strptime(text, fmt).date()
                    break
                except ValueError:
                    continue
            else:
                raise FieldValueError(_("'%(value)s' er ikke en dato (dd.mm.åååå).", value=text))
        return _in_range(datetime.combine(d, time(12, 0), tzinfo=OSLO), value)

    def _parse_select(self, value: Any, strict: bool) -> str:
        if isinstance(value, dict):
            value = value.get("value", value.get("name"))
        text = str(value).strip()
        for option in self.options:
            if option.casefold() == text.casefold():
                return option
        raise FieldValueError(_("'%(value)s' er ikke et gyldig valg for %(field)s. "
                                "Gyldige valg: %(options)s.", value=text, field=self.name,
                                options=", ".join(self.options)))

    def _parse_user(self, value: Any, strict: bool) -> str:
        if isinstance(value, dict):
            value = value.get("name") or value.get("key") or value.get("accountId")
        return str(value).strip()

    def _parse_flag(self, value: Any, strict: bool) -> bool:
        if isinstance(value, list):  # Jira checkbox: [{"value": "Ja"}]
            return bool(value)
        if isinstance(value, dict):
            value = value.get("value")
        if isinstance(value, bool):
            return value
        text = str(value).strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise FieldValueError(_("'%(value)s' er ikke ja eller nei.", value=value))

    def _parse_position(self, value: Any, strict: bool) -> tuple[float, float]:
        try:
            if isinstance(value, dict):
                lat, lon = float(value["lat"]), float(value.get("lon", value.get("lng")))
            elif isinstance(value, list | tuple):
                lat, lon = float(value[0]), float(value[1])
            else:
                lat_s, lon_s = str(value).split(",")
                lat, lon = float(lat_s), float(lon_s)
        except (KeyError, ValueError, TypeError, IndexError):
            raise FieldValueError(_("'%(value)s' er ikke en posisjon (breddegrad,lengdegrad).",
                                    value=value)) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise FieldValueError(_("Posisjonen er utenfor gyldig område."))
        return (lat, lon)

    def _parse_phone(self, value: Any, strict: bool) -> str:
        text = str(value).strip()
        normalised = normalise_mobile(text)
        if normalised:
            return normalised
        if strict:
            raise FieldValueError(_("'%(value)s' er ikke et gyldig mobilnummer.", value=text))
        return text

    # -- storage -----------------------------------------------------------------
    def to_columns(self, value: Any) -> dict[str, Any]:
        """The ``FieldValue`` columns for a parsed value."""
        cols: dict[str, Any] = {"value_str": None, "value_text": None, "value_num": None,
                                "value_num2": None, "value_date": None}
        if value is None:
            return cols
        if self.type in ("number", "duration"):
            cols["value_num"] = float(value)
        elif self.type == "flag":
            cols["value_num"] = 1.0 if value else 0.0
        elif self.type in ("datetime", "date"):
            cols["value_date"] = value
        elif self.type == "position":
            cols["value_num"], cols["value_num2"] = value
            cols["value_str"] = f"{value[0]:.6f},{value[1]:.6f}"
        else:
            cols["value_str"] = value[:255]
            if self.type == "textarea":
                cols["value_text"] = value
        return cols

    def from_row(self, row: Any) -> Any:
        """The Python value held by a ``FieldValue`` row (or None)."""
        if row is None:
            return None
        if self.type == "number":
            return row.value_num
        if self.type == "duration":
            return int(row.value_num) if row.value_num is not None else None
        if self.type == "flag":
            return bool(row.value_num)
        if self.type in ("datetime", "date"):
            return row.value_date
        if self.type == "position":
            return None if row.value_num is None else (row.value_num, row.value_num2)
        if self.type == "textarea":
            return row.value_text if row.value_text is not None else row.value_str
        return row.value_str

    # -- output -----------------------------------------------------------------
    def to_json(self, value: Any) -> Any:
        """The value as the Jira REST API returns it."""
        if value is None:
            return None
        if self.type == "datetime":
            return jira_datetime(value)
        if self.type == "date":
            return value.astimezone(OSLO).date().isoformat()
        if self.type == "select":
            return {"value": value}
        if self.type == "user":
            return {"name": value, "key": value}
        if self.type == "position":
            return {"lat": value[0], "lon": value[1]}
        if self.type == "number":
            return int(value) if float(value).is_integer() else value
        return value

    def to_history(self, value: Any) -> tuple[str | None, str | None]:
        """(value, display string) for a change-history item."""
        if value is None:
            return None, None
        if self.type in ("datetime", "date"):
            return value.astimezone(OSLO).isoformat(), self.display(value)
        if self.type == "flag":
            return ("1" if value else "0"), ("Ja" if value else "Nei")
        if self.type == "position":
            return f"{value[0]:.6f},{value[1]:.6f}", f"{value[0]:.6f},{value[1]:.6f}"
        text = str(int(value)) if self.type == "duration" else str(value)
        return text[:255], self.display(value)

    def display(self, value: Any) -> str:
        """The value as a Norwegian page shows it."""
        if value is None:
            return ""
        if self.type == "datetime":
            return value.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")
        if self.type == "date":
            return value.astimezone(OSLO).strftime("%d.%m.%Y")
        if self.type == "duration":
            return format_duration(int(value))
        if self.type == "flag":
            return "Ja" if value else "Nei"
        if self.type == "position":
            return f"{value[0]:.5f}, {value[1]:.5f}"
        if self.type == "number":
            return str(int(value)) if float(value).is_integer() else str(value)
        return str(value)


def format_duration(seconds: int) -> str:
    """Seconds as Jira writes an estimate: ``1h 30m``."""
    if seconds <= 0:
        return "0m"
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    return " ".join(p for p in (f"{hours}h" if hours else "", f"{minutes}m" if minutes else "")
                    if p)


def jira_datetime(value: datetime) -> str:
    """``2020-04-22T10:00:00.000+0200``: the format Jira clients parse."""
    local = value.astimezone(OSLO)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + \
        local.strftime("%z")


YEARS = range(1000, 9999)  # far enough; beyond, the conversion to UTC overflows


def _in_range(moment: datetime, value: Any) -> datetime:
    if moment.year not in YEARS:
        raise FieldValueError(_("'%(value)s' er utenfor gyldige datoer (år %(first)s–%(last)s).",
                                value=value, first=YEARS.start, last=YEARS.stop - 1))
    return moment


def parse_datetime_text(text: str) -> datetime:
    """ISO 8601 (Jira's with ``+0200`` too) or Norwegian ``22.04.2020 10:00``."""
    candidate = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.replace("Z", "+00:00"))
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        pass
    for fmt in ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise FieldValueError(_("'%(value)s' er ikke et tidspunkt (dd.mm.åååå tt:mm).", value=text))


def normalise_mobile(text: str, region: str = "NO") -> str | None:
    """E.164 for a valid mobile number, else None."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in (phonenumbers.PhoneNumberType.MOBILE,
                                                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass
class FieldRegistry:
    """The configured fields of an instance, found by id, key, name or ``cf[N]``."""

    fields: list[FieldDef] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by: dict[str, FieldDef] = {}
        for f in self.fields:
            for alias in (f.id, f.key, f.name, f"cf[{f.number}]", f.name_en or f.name):
                self._by[alias.casefold()] = f

    @classmethod
    def from_config(cls, items: list[dict[str, Any]]) -> FieldRegistry:
        return cls([FieldDef(**{**item, "options": tuple(item.get("options") or ())})
                    for item in items])

    def get(self, name: str) -> FieldDef | None:
        return self._by.get(name.casefold())

    def __getitem__(self, name: str) -> FieldDef:
        found = self.get(name)
        if found is None:
            raise KeyError(name)
        return found

    def __iter__(self):  # noqa: ANN204
        return iter(self.fields)

    def __contains__(self, name: str) -> bool:
        return name.casefold() in self._by
