"""The history search projection (``search_history_values`` / ``_changes``) stays in step
with ``change_items`` whoever writes history: services, the deferred-flush bulk path,
Quant-style system edits, the demo bulk loader; a rollback takes both back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select

from core.db import DEFER_FLUSH
from core.demo.bulk import bulk_insert_orders
from core.host import Amsflow
from core.jql import projection, search
from core.models import ChangeGroup, ChangeItem, Issue
from core.models.search import SearchHistoryChange, SearchHistoryValue
from core.services.issues import create_issue, edit_issue
from core.workflow.engine import transition_issue


def _expected(s: Any) -> tuple[set, dict]:
    """The projection as computed from the history itself."""
    values: set = set()
    latest: dict = {}
    rows = s.execute(select(ChangeGroup.issue_id, ChangeGroup.created, ChangeItem.field,
                            ChangeItem.from_value, ChangeItem.to_value)
                     .join(ChangeItem, ChangeItem.group_id == ChangeGroup.id))
    for issue_id, created, field, old, new in rows:
        values.update((field, v, issue_id) for v in (old, new) if v is not None)
        key = (issue_id, field)
        latest[key] = max(latest.get(key, created), created)
    return values, latest


def _actual(s: Any) -> tuple[set, dict]:
    values = set(s.execute(select(SearchHistoryValue.field, SearchHistoryValue.value,
                                  SearchHistoryValue.issue_id)))
    latest = {(i, f): t for i, f, t in s.execute(select(
        SearchHistoryChange.issue_id, SearchHistoryChange.field,
        SearchHistoryChange.last_changed))}
    return values, latest


def _in_step(host: Amsflow) -> tuple[set, dict]:
    with host.db.new_session() as s:
        actual = _actual(s)
        assert actual == _expected(s)
        return actual


def test_services_bulk_chunk_and_rollback_keep_it_in_step(host, users, backend):
    planner, admin = users["planner"], users["admin"]
    s = host.db.session()
    a = create_issue(host, s, planner, "ELV", "Målerbytte", "Målerbytte A",
                     {"customer_name": "Åse", "postcode": "0150"})
    b = create_issue(host, s, planner, "ELV", "Målerbytte", "Målerbytte B", {})
    host.db.commit(s)
    transition_issue(host, s, planner, a, "11")
    edit_issue(host, s, admin, b, {"assignee": "installer", "postcode": "0151"})
    host.db.commit(s)
    # Quant edits as the system user
    edit_issue(host, s, host.system_user(s), b, {"postcode": "0152"}, system=True)
    host.db.commit(s)
    values, latest = _in_step(host)
    assert ("customfield_10015", "0151", b.id) in values
    assert ("customfield_10015", "0152", b.id) in values
    assert any(k == (a.id, "status") for k in latest)
    # The deferred-flush path of a bulk chunk (ORM objects, batched flush).
    s.info[DEFER_FLUSH] = True
    transition_issue(host, s, planner, b, "11")
    host.db.commit(s)
    s.info.pop(DEFER_FLUSH)
    _in_step(host)
    # A rolled-back change leaves no trace in the projection.
    before = _in_step(host)
    edit_issue(host, s, admin, a, {"assignee": "installer2"})
    s.flush()
    s.rollback()
    assert _in_step(host) == before
    ids = {i.id for i in search(host, s, "assignee WAS installer2", admin)[0]}
    assert ids == set()
    assert {i.id for i in search(host, s, "assignee WAS installer", admin)[0]} == {b.id}
    assert {i.id for i in search(host, s, "Postnummer WAS 0151", admin)[0]} == {b.id}


def test_bulk_loader_fills_it_and_fill_rebuilds_it(host, backend):
    now = host.now()
    orders = [{"summary": f"Order {i}", "status": "planning", "postcode": "0150",
               "history": [(now - timedelta(days=2 - i % 2), "system",
                            [("status", str(host.catalog.status_ids["open"]), "Åpen",
                              str(host.catalog.status_ids["planning"]), "Under planlegging")])]}
              for i in range(4)]
    stats = bulk_insert_orders(host, "ELV", orders)
    assert stats.orders == 4
    values, latest = _in_step(host)
    assert len(latest) == 4  # one status row per order: creation and the change
    with host.db.engine.begin() as conn:  # rebuilt from scratch it is the same
        conn.execute(delete(SearchHistoryValue))
        conn.execute(delete(SearchHistoryChange))
        projection.fill(conn)
    assert _in_step(host) == (values, latest)
    with host.db.new_session() as s:
        s.execute(delete(Issue).where(Issue.key == stats.first_key))
        s.commit()
    assert len(_in_step(host)[1]) == 3  # deleted with the issue
