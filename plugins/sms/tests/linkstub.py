"""A loopback stand-in for Link Mobility's SMS REST API ("Common"), for tests and
benchmarks, written from Link's documentation rather than from our client.

Sources, cited per behaviour below:

- [SEND] ``link-mobility/api-doc``: ``LinkSmsRestApi(Send)/Samples/python/send_sms.py``
  (POST ``/sms/send`` with JSON ``source``, ``destination``, ``userData``, ``platformId``,
  ``platformPartnerId``, ``useDeliveryReport``; HTTP basic auth).
- [RECV] ``link-mobility/api-doc``: ``LinkSmsRestApi(Receive)/Samples/python/sms_server.py``
  (an MO message is read as ``source``, ``operator``, ``content.type``,
  ``content.userData``; a delivery report as ``id``, ``resultCode``, ``operator``).
- [MT16] "LINK Mobility SMS REST API – MT and Delivery Reports", v1.6 (July 2019):
  chapters "Sending MT messages" (answer with ``messageId``, ``resultCode`` 1005
  *Queued*), "Batch sending MT messages" (``/sms/sendbatch``, ``sendRequestMessages``,
  one answer per message), "TON" (an ALPHANUMERIC source is at most 11 characters),
  "Capabilities" (UTF-8 2-byte characters only: "Unicode 4-byte characters are not
  supported"), "Delivery Reports" (fields ``refId`` – mirrored if one was sent, else
  null – ``id``, ``operator``, ``sentTimestamp``, ``timestamp``, ``resultCode``,
  ``operatorResultCode``, ``segments``; a multipart message gets one report per part
  with id ``{id}${n}``, n from 0; the receiver must answer 200 OK, else Common sends
  the report again) and "Result Codes" (1000 Sent, 1005 Queued, 1007 Delivered/billing
  delayed, 1008, 1011–1013 are temporary; 1001 delivered; the rest final failures).

What the documentation does *not* promise, the stand-in does not do either: a repeated
``refId`` is a new message (nothing says Link drops it), so a client that re-posts
after a timeout makes the customer get the text twice – which the tests count. A
stalled answer is sent after the message was taken (delivered to the phone); a 5xx or
429 answer comes before anything is taken.
"""

from __future__ import annotations

import base64
import json
import random
import re
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

QUEUED = 1005  # [MT16] Result Codes: temporary
SENT = 1000  # [MT16] Result Codes: sent to operator, temporary
DELIVERED = 1001  # [MT16] Result Codes: final, delivered
NUMBER_ERROR = 2106  # [MT16] Result Codes: final
INVALID_SOURCE = 2000  # [MT16] Result Codes: invalid source number or alpha
INVALID_USER_DATA = 4003  # [MT16] Result Codes
_ALPHA_SOURCE = re.compile(r"^[A-Za-z][A-Za-z0-9]{1,10}$")  # [MT16] TON: ALPHANUMERIC ≤ 11
# GSM 03.38 default alphabet (basic table), for counting parts as a handset would.
_GSM = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
           "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM_EXT = set("\f^{}\\[~]|€")


def parts_of(text: str) -> int:
    """How many parts (segments) a text is sent in: 160/153 septets, else 70/67 UCS-2."""
    if all(c in _GSM or c in _GSM_EXT for c in text):
        units, single, multi = sum(2 if c in _GSM_EXT else 1 for c in text), 160, 153
    else:
        units, single, multi = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else -(-units // multi)


@dataclass
class StubState:
    """What the stand-in has seen and what it has been told to do."""

    username: str = "user"
    password: str = "secret"
    messages: list[dict[str, Any]] = field(default_factory=list)  # every message taken
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fail_next: int = 0
    fail_status: int = 500
    stall_next: int = 0
    stall_seconds: float = 0.0
    refused: set[str] = field(default_factory=set)
    latency: float = 0.0  # seconds every answer takes, as across the internet
    fault: Any = None  # fault(path) -> None | ("fail", status) | ("stall", seconds)
    counter: int = 0
    gate: Any = None  # the delivery-report gate (see LinkStub.gate)
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

    def _authorised(self, state: StubState) -> bool:  # [SEND] HTTP basic auth
        token = base64.b64encode(f"{state.username}:{state.password}".encode()).decode()
        return self.headers.get("Authorization") == f"Basic {token}"

    def _accept(self, state: StubState, message: dict[str, Any]) -> dict[str, Any]:
        """Take one message (every request a new one) and give its answer [MT16]."""
        ref = message.get("refId")
        text = str(message.get("userData") or "")
        refusal = None
        if message.get("destination") in state.refused:
            refusal = (NUMBER_ERROR, "Number error")
        elif not _ALPHA_SOURCE.match(str(message.get("source") or "")):
            refusal = (INVALID_SOURCE, "Invalid source")
        elif any(ord(c) > 0xFFFF for c in text):  # [MT16] no 4-byte characters
            refusal = (INVALID_USER_DATA, "Invalid user data")
        if refusal is not None:
            return {"refId": ref, "resultCode": refusal[0], "description": refusal[1]}
        state.counter += 1
        taken = {**message, "messageId": f"LM{state.counter:08d}", "parts": parts_of(text)}
        state.messages.append(taken)
        if state.gate is not None:
            state.gate.schedule(taken)
        return {"messageId": taken["messageId"], "refId": ref, "resultCode": QUEUED,
                "description": "Queued"}

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length) or b"{}")
        with state.lock:
            state.requests.append((self.path, payload))
            fault = state.fault(self.path) if state.fault else None
            if fault is None and state.fail_next > 0:
                state.fail_next -= 1
                fault = ("fail", state.fail_status)
            if fault is None and state.stall_next > 0:
                state.stall_next -= 1
                fault = ("stall", state.stall_seconds)
            if fault is not None and fault[0] == "fail":  # answered before anything is taken
                self._reply(fault[1], {"description": "Internal error"})
                return
            if not self._authorised(state):
                self._reply(401, {"resultCode": 106100, "description": "Invalid authentication"})
                return
            if self.path.endswith("/sms/send"):
                answer: object = self._accept(state, payload)
                status = 400 if answer["resultCode"] != QUEUED else 200  # type: ignore[index]
            elif self.path.endswith("/sms/sendbatch"):  # [MT16] one answer per message
                answer = [self._accept(state, m) for m in payload.get("sendRequestMessages", [])]
                status = 200
            else:
                self._reply(404, {"description": "Not found"})
                return
        if fault is not None:  # taken, but the answer comes after the client gave up
            time.sleep(fault[1])
        if state.latency:
            time.sleep(state.latency)
        try:
            self._reply(status, answer)
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: StubState


