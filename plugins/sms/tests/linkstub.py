"""A loopback stand-in for Link Mobility's SMS REST API, for tests and benchmarks.

A real HTTP server on 127.0.0.1 (free port, own thread) that speaks /sms/send and
/sms/sendbatch, checks basic auth, records what it accepted, and can be told to
answer 500, to stall past the client's timeout, or to refuse a number. Like the
real gateway it mirrors refId; it also treats a repeated refId as the same message,
which is the contract our retries rely on.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

QUEUED = 1005


@dataclass
class StubState:
    """What the stub has seen and what it has been told to do."""

    username: str = "user"
    password: str = "secret"
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)  # refId -> message
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fail_next: int = 0
    fail_status: int = 500
    stall_next: int = 0
    stall_seconds: float = 0.0
    refused: set[str] = field(default_factory=set)
    latency: float = 0.0  # seconds every answer takes, as across the internet
    counter: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, each kept-alive
    # answer waited ~40 ms for the client's delayed ACK, as no real gateway does.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        """Quiet: tests read the recorded state instead."""

    def _reply(self, status: int, body: object | None) -> None:
        raw = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _authorised(self, state: StubState) -> bool:
        token = base64.b64encode(f"{state.username}:{state.password}".encode()).decode()
        return self.headers.get("Authorization") == f"Basic {token}"

    def _accept(self, state: StubState, message: dict[str, Any]) -> dict[str, Any]:
        """Record one message (once per refId) and give the per-message answer."""
        ref = str(message.get("refId") or "")
        if message.get("destination") in state.refused:
            return {"refId": ref, "resultCode": 4001, "message": "Invalid destination",
                    "description": "Invalid destination"}
        existing = state.messages.get(ref) if ref else None
        if existing is None:
            state.counter += 1
            existing = {**message, "messageId": f"LM{state.counter:08d}"}
            state.messages[ref or existing["messageId"]] = existing
        return {"messageId": existing["messageId"], "refId": ref, "resultCode": QUEUED,
                "message": "Queued", "description": "Queued"}

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length) or b"{}")
        with state.lock:
            state.requests.append((self.path, payload))
            if state.fail_next > 0:
                state.fail_next -= 1
                self._reply(state.fail_status, {"description": "Internal error"})
                return
            stall = state.stall_next > 0
            if stall:
                state.stall_next -= 1
            if not self._authorised(state):
                self._reply(401, {"resultCode": 106100, "description": "Invalid authentication"})
                return
            if self.path.endswith("/sms/send"):
                answer: object = self._accept(state, payload)
                status = 400 if answer["resultCode"] != QUEUED else 200  # type: ignore[index]
            elif self.path.endswith("/sms/sendbatch"):
                answer = [self._accept(state, m) for m in payload.get("sendRequestMessages", [])]
                status = 200
            else:
                self._reply(404, {"description": "Not found"})
                return
        if stall:
            # The message is taken but the answer comes too late: the client's retry
            # must not make it a second message.
            time.sleep(state.stall_seconds)
        if state.latency:
            time.sleep(state.latency)
        try:
            self._reply(status, answer)
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: StubState


class LinkStub:
    """Start with `with LinkStub() as stub:`; stub.base_url is the provider's base_url."""

    def __init__(self, username: str = "user", password: str = "secret") -> None:
        self.state = StubState(username=username, password=password)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = self.state
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/sms"

    def start(self) -> LinkStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LinkStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- steering ---------------------------------------------------------------

    def fail(self, times: int = 1, status: int = 500) -> None:
        """Answer the next `times` requests with `status` without taking the message."""
        with self.state.lock:
            self.state.fail_next, self.state.fail_status = times, status

    def stall(self, seconds: float, times: int = 1) -> None:
        """Take the next `times` messages but answer only after `seconds`."""
        with self.state.lock:
            self.state.stall_next, self.state.stall_seconds = times, seconds

    def refuse(self, number: str) -> None:
        """Refuse messages to this E.164 number."""
        with self.state.lock:
            self.state.refused.add(number)

    def sent(self) -> list[dict[str, Any]]:
        """Every distinct message the stub accepted, in order."""
        with self.state.lock:
            return list(self.state.messages.values())


def delivery_report(ref: str, message_id: str, result_code: int = 1001) -> dict[str, Any]:
    """A delivery report body shaped like Link's."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {"refId": ref, "id": message_id, "operator": "no.telenor", "sentTimestamp": now,
            "timestamp": now, "resultCode": result_code, "operatorResultCode": "0",
            "segments": 1, "gateCustomParameters": {}, "customParameters": {}}


def inbound_message(msg_id: str, sender: str, text: str, to: str = "2333") -> dict[str, Any]:
    """An inbound (MO) message body shaped like Link's JSON gate."""
    return {"id": msg_id, "source": sender, "sourceTON": "MSISDN", "destination": to,
            "destinationTON": "SHORTNUMBER", "userData": text,
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def post_json(url: str, body: object, headers: dict[str, str] | None = None) -> int:
    """POST JSON like the gateway's callback would; returns the HTTP status."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers=all_headers
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
