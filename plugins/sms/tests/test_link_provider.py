"""The Link Mobility provider against the loopback stand-in: real HTTP, real failures."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import pytest

from plugins.sms.providers import (
    DeliveryState,
    LinkMobilityProvider,
    LinkSettings,
    OutboundSms,
    SendStatus,
    WebhookError,
    WebhookRequest,
)
from plugins.sms.tests.linkstub import LinkStub, delivery_report, inbound_message

ENV = {"LINK_SMS_USERNAME": "user", "LINK_SMS_PASSWORD": "secret",
       "LINK_SMS_WEBHOOK_TOKEN": "tok-123"}


@pytest.fixture
def stub() -> Iterator[LinkStub]:
    with LinkStub() as running:
        yield running


def provider(stub: LinkStub) -> tuple[LinkMobilityProvider, list[float]]:
    sleeps: list[float] = []
    settings = LinkSettings(base_url=stub.base_url, platform_id="P", platform_partner_id="PP",
                            gate_id="G1", timeout=0.5, attempts=3, backoff=0.01)
    return LinkMobilityProvider(settings, environ=ENV, sleep=sleeps.append), sleeps


def sms(key: str, to: str = "+4791234567", text: str = "Hei") -> OutboundSms:
    return OutboundSms(idempotency_key=key, to=to, text=text, sender="ELVIA")


def test_send_posts_link_json(stub: LinkStub) -> None:
    result = provider(stub)[0].send(sms("k1", text="Blåbær"))
    assert result.status is SendStatus.ACCEPTED
    path, body = stub.state.requests[0]
    assert path == "/sms/send"
    assert body["destination"] == "+4791234567" and body["userData"] == "Blåbær"
    assert body["refId"] == "k1" and body["platformId"] == "P"
    assert body["deliveryReportGates"] == ["G1"] and body["useDeliveryReport"] is True
    assert result.provider_id == stub.sent()[0]["messageId"]


def test_wrong_credentials_are_a_refusal(stub: LinkStub) -> None:
    bad = LinkMobilityProvider(LinkSettings(base_url=stub.base_url, attempts=1),
                               environ={"LINK_SMS_USERNAME": "x", "LINK_SMS_PASSWORD": "y"})
    result = bad.send(sms("k1"))
    assert result.status is SendStatus.REFUSED
    assert "Invalid authentication" in (result.error or "")
    assert stub.sent() == []


def test_500_is_retried_with_backoff(stub: LinkStub) -> None:
    stub.fail(times=2)
    link, sleeps = provider(stub)
    result = link.send(sms("k1"))
    assert result.status is SendStatus.ACCEPTED
    assert sleeps == [0.01, 0.02]
    assert len(stub.state.requests) == 3 and len(stub.sent()) == 1


def test_500_every_time_fails_without_sending(stub: LinkStub) -> None:
    stub.fail(times=5)
    result = provider(stub)[0].send(sms("k1"))
    assert result.status is SendStatus.FAILED
    assert "HTTP 500" in (result.error or "")
    assert stub.sent() == []


def test_read_timeout_is_unknown_and_never_posted_again(stub: LinkStub) -> None:
    """Link may have taken a message whose answer timed out, and it does not promise
    to drop a repeated refId: one request, status unknown."""
    stub.stall(seconds=1.0, times=1)
    link, sleeps = provider(stub)
    result = link.send(sms("k1"))
    assert result.status is SendStatus.UNKNOWN
    assert "ingen svar" in (result.error or "")
    assert sleeps == [] and len(stub.state.requests) == 1 and len(stub.sent()) == 1


def test_total_deadline_bounds_the_tries(stub: LinkStub) -> None:
    stub.fail(times=50)
    settings = LinkSettings(base_url=stub.base_url, timeout=0.5, attempts=10, backoff=0.2,
                            deadline=0.5)
    link = LinkMobilityProvider(settings, environ=ENV, sleep=lambda s: time.sleep(s))
    result = link.send(sms("k1"))
    assert result.status is SendStatus.FAILED
    assert 1 <= len(stub.state.requests) <= 3 and stub.sent() == []


def test_429_is_retried(stub: LinkStub) -> None:
    stub.fail(times=1, status=429)
    link, sleeps = provider(stub)
    assert link.send(sms("k1")).status is SendStatus.ACCEPTED
    assert sleeps == [0.01] and len(stub.sent()) == 1


def test_refused_number_is_not_retried(stub: LinkStub) -> None:
    stub.refuse("+4799999999")
    link, sleeps = provider(stub)
    result = link.send(sms("k1", to="+4799999999"))
    assert result.status is SendStatus.REFUSED
    assert "Number error" in (result.error or "") and "2106" in (result.error or "")
    assert sleeps == [] and stub.sent() == []


def test_connection_refused_fails() -> None:
    with LinkStub() as gone:
        url = gone.base_url
    link = LinkMobilityProvider(LinkSettings(base_url=url, attempts=2, backoff=0), environ=ENV,
                                sleep=lambda _s: None)
    assert link.send(sms("k1")).status is SendStatus.FAILED


def test_batch_with_one_refused_number(stub: LinkStub) -> None:
    stub.refuse("+4741111111")
    batch = [sms("b1", "+4791111111"), sms("b2", "+4741111111"), sms("b3", "+4792222222")]
    results = provider(stub)[0].send_batch(batch)
    assert [r.status for r in results] == [SendStatus.ACCEPTED, SendStatus.REFUSED,
                                           SendStatus.ACCEPTED]
    assert [r.idempotency_key for r in results] == ["b1", "b2", "b3"]
    assert stub.state.requests[0][0] == "/sms/sendbatch"
    assert sorted(m["refId"] for m in stub.sent()) == ["b1", "b3"]


def test_batch_timeout_makes_every_message_unknown(stub: LinkStub) -> None:
    stub.stall(seconds=1.0, times=1)
    batch = [sms(f"b{i}", f"+47912345{i:02d}") for i in range(20)]
    results = provider(stub)[0].send_batch(batch)
    assert {r.status for r in results} == {SendStatus.UNKNOWN}
    assert len(stub.state.requests) == 1 and len(stub.sent()) == 20


def test_stand_in_refuses_what_link_documents(stub: LinkStub) -> None:
    link = provider(stub)[0]
    emoji = link.send(sms("e1", text="Hei 😀"))
    bad_source = link.send(OutboundSms("s1", "+4791234567", "Hei", sender="1ELVIA"))
    assert emoji.status is SendStatus.REFUSED and "4003" in (emoji.error or "")
    assert bad_source.status is SendStatus.REFUSED and "2000" in (bad_source.error or "")
    assert stub.sent() == []


def request(body: object, token: str | None = "tok-123") -> WebhookRequest:
    headers = {"X-Webhook-Token": token} if token else {}
    return WebhookRequest(json.dumps(body).encode(), headers)


@pytest.mark.parametrize(("token", "ok"), [("tok-123", True), ("tok-124", False), (None, False)])
def test_webhook_token(stub: LinkStub, token: str | None, ok: bool) -> None:
    assert provider(stub)[0].verify_webhook(request({}, token)) is ok


def test_token_in_query_string_is_refused_basic_auth_works(stub: LinkStub) -> None:
    link = provider(stub)[0]
    assert not link.verify_webhook(WebhookRequest(b"{}", {}, {"token": "tok-123"}))
    basic = "Basic " + base64.b64encode(b"link:tok-123").decode()
    assert link.verify_webhook(WebhookRequest(b"{}", {"Authorization": basic}))
    unset = LinkMobilityProvider(LinkSettings(), environ={})
    assert not unset.verify_webhook(WebhookRequest(b"{}", {"X-Webhook-Token": ""}))


@pytest.mark.parametrize(
    ("code", "state", "final"),
    [(1001, DeliveryState.DELIVERED, True), (1000, DeliveryState.PENDING, False),
     (2106, DeliveryState.FAILED, True), (1002, DeliveryState.FAILED, True),
     (1005, DeliveryState.PENDING, False), (1007, DeliveryState.DELIVERED, False),
     (1012, DeliveryState.PENDING, False), (1010, DeliveryState.FAILED, True)],
)
def test_delivery_reports(stub: LinkStub, code: int, state: DeliveryState, final: bool) -> None:
    report = provider(stub)[0].parse_delivery_report(request(delivery_report("k1", "LM1", code)))
    assert len(report) == 1
    assert (report[0].ref, report[0].provider_id, report[0].state, report[0].final) == (
        "k1", "LM1", state, final)
    assert report[0].timestamp is not None


def test_inbound_message_documented_shape(stub: LinkStub) -> None:
    parsed = provider(stub)[0].parse_inbound(request([inbound_message("mo1", "+4791234567",
                                                                      "AB3D OK")]))
    assert [(m.provider_id, m.sender, m.text) for m in parsed] == [("mo1", "+4791234567",
                                                                    "AB3D OK")]


def test_inbound_without_id_gets_a_stable_one(stub: LinkStub) -> None:
    body = inbound_message("x", "+4791234567", "AB3D OK")
    del body["id"]
    link = provider(stub)[0]
    first, again = (link.parse_inbound(request(body))[0] for _ in range(2))
    assert first.provider_id == again.provider_id and first.text == "AB3D OK"


def test_multipart_report_ids(stub: LinkStub) -> None:
    body = [delivery_report("k1", "LM7$0", 1001, segments=2),
            delivery_report(None, "LM7$1", 1001, segments=2)]
    reports = provider(stub)[0].parse_delivery_report(request(body))
    assert [(r.provider_id, r.part, r.parts, r.ref) for r in reports] == [
        ("LM7", 0, 2, "k1"), ("LM7", 1, 2, None)]


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"resultCode": "x"}'])
def test_bad_callback_bodies(stub: LinkStub, body: bytes) -> None:
    link = provider(stub)[0]
    with pytest.raises(WebhookError):
        link.parse_delivery_report(WebhookRequest(body, {}))
