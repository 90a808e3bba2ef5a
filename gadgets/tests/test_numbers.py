"""Every built-in gadget type's numbers against plain SQL counts of the same orders,
on SQLite and PostgreSQL, over the demo's orders (every status, history, bomturer),
for a planner (every order) and an installer (only their own)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import and_, func, select

from core.dashboards.data import gadget_data, gadget_type
from core.demo.load import ensure_demo_users, load_project
from core.fields import OSLO
from core.models import ChangeGroup, FieldValue, Issue, IssueType, Project, Resolution, User

NOW = datetime(2026, 12, 2, 11, 0, tzinfo=OSLO)


@pytest.fixture
def demo(host: Any, backend: str) -> Any:
    host.clock = lambda: NOW
    ensure_demo_users(host, with_passwords=False)  # no scrypt: the test never logs in
    for key in ("ELV", "FJN"):
        load_project(host, key, 60)
    with host.db.new_session() as s:
        ids = {
            "ELV": s.scalar(select(Project.id).where(Project.key == "ELV")),
            "meter": s.scalar(select(IssueType.id).where(IssueType.name == "Målerbytte")),
            "ok": s.scalar(select(Resolution.id).where(Resolution.name == "Ok")),
        }
    yield ids
    host.clock = None


def data(app: Any, host: Any, who: str, key: str, config: dict[str, Any]) -> dict[str, Any]:
    with app.test_request_context(), host.db.new_session() as s:
        viewer = s.scalar(select(User).where(User.username == who))
        return gadget_data(host, s, viewer, gadget_type(host, key), config, fresh=True)["data"]


def sql(host: Any, stmt: Any) -> list[Any]:
    with host.db.new_session() as s:
        return list(s.execute(stmt).all())


def user_id(host: Any, name: str) -> int:
    return sql(host, select(User.id).where(User.username == name))[0][0]


ELV_METERS = "project = ELV AND issuetype = Målerbytte"


def meters(ids: dict[str, int]) -> Any:
    return and_(Issue.project_id == ids["ELV"], Issue.issue_type_id == ids["meter"])


def check_pie_counts_by_status_and_by_a_configured_field(app, host, demo):
    got = data(app, host, "planlegger1", "gadgets.pie", {"jql": ELV_METERS, "field": "status"})
    want = dict(sql(host, select(Issue.status_id, func.count()).where(meters(demo))
                    .group_by(Issue.status_id)))
    assert {r["value"]: r["count"] for r in got["slices"]} == want
    assert got["total"] == sum(want.values()) > 0
    got = data(app, host, "planlegger1", "gadgets.pie", {"jql": ELV_METERS, "field": "stage"})
    want = dict(sql(host, select(FieldValue.value_str, func.count())
                    .join(Issue, Issue.id == FieldValue.issue_id)
                    .where(meters(demo), FieldValue.field_id == "customfield_10012")
                    .group_by(FieldValue.value_str)))
    assert {r["value"]: r["count"] for r in got["slices"] if r["value"] != "__none__"} == want


def check_installer_sees_only_their_own_orders(app, host, demo):
    me = user_id(host, "montor1")
    got = data(app, host, "montor1", "gadgets.pie", {"jql": "project = ELV", "field": "status"})
    want = dict(sql(host, select(Issue.status_id, func.count())
                    .where(Issue.project_id == demo["ELV"], Issue.assignee_id == me)
                    .group_by(Issue.status_id)))
    assert {r["value"]: r["count"] for r in got["slices"]} == want
    everyone = data(app, host, "planlegger1", "gadgets.pie", {"jql": "project = ELV"})
    assert got["total"] < everyone["total"]


def check_filter_results_total_and_rows(app, host, demo):
    got = data(app, host, "planlegger1", "gadgets.filter_results",
               {"jql": ELV_METERS + " ORDER BY key ASC", "columns": "key,status", "limit": 7})
    want = sql(host, select(Issue.key).where(meters(demo)).order_by(Issue.number).limit(7))
    assert [r["key"] for r in got["rows"]] == [k for (k,) in want]
    assert got["total"] == sql(host, select(func.count()).select_from(Issue)
                               .where(meters(demo)))[0][0]


def check_two_dimensional_counts_each_pair(app, host, demo):
    got = data(app, host, "planlegger1", "gadgets.two_dimensional",
               {"jql": ELV_METERS, "x": "status", "y": "resolution", "rows": 200})
    rows = sql(host, select(Resolution.name, Issue.status_id, func.count()).select_from(Issue)
               .outerjoin(Resolution, Resolution.id == Issue.resolution_id)
               .where(meters(demo)).group_by(Resolution.name, Issue.status_id))
    statuses = host.all_statuses()
    names = {sid: statuses[key].name for sid, key in host.catalog.status_keys.items()}
    want = {(res or "Ingen", names[sid]): n for res, sid, n in rows}
    cells = {(r["label"], col): n for r in got["rows"]
             for col, n in zip(got["columns"], r["counts"], strict=True) if n}
    assert cells == want and got["total"] == sum(want.values())


def _week_bounds(n: int) -> list[tuple[datetime, datetime]]:
    monday = NOW.date() - timedelta(days=NOW.weekday())
    starts = [monday - timedelta(weeks=i) for i in range(n)][::-1]
    return [(datetime.combine(d, time(0), tzinfo=OSLO),
             datetime.combine(d + timedelta(weeks=1), time(0), tzinfo=OSLO)) for d in starts]


def check_progress_meters_exchanged_per_week_and_by_installer(app, host, demo):
    got = data(app, host, "planlegger1", "gadgets.progress",
               {"jql": ELV_METERS, "measure": "exchanged", "period": "week", "periods": 10})
    done = and_(meters(demo), Issue.resolution_id == demo["ok"])
    want = [sql(host, select(func.count()).select_from(Issue).where(
        done, Issue.resolution_date >= a, Issue.resolution_date < b))[0][0]
        for a, b in _week_bounds(10)]
    assert got["datasets"][0]["counts"] == want and sum(want) > 0
    split = data(app, host, "planlegger1", "gadgets.progress",
                 {"jql": ELV_METERS, "measure": "exchanged", "period": "week", "periods": 10,
                  "split": "assignee"})
    a, b = _week_bounds(10)[0][0], _week_bounds(10)[-1][1]
    by_user = dict(sql(host, select(User.display_name, func.count()).select_from(Issue).join(
        User, User.id == Issue.assignee_id).where(done, Issue.resolution_date >= a,
                                                  Issue.resolution_date < b)
        .group_by(User.display_name)))
    assert {d["label"]: d["total"] for d in split["datasets"]} == by_user


def check_progress_per_day_and_month_created_by_status(app, host, demo):
    got = data(app, host, "planlegger1", "gadgets.progress",
               {"jql": "project = ELV", "measure": "created", "period": "month", "periods": 4,
                "split": "status"})
    first = datetime(NOW.year, NOW.month, 1, tzinfo=OSLO)
    for _ in range(3):
        first = (first - timedelta(days=1)).replace(day=1)
    want = dict(sql(host, select(Issue.status_id, func.count()).where(
        Issue.project_id == demo["ELV"], Issue.created >= first).group_by(Issue.status_id)))
    assert {d["value"]: d["total"] for d in got["datasets"]} == want
    daily = data(app, host, "planlegger1", "gadgets.progress",
                 {"jql": "project = ELV", "measure": "resolved", "period": "day", "periods": 3})
    today = datetime.combine(NOW.date(), time(0), tzinfo=OSLO)
    want_days = [sql(host, select(func.count()).select_from(Issue).where(
        Issue.project_id == demo["ELV"], Issue.resolution_date >= today - timedelta(days=i),
        Issue.resolution_date < today - timedelta(days=i - 1)))[0][0] for i in (2, 1, 0)]
    assert (daily["datasets"][0]["counts"] if daily["datasets"] else [0, 0, 0]) == want_days


def check_created_vs_resolved(app, host, demo):
    got = data(app, host, "planlegger1", "gadgets.created_vs_resolved",
               {"jql": "project = ELV", "period": "week", "periods": 8})
    bounds = _week_bounds(8)
    for dataset, column in zip(got["datasets"], (Issue.created, Issue.resolution_date),
                               strict=True):
        want = [sql(host, select(func.count()).select_from(Issue).where(
            Issue.project_id == demo["ELV"], column >= a, column < b))[0][0] for a, b in bounds]
        assert dataset["counts"] == want
    assert sum(got["datasets"][0]["counts"]) > 0


def check_average_age_of_unresolved_orders(app, host, demo):
    got = data(app, host, "planlegger1", "gadgets.average_age",
               {"jql": "project = ELV", "field": "status"})
    rows = sql(host, select(Issue.status_id, Issue.created).where(
        Issue.project_id == demo["ELV"], Issue.resolution_id.is_(None)))
    ages: dict[int, list[float]] = {}
    for sid, created in rows:
        ages.setdefault(sid, []).append((NOW - created).total_seconds() / 86400)
    assert {r["value"]: r["count"] for r in got["rows"]} == {k: len(v) for k, v in ages.items()}
    for r in got["rows"]:
        assert r["averageDays"] == pytest.approx(sum(ages[r["value"]]) / len(ages[r["value"]]),
                                                 abs=0.06)


def check_bomtur_by_failure_reason(app, host, demo):
    got = data(app, host, "planlegger1", "gadgets.bomtur", {"jql": "project = ELV"})
    want = dict(sql(host, select(Resolution.name, func.count()).select_from(Issue)
                    .join(Resolution, Resolution.id == Issue.resolution_id)
                    .where(Issue.project_id == demo["ELV"],
                           Resolution.name.notin_(("Ok", "Kansellert")))
                    .group_by(Resolution.name)))
    assert {r["label"]: r["count"] for r in got["slices"]} == want and want


def check_activity_stream_newest_visible_changes(app, host, demo):
    me = user_id(host, "montor1")
    got = data(app, host, "montor1", "gadgets.activity", {"limit": 10})
    want = sql(host, select(Issue.key).join(ChangeGroup, ChangeGroup.issue_id == Issue.id)
               .where(Issue.assignee_id == me)
               .order_by(ChangeGroup.created.desc(), ChangeGroup.id.desc()).limit(10))
    assert [e["key"] for e in got["events"]] == [k for (k,) in want] and want


CHECKS = [check_pie_counts_by_status_and_by_a_configured_field,
          check_installer_sees_only_their_own_orders, check_filter_results_total_and_rows,
          check_two_dimensional_counts_each_pair,
          check_progress_meters_exchanged_per_week_and_by_installer,
          check_progress_per_day_and_month_created_by_status, check_created_vs_resolved,
          check_average_age_of_unresolved_orders, check_bomtur_by_failure_reason,
          check_activity_stream_newest_visible_changes]


def test_every_gadget_type_matches_sql(app, host, demo):
    """One load of the demo per database, then each gadget type against SQL."""
    for check in CHECKS:
        check(app, host, demo)
    assert {"gadgets.filter_results", "gadgets.pie", "gadgets.two_dimensional",
            "gadgets.progress", "gadgets.created_vs_resolved", "gadgets.average_age",
            "gadgets.bomtur", "gadgets.activity"} == {
        e.name for e in host.plugins.gadgets if e.plugin == "gadgets"}
