"""Link Mobility SMS REST ("Common") provider.

POST {base}/send and {base}/sendbatch with JSON and HTTP basic auth; delivery
reports and inbound (MO) messages come back as JSON to our webhooks ("LINK Mobility
SMS REST API – MT and Delivery Reports" v1.6; the receive sample of Link's
``api-doc`` repository for the MO shape: ``source``, ``operator``,
``content.type``, ``content.userData``).

Link mirrors the refId we send in every delivery report, so the message's
idempotency key travels as refId. Link does not promise to drop a repeated refId,
so a request that may have reached Link is never posted again: a read timeout or a
connection lost after the request went out is ``SendStatus.UNKNOWN`` (the delivery
report, matched by refId, or a planner settles it). Only answers that come before
anything is taken – 5xx, 429, a connection that could not be opened – are retried,
within a total ``deadline`` so a person's request is never held for long.

Connections to the gateway are kept alive in a urllib3 pool per provider (one
provider per project and host): a TLS handshake per SMS would cost more than the
SMS. The pool is thread-safe and made again in a forked worker process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import urllib3
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.exceptions import HTTPError as TransportError

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
# Link's result-code table ("Result Codes"): these are temporary (TEMP); 1007 means
# delivered with billing delayed. Every other code is final; only 1001 is delivered.
TEMPORARY_CODES = frozenset({1000, 1005, 1007, 1008, 1011, 1012, 1013})
DELIVERED_TEMPORARY = frozenset({1007})
ALPHANUMERIC_SENDER = r"^[A-Za-z][A-Za-z0-9]{1,10}$"  # TON ALPHANUMERIC: 2–11, a letter first
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
    timeout: float = 5.0
    attempts: int = 4
    backoff: float = 0.5
    deadline: float = 8.0  # seconds for all tries of one request together
    username_env: str = "LINK_SMS_USERNAME"
    password_env: str = "LINK_SMS_PASSWORD"
    webhook_token_env: str = "LINK_SMS_WEBHOOK_TOKEN"


class _Retryable(Exception):
    """An answer that came before Link took anything (5xx, 429, no connection)."""


class _Unknown(Exception):
    """The request may have reached Link, but no answer came: never post it again."""


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

    def _post_once(self, path: str, payload: object, key: str,
                   timeout: float) -> tuple[int, object]:
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
        except (ConnectTimeoutError, NewConnectionError) as exc:  # nothing went out
            raise _Retryable(f"ingen forbindelse: {exc}") from exc
        except (TransportError, OSError) as exc:  # it went out; Link may have taken it
            raise _Unknown(f"ingen svar fra Link Mobility innen {timeout:g} s") from exc
        status, raw = response.status, response.data
        if status >= 500 or status == 429:
            raise _Retryable(f"HTTP {status} fra Link Mobility")
        try:
            body = json.loads(raw.decode("utf-8")) if raw.strip() else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = None
        return status, body

    def _post(self, path: str, payload: object, key: str) -> tuple[int, object]:
        """POST, trying again with exponential backoff after answers that took nothing,
        within the total deadline; raises _Retryable when no try got through and
        _Unknown when one may have."""
        settings = self.settings
        end = time.monotonic() + settings.deadline
        last: _Retryable | None = None
        for attempt in range(max(1, settings.attempts)):
            if attempt:
                pause = settings.backoff * 2 ** (attempt - 1)
                if time.monotonic() + pause >= end:
                    break
                self._sleep(pause)
            left = end - time.monotonic()
            if left <= 0:
                break
            try:
                return self._post_once(path, payload, key, min(settings.timeout, left))
            except _Retryable as exc:
                last = exc
        raise last or _Retryable(f"ingen svar innen {settings.deadline:g} s")

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
        except _Unknown as exc:
            return SendResult(message.idempotency_key, SendStatus.UNKNOWN, None, str(exc))
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
        except _Unknown as exc:
            return [SendResult(m.idempotency_key, SendStatus.UNKNOWN, None, str(exc))
                    for m in chunk]
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
        """Link's gate calls our URL with the shared token in the ``X-Webhook-Token``
        header, or as the password of HTTP basic auth (``https://link:TOKEN@host/...``
        in the gate's URL). Never in the query string: that lands in access logs."""
        expected = self._env.get(self.settings.webhook_token_env, "")
        given = request.header("X-Webhook-Token") or _basic_password(
            request.header("Authorization"))
        return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())

    def parse_delivery_report(self, request: WebhookRequest) -> list[DeliveryReport]:
        """One report per message, or per part of a multipart message: its id is then
        ``{id}${n}`` (n from 0) and ``segments`` says how many parts there are."""
        reports = []
        for item in _as_list(_read_json(request.body)):
            try:
                code = int(item.get("resultCode"))  # type: ignore[arg-type]
            except (TypeError, ValueError) as exc:
                raise WebhookError("delivery report without resultCode") from exc
            if code == DELIVERED or code in DELIVERED_TEMPORARY:
                state = DeliveryState.DELIVERED
            elif code in TEMPORARY_CODES:
                state = DeliveryState.PENDING
            else:
                state = DeliveryState.FAILED
            raw_id = str(item["id"]) if item.get("id") else None
            base_id, part = _split_part(raw_id)
            try:
                segments = max(1, int(item.get("segments") or 1))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                segments = 1
            reports.append(
                DeliveryReport(
                    provider_id=base_id,
                    ref=str(item["refId"]) if item.get("refId") else None,
                    state=state,
                    final=code not in TEMPORARY_CODES,
                    code=str(code),
                    description=str(item.get("operatorResultCode") or ""),
                    timestamp=_timestamp(item.get("timestamp")),
                    part=part,
                    parts=segments if part is not None else 1,
                )
            )
        return reports

    def parse_inbound(self, request: WebhookRequest) -> list[InboundSms]:
        """MO messages as Link's receive sample reads them: ``source``, ``operator``,
        ``content.type`` and ``content.userData``. A message without an ``id`` gets one
        made from its fields, so a repeated delivery is still recognised."""
        messages = []
        for item in _as_list(_read_json(request.body)):
            content = item.get("content")
            if not item.get("source") or not isinstance(content, dict):
                raise WebhookError("inbound message without source or content")
            kind = str(content.get("type") or "TEXT").upper()
            text = str(content.get("userData") or "") if kind == "TEXT" else ""
            ident = str(item.get("id") or "") or "mo-" + hashlib.sha256(
                json.dumps(item, sort_keys=True).encode()).hexdigest()[:32]
            messages.append(
                InboundSms(
                    provider_id=ident,
                    sender=str(item["source"]),
                    recipient=str(item.get("destination") or ""),
                    text=text,
                    received_at=_timestamp(item.get("timestamp")),
                    raw=dict(item),
                )
            )
        return messages


def _split_part(raw_id: str | None) -> tuple[str | None, int | None]:
    """``abc123$1`` -> (``abc123``, 1); an id without a part -> (id, None)."""
    if raw_id and "$" in raw_id:
        base, _, number = raw_id.rpartition("$")
        if base and number.isdigit():
            return base, int(number)
    return raw_id, None


def _basic_password(header: str) -> str:
    if not header.lower().startswith("basic "):
        return ""
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[2]
