"""Fixtures for the Quant plugin: per-project signing secrets in the environment, a
loopback Quant (``standin``) that receives our signed events, and Quant's signed
calls to our API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from plugins.quant.signing import new_secret

from .standin import QuantClient, QuantStandIn

SECRETS = {"ELV": new_secret(b"elv-signing-key-0123456789abcdef"),
           "FJN": new_secret(b"fjn-signing-key-0123456789abcdef")}
SECRET_ENVS = {"ELV": "TEST_QUANT_SIGNING_ELV", "FJN": "TEST_QUANT_SIGNING_FJN"}
TOKENS = {"ELV": "elv-secret-1234", "FJN": "fjn-secret-5678"}
TOKEN_ENVS = {"ELV": "TEST_QUANT_TOKEN_ELV", "FJN": "TEST_QUANT_TOKEN_FJN"}


@pytest.fixture
def quant_server() -> Iterator[QuantStandIn]:
    server = QuantStandIn(SECRETS["ELV"])
    yield server
    server.down()


@pytest.fixture
def config_dict(config_dict: dict[str, Any], quant_server: QuantStandIn,
                monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """ELV sends to the loopback Quant, FJN to the outbox folder; each has its own
    signing secret. NOQ does not enable quant at all."""
    for key in SECRETS:
        monkeypatch.setenv(SECRET_ENVS[key], SECRETS[key])
        monkeypatch.setenv(TOKEN_ENVS[key], TOKENS[key])
    for project in config_dict["projects"]:
        settings = {"signing_secret_env": SECRET_ENVS[project["key"]],
                    "token_env": TOKEN_ENVS[project["key"]], "send_in_background": False,
                    "retries": 2, "retry_backoff_seconds": 0.0, "timeout_seconds": 5}
        if project["key"] == "ELV":
            settings["webhook_url"] = quant_server.url
        project["plugins"]["quant"] = settings
    config_dict["projects"].append({
        "key": "NOQ", "name": "Uten Quant", "description": "",
        "workflow_scheme": {"default": "ams"}, "plugins": {}})
    return config_dict


def bearer(project: str = "ELV") -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[project]}"}


def order_message(external_id: str = "Q-1001", **overrides: Any) -> dict[str, Any]:
    """A create message as Quant sends it (fields keyed by field key)."""
    message: dict[str, Any] = {
        "externalId": external_id,
        "project": "ELV",
        "summary": "Målerbytte Storgata 1",
        "description": "Måler i kjeller",
        "fields": {"customer_name": "Åse Ødegård", "address": "Storgata 1",
                   "postcode": "0155", "mobile": "91234567", "meter_number": "7359992890",
                   "metering_point_id": "707057500012345678", "stage": "Etappe 1",
                   "kis_customer_id": "K-55"},
    }
    message.update(overrides)
    return message


@pytest.fixture
def quant(client: Any, users: Any) -> Any:
    """``quant.post(path, json, project=...)`` -> response, signed as Quant signs."""

    class Caller:
        def signer(self, project: str = "ELV") -> QuantClient:
            return QuantClient(client, SECRETS[project])

        def post(self, path: str, body: Any = None, project: str = "ELV",
                 headers: dict[str, str] | None = None, **kw: Any) -> Any:
            if headers is not None:
                return client.post(f"/rest/quant/1{path}", json=body, headers=headers)
            return self.signer(project).post(path, body, **kw)

        def get(self, path: str, project: str = "ELV") -> Any:
            return self.signer(project).get(path)

        def create(self, external_id: str = "Q-1001", **overrides: Any) -> dict[str, Any]:
            response = self.post("/orders", order_message(external_id, **overrides))
            assert response.status_code in (200, 201), response.get_json()
            return response.get_json()

    return Caller()
