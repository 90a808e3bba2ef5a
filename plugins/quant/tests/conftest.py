"""Fixtures for the Quant plugin: per-project secrets in the environment, a loopback
Quant that records validation requests, and helpers to call the API."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

TOKENS = {"ELV": "elv-secret-1234", "FJN": "fjn-secret-5678"}
TOKEN_ENVS = {"ELV": "TEST_QUANT_TOKEN_ELV", "FJN": "TEST_QUANT_TOKEN_FJN"}


class FakeQuant(ThreadingHTTPServer):
    """A real HTTP server on 127.0.0.1 standing in for Quant's validation endpoint.

    ``answers`` is a queue of status codes to give (200 once it is empty)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[dict[str, Any]] = []
        self.answers: list[int] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/validation"


class _Handler(BaseHTTPRequestHandler):
    server: FakeQuant

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append({"path": self.path, "headers": dict(self.headers),
                                     "json": json.loads(body or b"null")})
        code = self.server.answers.pop(0) if self.server.answers else 200
        payload = json.dumps({"ok": code < 400}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def quant_server() -> Iterator[FakeQuant]:
    server = FakeQuant()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def config_dict(config_dict: dict[str, Any], quant_server: FakeQuant,
                monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """ELV sends validation to the loopback Quant, FJN to the outbox folder; each has
    its own secret. NOQ does not enable quant at all."""
    for key, env in TOKEN_ENVS.items():
        monkeypatch.setenv(env, TOKENS[key])
    for project in config_dict["projects"]:
        settings = {"token_env": TOKEN_ENVS[project["key"]], "send_in_background": False,
                    "retries": 2, "retry_backoff_seconds": 0.01, "timeout_seconds": 5}
        if project["key"] == "ELV":
            settings["validation_url"] = quant_server.url
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
    """``quant.post(path, json, project=...)`` -> response, as Quant calls us."""

    class Caller:
        def post(self, path: str, body: Any = None, project: str = "ELV",
                 headers: dict[str, str] | None = None) -> Any:
            return client.post(f"/rest/quant/1{path}", json=body,
                               headers=bearer(project) if headers is None else headers)

        def create(self, external_id: str = "Q-1001", **overrides: Any) -> dict[str, Any]:
            response = self.post("/orders", order_message(external_id, **overrides))
            assert response.status_code in (200, 201), response.get_json()
            return response.get_json()

    return Caller()
