"""The local folder provider: one file per message, signed callbacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plugins.sms.providers import (
    DeliveryState,
    LocalFolderProvider,
    OutboundSms,
    SendStatus,
    WebhookRequest,
)
from plugins.sms.providers.local import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

NOW = 1_750_000_000


def local(tmp_path: Path) -> LocalFolderProvider:
    return LocalFolderProvider(tmp_path / "out", environ={"LOCAL_SMS_WEBHOOK_SECRET": "s3"},
                               clock=lambda: NOW)


def test_writes_one_file_per_message_and_never_twice(tmp_path: Path) -> None:
    provider = local(tmp_path)
    msg = OutboundSms("ELV-1/booking/1", "+4791234567", "Hei på deg")
    first = provider.send(msg)
    again = provider.send(OutboundSms(msg.idempotency_key, msg.to, "annen tekst"))
    assert first.status is SendStatus.ACCEPTED and again.status is SendStatus.ACCEPTED
    files = list((tmp_path / "out").iterdir())
    assert len(files) == 1
    assert json.loads(files[0].read_text("utf-8"))["text"] == "Hei på deg"


def test_unwritable_folder_fails(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    provider = LocalFolderProvider(blocker / "out", environ={})
    assert provider.send(OutboundSms("k", "+4791234567", "x")).status is SendStatus.FAILED


def signed(body: bytes, stamp: int = NOW, secret: str = "s3") -> WebhookRequest:
    return WebhookRequest(body, {TIMESTAMP_HEADER: str(stamp),
                                 SIGNATURE_HEADER: sign(secret, stamp, body)})


@pytest.mark.parametrize(
    ("req", "ok"),
    [
        (signed(b'{"id":"1"}'), True),
        (signed(b'{"id":"1"}', secret="wrong"), False),
        (signed(b'{"id":"1"}', stamp=NOW - 301), False),
        (WebhookRequest(b'{"id":"1"}', {}), False),
        (WebhookRequest(b'{"id":"2"}', signed(b'{"id":"1"}').headers), False),
    ],
)
def test_signature_with_timestamp(tmp_path: Path, req: WebhookRequest, ok: bool) -> None:
    assert local(tmp_path).verify_webhook(req) is ok


def test_parse_inbound_and_reports(tmp_path: Path) -> None:
    provider = local(tmp_path)
    inbound = provider.parse_inbound(signed(b'{"id": "r1", "from": "+4791234567", "text": "OK"}'))
    assert (inbound[0].provider_id, inbound[0].sender, inbound[0].text) == ("r1", "+4791234567",
                                                                            "OK")
    reports = provider.parse_delivery_report(signed(b'[{"ref": "k", "state": "failed"}]'))
    assert reports[0].state is DeliveryState.FAILED and reports[0].final
