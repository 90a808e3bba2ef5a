"""Loading the demo through the core: users who can log in, orders with a true past."""

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core import permissions as perms
from core.auth import verify_password
from core.demo import generate_orders
from core.demo.lifecycle import LETTER_MIX, SMS_MIX
from core.demo.load import PASSWORDS, ensure_demo_users, load_demo, load_project
from core.fields import OSLO
from core.models import ChangeGroup, ChangeItem, Comment, Issue, User
from core.services.issues import create_issue, get_issue, values_of
from core.workflow.engine import transition_issue


def _status_walks(session, project_key):
    """Per issue: its current status key, created, and (time, from, to) status moves."""
    rows = session.execute(
        select(Issue.id, Issue.status_id, Issue.created, ChangeGroup.created,
               ChangeItem.from_value, ChangeItem.to_value)
        .join(ChangeGroup, ChangeGroup.issue_id == Issue.id)
        .join(ChangeItem, ChangeItem.group_id == ChangeGroup.id)
        .where(ChangeItem.field == "status", Issue.key.like(f"{project_key}-%"))
        .order_by(Issue.id, ChangeGroup.created, ChangeGroup.id)).all()
    walks: dict[int, dict] = {}
    for issue_id, status_id, created, when, from_id, to_id in rows:
        walk = walks.setdefault(issue_id, {"status": status_id, "created": created,
                                           "moves": []})
        walk["moves"].append((when, from_id, to_id))
    return walks


def test_demo_users_log_in_with_known_passwords_and_hold_roles(host):
    messages = []
    stats = load_demo(host, messages.append, orders_per_project=40)
    assert [s.orders for s in stats] == [40] * len(host.config["projects"])
    assert any("admin123" in m for m in messages)
    assert ensure_demo_users(host) == []  # a second run leaves existing users alone
    session = host.db.session()
    for username, role in (("admin", "admin"), ("planlegger2", "planner"),
                           ("montor12", "installer")):
        assert verify_password(host, session, username, PASSWORDS[role]) is not None
        assert verify_password(host, session, username, "feil-passord") is None
    planner = session.scalar(select(User).where(User.username == "planlegger1"))
    installer = session.scalar(select(User).where(User.username == "montor1"))
    admin = session.scalar(select(User).where(User.username == "admin"))
    assert perms.is_admin(host, admin) and not perms.is_admin(host, planner)
    for key, project_id in host.catalog.project_ids.items():
        assert perms.roles_of(host, session, planner, project_id) == {"Planlegger"}, key
        assert perms.roles_of(host, session, installer, project_id) == {"Montør"}, key


@pytest.fixture
def loaded(host):
    ensure_demo_users(host, with_passwords=False)
    return {key: load_project(host, key, 800, seed=5) for key in ("ELV", "FJN")}


def test_statuses_are_spread_like_a_rollout(host, loaded, backend):
    session = host.db.session()
    for key, mix in (("ELV", SMS_MIX), ("FJN", LETTER_MIX)):
        counts = Counter(session.scalars(
            select(Issue.status_id).where(Issue.key.like(f"{key}-%"))))
        by_key = {host.catalog.status_keys[sid]: n for sid, n in counts.items()}
        assert sum(by_key.values()) == 800
        assert set(by_key) == set(mix), key  # every status of the mix, nothing else
        assert max(by_key, key=by_key.get) == "open"
        assert 0.40 < by_key["open"] / 800 < 0.62
    assert session.scalar(select(func.count()).select_from(Comment)) > 100


def test_every_history_replays_through_the_workflow(host, loaded, backend):
    session = host.db.session()
    now = host.now()
    workflow = host.workflows["ams"]
    keys = host.catalog.status_keys
    for project_key in ("ELV", "FJN"):
        walks = _status_walks(session, project_key)
        assert len(walks) == 800
        for issue_id, walk in walks.items():
            moves = walk["moves"]
            assert moves[0][1] is None and keys[int(moves[0][2])] == workflow.initial
            for (_, from_id, to_id), (_, _, prev_to) in zip(moves[1:], moves,
                                                                     strict=False):
                assert from_id == prev_to, issue_id
                source, target = keys[int(from_id)], keys[int(to_id)]
                assert any(t.to == target for t in workflow.from_status(source)), \
                    (issue_id, source, target)
            assert int(moves[-1][2]) == walk["status"]
            times = [m[0] for m in moves]
            assert times == sorted(times) and walk["created"] <= times[0] <= now


