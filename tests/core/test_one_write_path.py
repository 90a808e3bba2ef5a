"""One write path: comments and field values written by transitions, post-functions,
integrations and aborted transitions go through the core services, so plugins get
``issue_commented`` / ``issue_updated`` after commit and watchers are mailed; and no
module outside ``core/services`` writes such rows itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from conftest import make_test_users
from core.models import Comment, User
from core.services import uow, watchers
from core.services.issues import create_issue
from core.workflow.context import WorkflowAbort
from core.workflow.engine import transition_issue
from tests.core import sample_plugin
from tests.core.test_engine import sample_app  # noqa: F401 - the fixture
from tests.core.test_notify import smtp  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[2]
ROW_MODELS = {"Comment", "FieldValue"}
SQL_WRITE = re.compile(r"\b(INSERT INTO|UPDATE)\s+(comments|field_values)\b", re.I)
# Writers of such rows that are not changes to an order: the models themselves, and
# the demo loader, which seeds a fresh database with Core statements for speed.
ALLOWED = ("core/services/", "core/models/", "core/demo/")
PENDING: set[str] = set()  # modules still being converted (none)


@pytest.fixture
def config_dict(config_dict, smtp):  # noqa: F811
    config_dict["smtp"] = {"host": "127.0.0.1", "port": smtp[0], "sender": "ams@example.no"}
    return config_dict


def _setup(app):
    host = app.extensions["amsflow"]
    ids = make_test_users(host)
    session = host.db.session()
    planner, installer = (session.get(User, ids[n]) for n in ("planner", "installer"))
    issue = create_issue(host, session, planner, "ELV", "Avvik", "Avvik i skap",
                         {"assignee": installer.username})
    host.db.commit(session)
    uow.run(host, session, lambda: watchers.add_watcher(host, session, installer, issue))
    sample_plugin.CALLS.clear()
    return host, session, planner, issue


def test_a_transitions_comments_and_fields_reach_plugins_and_watchers(sample_app, smtp):  # noqa: F811
    _, inbox = smtp
    host, session, planner, issue = _setup(sample_app)
    uow.run(host, session, lambda: transition_issue(
        host, session, planner, issue, "Stemple", comment="Kunden var hjemme"))
    commented = [body for k, (key, body) in
                 ((k, a) for k, a in sample_plugin.CALLS if k == "commented") if key == issue.key]
    # the transition's comment, and the one its post-function wrote
    assert sorted(commented) == ["Hallo: Stemple (open -> doing)", "Kunden var hjemme"]
    estimate = host.field("estimate").id
    assert ("updated", (issue.key, [estimate])) in sample_plugin.CALLS  # set_field
    assert len(inbox.messages) == 1  # one mail for the whole transition
    body = inbox.messages[0].get_payload(decode=True).decode()
    assert "Status: Stemple" in body and "Ny kommentar: Kunden var hjemme" in body
    assert f"Endret: {estimate}" in body


def test_the_comment_an_abort_keeps_reaches_plugins(sample_app, smtp):  # noqa: F811
    host, session, planner, issue = _setup(sample_app)
    with pytest.raises(WorkflowAbort):
        uow.run(host, session, lambda: transition_issue(host, session, planner, issue, "2"))
    assert ("commented", (issue.key, "Sample: overgangen feilet.")) in sample_plugin.CALLS
    session.expire_all()
    assert [c.body for c in session.query(Comment).filter_by(issue_id=issue.id)] == \
        ["Sample: overgangen feilet."]


def _writes(path: Path) -> list[int]:
    """Lines where a module builds a Comment/FieldValue row or an insert/update of one."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else \
            node.func.attr if isinstance(node.func, ast.Attribute) else ""
        if name in ROW_MODELS:
            lines.append(node.lineno)
        elif name in ("insert", "update", "delete") and node.args and \
                isinstance(node.args[0], ast.Name) and node.args[0].id in ROW_MODELS:
            lines.append(node.lineno)
        elif name == "insert" and isinstance(node.func, ast.Attribute) and \
                "__table__" in ast.unparse(node.func.value) and \
                any(m in ast.unparse(node.func.value) for m in ROW_MODELS):
            lines.append(node.lineno)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if SQL_WRITE.search(" ".join(node.value.split())):
                lines.append(node.lineno)
    return sorted(lines)


def test_only_core_services_write_comments_and_field_values():
    found = []
    for base in ("core", "plugins", "gadgets"):
        for path in (ROOT / base).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith(ALLOWED) or "/tests/" in rel or rel in PENDING:
                continue
            found += [f"{rel}:{line}" for line in _writes(path)]
    assert found == []


def test_the_guard_sees_a_direct_write(tmp_path):
    """The guard above can fail: each way of writing such a row is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("session.add(Comment(issue_id=1, body='x'))\n"
                   "conn.execute(insert(FieldValue).values(issue_id=1))\n"
                   "conn.execute(FieldValue.__table__.insert(), rows)\n"
                   "conn.exec_driver_sql('INSERT INTO comments (body) VALUES (1)')\n",
                   encoding="utf-8")
    assert _writes(bad) == [1, 2, 3, 4]
