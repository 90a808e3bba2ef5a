"""Cancellation messages, by the order's status (the guide's "Kansellering av
arbeidsordre"), and that a repeated message is processed once."""

from __future__ import annotations

import pytest

from .flow import change_count, comments, fresh, resolve, step, to_ready

STARTED = ["planning", "on_hold", "ready_to_print", "awaiting_response", "manual_followup",
           "ready", "reopened", "rejected_quant", "in_progress"]


def _set_status(host, key, status):
    """Put an order straight into a status (set-up only; the paths are tested elsewhere)."""
    session = host.db.session()
    issue = fresh(host, key)
    issue.status_id = host.catalog.status_ids[status]
    host.db.commit(session)


def test_open_order_is_closed_as_cancelled(host, quant, backend):
    key = quant.create("Q-1")["key"]
    response = quant.post("/orders/Q-1/cancel", {"reason": "Anlegget er revet"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["changed"] is True and body["status"]["key"] == "closed"
    issue = fresh(host, key)
    assert issue.status.key == "closed" and issue.resolution.name == "Kansellert"
    last = comments(host, key)[-1]
    assert "KANSELLERT" in last and "Anlegget er revet" in last


def test_started_order_goes_to_manual_followup_naming_previous_status(host, quant):
    for number, status in enumerate(STARTED):
        external_id = f"Q-2{number}"
        key = quant.create(external_id)["key"]
        _set_status(host, key, status)
        previous = host.all_statuses()[status].name
        response = quant.post(f"/orders/{external_id}/cancel")
        assert response.status_code == 200, (status, response.get_json())
        assert response.get_json()["previousStatus"] == previous
        issue = fresh(host, key)
        assert (issue.status.key, issue.resolution) == ("manual_followup", None), status
        assert f"Forrige status var «{previous}»" in comments(host, key)[-1]


def test_started_order_through_the_workflow(host, quant, users, backend):
    key = quant.create("Q-3")["key"]
    to_ready(host, users["planner"], users["installer"], key)
    step(host, users["installer"], key, "START_WORK")
    assert quant.post("/orders/Q-3/cancel").status_code == 200
    assert fresh(host, key).status.key == "manual_followup"
    assert "«Under arbeid»" in comments(host, key)[-1]


def test_bomtur_is_reopened_to_manual_followup(host, quant, users, backend):
    key = quant.create("Q-4")["key"]
    issue = resolve(host, users["planner"], users["installer"], key, "Kunde ikke hjemme")
    assert issue.status.key == "resolved"
    response = quant.post("/orders/Q-4/cancel")
    assert response.status_code == 200
    assert response.get_json()["previousResolution"] == "Kunde ikke hjemme"
    issue = fresh(host, key)
    assert issue.status.key == "manual_followup" and issue.resolution is None
    last = comments(host, key)[-1]
    assert "«Løst»" in last and "«Kunde ikke hjemme»" in last


def test_closed_order_cannot_be_cancelled(host, quant, quant_server, users, backend):
    key = quant.create("Q-5")["key"]
    resolve(host, users["planner"], users["installer"], key, "Ok")
    assert fresh(host, key).status.key == "closed"
    before = (comments(host, key), change_count(host, key))
    response = quant.post("/orders/Q-5/cancel")
    assert response.status_code == 409
    body = response.get_json()
    assert key in body["errorMessages"][0] and body["errors"] == {}
    issue = fresh(host, key)
    assert issue.status.key == "closed" and issue.resolution.name == "Ok"
    assert (comments(host, key), change_count(host, key)) == before
    # Quant is also told through the outbox, after the validation request.
    assert [e["type"] for e in quant_server.processed] == [
        "order.validation_requested", "order.cancel_refused"]
    told = quant_server.processed[-1]["data"]
    assert (told["key"], told["externalId"], told["status"]) == (key, "Q-5", "Lukket")


@pytest.mark.parametrize("status", ["open", "planning"])
def test_repeated_cancellation_changes_nothing(host, quant, status, backend):
    key = quant.create("Q-6")["key"]
    _set_status(host, key, status)
    assert quant.post("/orders/Q-6/cancel").get_json()["changed"] is True
    after_first = (fresh(host, key).status.key, comments(host, key), change_count(host, key))
    again = quant.post("/orders/Q-6/cancel")
    assert again.status_code == 200
    body = again.get_json()
    assert body["changed"] is False and body["cancelled"] is True
    assert body["status"]["key"] == after_first[0]
    assert (fresh(host, key).status.key, comments(host, key),
            change_count(host, key)) == after_first
