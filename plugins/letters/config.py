"""The letters plugin's per-project settings (marshmallow), loaded by the core at start-up.

Example (``projects[].plugins.letters``)::

    letters:
      reply_number: "2223"
      folder: letters/fjn          # relative to the instance's data_dir
      template: config/fjn-letter.html   # optional; default is the built-in letter
      sender: {name: Fjordkraft Nett AS, address_lines: [Postboks 1, 5020 Bergen],
               logo: config/fjn-logo.png}
      booking_reminder_hours: 168
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class SenderSchema(_Strict):
    name = fields.String(load_default="")
    address_lines = fields.List(fields.String(), load_default=list)
    phone = fields.String(load_default="")
    email = fields.String(load_default="")
    # A logo file (relative to the config file); it is embedded in each letter.
    logo = fields.String(load_default="")


class LettersConfigSchema(_Strict):
    reply_number = fields.String(required=True, validate=validate.Length(min=3, max=20))
    folder = fields.String(load_default="letters/{project}")
    template = fields.String(load_default="")
    sender = fields.Nested(SenderSchema, load_default=lambda: SenderSchema().load({}))
    # Hours without a reply before the booking reminder (the SMS plugin sends it).
    booking_reminder_hours = fields.Float(load_default=168, validate=validate.Range(min=0))
    combined_file = fields.Boolean(load_default=True)
    wkhtmltopdf = fields.String(load_default="")
    chunk_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    workers = fields.Integer(load_default=2, validate=validate.Range(min=1, max=16))
    timeout = fields.Float(load_default=300, validate=validate.Range(min=1, max=3600))


def default_settings(**overrides: Any) -> dict[str, Any]:
    """Settings as a project would get them from config (used by tests and tools)."""
    return LettersConfigSchema().load({"reply_number": "2222", **overrides})
