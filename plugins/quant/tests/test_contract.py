"""The contract is versioned, described by an OpenAPI document built from its schemas,
and behind an adapter that a customer-specific format can replace."""

from __future__ import annotations

from typing import Any

from plugins.quant.contract import ContractV1

from .conftest import order_message
from .flow import fresh, resolve


class FlatContract(ContractV1):
    """A customer's format: ``{"orderNo", "title", "kis": {...}}``, events flat."""

    version = "acme-1"

    def load_order(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict) and "orderNo" in data:
            data = {"externalId": data["orderNo"], "summary": data.get("title"),
                    "fields": data.get("kis") or {}}
        return super().load_order(data)

    def event(self, kind, when, data):
        return {"event": kind, "at": when.isoformat(), **data}


def test_the_openapi_document_describes_contract_v1(client):
    response = client.get("/rest/quant/1/openapi.json")  # public: no signature
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["info"]["version"] == "1"
    order = doc["paths"]["/orders"]["post"]
    schema = order["requestBody"]["content"]["application/json"]["schema"]
    assert "externalId" in schema["required"] and "fields" in schema["properties"]
    assert {"201", "200", "400", "401", "409"} <= set(order["responses"])
    bulk = doc["paths"]["/orders/bulk"]["post"]["requestBody"]["content"]
    assert bulk["application/json"]["schema"]["properties"]["orders"]["maxItems"] == 1000
    assert doc["components"]["securitySchemes"]["webhookSignature"]["name"] == \
        "webhook-signature"
    assert set(doc["paths"]) == {"/orders", "/orders/bulk", "/orders/{externalId}",
                                 "/orders/{externalId}/cancel",
                                 "/orders/{externalId}/validation"}


def test_the_instance_document_lists_the_quant_routes(client):
    doc = client.get("/rest/api/2/openapi.json").get_json()
    quant = {path: ops for path, ops in doc["paths"].items() if path.startswith("/rest/quant")}
    assert set(quant) == {"/rest/quant/1/orders", "/rest/quant/1/orders/bulk",
                          "/rest/quant/1/orders/{externalId}",
                          "/rest/quant/1/orders/{externalId}/cancel",
                          "/rest/quant/1/orders/{externalId}/validation"}
    order = quant["/rest/quant/1/orders"]["post"]
    assert "Standard Webhooks" in order["summary"] and "409" in order["responses"]
    assert "externalId" in order["requestBody"]["content"]["application/json"]["schema"][
        "required"]


def test_a_customer_adapter_replaces_the_format(host, quant, quant_server, users,
                                                monkeypatch):
    monkeypatch.setitem(host.plugins.plugin_settings("ELV", "quant"), "contract",
                        "plugins.quant.tests.test_contract:FlatContract")
    response = quant.post("/orders", {"orderNo": "A-1", "title": "Målerbytte",
                                      "kis": {"meter_number": "55"}})
    assert response.status_code == 201, response.get_json()
    key = response.get_json()["key"]
    assert quant.post("/orders", order_message("A-2")).status_code == 201  # v1 still read
    resolve(host, users["planner"], users["installer"], key, "Ok")
    [event] = quant_server.processed
    assert event["event"] == "order.validation_requested" and event["meterNumber"] == "55"
    assert fresh(host, key).status.key == "closed"
