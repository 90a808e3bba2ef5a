"""Filter subscriptions delivered to a real SMTP server on loopback, driven by a
controlled clock: each due time is mailed once, to each recipient with the results
that recipient may browse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.filters import schedule, service, subscriptions
from core.filters.models import FilterSubscription
from core.jobs import run_periodic_once
from core.services.users import get_or_create_group

MONDAY_0600_OSLO = datetime(2024, 5, 6, 4, 0, tzinfo=UTC)


def at(host: Any, when: datetime) -> None:
    host.clock = lambda: when


def body(msg: Any) -> str:
    part = msg.get_body(("plain",)) if hasattr(msg, "get_body") else None
    if part is None:
        for p in msg.walk():
            if p.get_content_type() == "text/plain":
                return p.get_payload(decode=True).decode("utf-8")
    return part.get_content()


@pytest.fixture
def elv_filter(host: Any, users: dict[str, Any], orders: dict[str, Any]) -> Any:
    s = host.db.session()
    f = service.create_filter(host, s, users["planner"], "ELV-ordrer",
                              "project = ELV ORDER BY key")
    host.db.commit(s)
    return f


def subscribe(host: Any, users: dict[str, Any], f: Any, when: datetime, **kw: Any) -> Any:
    at(host, when)
    s = host.db.session()
    sub = subscriptions.subscribe(host, s, users["planner"], f, **kw)
    host.db.commit(s)
    return sub


def test_daily_sends_each_due_time_once(backend: str, inbox: Any, host: Any,
                                        users: dict[str, Any], orders: dict[str, Any],
                                        elv_filter: Any) -> None:
    subscribe(host, users, elv_filter, MONDAY_0600_OSLO, kind="daily", time="07:00")
    at(host, MONDAY_0600_OSLO + timedelta(minutes=59))
    run_periodic_once(host)
    assert inbox.messages == []
    at(host, MONDAY_0600_OSLO + timedelta(hours=1, minutes=1))
    run_periodic_once(host)
    run_periodic_once(host)
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert msg["X-Rcpt-To"] == "per@example.no" and msg["From"] == "amsflow@example.no"
    assert "ELV-ordrer" in msg["Subject"] and "3" in msg["Subject"]
    text = body(msg)
    for name in ("A", "B", "C"):
        assert orders[name].key in text
    assert orders["D"].key not in text
    assert "https://ams.example.no/navigator/?filter=" in text
    at(host, MONDAY_0600_OSLO + timedelta(days=1, hours=2))
    run_periodic_once(host)
    assert len(inbox.messages) == 2


def test_group_subscription_mails_each_member_their_own_results(
        backend: str, inbox: Any, host: Any, users: dict[str, Any], orders: dict[str, Any],
        elv_filter: Any) -> None:
    s = host.db.session()
    team = get_or_create_group(s, "team-nord")
    users["planner"].groups.append(team)
    users["installer"].groups.append(team)
    host.db.commit(s)
    subscribe(host, users, elv_filter, MONDAY_0600_OSLO, kind="weekly", time="07:30",
              days=["wed"], group="team-nord")
    at(host, MONDAY_0600_OSLO + timedelta(days=1, hours=3))  # Tuesday
    assert subscriptions.send_due(host) == 0
    at(host, MONDAY_0600_OSLO + timedelta(days=2, hours=1, minutes=31))  # Wednesday 07:31
    assert subscriptions.send_due(host) == 2
    by_rcpt = {m["X-Rcpt-To"]: body(m) for m in inbox.messages}
    assert set(by_rcpt) == {"per@example.no", "mona@example.no"}
    assert orders["B"].key in by_rcpt["mona@example.no"]
    assert orders["A"].key not in by_rcpt["mona@example.no"]
    assert orders["A"].key in by_rcpt["per@example.no"]


def test_cron_catches_up_once(backend: str, inbox: Any, host: Any, users: dict[str, Any],
                              orders: dict[str, Any], elv_filter: Any) -> None:
    start = MONDAY_0600_OSLO + timedelta(minutes=5)
    subscribe(host, users, elv_filter, start, kind="cron", cron="*/15 * * * *")
    at(host, start + timedelta(minutes=9))
    assert subscriptions.send_due(host) == 0
    at(host, start + timedelta(minutes=11))
    assert subscriptions.send_due(host) == 1
    at(host, start + timedelta(hours=2))  # several due times passed: one mail
    assert subscriptions.send_due(host) == 1
    assert subscriptions.send_due(host) == 0
    assert len(inbox.messages) == 2


def test_empty_results_mail_only_when_asked(inbox: Any, host: Any, users: dict[str, Any],
                                            orders: dict[str, Any]) -> None:
    s = host.db.session()
    f = service.create_filter(host, s, users["planner"], "Tom", "key = ELV-999 OR key = ELV-1"
                              " AND project = FJN")
    host.db.commit(s)
    subscribe(host, users, f, MONDAY_0600_OSLO, kind="daily", time="07:00")
    subscribe(host, users, f, MONDAY_0600_OSLO, kind="daily", time="07:00",
              email_on_empty=True)
    at(host, MONDAY_0600_OSLO + timedelta(hours=2))
    assert subscriptions.send_due(host) == 1
    assert "0 saker" in inbox.messages[0]["Subject"]


def test_unreachable_smtp_is_recorded(config_dict: dict[str, Any], host: Any,
                                      users: dict[str, Any], orders: dict[str, Any],
                                      elv_filter: Any) -> None:
    host.config.data["smtp"] = {"host": "127.0.0.1", "port": 9, "sender": "a@example.no",
                                "timeout": 2}
    subscribe(host, users, elv_filter, MONDAY_0600_OSLO, kind="daily", time="07:00")
    at(host, MONDAY_0600_OSLO + timedelta(hours=2))
    assert subscriptions.send_due(host) == 0
    s = host.db.session()
    s.expire_all()
    sub = s.query(FilterSubscription).one()
    assert "SMTP" in sub.last_error


def test_subscription_over_rest(client: Any, auth: Any, host: Any, users: dict[str, Any],
                                elv_filter: Any) -> None:
    url = f"/rest/api/2/filter/{elv_filter.id}/subscription"
    bad = client.post(url, json={"kind": "weekly", "time": "07:00", "days": ["fun"]},
                      headers=auth("planner"))
    assert bad.status_code == 400 and "fun" in bad.json["errors"]["schedule"]
    assert client.post(url, json={"kind": "cron", "cron": "61 * * * *"},
                       headers=auth("planner")).status_code == 400
    ok = client.post(url, json={"kind": "weekly", "time": "06:45", "days": ["mon", "fri"]},
                     headers=auth("planner"))
    assert ok.status_code == 201 and ok.json["days"] == ["mon", "fri"]
    listed = client.get(url, headers=auth("planner")).json
    assert [x["id"] for x in listed] == [ok.json["id"]]
    assert client.delete(f"{url}/{ok.json['id']}", headers=auth("planner")).status_code == 204


@pytest.mark.parametrize("day,expected_hour_utc", [(30, 6), (31, 5)])
def test_due_times_follow_norwegian_summer_time(day: int, expected_hour_utc: int) -> None:
    now = datetime(2024, 3, day, 12, 0, tzinfo=UTC)
    due = schedule.latest_due("daily", "07:00", "", "", now)
    assert due == datetime(2024, 3, day, expected_hour_utc, 0, tzinfo=UTC)
