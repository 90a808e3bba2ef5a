"""Templates: Norwegian defaults, dates in Europe/Oslo, sandboxing, strict variables."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from jinja2.exceptions import SecurityError

from plugins.sms import templates as t
from plugins.sms.encoding import GSM7, analyse


def test_norwegian_datetime_in_oslo() -> None:
    # 08:00 UTC on 22 April 2025 is 10:00 summer time in Oslo, a Tuesday.
    moment = datetime(2025, 4, 22, 8, 0, tzinfo=UTC)
    assert t.norwegian_datetime(moment) == "tirsdag 22. april kl. 10:00"


def test_winter_offset() -> None:
    assert t.norwegian_datetime(datetime(2025, 12, 1, 9, 15, tzinfo=UTC)) == (
        "mandag 1. desember kl. 10:15"
    )


def context() -> dict[str, str]:
    return t.build_context(
        customer="Kari Nordmann", address="Storgata 1, Ålesund",
        start=datetime(2025, 4, 22, 8, 0, tzinfo=UTC), installer="Ola Montør",
        reply_code="AB3D", reply_number="2333", instructions="Ha sikringsskapet ryddet.",
    )


@pytest.mark.parametrize("kind", t.KINDS[:-1])
def test_every_default_renders_with_its_variables(kind: str) -> None:
    text = t.render(kind, context())
    assert "{{" not in text and "  " not in text
    assert "Storgata 1, Ålesund" in text
    assert "tirsdag 22. april kl. 10:00" in text
    assert analyse(text).encoding == GSM7


def test_booking_text_has_reply_instructions() -> None:
    text = t.render(t.BOOKING, context())
    assert "AB3D OK" in text and "AB3D KONTAKT" in text and "2333" in text
    assert text.endswith("Ha sikringsskapet ryddet.")


def test_project_override_wins_and_free_text_keeps_lines() -> None:
    overrides = {t.BOOKING: "Hei {{ customer | upper }}, {{ date }} {{ time }}"}
    assert t.render(t.BOOKING, context(), overrides) == "Hei KARI NORDMANN, tirsdag 22. april 10:00"
    free = t.build_context(text="Linje en\nLinje  to")
    assert t.render(t.FREE_TEXT, free) == "Linje en\nLinje to"


def test_unknown_variable_is_reported() -> None:
    assert t.template_error("Hei {{ kunde }}") is not None
    assert t.template_error("Hei {{ customer }}") is None


def test_sandbox_blocks_attribute_escape() -> None:
    with pytest.raises(SecurityError):
        t.render(t.FREE_TEXT, context(), {t.FREE_TEXT: "{{ text.__class__.__mro__ }}"})


def test_unknown_kind() -> None:
    with pytest.raises(KeyError):
        t.template_source("nope")