def delivery_report(ref: str | None, message_id: str, result_code: int = DELIVERED,
                    segments: int = 1) -> dict[str, Any]:
    """A delivery report with the fields of [MT16] "Delivery Reports"."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {"refId": ref, "id": message_id, "operator": "no.telenor", "sentTimestamp": now,
            "timestamp": now, "resultCode": result_code, "operatorResultCode": "0",
            "segments": segments, "gateCustomParameters": [], "customParameters": []}


def reports_for(message: dict[str, Any], result_code: int = DELIVERED) -> list[dict[str, Any]]:
    """The reports Link sends for a message taken: one per part, id ``{id}${n}`` [MT16]."""
    parts = int(message.get("parts") or 1)
    if parts == 1:
        return [delivery_report(message.get("refId"), message["messageId"], result_code)]
    return [delivery_report(message.get("refId"), f"{message['messageId']}${n}", result_code,
                            parts) for n in range(parts)]


def inbound_message(msg_id: str, sender: str, text: str, to: str = "2222",
                    operator: str = "no.telenor") -> dict[str, Any]:
    """An MO message shaped as [RECV] reads it: ``source``, ``operator`` and the text
    in ``content.userData`` with ``content.type`` TEXT."""
    return {"id": msg_id, "source": sender, "sourceTON": "MSISDN", "destination": to,
            "destinationTON": "SHORTNUMBER", "operator": operator,
            "content": {"type": "TEXT", "userData": text},
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
    except OSError:
        return 0


class Gate:
    """Link's delivery-report gate: after a message is taken it POSTs its reports (one
    per part) to our URL after a random delay, and sends a report again until it gets
    200 OK [MT16]. ``codes`` picks each message's final result code; ``duplicate``
    and the random delays give repeated and reordered reports. At most ``connections``
    reports are in flight at once (a gate is a client with a few connections, not one
    per report; the documents give no number)."""

    def __init__(self, url: str, headers: dict[str, str], delay: tuple[float, float],
                 codes: Any = None, duplicate: float = 0.0, retry_every: float = 0.2,
                 give_up_after: float = 60.0, seed: int = 1, connections: int = 4) -> None:
        self._slots = threading.BoundedSemaphore(connections)
        self.url, self.headers, self.delay = url, headers, delay
        self.codes = codes or (lambda message: DELIVERED)
        self.duplicate, self.retry_every, self.give_up_after = duplicate, retry_every, \
            give_up_after
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._busy = 0
        self.acknowledged = 0  # reports answered 200
        self.lost = 0  # reports never acknowledged
        self.attempts = 0

    def schedule(self, message: dict[str, Any]) -> None:
        code = self.codes(message)
        reports = reports_for(message, code)
        if self._random.random() < self.duplicate:
            reports = reports + reports
        for report in reports:
            wait = self._random.uniform(*self.delay)
            with self._lock:
                self._busy += 1
            threading.Thread(target=self._deliver, args=(report, wait), daemon=True).start()

    def _deliver(self, report: dict[str, Any], wait: float) -> None:
        time.sleep(wait)
        deadline = time.monotonic() + self.give_up_after
        try:
            while True:
                with self._lock:
                    self.attempts += 1
                with self._slots:
                    status = post_json(self.url, report, self.headers)
                if status == 200:
                    with self._lock:
                        self.acknowledged += 1
                    return
                if time.monotonic() > deadline:
                    with self._lock:
                        self.lost += 1
                    return
                time.sleep(self.retry_every)
        finally:
            with self._lock:
                self._busy -= 1

    def wait(self, timeout: float = 120.0) -> None:
        """Until every report was acknowledged or given up."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if self._busy == 0:
                    return
            time.sleep(0.05)


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
        """Take the next `times` requests' messages but answer only after `seconds`."""
        with self.state.lock:
            self.state.stall_next, self.state.stall_seconds = times, seconds

    def refuse(self, number: str) -> None:
        """Refuse messages to this E.164 number (2106 Number error)."""
        with self.state.lock:
            self.state.refused.add(number)

    def gate(self, url: str, headers: dict[str, str], delay: tuple[float, float] = (0, 0),
             **options: Any) -> Gate:
        """Push delivery reports for every message taken from now on to ``url``."""
        gate = Gate(url, headers, delay, **options)
        with self.state.lock:
            self.state.gate = gate
        return gate

    def sent(self) -> list[dict[str, Any]]:
        """Every message the stand-in took, in order (a repeat counts again)."""
        with self.state.lock:
            return list(self.state.messages)

    def per_number(self) -> dict[str, int]:
        """How many messages each destination got."""
        counts: dict[str, int] = {}
        for message in self.sent():
            counts[message["destination"]] = counts.get(message["destination"], 0) + 1
        return counts
