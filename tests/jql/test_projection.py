"""The history search projection (``search_history_values`` / ``_changes``) stays in step
with ``change_items`` whoever writes history: services, the deferred-flush bulk path,
Quant-style system edits, the demo bulk loader; a rollback takes both back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select

from core.db import DEFER_FLUSH
from core.demo.bulk import bulk_insert_orders
from core.host import Amsflow
from core.jql import compile_search, count, page, parse, projection, search
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
    # and every issue's status now (so also the one it was created in)
    values.update(("status", str(st), i) for i, st in s.execute(select(Issue.id, Issue.status_id)))
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


# -- issue_search: the per-issue search row -----------------------------------------

def _search_in_step(host: Amsflow) -> list:
    with host.db.engine.connect() as conn:
        stored = projection.stored_rows(conn)
        assert stored == projection.computed_rows(conn)
        return stored


def _ids(host: Amsflow, s: Any, jql: str, user: Any, **kw: Any) -> tuple[list[int], int]:
    compiled = compile_search(host, parse(jql), user, s, **kw)
    return [i.id for i in page(s, compiled, 0, 100)], count(s, compiled)


def test_search_row_follows_create_edit_transition_bulk_and_rollback(host, users, backend):
    planner, admin = users["planner"], users["admin"]
    s = host.db.session()
    a = create_issue(host, s, planner, "ELV", "Målerbytte", "Målerbytte A",
                     {"stage": "Etappe 1", "postcode": "0150",
                      "planned_start": "2024-05-06T10:00:00+02:00", "estimate": "1h"},
                     system=True)
    b = create_issue(host, s, planner, "FJN", "Målerbytte", "Målerbytte B", {})
    host.db.commit(s)
    rows = _search_in_step(host)
    assert [r[0] for r in rows] == sorted([a.id, b.id])  # a row for every issue
    transition_issue(host, s, planner, a, "11")
    edit_issue(host, s, admin, b, {"assignee": "installer", "postcode": "0152"})
    edit_issue(host, s, host.system_user(s), b, {"stage": "Etappe 2"}, system=True)
    host.db.commit(s)
    _search_in_step(host)
    edit_issue(host, s, host.system_user(s), a, {"stage": None, "postcode": "0151"},
               system=True)  # Quant's KIS edit, a value cleared
    host.db.commit(s)
    _search_in_step(host)
    # A search after a write in the same transaction sees the write.
    edit_issue(host, s, host.system_user(s), b, {"stage": "Etappe 7"}, system=True)
    s.flush()
    assert _ids(host, s, "Løsningsperiode = 'Etappe 7'", admin)[0] == [b.id]
    s.rollback()
    _search_in_step(host)
    assert _ids(host, s, "Løsningsperiode = 'Etappe 7'", admin) == ([], 0)
    # Bulk chunk path (deferred flush) and the demo bulk loader.
    s.info[DEFER_FLUSH] = True
    transition_issue(host, s, planner, b, "11")
    host.db.commit(s)
    s.info.pop(DEFER_FLUSH)
    bulk_insert_orders(host, "ELV", [{"summary": f"Order {i}", "stage": "Etappe 3",
                                      "postcode": f"01{i:02d}"} for i in range(3)])
    rows = _search_in_step(host)
    assert len(rows) == 5
    assert _ids(host, s, "Løsningsperiode = 'etappe 3'", admin)[1] == 3
    with host.db.new_session() as s2:  # deleted with its issue
        s2.execute(delete(Issue).where(Issue.id == a.id))
        s2.commit()
    assert len(_search_in_step(host)) == 4


QUERIES = [
    "Løsningsperiode = 'Etappe 1'",
    "Løsningsperiode != 'Etappe 1'",
    "NOT Løsningsperiode = 'Etappe 1'",
    "Løsningsperiode in ('etappe 1', 'ETAPPE 2') AND project = ELV",
    "Løsningsperiode is EMPTY",
    "Løsningsperiode is not EMPTY ORDER BY Løsningsperiode DESC",
    "Løsningsperiode in (EMPTY, 'Etappe 2')",
    "Postnummer not in (0150, 0151)",
    '"Planlagt starttid" >= "2024-05-05" AND "Planlagt starttid" < "2024-05-08"',
    '"Planlagt starttid" = "2024-05-06"',
    'NOT "Planlagt starttid" > "2024-05-05"',
    'project = ELV ORDER BY "Planlagt starttid" ASC',
    'status = Åpen ORDER BY "Planlagt starttid" DESC, Estimat',
    "Estimat > 1800 OR assignee = installer",
    "Estimat is EMPTY AND resolution = Unresolved",
    "SMS-reservasjon = Nei",
    "NOT SMS-reservasjon = Ja",
    "SMS-reservasjon != Ja",
    "Kundenavn = 'ÅSE ØDEGÅRD' OR statusCategory = 'To Do'",
    "assignee in (currentUser(), EMPTY) AND Postnummer = 0150",
    "issuetype = Målerbytte AND created >= -1d AND NOT Postnummer is EMPTY",
    "Postnummer != 0151 ORDER BY Postnummer",
    '"Planlagt starttid" is not EMPTY ORDER BY "Planlagt starttid" DESC',
    '"Planlagt starttid" > "2024-05-01" AND project = ELV ORDER BY "Planlagt starttid"',
    "SMS-reservasjon != Ja ORDER BY SMS-reservasjon, Postnummer DESC",
    "Estimat in (EMPTY, 900) ORDER BY Estimat",
]


@pytest.mark.parametrize("jql", QUERIES)
def test_search_row_answers_as_field_values_do(host, users, backend, jql):
    """The same answers (ids, order, count) from ``issue_search`` as from
    ``field_values`` lookups, for the kinds of tests and sorts it serves."""
    planner, admin = users["planner"], users["admin"]
    s = host.db.session()
    made = []
    for i, (stage, postcode, planned, estimate, opt_out) in enumerate([
            ("Etappe 1", "0150", "2024-05-06T10:00:00+02:00", "1h", True),
            ("Etappe 2", "0151", "2024-05-07T10:00:00+02:00", None, False),
            (None, "0150", None, "15m", None),
            ("etappe 1", None, "2024-05-06T08:00:00+02:00", None, None),
            (None, None, None, None, None)]):
        values = {"stage": stage, "postcode": postcode, "planned_start": planned,
                  "estimate": estimate, "sms_opt_out": opt_out,
                  "customer_name": "Åse Ødegård" if i == 0 else f"Kunde {i}"}
        made.append(create_issue(host, s, planner, "ELV" if i % 3 else "FJN", "Målerbytte",
                                 f"Order {i}", {k: v for k, v in values.items()
                                                if v is not None}, system=True))
    host.db.commit(s)
    edit_issue(host, s, admin, made[1], {"assignee": "planner"})
    host.db.commit(s)
    for user in (admin, planner):
        projected = compile_search(host, parse(jql), user, s)
        assert projected.projected
        assert _ids(host, s, jql, user) == _ids(host, s, jql, user, use_projection=False)


@pytest.mark.parametrize("jql", ["status WAS Åpen", "status CHANGED AFTER -1d",
                                 "assignee WAS installer", "NOT status WAS Åpen"])
def test_id_list_count_needs_no_join_and_agrees(host, users, backend, jql):
    """A query that is one projection id list, for a user who sees every order, is
    counted on the list alone; the figure is the same as counting the orders."""
    planner, admin, installer = users["planner"], users["admin"], users["installer"]
    s = host.db.session()
    made = [create_issue(host, s, planner, "ELV", "Målerbytte", f"Order {i}", {})
            for i in range(3)]
    host.db.commit(s)
    transition_issue(host, s, planner, made[0], "11")
    edit_issue(host, s, admin, made[1], {"assignee": "installer"})
    host.db.commit(s)
    for user in (admin, planner, installer):
        compiled = compile_search(host, parse(jql), user, s)
        shortcut = not jql.startswith("NOT") and user is not installer
        assert (compiled.id_list is not None) == shortcut
        assert count(s, compiled) == len(list(s.scalars(compiled.ids())))
