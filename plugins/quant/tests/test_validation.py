"""Validation in Quant: the job after AUTO_CLOSE against a real loopback HTTP server
(or the outbox folder) through the outbox, and Quant's answers (rejection → Avvist i Quant)."""

from __future__ import annotations

import json

from rq.job import JOB_ID_PATTERN
from sqlalchemy import select

from core.jobs import run_periodic_once
from core.models import JobRecord
from core.services.issues import create_issue
from plugins.quant.models import QuantMessage, QuantOrderRef

from .flow import change_count, comments, fresh, resolve, step


def _ref(host, key):
    session = host.db.session()
    session.expire_all()
    return session.scalar(select(QuantOrderRef).where(QuantOrderRef.issue_id ==
                                                      fresh(host, key).id))


def _jobs(host):
    session = host.db.session()
    session.expire_all()
    return session.scalars(select(JobRecord).where(JobRecord.name == "quant.deliver")
                           .order_by(JobRecord.created)).all()


def _outbox(host, key):
    session = host.db.session()
    session.expire_all()
    return session.scalars(select(QuantMessage).where(
        QuantMessage.direction == "out", QuantMessage.issue_id == fresh(host, key).id)
        .order_by(QuantMessage.id)).all()


def test_closing_with_ok_sends_the_order_to_quant(host, quant, quant_server, users, backend):
    key = quant.create("Q-10")["key"]
    issue = resolve(host, users["planner"], users["installer"], key, "Ok")
    assert issue.status.key == "closed"
    [event] = quant_server.processed  # the stand-in checked our signature
    assert event["type"] == "order.validation_requested" and event["version"] == "1"
    payload = event["data"]
    assert payload["key"] == key and payload["externalId"] == "Q-10"
    assert payload["meterNumber"] == "7359992890"
    assert payload["meteringPointId"] == "707057500012345678"
    assert payload["resolution"] == "Ok"
    assert payload["resolutionDate"] == issue.resolution_date.isoformat()
    [message] = _outbox(host, key)
    assert (message.status, message.attempts, message.http_status) == ("delivered", 1, 202)
    assert message.message_id == event["webhook-id"]
    [job] = _jobs(host)
    assert job.status == "finished"
    assert JOB_ID_PATTERN.fullmatch(job.id)  # the same id must work on rq workers
    assert _ref(host, key).validation_status == "sent"


def test_quant_answering_500_is_retried_later(host, quant, quant_server, users, backend):
    quant_server.fail_next = [500]
    key = quant.create("Q-11")["key"]
    resolve(host, users["planner"], users["installer"], key, "Ok")
    assert fresh(host, key).status.key == "closed"  # the close itself stands
    [message] = _outbox(host, key)
    assert (message.status, message.attempts, message.http_status) == ("failed", 1, 500)
    assert "500" in message.last_error and quant_server.processed == []
    assert _ref(host, key).validation_status == "pending"
    run_periodic_once(host)  # the retry is due (backoff 0 here): delivered
    [message] = _outbox(host, key)
    assert (message.status, message.attempts) == ("delivered", 2)
    assert len(quant_server.processed) == 1 and _ref(host, key).validation_status == "sent"


def test_a_client_error_is_dead_at_once(host, quant, quant_server, users):
    quant_server.fail_next = [400]
    key = quant.create("Q-13")["key"]
    resolve(host, users["planner"], users["installer"], key, "Ok")
    run_periodic_once(host)
    [message] = _outbox(host, key)
    assert (message.status, message.attempts, message.http_status) == ("dead", 1, 400)
    assert quant_server.requests == 1
    ref = _ref(host, key)
    assert ref.validation_status == "send_failed"


