"""Order intake: Quant creates orders and is the only writer of KIS fields."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import ChangeGroup, ChangeItem, Issue
from core.services.errors import InvalidInput
from core.services.issues import edit_issue, values_of
from plugins.quant.models import QuantOrderRef

from .conftest import order_message


def _issue(host, key):
    session = host.db.session()
    session.expire_all()
    return session.scalar(select(Issue).where(Issue.key == key))


def test_create_stores_fields_and_quant_id(host, quant, backend):
    message = order_message("Q-77")
    result = quant.create("Q-77")
    assert result["created"] is True
    issue = _issue(host, result["key"])
    assert issue.project.key == "ELV" and issue.status.key == "open"
    assert issue.summary == message["summary"] and issue.reporter.username == "system"
    values = values_of(host, issue)
    for name in ("meter_number", "metering_point_id", "stage", "kis_customer_id",
                 "customer_name"):
        assert values[name] == message["fields"][name]
    assert values["mobile"] == "+4791234567"
    ref = host.db.session().scalar(select(QuantOrderRef).where(
        QuantOrderRef.issue_id == issue.id))
    assert (ref.project_key, ref.external_id) == ("ELV", "Q-77")


def test_update_changes_kis_fields_only_and_people_cannot(host, quant, users, backend):
    key = quant.create("Q-5")["key"]
    planner = users["planner"]
    session = host.db.session()
    edit_issue(host, session, planner, _issue(host, key), {"mobile": "98765432"})
    host.db.commit(session)

    response = quant.post("/orders", {"externalId": "Q-5", "project": "ELV",
                                      "summary": "Nytt emne",
                                      "fields": {"meter_number": "1111111111",
                                                 "stage": "Etappe 2",
                                                 "mobile": "40000000"}})
    assert response.status_code == 200
    body = response.get_json()
    assert body["created"] is False and body["key"] == key
    meter, stage = host.fields["meter_number"].id, host.fields["stage"].id
    assert sorted(body["changed"]) == sorted([meter, stage])
    assert "mobile" in body["ignored"] and "summary" in body["ignored"]
    issue = _issue(host, key)
    values = values_of(host, issue)
    assert (values["meter_number"], values["stage"]) == ("1111111111", "Etappe 2")
    assert values["mobile"] == "+4798765432"  # the planner's number stays
    assert issue.summary == order_message()["summary"]
    items = session.scalars(select(ChangeItem).join(ChangeGroup).where(
        ChangeGroup.issue_id == issue.id, ChangeItem.field == meter)).all()
    assert [(i.from_string, i.to_string) for i in items] == [("7359992890", "1111111111")]

    with pytest.raises(InvalidInput) as err:
        edit_issue(host, session, planner, issue, {"meter_number": "2222222222"})
    session.rollback()
    assert meter in err.value.errors
    assert values_of(host, _issue(host, key))["meter_number"] == "1111111111"


def test_repeated_create_is_processed_once(host, quant, backend):
    first = quant.create("Q-9")
    session = host.db.session()
    groups = session.scalar(select(func.count(ChangeGroup.id)))
    again = quant.post("/orders", order_message("Q-9"))
    assert again.status_code == 200
    assert again.get_json()["key"] == first["key"] and again.get_json()["changed"] == []
    assert session.scalar(select(func.count(Issue.id))) == 1
    assert session.scalar(select(func.count(ChangeGroup.id))) == groups


def test_batch_creates_each_order_and_reports_failures(host, quant, backend):
    orders = [order_message("Q-A"), order_message("Q-B", summary=""),
              order_message("Q-C"), order_message("Q-A", fields={"stage": "Etappe 9"})]
    response = quant.post("/orders/bulk", {"orders": orders})
    assert response.status_code == 201
    body = response.get_json()
    assert [i["externalId"] for i in body["issues"]] == ["Q-A", "Q-C", "Q-A"]
    assert [i["created"] for i in body["issues"]] == [True, True, False]
    assert [(e["failedElementNumber"], e["status"]) for e in body["errors"]] == [(1, 400)]
    assert "summary" in body["errors"][0]["elementErrors"]["errors"]
    refs = host.db.session().scalars(select(QuantOrderRef)).all()
    assert sorted(r.external_id for r in refs) == ["Q-A", "Q-C"]
    assert values_of(host, _issue(host, body["issues"][0]["key"]))["stage"] == "Etappe 9"


def test_unknown_field_or_project_creates_nothing(host, quant):
    bad_field = quant.post("/orders", order_message("Q-X", fields={"no_such": "1"}))
    assert bad_field.status_code == 400 and "no_such" in bad_field.get_json()["errors"]
    other = quant.post("/orders", order_message("Q-Y", project="FJN"))  # ELV's secret
    assert other.status_code == 403
    assert host.db.session().scalar(select(func.count(Issue.id))) == 0


def test_same_external_id_in_two_projects_are_two_orders(host, quant):
    elv = quant.create("Q-1")
    fjn = quant.post("/orders", order_message("Q-1", project="FJN"), project="FJN")
    assert fjn.status_code == 201
    assert elv["key"].startswith("ELV-") and fjn.get_json()["key"].startswith("FJN-")
