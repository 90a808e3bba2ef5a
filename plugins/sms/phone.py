"""Mobile number validation: only numbers an SMS can reach, stored as E.164."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


class PhoneError(ValueError):
    """A number that cannot receive SMS; the message is shown to planners as is."""


def normalise_mobile(raw: str | None, region: str = "NO") -> str:
    """Return the number in E.164, or raise PhoneError saying why it cannot get SMS."""
    text = (raw or "").strip()
    if not text:
        raise PhoneError("Mangler mobilnummer")
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        raise PhoneError(f"Ugyldig telefonnummer «{text}»: kan ikke tolkes") from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(f"Ugyldig telefonnummer «{text}»")
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise PhoneError(f"«{text}» er ikke et mobilnummer")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_mobile(raw: str | None, region: str = "NO") -> tuple[str | None, str | None]:
    """(E.164, None) for a good mobile number, (None, reason) otherwise."""
    try:
        return normalise_mobile(raw, region), None
    except PhoneError as exc:
        return None, str(exc)
