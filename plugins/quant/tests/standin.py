"""A loopback Quant, written from the contract as Quant's side sees it.

The document is the plugin README, "Contract v1" (and the Standard Webhooks
specification it points to, https://www.standardwebhooks.com/): Quant receives our
events by ``POST`` at its webhook URL, each ``{"type", "version", "timestamp",
"data"}`` signed with ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature``;
it checks the signature with its copy of the secret, answers 2xx once it has the
message, and drops a ``webhook-id`` it has already processed (a consumer's duty in
that specification). This server does exactly that, records what it processed in
arrival order, and can be made to fail the ways a real one does: ``down()`` (nothing
listens: connection refused), ``slow`` (answers after a delay), ``fail_next`` (5xx),
``duplicates`` (counts repeats it dropped).

``QuantClient`` is Quant's sending side: it signs our API's requests the same way.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True


class QuantStandIn:
    def __init__(self, secret: str) -> None:
        self.verifier = Webhook(secret)
        self.processed: list[dict[str, Any]] = []   # events, in the order taken
        self.seen: set[str] = set()
        self.duplicates: list[str] = []
        self.refused_signatures = 0
        self.requests = 0
        self.fail_next: list[int] = []   # status codes to answer before processing
        self.slow = 0.0                  # seconds to wait before answering
        self.lock = threading.Lock()
        self.server: _Server | None = None
        self.port = 0
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/amsflow/webhook"

    def up(self) -> None:
        handler = type("Handler", (_Handler,), {"standin": self})
        self.server = _Server(("127.0.0.1", self.port), handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def keys_in_order(self) -> list[str]:
        return [e["data"]["key"] for e in self.processed]


class _Handler(BaseHTTPRequestHandler):
    standin: QuantStandIn
    protocol_version = "HTTP/1.1"  # kept-alive connections, as a real server keeps them
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms stall

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        quant = self.standin
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with quant.lock:
            quant.requests += 1
        if quant.slow:
            time.sleep(quant.slow)
        with quant.lock:
            if quant.fail_next:
                return self._answer(quant.fail_next.pop(0), {"error": "unavailable"})
            try:
                event = quant.verifier.verify(body, dict(self.headers))
            except Exception:
                quant.refused_signatures += 1
                return self._answer(401, {"error": "bad signature"})
            message_id = self.headers["webhook-id"]
            if message_id in quant.seen:
                quant.duplicates.append(message_id)
                return self._answer(200, {"duplicate": True})
            quant.seen.add(message_id)
            quant.processed.append({**event, "webhook-id": message_id})
        return self._answer(202, {"accepted": True})

    def _answer(self, code: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


class QuantClient:
    """Quant calling our API: each request signed with its secret (a Flask client)."""

    def __init__(self, client: Any, secret: str) -> None:
        self.client, self.webhook = client, Webhook(secret)

    def headers(self, body: str, message_id: str | None = None,
                when: datetime | None = None) -> dict[str, str]:
        message_id = message_id or f"msg_{uuid.uuid4().hex}"
        when = when or datetime.now(UTC)
        return {"Content-Type": "application/json", "webhook-id": message_id,
                "webhook-timestamp": str(int(when.timestamp())),
                "webhook-signature": self.webhook.sign(message_id, when, body)}

    def post(self, path: str, payload: Any = None, *, message_id: str | None = None,
             when: datetime | None = None, query: str = "") -> Any:
        body = json.dumps(payload) if payload is not None else ""
        return self.client.post(f"/rest/quant/1{path}{query}", data=body,
                                headers=self.headers(body, message_id, when))

    def get(self, path: str) -> Any:
        return self.client.get(f"/rest/quant/1{path}", headers=self.headers(""))
