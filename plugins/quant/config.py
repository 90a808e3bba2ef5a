"""The Quant plugin's per-project settings (marshmallow), loaded by the core at start-up.

Example (``projects[].plugins.quant``)::

    quant:
      webhook_url: https://quant.example.no/amsflow/webhook   # optional
      signing_secret_env: AMSFLOW_QUANT_SIGNING_SECRET_ELV
      signing_secret_previous_env: AMSFLOW_QUANT_SIGNING_SECRET_ELV_OLD  # rotation
      timeout_seconds: 10
      retries: 20

Without ``webhook_url`` outbound messages go to ``data_dir/quant/outbox/`` as JSON
files (the embedded default). Secrets never sit in YAML: the ``*_env`` settings name
the environment variables that hold them. ``validation_url`` is the earlier name of
``webhook_url`` and still read.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

DEFAULT_TOKEN_ENV = "AMSFLOW_QUANT_TOKEN"
DEFAULT_SIGNING_ENV = "AMSFLOW_QUANT_SIGNING_SECRET"
_ENV_NAME = validate.Regexp(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _url() -> fields.Url:
    return fields.Url(load_default=None, allow_none=True, schemes={"http", "https"},
                      require_tld=False)


class QuantConfigSchema(Schema):
    class Meta:
        unknown = RAISE

    webhook_url = _url()
    validation_url = _url()
    # Standard Webhooks secrets (whsec_...): the current one signs what we send; both
    # are accepted on what Quant sends, so a secret can be rotated without downtime.
    signing_secret_env = fields.String(load_default=DEFAULT_SIGNING_ENV, validate=_ENV_NAME)
    signing_secret_previous_env = fields.String(load_default=None, allow_none=True,
                                                validate=_ENV_NAME)
    # The older shared Bearer secret: accepted only when switched on.
    allow_bearer = fields.Boolean(load_default=False)
    token_env = fields.String(load_default=DEFAULT_TOKEN_ENV, validate=_ENV_NAME)
    contract = fields.String(load_default="v1", validate=lambda name: _known_contract(name))
    timeout_seconds = fields.Float(load_default=10.0, validate=validate.Range(min=0.1, max=300))
    # Delivery: attempt n+1 waits backoff * 2**(n-1), at most backoff_max; after
    # ``retries`` failed retries the message is dead (defaults: 2.5 hours of retrying).
    retries = fields.Integer(load_default=20, validate=validate.Range(min=0, max=100))
    retry_backoff_seconds = fields.Float(load_default=10.0,
                                         validate=validate.Range(min=0, max=3600))
    retry_backoff_max_seconds = fields.Float(load_default=600.0,
                                             validate=validate.Range(min=0, max=86400))
    delivery_batch = fields.Integer(load_default=200, validate=validate.Range(min=1, max=5000))
    delivery_concurrency = fields.Integer(load_default=8, validate=validate.Range(min=1, max=64))
    # Issue type of orders Quant creates when a message does not name one.
    issue_type = fields.String(load_default="Målerbytte")
    # Without Redis, deliver on a thread so closing an order never waits for Quant.
    send_in_background = fields.Boolean(load_default=True)
    # PostgreSQL: ANALYZE the touched tables after a batch intake once this many rows
    # changed since the last analyze (fresh statistics for the planner).
    analyze_after = fields.Integer(load_default=5000, validate=validate.Range(min=1))

    @post_load
    def _one_url(self, data: dict[str, Any], **_kw: Any) -> dict[str, Any]:
        data["webhook_url"] = data.get("webhook_url") or data.pop("validation_url", None)
        data.pop("validation_url", None)
        return data


def _known_contract(name: str) -> bool:
    """An unknown contract adapter is a start-up error, not a failure on the first call."""
    from .contract import _adapter

    try:
        _adapter(name)
    except Exception as exc:
        raise ValidationError(f"unknown contract adapter '{name}' ({exc})") from exc
    return True


def default_settings(**overrides: Any) -> dict[str, Any]:
    """Settings as a project would get them from config (tests and tools)."""
    return QuantConfigSchema().load(overrides)
