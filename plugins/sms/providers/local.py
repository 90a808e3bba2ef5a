"""Local folder provider: the embedded default, with no gateway at all.

Every outbound message becomes one JSON file named after its idempotency key, so
sending the same message twice writes nothing new. Replies are typed by a person
in the web UI (or posted to the webhook, signed with a timestamp and HMAC).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

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

SIGNATURE_HEADER = "X-Sms-Signature"
TIMESTAMP_HEADER = "X-Sms-Timestamp"
MAX_SKEW_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 over '<timestamp>.<body>': what a caller puts in X-Sms-Signature."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _safe_name(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in key)


class LocalFolderProvider(SmsProvider):
    """Writes messages to a folder; callbacks are signed JSON."""

    name = "local"

    def __init__(
        self,
        folder: str | os.PathLike[str],
        secret_env: str = "LOCAL_SMS_WEBHOOK_SECRET",
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = Path(folder)
        self.secret_env = secret_env
        self._env = os.environ if environ is None else environ
        self._clock = clock

    def path_for(self, key: str) -> Path:
        """Where the message with this idempotency key is (or would be) written."""
        return self.folder / f"{_safe_name(key)}.json"

    def send(self, message: OutboundSms) -> SendResult:
        path = self.path_for(message.idempotency_key)
        record = {
            "id": message.idempotency_key,
            "to": message.to,
            "sender": message.sender,
            "text": message.text,
            "written": datetime.now(UTC).isoformat(),
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # "x" mode: a second send of the same key finds the file and writes nothing.
            with open(path, "x", encoding="utf-8") as handle:
                json.dump(record, handle, ensure_ascii=False, indent=1)
        except FileExistsError:
            pass
        except OSError as exc:
            error = f"kunne ikke skrive SMS til mappen: {exc}"
            return SendResult(message.idempotency_key, SendStatus.FAILED, None, error)
        return SendResult(message.idempotency_key, SendStatus.ACCEPTED, message.idempotency_key)

    def verify_webhook(self, request: WebhookRequest) -> bool:
        secret = self._env.get(self.secret_env, "")
        try:
            stamp = int(request.header(TIMESTAMP_HEADER))
        except ValueError:
            return False
        if not secret or abs(self._clock() - stamp) > MAX_SKEW_SECONDS:
            return False
        expected = sign(secret, stamp, request.body)
        return hmac.compare_digest(expected, request.header(SIGNATURE_HEADER))

    @staticmethod
    def _items(request: WebhookRequest) -> list[Mapping[str, object]]:
        try:
            data = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise WebhookError(f"not JSON: {exc}") from exc
        items = data if isinstance(data, list) else [data]
        if not all(isinstance(i, dict) for i in items):
            raise WebhookError("expected a JSON object or a list of objects")
        return items

    def parse_delivery_report(self, request: WebhookRequest) -> list[DeliveryReport]:
        reports = []
        for item in self._items(request):
            try:
                state = DeliveryState(str(item.get("state")))
            except ValueError as exc:
                raise WebhookError("state must be pending, delivered or failed") from exc
            reports.append(
                DeliveryReport(
                    provider_id=str(item.get("id") or "") or None,
                    ref=str(item.get("ref") or item.get("id") or "") or None,
                    state=state,
                    final=state is not DeliveryState.PENDING,
                    code=str(item.get("code") or ""),
                    description=str(item.get("description") or ""),
                )
            )
        return reports

    def parse_inbound(self, request: WebhookRequest) -> list[InboundSms]:
        messages = []
        for item in self._items(request):
            if not item.get("id"):
                raise WebhookError("inbound message without id")
            messages.append(
                InboundSms(
                    provider_id=str(item["id"]),
                    sender=str(item.get("from") or ""),
                    recipient=str(item.get("to") or ""),
                    text=str(item.get("text") or ""),
                    raw=dict(item),
                )
            )
        return messages