def test_planned_times_fit_the_status(host, loaded, backend):
    session = host.db.session()
    now = host.now()
    issues = session.scalars(select(Issue).where(Issue.key.like("ELV-%"))).all()
    checked = Counter()
    for issue in issues:
        status, values = issue.status.key, values_of(host, issue)
        start = values.get("planned_start")
        if status in ("awaiting_response", "ready"):
            assert start > now and issue.assignee.username.startswith("montor")
            assert values["estimate"] >= 1800
        if status == "awaiting_response":  # the booking SMS carried the reply code
            assert values["reply_code"] and values["mobile"]
        if status == "planning":
            assert issue.assignee.username.startswith("planlegger") and start is None
        if status == "closed" and issue.resolution.name == "Ok":
            assert start < issue.resolution_date <= now
            assert start.astimezone(OSLO).weekday() < 5
        if status == "on_hold":
            assert values["on_hold_until"] > now
        checked[status] += 1
    assert checked["ready"] and checked["closed"] and checked["on_hold"]


def test_loaded_orders_hold_generated_values_and_work_with_services(host, backend):
    ensure_demo_users(host, with_passwords=False)
    load_project(host, "ELV", 120, seed=9)
    session = host.db.session()
    planner = session.scalar(select(User).where(User.username == "planlegger1"))
    generated = {(o["summary"], o["metering_point_id"]): o
                 for o in generate_orders("ELV", 120, seed=9)}
    for issue in session.scalars(select(Issue)):
        values = values_of(host, issue)
        order = generated[(issue.summary, values["metering_point_id"])]
        for key in ("customer_name", "address", "postcode", "municipality", "stage",
                    "mobile", "sms_opt_out", "important_info", "meter_number"):
            assert values.get(key) == order[key], (issue.key, key)
        assert values["position"] == pytest.approx(order["position"])
    opened = session.scalars(select(Issue).where(
        Issue.status_id == host.catalog.status_ids["open"])).first()
    issue = get_issue(host, session, planner, opened.key)
    transition_issue(host, session, planner, issue, "START_PLANNING")
    host.db.commit(session)
    session.expire_all()
    assert issue.status.key == "planning" and issue.version == 2
    new = create_issue(host, session, planner, "ELV", "Målerbytte", "Målerbytte Nygata 1")
    host.db.commit(session)
    assert new.key == "ELV-121"


def test_bulk_keys_come_from_the_counter_and_history_starts(host, backend):
    from core.demo.bulk import bulk_load

    session = host.db.session()
    first = create_issue(host, session, None, "FJN", "Målerbytte", "Først", system=True)
    host.db.commit(session)
    stats = bulk_load(host, "FJN", 3000, seed=2, batch_size=1000)
    assert (first.key, stats.first_key, stats.last_key) == ("FJN-1", "FJN-2", "FJN-3001")
    expected = sum(1 for o in generate_orders("FJN", 3000, seed=2) for k, v in o.items()
                   if v is not None and host.fields.get(k) is not None)
    assert stats.field_values == expected
    session.expire_all()
    numbers = session.scalars(select(Issue.number).order_by(Issue.number)).all()
    assert numbers == list(range(1, 3002))
    groups = session.scalar(select(func.count()).select_from(ChangeGroup))
    assert groups >= 3000
    oldest = session.scalar(select(func.min(Issue.created)).where(Issue.number > 1))
    assert host.now() - oldest > timedelta(days=60)
    after = create_issue(host, session, None, "FJN", "Avvik", "Etter", system=True)
    host.db.commit(session)
    assert after.key == "FJN-3002"
