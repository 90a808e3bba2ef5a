"""The plugin's config schema: defaults, checked templates and clock times."""

from __future__ import annotations

from datetime import time

import pytest
from marshmallow import ValidationError

from plugins.sms.config import SmsConfigSchema, default_settings


def test_defaults() -> None:
    settings = default_settings()
    assert settings["provider"] == "local"
    assert (settings["quiet_start"], settings["quiet_end"]) == (time(20), time(8))
    assert settings["region"] == "NO"


def test_link_settings_and_templates_load() -> None:
    settings = SmsConfigSchema().load({
        "provider": "link", "link": {"base_url": "http://127.0.0.1:9/sms", "gate_id": "G"},
        "templates": {"booking": "Hei {{ customer }} {{ when }}"}, "quiet_start": "21:30",
    })
    assert settings["link"]["gate_id"] == "G" and settings["link"]["attempts"] == 4
    assert settings["quiet_start"] == time(21, 30)


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"provider": "twilio"}, "provider"),
        ({"templates": {"booking": "Hei {{ kunde }}"}}, "templates"),
        ({"templates": {"nope": "x"}}, "templates"),
        ({"quiet_end": "kl 8"}, "quiet_end"),
        ({"link": {"password": "in-yaml"}}, "link"),
        ({"sender": "A"}, "sender"),
        ({"sender": "Elvia Nett AS"}, "sender"),  # Link: 2–11 of [a-zA-Z0-9]
        ({"sender": "1Elvia"}, "sender"),  # a letter first
        ({"sender": "Elvnett!"}, "sender"),
        ({"sender": "ElviaNettAS1"}, "sender"),  # 12 characters
    ],
)
def test_bad_settings_are_named(raw: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        SmsConfigSchema().load(raw)
    assert field in info.value.messages


@pytest.mark.parametrize("sender", ["AMS", "Elvnett", "E2", "ElviaNett01"])
def test_alphanumeric_senders_link_accepts(sender: str) -> None:
    assert SmsConfigSchema().load({"sender": sender})["sender"] == sender
