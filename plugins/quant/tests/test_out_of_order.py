"""Messages out of order and twice: each has a defined outcome (README, "Out of
order and twice") and a log entry; none is a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from core.models import Issue
from core.services.issues import values_of
from plugins.quant.models import QuantMessage

from .conftest import order_message
from .flow import change_count, comments, fresh, resolve, step


def _log(host, external_id):
    session = host.db.session()
    session.expire_all()
    return session.execute(select(QuantMessage.kind, QuantMessage.status,
                                  QuantMessage.http_status).where(
        QuantMessage.direction == "in", QuantMessage.external_id == external_id)
        .order_by(QuantMessage.id)).all()


def test_cancel_before_create_waits_and_applies_when_the_order_comes(host, quant, backend):
    early = quant.post("/orders/Q-1/cancel", {"reason": "Anlegget er revet"})
    assert early.status_code == 202 and early.get_json()["status"] == "waiting"
    assert host.db.session().scalar(select(func.count(Issue.id))) == 0
    created = quant.post("/orders", order_message("Q-1"))
    assert created.status_code == 201 and created.get_json()["cancelled"] is True
    issue = fresh(host, created.get_json()["key"])
    assert issue.status.key == "closed" and issue.resolution.name == "Kansellert"
    assert "Anlegget er revet" in comments(host, issue.key)[-1]
    assert _log(host, "Q-1") == [("cancel", "processed", 202), ("order", "processed", 201)]
    # The same early cancel in a batch intake works the same way.
    quant.post("/orders/Q-2/cancel")
    batch = quant.post("/orders/bulk", {"orders": [order_message("Q-2"),
                                                   order_message("Q-3")]})
    issues = batch.get_json()["issues"]
    assert [i.get("cancelled", False) for i in issues] == [True, False]
    assert fresh(host, issues[0]["key"]).resolution.name == "Kansellert"
    assert fresh(host, issues[1]["key"]).status.key == "open"


def test_an_update_after_close_is_refused_and_logged(host, quant, users, backend):
    key = quant.create("Q-4")["key"]
    resolve(host, users["planner"], users["installer"], key, "Ok")
    before = (values_of(host, fresh(host, key)), change_count(host, key))
    late = quant.post("/orders", order_message("Q-4", fields={"meter_number": "999"}))
    assert late.status_code == 409 and key in late.get_json()["errorMessages"][0]
    assert (values_of(host, fresh(host, key)), change_count(host, key)) == before
    assert _log(host, "Q-4")[-1] == ("order", "refused", 409)


def test_an_older_update_arriving_late_is_ignored_as_stale(host, quant, backend):
    now = datetime.now(UTC)
    quant.post("/orders", order_message("Q-5"), when=now - timedelta(seconds=60))
    newer = quant.post("/orders", order_message("Q-5", fields={"meter_number": "222"}),
                       when=now - timedelta(seconds=10))
    assert newer.get_json()["changed"]
    older = quant.post("/orders", order_message("Q-5", fields={"meter_number": "111"}),
                       when=now - timedelta(seconds=30))
    assert older.status_code == 200 and older.get_json()["stale"] is True
    key = newer.get_json()["key"]
    assert values_of(host, fresh(host, key))["meter_number"] == "222"
    assert _log(host, "Q-5")[-1] == ("order", "stale", 200)


def test_a_validation_result_for_an_order_not_closed_is_refused(host, quant, backend):
    key = quant.create("Q-6")["key"]
    for result in ({"result": "rejected", "reason": "Feil måler"}, {"result": "accepted"}):
        response = quant.post("/orders/Q-6/validation", result)
        assert response.status_code == 409, result
    assert fresh(host, key).status.key == "open"
    assert [row[1:] for row in _log(host, "Q-6")[1:]] == [("refused", 409)] * 2
    unknown = quant.post("/orders/NOPE/validation", {"result": "accepted"})
    assert unknown.status_code == 404 and unknown.get_json()["errorMessages"]


def test_a_cancelled_order_never_sent_cannot_be_rejected(host, quant, users, backend):
    """Issue 18 point 9: Kansellert orders were never sent for validation."""
    key = quant.create("Q-7")["key"]
    quant.post("/orders/Q-7/cancel")
    assert fresh(host, key).resolution.name == "Kansellert"
    before = (fresh(host, key).status.key, comments(host, key), change_count(host, key))
    response = quant.post("/orders/Q-7/validation", {"result": "rejected", "reason": "x"})
    assert response.status_code == 409
    assert "ikke sendt til validering" in response.get_json()["errorMessages"][0]
    assert (fresh(host, key).status.key, comments(host, key),
            change_count(host, key)) == before
    # Closed by a planner as Kansellert (Lukk sak), never sent: refused the same way.
    other = quant.create("Q-8")["key"]
    step(host, users["planner"], other, "Lukk sak", resolution="Kansellert")
    assert fresh(host, other).status.key == "closed"
    refused = quant.post("/orders/Q-8/validation", {"result": "rejected", "reason": "x"})
    assert refused.status_code == 409 and fresh(host, other).status.key == "closed"


def test_malformed_messages_are_400_naming_the_field(host, quant, client, backend):
    cases = [
        ("/orders", {"summary": "x"}, "externalId"),
        ("/orders", {"externalId": "Q-9", "summary": "x", "fields": "nope"}, "fields"),
        ("/orders", {"externalId": "Q-9", "summary": "x", "extra": 1}, "extra"),
        ("/orders", {"externalId": "Q-9", "summary": "x",
                     "fields": {"planned_start": "not a time"}}, "customfield_10010"),
        ("/orders", {"externalId": "Q-9", "summary": ""}, "summary"),
        ("/orders/Q-9/cancel", {"reason": 5}, "reason"),
        ("/orders/Q-9/validation", {"result": "maybe"}, "result"),
        ("/orders/Q-9/validation", {"result": "rejected"}, "reason"),
        ("/orders/bulk", {"orders": "x"}, "orders"),
        ("/orders/bulk", {"orders": [order_message("B")] * 1001}, "orders"),
    ]
    for path, body, field in cases:
        response = quant.post(path, body)
        assert response.status_code == 400, (path, body, response.get_json())
        assert field in response.get_json()["errors"], (path, body, response.get_json())
    for raw in ("[1, 2]", "not json", '"text"'):
        response = quant.signer().client.post(
            "/rest/quant/1/orders", data=raw,
            headers=quant.signer().headers(raw))
        assert response.status_code == 400 and response.get_json()["errorMessages"]
    assert host.db.session().scalar(select(func.count(Issue.id))) == 0
