"""SMS writes go through the core services: a customer's reply (its comment, and the
opt-out field a STOPP sets) reaches the order's watchers by mail after commit."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.services import uow, watchers
from core.services.issues import values_of
from plugins.sms.tests.conftest import TOKEN
from plugins.sms.tests.linkstub import inbound_message
from tests.core.test_notify import smtp  # noqa: F401 - the fixture


@pytest.fixture
def config_dict(config_dict: dict[str, Any], smtp: Any) -> dict[str, Any]:  # noqa: F811
    config_dict["smtp"] = {"host": "127.0.0.1", "port": smtp[0], "sender": "ams@example.no"}
    return config_dict


def test_reply_comment_and_opt_out_reach_watchers(host: Any, session: Any, client: Any,
                                                  users: Any, order: Any, smtp: Any) -> None:  # noqa: F811
    _, inbox = smtp
    issue = order(status="awaiting_response")
    installer = session.merge(users["installer"])
    uow.run(host, session, lambda: watchers.add_watcher(host, session, installer, issue))
    inbox.messages.clear()
    code = values_of(host, issue)["reply_code"]
    body = inbound_message("mo-1", "+4791234567", f"{code} STOPP")
    response = client.post("/sms/hooks/ELV/inbound", data=json.dumps(body),
                           headers={"X-Webhook-Token": TOKEN}, content_type="application/json")
    assert response.json["processed"] == 1
    text = "\n".join(m.get_payload(decode=True).decode() for m in inbox.messages)
    assert f"SMS-svar fra +4791234567: «{code} STOPP»" in text
    assert "SMS-reservasjon" in text