def test_without_url_the_request_goes_to_the_outbox_folder(host, quant, quant_server, users):
    created = quant.post("/orders", {"externalId": "F-1", "project": "FJN",
                                     "summary": "Målerbytte", "fields": {
                                         "meter_number": "123"}}, project="FJN")
    key = created.get_json()["key"]
    resolve(host, users["planner"], users["installer"], key, "Ok")
    [message] = _outbox(host, key)
    assert message.status == "delivered"
    folder = host.data_dir / "quant" / "outbox"
    event = json.loads((folder / f"{key}.{message.message_id}.json").read_text("utf-8"))
    payload = event["data"]
    assert (payload["key"], payload["externalId"], payload["meterNumber"]) == (key, "F-1", "123")
    assert quant_server.processed == []


def test_an_order_made_by_a_person_is_sent_too(host, quant_server, users):
    session = host.db.session()
    issue = create_issue(host, session, users["planner"], "ELV", "Målerbytte", "Manuell ordre",
                         {"customer_name": "Kari"})
    host.db.commit(session)
    resolve(host, users["planner"], users["installer"], issue.key, "Ok")
    assert quant_server.processed[0]["data"]["externalId"] is None
    assert _ref(host, issue.key).validation_status == "sent"


def test_rejection_moves_closed_order_to_avvist_once(host, quant, users, backend):
    key = quant.create("Q-20")["key"]
    resolve(host, users["planner"], users["installer"], key, "Ok")
    rejection = {"result": "rejected", "reason": "Måleren tilhører et annet nettselskap"}
    response = quant.post("/orders/Q-20/validation", rejection)
    assert response.status_code == 200 and response.get_json()["changed"] is True
    issue = fresh(host, key)
    assert issue.status.key == "rejected_quant" and issue.status.name == "Avvist i Quant"
    assert rejection["reason"] in comments(host, key)[-1]
    before = (comments(host, key), change_count(host, key))
    again = quant.post("/orders/Q-20/validation", rejection)
    assert again.status_code == 200 and again.get_json()["changed"] is False
    assert again.get_json()["status"]["key"] == "rejected_quant"
    assert (comments(host, key), change_count(host, key)) == before
    # A planner takes it; the same message arriving late still changes nothing.
    step(host, users["planner"], key, "REJECTED_TO_FOLLOW_UP")
    late = quant.post("/orders/Q-20/validation", rejection)
    assert late.status_code == 200 and late.get_json()["changed"] is False
    assert fresh(host, key).status.key == "manual_followup"


def test_a_new_validation_round_can_be_rejected_again(host, quant, users):
    key = quant.create("Q-21")["key"]
    resolve(host, users["planner"], users["installer"], key, "Ok")
    rejection = {"result": "rejected", "reason": "Feil målepunkt"}
    quant.post("/orders/Q-21/validation", rejection)
    step(host, users["planner"], key, "REJECTED_TO_FOLLOW_UP")
    step(host, users["planner"], key, "SEND_TO_EXECUTION")
    step(host, users["installer"], key, "RESOLVE", resolution="Ok")
    assert _ref(host, key).validation_status == "sent"
    response = quant.post("/orders/Q-21/validation", rejection)
    assert response.get_json()["changed"] is True
    assert fresh(host, key).status.key == "rejected_quant"


def test_rejection_of_an_order_not_closed_is_refused(host, quant):
    key = quant.create("Q-22")["key"]
    response = quant.post("/orders/Q-22/validation", {"result": "rejected", "reason": "x"})
    assert response.status_code == 409
    assert fresh(host, key).status.key == "open"
    missing = quant.post("/orders/Q-22/validation", {"result": "rejected"})
    assert missing.status_code == 400 and "reason" in missing.get_json()["errors"]


def test_acceptance_is_noted_once(host, quant, users, backend):
    key = quant.create("Q-23")["key"]
    resolve(host, users["planner"], users["installer"], key, "Ok")
    first = quant.post("/orders/Q-23/validation", {"result": "accepted"})
    assert first.status_code == 200 and first.get_json()["changed"] is True
    count = len(comments(host, key))
    second = quant.post("/orders/Q-23/validation", {"result": "accepted"})
    assert second.get_json()["changed"] is False
    assert len(comments(host, key)) == count
    assert fresh(host, key).status.key == "closed"
    assert _ref(host, key).validation_status == "accepted"
