"""The OpenAPI 3 document of contract v1 (``GET /rest/quant/1/openapi.json``), built
from the contract's own schemas so it cannot drift from what is checked; and the
same routes in the instance's document (``core.api.routes.document_route``)."""

from __future__ import annotations

from typing import Any

from core.api.openapi import _json_schema
from core.api.routes import document_route

from .contract import MAX_BATCH, BatchSchema, CancelSchema, OrderSchema
from .results import ResultSchema

ERROR = {"$ref": "#/components/schemas/ErrorCollection"}
SIGNED = [{"webhookId": [], "webhookTimestamp": [], "webhookSignature": []}]
STATE = {"type": "object", "description": "The order's state (README, 'Answers').",
         "properties": {k: {} for k in ("id", "key", "externalId", "project", "status",
                                        "resolution", "cancelled", "validation",
                                        "changed", "message")}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {400: "Malformed message: errors name each field", 401: "Unsigned, forged or "
            "stale (webhook-timestamp more than 5 minutes off)", 403: "The secret does not "
            "cover the project named", 404: "No such order", 409: "Refused by the order's "
            "state (README, 'Out of order and twice')"}
    return {str(c): {"description": text[c], "content": {"application/json": {
        "schema": ERROR}}} for c in codes}


def _op(summary: str, body: Any, ok: dict[str, str], *errors: int) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "tags": ["quant"], "security": SIGNED,
                          "responses": {**{c: {"description": d, "content": {
                              "application/json": {"schema": STATE}}} for c, d in ok.items()},
                              **_errors(401, *errors)}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": _json_schema(body)}}}
    return op


EXTERNAL = [{"name": "externalId", "in": "path", "required": True,
             "schema": {"type": "string"}}]


def document(base: str) -> dict[str, Any]:
    batch = _op(f"Create or update up to {MAX_BATCH} orders", BatchSchema,
                {"201": "Each element's result; failures in errors[] with "
                        "failedElementNumber"}, 400)
    batch["requestBody"]["content"]["application/json"]["schema"]["properties"]["orders"] = {
        "type": "array", "maxItems": MAX_BATCH, "items": _json_schema(OrderSchema)}
    return {
        "openapi": "3.0.3",
        "info": {"title": "amsflow Quant contract", "version": "1",
                 "description": "Signed with Standard Webhooks (webhook-id, "
                                "webhook-timestamp, webhook-signature). See the Quant "
                                "plugin's README."},
        "servers": [{"url": base}],
        "paths": {
            "/orders": {"post": _op("Create an order, or update its KIS fields",
                                    OrderSchema, {"201": "Created", "200": "Updated (or "
                                                  "stale: ignored)"}, 400, 403, 409)},
            "/orders/bulk": {"post": batch},
            "/orders/{externalId}": {"get": {**_op("An order's state", None, {
                "200": "The state"}, 404), "parameters": EXTERNAL}},
            "/orders/{externalId}/cancel": {"post": {**_op(
                "Cancel an order (by its status)", CancelSchema, {
                    "200": "Cancelled (or already)", "202": "No such order yet: kept, "
                    "applied when it comes"}, 400, 403, 409), "parameters": EXTERNAL}},
            "/orders/{externalId}/validation": {"post": {**_op(
                "The component register's validation result", ResultSchema,
                {"200": "Recorded (or already)"}, 400, 403, 404, 409),
                "parameters": EXTERNAL}},
        },
        "components": {
            "securitySchemes": {
                "webhookId": {"type": "apiKey", "in": "header", "name": "webhook-id"},
                "webhookTimestamp": {"type": "apiKey", "in": "header",
                                     "name": "webhook-timestamp"},
                "webhookSignature": {"type": "apiKey", "in": "header",
                                     "name": "webhook-signature",
                                     "description": "v1,<base64 HMAC-SHA256 over "
                                                    "'id.timestamp.body'>"}},
            "schemas": {"ErrorCollection": {"type": "object", "properties": {
                "errorMessages": {"type": "array", "items": {"type": "string"}},
                "errors": {"type": "object",
                           "additionalProperties": {"type": "string"}}}}},
        },
    }


# Contract v1 in the instance's own OpenAPI document too (``/rest/api/2/openapi.json``):
# the routes are served by this plugin's blueprint, signed rather than logged in, and
# described in full by the document above.
_SIGNED = " (signed with Standard Webhooks; contract: /rest/quant/1/openapi.json)"
_REFUSED = {401: "Unsigned, forged or stale", 409: "Refused by the order's state"}


@document_route("POST", "/rest/quant/1/orders", "Quant: create or update an order" + _SIGNED,
                "quant", body=OrderSchema, status=201, responses=_REFUSED)
def quant_order() -> None:
    """Described only; ``api.create_or_update`` serves it."""


@document_route("POST", "/rest/quant/1/orders/bulk", "Quant: up to 1,000 orders" + _SIGNED,
                "quant", body=BatchSchema, status=201, responses=_REFUSED)
def quant_bulk() -> None:
    """Described only; ``api.bulk`` serves it."""


@document_route("GET", "/rest/quant/1/orders/<path:externalId>",
                "Quant: an order's state" + _SIGNED, "quant", responses=_REFUSED)
def quant_show() -> None:
    """Described only; ``api.show`` serves it."""


@document_route("POST", "/rest/quant/1/orders/<path:externalId>/cancel",
                "Quant: cancel an order" + _SIGNED, "quant", body=CancelSchema,
                responses=_REFUSED)
def quant_cancel() -> None:
    """Described only; ``api.cancel`` serves it."""


@document_route("POST", "/rest/quant/1/orders/<path:externalId>/validation",
                "Quant: a validation result" + _SIGNED, "quant", body=ResultSchema,
                responses=_REFUSED)
def quant_validation() -> None:
    """Described only; ``api.validation`` serves it."""
