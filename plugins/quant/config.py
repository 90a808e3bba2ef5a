"""The Quant plugin's per-project settings (marshmallow), loaded by the core at start-up.

Example (``projects[].plugins.quant``)::

    quant:
      validation_url: https://quant.example.no/api/validation   # optional
      token_env: AMSFLOW_QUANT_TOKEN_ELV
      timeout_seconds: 10
      retries: 3

Without ``validation_url`` validation requests go to ``data_dir/quant/outbox/`` as JSON
files (the embedded default). The shared secret never sits in YAML: ``token_env``
names the environment variable that holds it.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

DEFAULT_TOKEN_ENV = "AMSFLOW_QUANT_TOKEN"


class QuantConfigSchema(Schema):
    class Meta:
        unknown = RAISE

    validation_url = fields.Url(load_default=None, allow_none=True,
                                schemes={"http", "https"}, require_tld=False)
    token_env = fields.String(load_default=DEFAULT_TOKEN_ENV,
                              validate=validate.Regexp(r"^[A-Za-z_][A-Za-z0-9_]*$"))
    timeout_seconds = fields.Float(load_default=10.0, validate=validate.Range(min=0.1, max=300))
    retries = fields.Integer(load_default=3, validate=validate.Range(min=0, max=10))
    retry_backoff_seconds = fields.Float(load_default=2.0,
                                         validate=validate.Range(min=0, max=300))
    # Issue type of orders Quant creates when a message does not name one.
    issue_type = fields.String(load_default="Målerbytte")
    # Without Redis, send on a thread so closing an order never waits for Quant.
    send_in_background = fields.Boolean(load_default=True)


def default_settings(**overrides: Any) -> dict[str, Any]:
    """Settings as a project would get them from config (tests and tools)."""
    return QuantConfigSchema().load(overrides)
