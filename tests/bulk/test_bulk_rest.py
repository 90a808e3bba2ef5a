"""The Jira-Cloud-style bulk REST API on a live loopback server, called the way a
Jira client does (plain HTTP with Basic auth): submit returns a task id at once,
``bulk/queue/{taskId}`` reports progress, ``task/{taskId}/cancel`` stops it, and bad
input is a Jira-style 400 that changes nothing."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from conftest import PASSWORD
from core.bulk.models import BulkTask
from core.jobs import run_worker
from core.services.issues import create_issue


@pytest.fixture
def config_dict(config_dict: dict[str, Any]) -> dict[str, Any]:
    config_dict["redis_url"] = "redis://127.0.0.1:6379/0"
    config_dict["jobs"] = {"queue": f"test-{uuid.uuid4().hex[:8]}", "bulk_chunk": 3,
                           "bulk_pause_ratio": 0.0}
    return config_dict


@pytest.fixture
def base(app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/rest/api/2"
    server.shutdown()


def _as(name: str) -> requests.Session:
    s = requests.Session()
    s.auth = (name, PASSWORD)
    return s


def _orders(host: Any, session: Any, user: Any, n: int) -> list[Any]:
    out = [create_issue(host, session, user, "ELV", "Målerbytte", f"Målerbytte {i}",
                        {"customer_name": f"Kunde {i}"}) for i in range(n)]
    host.db.commit(session)
    return out


def test_submit_queue_and_finish(host, session, users, base):
    issues = _orders(host, session, users["planner"], 7)
    planner = _as("planner")
    r = planner.post(f"{base}/bulk/issues/transition", json={
        "selectedIssueIdsOrKeys": [i.key for i in issues[:5]] + [issues[5].id],
        "transitionId": "START_PLANNING", "sendBulkNotification": False})
    assert r.status_code == 201, r.text
    task_id = r.json()["taskId"]
    queued = planner.get(f"{base}/bulk/queue/{task_id}").json()
    assert (queued["status"], queued["progressPercent"], queued["totalIssueCount"]) == (
        "ENQUEUED", 0, 6)
    run_worker(host, burst=True)
    done = planner.get(f"{base}/bulk/queue/{task_id}").json()
    assert (done["status"], done["progressPercent"], done["succeededIssueCount"]) == (
        "COMPLETE", 100, 6)
    assert done["submittedBy"] == "planner" and done["finished"]
    r = planner.post(f"{base}/bulk/issues/fields", json={
        "jql": "project = ELV AND status = Åpen",
        "editedFieldsInput": {"assignee": "installer"}})
    assert r.status_code == 201
    run_worker(host, burst=True)
    edit = planner.get(f"{base}/bulk/queue/{r.json()['taskId']}").json()
    assert (edit["status"], edit["succeededIssueCount"]) == ("COMPLETE", 1)
    # Someone else's task is not theirs to see; the admin sees every task.
    assert _as("installer").get(f"{base}/bulk/queue/{task_id}").status_code == 404
    assert _as("admin").get(f"{base}/bulk/queue/{task_id}").status_code == 200


def test_cancel_before_the_worker_starts(host, session, users, base):
    issues = _orders(host, session, users["planner"], 4)
    planner = _as("planner")
    task_id = planner.post(f"{base}/bulk/issues/watch", json={
        "selectedIssueIdsOrKeys": [i.key for i in issues]}).json()["taskId"]
    r = planner.post(f"{base}/task/{task_id}/cancel")
    assert r.status_code == 202 and r.json()["status"] == "CANCEL_REQUESTED"
    run_worker(host, burst=True)
    final = planner.get(f"{base}/bulk/queue/{task_id}").json()
    assert (final["status"], final["succeededIssueCount"]) == ("CANCELLED", 0)
    again = planner.post(f"{base}/task/{task_id}/cancel").json()
    assert again["status"] == "CANCELLED"


@pytest.mark.parametrize(("path", "body", "status"), [
    ("bulk/issues/transition", {"transitionId": "11"}, 400),
    ("bulk/issues/transition", {"selectedIssueIdsOrKeys": ["ELV-1"]}, 400),
    ("bulk/issues/transition", {"selectedIssueIdsOrKeys": ["ELV-1"], "transitionId": "NOPE"},
     400),
    ("bulk/issues/transition", {"selectedIssueIdsOrKeys": ["ELV-404"], "transitionId": "11"},
     400),
    ("bulk/issues/transition", {"jql": "project = = ELV", "transitionId": "11"}, 400),
    ("bulk/issues/fields", {"selectedIssueIdsOrKeys": ["ELV-1"], "editedFieldsInput": {}},
     400),
    ("bulk/issues/fields", {"selectedIssueIdsOrKeys": "ELV-1", "editedFieldsInput": {"x": 1}},
     400),
    ("bulk/issues/delete", {"selectedIssueIdsOrKeys": ["ELV-1"]}, 403),
])
def test_bad_input_is_refused_and_changes_nothing(host, session, users, base, path, body,
                                                   status):
    _orders(host, session, users["planner"], 2)
    r = _as("planner").post(f"{base}/{path}", json=body)
    assert r.status_code == status, r.text
    assert r.json()["errorMessages"] or r.json()["errors"]
    assert session.scalar(select(func.count()).select_from(BulkTask)) == 0


def test_malformed_requests(host, session, users, base):
    planner = _as("planner")
    r = planner.post(f"{base}/bulk/issues/transition", data="{not json",
                     headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert requests.post(f"{base}/bulk/issues/transition", json={}).status_code == 401
    assert planner.get(f"{base}/bulk/queue/nosuchtask").status_code == 404
    assert planner.post(f"{base}/task/nosuchtask/cancel").status_code == 404
