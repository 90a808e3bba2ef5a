"""Batch intake: each element checked on its own, element errors naming the field in
Jira's bulk-create shape, a log row per element, fresh statistics after a big load."""

from __future__ import annotations

from sqlalchemy import func, select, text

from core.models import Issue
from core.services.issues import values_of
from plugins.quant.models import QuantMessage, QuantOrderRef

from .conftest import order_message
from .flow import fresh


def test_each_element_is_checked_and_its_error_names_the_field(host, quant, backend):
    orders = [
        order_message("E-0"),
        order_message("E-1", fields={"planned_start": "ikke en tid"}),
        order_message("E-2", fields={"position": "nord"}),
        order_message("E-3", fields={"no_such_field": "1"}),
        {"summary": "uten id"},
        "not an object",
        order_message("E-6", summary=" "),
        order_message("E-7", project="FJN"),          # ELV's secret
        order_message("E-8", issueType="Ukjent"),
        order_message("E-9", fields={"meter_number": "42"}),
    ]
    response = quant.post("/orders/bulk", {"orders": orders})
    assert response.status_code == 201
    body = response.get_json()
    assert [i["externalId"] for i in body["issues"]] == ["E-0", "E-9"]
    errors = {e["failedElementNumber"]: e for e in body["errors"]}
    assert sorted(errors) == [1, 2, 3, 4, 5, 6, 7, 8]
    named = {n: set(e["elementErrors"]["errors"]) for n, e in errors.items()}
    assert named[1] == {"customfield_10010"} and named[2] == {"customfield_10021"}
    assert named[3] == {"no_such_field"} and named[4] == {"externalId"}
    assert named[6] == {"summary"} and named[8] == {"issuetype"}
    assert errors[5]["elementErrors"]["errorMessages"]
    assert errors[7]["status"] == 403 and errors[7]["elementErrors"]["errorMessages"]
    assert {e["status"] for n, e in errors.items() if n != 7} == {400}
    assert errors[1]["externalId"] == "E-1" and errors[5]["externalId"] is None
    session = host.db.session()
    assert session.scalar(select(func.count(Issue.id))) == 2
    issue = fresh(host, body["issues"][1]["key"])
    assert values_of(host, issue)["meter_number"] == "42" and issue.status.key == "open"
    assert issue.summary == "Målerbytte Storgata 1"
    logged = session.execute(select(QuantMessage.element, QuantMessage.status).where(
        QuantMessage.direction == "in").order_by(QuantMessage.element)).all()
    assert logged == [(0, "processed")] + [(n, "refused") for n in range(1, 9)] + \
        [(9, "processed")]


def test_a_batch_of_only_failures_is_400_and_new_orders_match_single_ones(host, quant,
                                                                          backend):
    bad = quant.post("/orders/bulk", {"orders": [order_message("X", summary="")]})
    assert bad.status_code == 400 and bad.get_json()["issues"] == []
    single = quant.create("S-1")
    batch = quant.post("/orders/bulk", {"orders": [order_message("S-2")]}).get_json()
    one, many = fresh(host, single["key"]), fresh(host, batch["issues"][0]["key"])
    assert values_of(host, one) == values_of(host, many)
    assert (one.status_id, one.issue_type_id, one.reporter_id, one.description) == \
        (many.status_id, many.issue_type_id, many.reporter_id, many.description)
    assert many.number == one.number + 1
    # JQL finds batch-created orders like any other (the search projection is kept).
    admin = {"Authorization": "Basic YWRtaW46UGFzc29yZC0xMjM="}
    for jql in (f"key = {many.key}", 'stage = "Etappe 1" AND summary ~ "Storgata"',
                'status = Åpen AND "Målernummer" ~ "7359992890"'):
        found = quant.signer().client.get("/rest/api/2/search", query_string={"jql": jql},
                                          headers=admin)
        assert found.status_code == 200, found.get_json()
        assert {i["key"] for i in found.get_json()["issues"]} >= {many.key}, jql
        assert found.get_json()["total"] == (1 if jql.startswith("key") else 2)


def test_a_repeated_batch_is_answered_once(host, quant, backend):
    orders = {"orders": [order_message("R-1"), order_message("R-2")]}
    first = quant.post("/orders/bulk", orders, message_id="msg_batch_1")
    again = quant.post("/orders/bulk", orders, message_id="msg_batch_1")
    assert again.get_json() == first.get_json() and again.status_code == 201
    assert host.db.session().scalar(select(func.count(Issue.id))) == 2
    # The same orders under a new message id are updates that change nothing.
    third = quant.post("/orders/bulk", orders, message_id="msg_batch_2").get_json()
    assert [(i["created"], i["changed"]) for i in third["issues"]] == [(False, [])] * 2


def test_a_big_intake_leaves_fresh_statistics(host, quant, monkeypatch, backend):
    """Issue 18 point 10: ANALYZE the touched tables after a large batch intake."""
    monkeypatch.setitem(host.plugins.plugin_settings("ELV", "quant"), "analyze_after", 20)
    engine = host.db.engine

    def issues_stats():
        with engine.connect() as conn:
            if backend == "postgresql":
                return conn.execute(text(
                    "SELECT reltuples FROM pg_class WHERE relname = 'issues' AND "
                    "relnamespace = CAST(current_schema() AS regnamespace)")).scalar()
            return conn.execute(text(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = 'issues' LIMIT 1")).scalar() \
                if conn.execute(text("SELECT 1 FROM sqlite_master WHERE "
                                     "name = 'sqlite_stat1'")).first() else None

    before = issues_stats()
    small = quant.post("/orders/bulk", {"orders": [order_message(f"A-{n}")
                                                   for n in range(5)]})
    assert small.status_code == 201 and issues_stats() == before  # under the threshold
    big = quant.post("/orders/bulk", {"orders": [order_message(f"B-{n}")
                                                 for n in range(30)]})
    assert big.status_code == 201
    after = issues_stats()
    if backend == "postgresql":
        assert before in (-1, 0) and after == 35
    else:
        assert before is None and str(after).split()[0] == "35"
    assert host.db.session().scalar(select(func.count(QuantOrderRef.id))) == 35
