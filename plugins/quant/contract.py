"""The message contract with Quant, behind an adapter.

``ContractV1`` is the documented contract (plugin README, "Contract v1"): the JSON
Quant sends us and the events we send it. The rest of the plugin speaks only the
adapter's internal form (the v1 names), so a customer whose Quant speaks another
format sets ``contract: package.module:Class`` (a subclass overriding the ``load_*``
and ``event`` methods) and nothing else changes.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from core.i18n import _
from core.services.errors import InvalidInput
from core.services.issues import values_of

if TYPE_CHECKING:
    from core.host import Amsflow

PLUGIN = "quant"
MAX_BATCH = 1000


class OrderSchema(Schema):
    """One order message; ``fields`` are keyed by field key (or id, or name)."""

    class Meta:
        unknown = RAISE

    externalId = fields.String(required=True, validate=validate.Length(min=1, max=100))
    project = fields.String(load_default=None)
    issueType = fields.String(load_default=None)
    summary = fields.String(load_default=None)
    description = fields.String(load_default=None)
    values = fields.Dict(keys=fields.String(), load_default=dict, data_key="fields")


class BatchSchema(Schema):
    class Meta:
        unknown = RAISE

    orders = fields.List(fields.Raw(), required=True,
                         validate=validate.Length(min=1, max=MAX_BATCH))


class CancelSchema(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(load_default="")
    project = fields.String(load_default=None)


def load(schema: Schema, data: Any) -> dict[str, Any]:
    """Validate ``data``; a mistake is a 400 naming each field."""
    if not isinstance(data, dict):
        raise InvalidInput(_("Forventet et JSON-objekt i forespørselen."))
    try:
        return schema.load(data)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}
        raise InvalidInput(errors={str(k): _flat(v) for k, v in messages.items()}) from exc


def _flat(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(map(_flat, value))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flat(v)}" for k, v in value.items())
    return str(value)


class ContractV1:
    """Contract version 1: the README's messages, event envelopes ``{type, version,
    timestamp, data}``."""

    version = "1"
    _order = OrderSchema()  # made once: a schema instance costs more than a load

    def load_order(self, data: Any) -> dict[str, Any]:
        return load(self._order, data)

    def load_batch(self, data: Any) -> list[Any]:
        return load(BatchSchema(), data)["orders"]

    def load_cancel(self, data: Any) -> dict[str, Any]:
        return load(CancelSchema(), {} if data is None else data)

    def load_result(self, data: Any) -> dict[str, Any]:
        from .results import ResultSchema

        return load(ResultSchema(), data)

    def event(self, kind: str, when: datetime, data: dict[str, Any]) -> dict[str, Any]:
        return {"type": kind, "version": self.version, "timestamp": when.isoformat(),
                "data": data}

    def validation_request(self, host: Amsflow, issue: Any,
                           external_id: str | None) -> dict[str, Any]:
        values = values_of(host, issue)
        return {
            "key": issue.key,
            "project": issue.project.key,
            "externalId": external_id,
            "meterNumber": values.get("meter_number"),
            "meteringPointId": values.get("metering_point_id"),
            "resolution": issue.resolution.name if issue.resolution else None,
            "resolutionDate": (issue.resolution_date.isoformat()
                               if issue.resolution_date else None),
        }

    def cancel_refused(self, issue: Any, external_id: str | None, status: str,
                       reason: str) -> dict[str, Any]:
        return {"key": issue.key, "project": issue.project.key, "externalId": external_id,
                "status": status, "reason": reason}


@cache
def _adapter(name: str) -> ContractV1:
    if name in ("v1", "1"):
        return ContractV1()
    module, _sep, attr = name.partition(":")
    return getattr(importlib.import_module(module), attr)()


def contract_for(host: Amsflow, project: str | None) -> ContractV1:
    """The adapter the project's settings name (``v1`` by default)."""
    settings = host.plugins.plugin_settings(project, PLUGIN) if project else {}
    return _adapter(str(settings.get("contract") or "v1"))
