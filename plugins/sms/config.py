"""The SMS plugin's per-project settings (marshmallow), loaded by the core at start-up.

Secrets are never here: the Link provider names the environment variables that hold
its credentials and webhook token.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates

from plugins.sms.providers.link import ALPHANUMERIC_SENDER
from plugins.sms.quiet import parse_clock
from plugins.sms.templates import KINDS, template_error


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class LinkSchema(_Strict):
    base_url = fields.Url(load_default="https://n-eu.linkmobility.io/sms", require_tld=False)
    platform_id = fields.String(load_default="")
    platform_partner_id = fields.String(load_default="")
    gate_id = fields.String(load_default="")
    timeout = fields.Float(load_default=5.0, validate=validate.Range(min=0.1, max=120))
    attempts = fields.Integer(load_default=4, validate=validate.Range(min=1, max=10))
    backoff = fields.Float(load_default=0.5, validate=validate.Range(min=0, max=60))
    deadline = fields.Float(load_default=8.0, validate=validate.Range(min=0.1, max=120))
    username_env = fields.String(load_default="LINK_SMS_USERNAME")
    password_env = fields.String(load_default="LINK_SMS_PASSWORD")
    webhook_token_env = fields.String(load_default="LINK_SMS_WEBHOOK_TOKEN")


class LocalSchema(_Strict):
    folder = fields.String(load_default="sms-outbox")
    secret_env = fields.String(load_default="LOCAL_SMS_WEBHOOK_SECRET")


class TransitionsSchema(_Strict):
    """Transitions (key, id or name) of the workflow the plugin runs on its own."""

    confirm = fields.String(load_default="CUSTOMER_CONFIRMED")
    follow_up = fields.String(load_default="FOLLOW_UP")
    to_execution = fields.String(load_default="SEND_TO_EXECUTION")


class SmsConfigSchema(_Strict):
    provider = fields.String(load_default="local", validate=validate.OneOf(["local", "link"]))
    link = fields.Nested(LinkSchema, load_default=lambda: LinkSchema().load({}))
    local = fields.Nested(LocalSchema, load_default=lambda: LocalSchema().load({}))
    # Link's alphanumeric sender (TON ALPHANUMERIC): 2–11 of [a-zA-Z0-9], a letter first.
    sender = fields.String(load_default="AMS", validate=validate.Regexp(
        ALPHANUMERIC_SENDER, error="sender must be 2–11 letters or digits and start with a "
        "letter (Link Mobility's alphanumeric sender), got {input!r}"))
    reply_number = fields.String(load_default="")
    region = fields.String(load_default="NO", validate=validate.Length(equal=2))
    timezone = fields.String(load_default="Europe/Oslo")
    instructions = fields.String(load_default="")
    templates = fields.Dict(keys=fields.String(validate=validate.OneOf(KINDS)),
                            values=fields.String(), load_default=dict)
    booking = fields.Boolean(load_default=True)  # False: replies, reminders, free text only
    send_statuses = fields.List(fields.String(), load_default=lambda: [
        "awaiting_response", "manual_followup", "ready"])
    waiting_status = fields.String(load_default="awaiting_response")
    ready_status = fields.String(load_default="ready")
    transitions = fields.Nested(TransitionsSchema,
                                load_default=lambda: TransitionsSchema().load({}))
    quiet_start = fields.String(load_default="20:00")
    quiet_end = fields.String(load_default="08:00")
    # After a booking SMS; after a letter, the letters plugin's booking_reminder_hours.
    booking_reminder_sms_hours = fields.Float(load_default=48, validate=validate.Range(min=0))
    booking_reminder = fields.Boolean(load_default=True)
    appointment_reminder = fields.Boolean(load_default=True)

    @validates("templates")
    def _templates(self, value: dict[str, str], **_kw: Any) -> None:
        for kind, source in value.items():
            error = template_error(source)
            if error:
                raise ValidationError(f"template '{kind}': {error}")

    @validates("quiet_start")
    def _start(self, value: str, **_kw: Any) -> None:
        _clock(value)

    @validates("quiet_end")
    def _end(self, value: str, **_kw: Any) -> None:
        _clock(value)

    @post_load
    def _times(self, data: dict[str, Any], **_kw: Any) -> dict[str, Any]:
        data["quiet_start"] = parse_clock(data["quiet_start"])
        data["quiet_end"] = parse_clock(data["quiet_end"])
        return data


def _clock(value: str) -> None:
    try:
        parsed = parse_clock(value)
    except ValueError as exc:
        raise ValidationError("expected HH:MM") from exc
    del parsed


def default_settings() -> dict[str, Any]:
    """The settings a project gets when it enables sms with no options."""
    return SmsConfigSchema().load({})
