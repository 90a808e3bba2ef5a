"""Link Mobility SMS REST ("Common") provider.

POST {base}/send and {base}/sendbatch with JSON and HTTP basic auth; delivery
reports and inbound (MO) messages come back as JSON to our webhooks. Link mirrors
the refId we send in every delivery report, so the message's idempotency key
travels as refId (and as an Idempotency-Key header); a retry after a 5xx or a
timeout re-posts the same refId, never a new message.

Connections to the gateway are kept alive in a urllib3 pool per provider (one
provider per project and host): a TLS handshake per SMS would cost more than the
SMS. The pool is thread-safe and made again in a forked worker process.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import urllib3
from urllib3.exceptions import HTTPError as TransportError
from urllib3.exceptions import TimeoutError as TransportTimeout

from plugins.sms.providers.base import (
    DeliveryReport,
    DeliveryState,
    InboundSms,
    OutboundSms,
    SendResult,
    SendStatus,
    SmsProvider,
    WebhookError,
    WebhookRequest,
)

QUEUED = 1005
DELIVERED = 1001
# Temporary states from Link's result-code table; every other code is final.
TEMPORARY_CODES = frozenset({1000, 1007, 1008, 1011, 1012})
BATCH_LIMIT = 1000
POOL_SIZE = 8  # kept-alive connections per provider and process (more may open, then close)


@dataclass(frozen=True)
class LinkSettings:
    """Non-secret settings from project config; secrets are named env variables."""

    base_url: str = "https://n-eu.linkmobility.io/sms"
    platform_id: str = ""
    platform_partner_id: str = ""
    gate_id: str = ""
    sender: str = "AMS"
    timeout: float = 10.0
    attempts: int = 4
    backoff: float = 0.5
    username_env: str = "LINK_SMS_USERNAME"
    password_env: str = "LINK_SMS_PASSWORD"
    webhook_token_env: str = "LINK_SMS_WEBHOOK_TOKEN"


class _Retryable(Exception):
    """A transport outcome worth another try (5xx, 429, timeout, connection)."""


def _read_json(raw: bytes) -> object:
    try:
        return json.loads(raw.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WebhookError(f"not JSON: {exc}") from exc


def _as_list(data: object) -> list[Mapping[str, object]]:
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(i, dict) for i in items):
        raise WebhookError("expected a JSON object or a list of objects")
    return items  # type: ignore[return-value]


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class LinkMobilityProvider(SmsProvider):
    """Sends through Link Mobility's REST API and reads its callbacks."""

    name = "link"

    def __init__(
        self,
        settings: LinkSettings,
        environ: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._env = os.environ if environ is None else environ
        self._sleep = sleep
        self._pool: urllib3.PoolManager | None = None
        self._pool_pid = 0
        self._pool_lock = threading.Lock()

    def _http(self) -> urllib3.PoolManager:
        """The connection pool of this process (a forked gunicorn worker gets its own)."""
        pid = os.getpid()
        if self._pool is None or self._pool_pid != pid:
            with self._pool_lock:
                if self._pool is None or self._pool_pid != pid:
                    self._pool = urllib3.PoolManager(num_pools=4, maxsize=POOL_SIZE,
                                                     block=False, retries=False)
                    self._pool_pid = pid
        return self._pool

    def close(self) -> None:
        """Close kept-alive connections (tests and shutdown)."""
        if self._pool is not None:
            self._pool.clear()

    # -- sending -------------------------------------------------------------

    def _auth_header(self) -> str:
        user = self._env.get(self.settings.username_env, "")
        password = self._env.get(self.settings.password_env, "")
        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def _message_json(self, message: OutboundSms) -> dict[str, object]:
        return {
            "source": message.sender or self.settings.sender,
            "sourceTON": "ALPHANUMERIC",
            "destination": message.to,
            "destinationTON": "MSISDN",
            "userData": message.text,
            "dcs": "TEXT",
            "refId": message.idempotency_key,
        }

    def _common_json(self) -> dict[str, object]:
        gates = [self.settings.gate_id] if self.settings.gate_id else []
        return {
            "platformId": self.settings.platform_id,
            "platformPartnerId": self.settings.platform_partner_id,
            "useDeliveryReport": bool(gates),
            "deliveryReportGates": gates,
            "ignoreResponse": False,
        }

    def _post_once(self, path: str, payload: object, key: str) -> tuple[int, object]:
        timeout = self.settings.timeout
        try:
            response = self._http().request(
                "POST", self.settings.base_url.rstrip("/") + path,
                body=json.dumps(payload).encode("utf-8"),
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "Authorization": self._auth_header(),
                    "Idempotency-Key": key,
                },
                timeout=urllib3.Timeout(connect=timeout, read=timeout),
            )
        except TransportTimeout as exc:
            raise _Retryable(f"tidsavbrudd etter {timeout:g} s") from exc
        except TransportError as exc:
            raise _Retryable(f"ingen forbindelse: {exc}") from exc
        except OSError as exc:
            raise _Retryable(f"forbindelsen brøt: {exc}") from exc
        status, raw = response.status, response.data
        if status >= 500 or status == 429:
            raise _Retryable(f"HTTP {status} fra Link Mobility")
        try:
            body = json.loads(raw.decode("utf-8")) if raw.strip() else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = None
        return status, body

    def _post(self, path: str, payload: object, key: str) -> tuple[int, object]:
        """POST with exponential backoff; raises _Retryable when every attempt failed."""
        last: _Retryable | None = None
        for attempt in range(max(1, self.settings.attempts)):
            if attempt:
                self._sleep(self.settings.backoff * 2 ** (attempt - 1))
            try:
                return self._post_once(path, payload, key)
            except _Retryable as exc:
                last = exc
        assert last is not None
        raise last

    @staticmethod
    def _result(key: str, status: int, body: object) -> SendResult:
        data = body if isinstance(body, dict) else {}
        if 200 <= status < 300:
            code = data.get("resultCode", QUEUED)
            if code in (QUEUED, str(QUEUED)):
                return SendResult(key, SendStatus.ACCEPTED, str(data.get("messageId") or ""))
        reason = data.get("description") or data.get("message") or f"HTTP {status}"
        code = data.get("resultCode")
        error = f"Link Mobility avviste meldingen: {reason}" + (f" ({code})" if code else "")
        return SendResult(key, SendStatus.REFUSED, None, error)

    def send(self, message: OutboundSms) -> SendResult:
        payload = {**self._common_json(), **self._message_json(message)}
        try:
            status, body = self._post("/send", payload, message.idempotency_key)
        except _Retryable as exc:
            return SendResult(message.idempotency_key, SendStatus.FAILED, None, str(exc))
        return self._result(message.idempotency_key, status, body)

    def send_batch(self, messages: Sequence[OutboundSms]) -> list[SendResult]:
        results: list[SendResult] = []
        for start in range(0, len(messages), BATCH_LIMIT):
            results.extend(self._send_chunk(messages[start : start + BATCH_LIMIT]))
        return results

    def _send_chunk(self, chunk: Sequence[OutboundSms]) -> list[SendResult]:
        payload = {
            **self._common_json(),
            "sendRequestMessages": [self._message_json(m) for m in chunk],
        }
        batch_key = "batch-" + chunk[0].idempotency_key if chunk else "batch"
        try:
            status, body = self._post("/sendbatch", payload, batch_key)
        except _Retryable as exc:
            return [SendResult(m.idempotency_key, SendStatus.FAILED, None, str(exc)) for m in chunk]
        if not (200 <= status < 300) or not isinstance(body, list):
            return [self._result(m.idempotency_key, status, body) for m in chunk]
        by_ref = {str(item.get("refId")): item for item in body if isinstance(item, dict)}
        results = []
        for m in chunk:
            item = by_ref.get(m.idempotency_key)
            if item is None:
                error = "Link Mobility svarte ikke for denne meldingen"
                results.append(SendResult(m.idempotency_key, SendStatus.FAILED, None, error))
            else:
                results.append(self._result(m.idempotency_key, status, item))
        return results

    # -- callbacks ---------------------------------------------------------------

    def verify_webhook(self, request: WebhookRequest) -> bool:
        """Link's gate calls our URL with a shared secret token (header or query)."""
        expected = self._env.get(self.settings.webhook_token_env, "")
        given = request.header("X-Webhook-Token") or request.query.get("token", "")
        return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())

    def parse_delivery_report(self, request: WebhookRequest) -> list[DeliveryReport]:
        reports = []
        for item in _as_list(_read_json(request.body)):
            try:
                code = int(item.get("resultCode"))  # type: ignore[arg-type]
            except (TypeError, ValueError) as exc:
                raise WebhookError("delivery report without resultCode") from exc
            if code == DELIVERED:
                state, final = DeliveryState.DELIVERED, True
            elif code in TEMPORARY_CODES:
                state, final = DeliveryState.PENDING, False
            else:
                state, final = DeliveryState.FAILED, True
            reports.append(
                DeliveryReport(
                    provider_id=str(item["id"]) if item.get("id") else None,
                    ref=str(item["refId"]) if item.get("refId") else None,
                    state=state,
                    final=final,
                    code=str(code),
                    description=str(item.get("operatorResultCode") or ""),
                    timestamp=_timestamp(item.get("timestamp")),
                )
            )
        return reports

    def parse_inbound(self, request: WebhookRequest) -> list[InboundSms]:
        messages = []
        for item in _as_list(_read_json(request.body)):
            if not item.get("id") or not item.get("source"):
                raise WebhookError("inbound message without id or source")
            messages.append(
                InboundSms(
                    provider_id=str(item["id"]),
                    sender=str(item["source"]),
                    recipient=str(item.get("destination") or ""),
                    text=str(item.get("userData") or ""),
                    received_at=_timestamp(item.get("timestamp")),
                    raw=dict(item),
                )
            )
        return messages
