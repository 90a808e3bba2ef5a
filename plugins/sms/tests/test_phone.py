"""Mobile numbers: NO by default, mobile only, E.164 out, reasons in Norwegian."""

from __future__ import annotations

import pytest

from plugins.sms.phone import PhoneError, check_mobile, normalise_mobile


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("91234567", "+4791234567"),
        ("412 34 567", "+4741234567"),
        ("+47 912 34 567", "+4791234567"),
        ("0047 91234567", "+4791234567"),
        ("+46 70 123 45 67", "+46701234567"),
    ],
)
def test_valid_mobiles_become_e164(raw: str, e164: str) -> None:
    assert normalise_mobile(raw) == e164


def test_region_is_used_for_national_numbers() -> None:
    assert normalise_mobile("070-123 45 67", region="SE") == "+46701234567"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "Mangler mobilnummer"),
        ("   ", "Mangler mobilnummer"),
        ("hei", "kan ikke tolkes"),
        ("5801234", "Ugyldig telefonnummer"),
        ("22123456", "ikke et mobilnummer"),
    ],
)
def test_bad_numbers_say_why(raw: str | None, reason: str) -> None:
    with pytest.raises(PhoneError, match=reason):
        normalise_mobile(raw)
    number, error = check_mobile(raw)
    assert number is None
    assert error is not None and reason in error


def test_check_mobile_ok() -> None:
    assert check_mobile("91234567") == ("+4791234567", None)
