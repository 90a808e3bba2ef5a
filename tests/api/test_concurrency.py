"""Two concurrent edits of one order: one wins, the other gets 409, never a silent
overwrite. Both requests are made to read the order before either writes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event
from sqlalchemy.orm import Session

from core.models import Issue
from core.services.errors import Conflict
from core.services.issues import edit_issue, get_issue
from core.services.uow import run
from tests.api.conftest import snapshot


def _hold_writers_until_both_have_read(host, parties=2):
    """Each request that is about to write an Issue waits here for the other, so both
    have loaded the same version first (a barrier, not a mock: the real code runs)."""
    barrier = threading.Barrier(parties, timeout=20)

    def before_flush(session, _ctx, _instances):
        if any(isinstance(o, Issue) for o in session.dirty):
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass

    event.listen(host.db.session_factory, "before_flush", before_flush)
    return lambda: event.remove(host.db.session_factory, "before_flush", before_flush)


def test_two_concurrent_http_edits_one_wins_one_409(http, order, host, backend):
    key = order(summary="Før").key
    release = _hold_writers_until_both_have_read(host)
    try:
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(http, "PUT", f"/rest/api/2/issue/{key}",
                                   json={"fields": {"summary": text}})
                       for text in ("Fra A", "Fra B")]
            responses = [f.result() for f in futures]
    finally:
        release()
    codes = sorted(r.status_code for r in responses)
    assert codes == [204, 409], [r.text for r in responses]
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["errorMessages"] and loser["errors"] == {}
    after = snapshot(host, key)
    assert after["summary"] in ("Fra A", "Fra B")
    assert after["history"] == 1
    assert after["version"] == 2


def test_two_sessions_second_commit_conflicts(host, order, users, backend):
    key = order(summary="Før").key
    first, second = Session(host.db.engine), Session(host.db.engine)
    try:
        a = get_issue(host, first, users["admin"], key)
        b = get_issue(host, second, users["admin"], key)
        a.summary  # noqa: B018 - both loaded at version 1
        b.summary  # noqa: B018
        run(host, first, lambda: edit_issue(host, first, users["admin"], a, {"summary": "A"}))
        try:
            run(host, second, lambda: edit_issue(host, second, users["admin"], b,
                                                 {"summary": "B"}))
            raised = None
        except Conflict as exc:
            raised = exc
    finally:
        first.close()
        second.close()
    assert raised is not None and raised.status == 409
    assert snapshot(host, key)["summary"] == "A"
