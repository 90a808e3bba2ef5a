"""Every hook, exercised through a third-party-style plugin (tests/core/sample_plugin).

``test_every_hook_has_a_test`` fails for any hook in core/hookspecs.py that has no
``test_hook_<name>`` here or elsewhere, and ``test_every_hook_is_documented`` for any
hook the README's plugin-writer's guide does not mention.
"""

from __future__ import annotations

import inspect
import re

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import inspect as sa_inspect

from conftest import ROOT
from core import hookspecs
from core.app import create_app
from core.config import parse_config
from core.jobs import run_periodic_once
from core.models import JobRecord
from core.services import uow
from core.services.errors import InvalidInput
from core.services.issues import create_issue, edit_issue
from core.workflow.engine import transition_issue
from tests.core import sample_plugin

HOOKS = sorted(name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
               if hasattr(fn, "amsflow_spec"))


@pytest.fixture
def sapp(config_dict):
    config_dict["projects"][0]["plugins"]["sample"] = {"greeting": "Hallo"}
    sample_plugin.CALLS.clear()
    app = create_app(parse_config(config_dict), extra_plugins=(sample_plugin,),
                     create_schema=True)
    yield app
    app.extensions["amsflow"].db.dispose()


@pytest.fixture
def shost(sapp):
    return sapp.extensions["amsflow"]


def _calls(kind):
    return [arg for k, arg in sample_plugin.CALLS if k == kind]


def test_every_hook_has_a_test():
    sources = [p.read_text(encoding="utf-8") for base in ("tests", "plugins", "gadgets")
               for p in (ROOT / base).rglob("test_*.py")]
    missing = [h for h in HOOKS if not any(re.search(rf"def test_hook_{h}\b", s)
                                           for s in sources)]
    assert missing == []


def _readme_hook_table() -> list[str]:
    """The hook names in the first column of the README's table under ``### Hooks``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n### Hooks\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [re.match(r"\| `(\w+)`", row).group(1) for row in rows]


def test_every_hook_is_documented():
    """The README's hook table has a row for every hook and none for a hook that is
    not one (a renamed or removed hook)."""
    table = _readme_hook_table()
    assert sorted(table) == HOOKS
    assert len(table) == len(set(table))


def test_hook_plugin_config_schema(shost):
    assert shost.plugins.plugin_settings("ELV", "sample") == {"greeting": "Hallo", "limit": 3}
    assert shost.plugins.plugin_settings("FJN", "sample") == {}


def test_hook_register_workflow_functions(shost):
    entry = shost.plugins.workflow_functions.post_functions.get("sample.stamp")
    assert entry is not None and entry.plugin == "sample"
    assert shost.plugins.workflow_functions.conditions.get("sample.never").plugin == "sample"


def test_hook_register_blueprints(sapp):
    assert sapp.test_client().get("/sample/ping").get_json() == {"pong": True}


def test_hook_register_nav_items(shost):
    assert "Sample" in [i.label for i in shost.plugins.nav_items(None)]


def test_hook_register_jobs(shost):
    ok = shost.jobs.enqueue("sample.echo", job_id="echo-1", text="hei")
    again = shost.jobs.enqueue("sample.echo", job_id="echo-1", text="hei")
    quick = shost.jobs.enqueue("sample.echo", text="kjapt")
    bad = shost.jobs.enqueue("sample.echo", text="fail")
    with shost.db.new_session() as s:
        assert s.get(JobRecord, ok).status == "finished" and again == ok
        assert s.get(JobRecord, quick) is None  # a fire-and-forget job leaves no record
        failed = s.get(JobRecord, bad)  # ... unless it fails
        assert failed.status == "failed" and "sample job failed" in failed.error
    assert _calls("job") == ["hei", "kjapt", "fail"]


def test_hook_register_periodic_tasks(shost):
    assert shost.plugins.periodic.get("sample.tick").options["seconds"] == 60
    assert "sample.tick" in run_periodic_once(shost)
    assert _calls("tick") == [None]


def test_hook_register_jql_functions(shost):
    entry = shost.plugins.jql_functions.get("samplekeys")
    assert entry.plugin == "sample" and entry.fn() == ["ELV-1"]


def test_hook_register_gadgets(sapp, shost):
    """A plugin's gadget type is listed for the gallery and answers with its data."""
    from conftest import basic_auth, make_test_users

    entry = shost.plugins.gadgets.get("sample.counter")
    assert entry.plugin == "sample" and entry.fn.name == "Teller"
    make_test_users(shost)
    with shost.db.new_session() as s:
        from core.models import User

        planner = s.query(User).filter_by(username="planner").one()
        create_issue(shost, s, planner, "ELV", "Målerbytte", "Én")
        create_issue(shost, s, planner, "ELV", "Målerbytte", "To")
    client = sapp.test_client()
    listed = client.get("/rest/api/2/dashboard/gadgets", headers=basic_auth("planner"))
    assert "sample.counter" in [t["key"] for t in listed.get_json()["gadgets"]]
    answer = client.post("/rest/api/2/dashboard/gadgets/sample.counter/data",
                         json={"jql": "project = ELV"}, headers=basic_auth("planner"))
    assert answer.status_code == 200 and answer.get_json()["data"] == {"count": 2}


def test_hook_register_commands(shost):
    group = click.Group("amsflow")
    shost.plugins.add_commands(group)
    result = CliRunner().invoke(group, ["sample-hello"])
    assert result.exit_code == 0 and "hello from sample" in result.output


def test_hook_register_models(shost):
    assert "sample_notes" in sa_inspect(shost.db.engine).get_table_names()
    assert _calls("models") == ["sample_notes"]


def test_hook_startup(sapp):
    assert _calls("startup") == ["amsflow demo"]


def _order(shost, project="ELV"):
    session = shost.db.session()
    user = shost.system_user(session)
    before = len(_calls("created"))
    issue = create_issue(shost, session, user, project, "Målerbytte", "Målerbytte")
    assert len(_calls("created")) == before  # events wait for the commit
    shost.db.commit(session)
    return session, user, issue


def test_hook_issue_created(shost):
    _, _, elv = _order(shost)
    _, _, fjn = _order(shost, "FJN")
    assert _calls("created") == [elv.key]  # FJN does not enable the plugin


def test_hook_issue_updated(shost):
    session, user, issue = _order(shost)
    uow.run(shost, session, lambda: edit_issue(shost, session, user, issue,
                                               {"summary": "Nytt", "estimate": "2h"},
                                               system=True))
    assert _calls("updated") == [(issue.key, ["customfield_10011", "summary"])]


def test_hook_issue_transitioned(shost):
    session, user, issue = _order(shost)
    with pytest.raises(InvalidInput):
        uow.run(shost, session, lambda: transition_issue(shost, session, user, issue, "nope"))
    uow.run(shost, session, lambda: transition_issue(shost, session, user, issue, "11"))
    assert _calls("transitioned") == [(issue.key, "open", "planning")]


def test_hook_issue_commented(shost):
    session, user, issue = _order(shost)
    uow.run(shost, session, lambda: transition_issue(shost, session, user, issue, "11",
                                                     comment="Ringt kunden"))
    from core.services import comments

    uow.run(shost, session, lambda: comments.add_comment(shost, session, user, issue,
                                                         "Hei på deg"))
    assert (issue.key, "Hei på deg") in _calls("commented")


def test_hook_issue_actions(sapp, shost):
    session, user, issue = _order(shost)
    with sapp.test_request_context():
        actions = shost.plugins.issue_actions(shost, issue, user)
        assert "sample" in [a.id for a in actions]
        _, _, other = _order(shost, "FJN")
        actions = shost.plugins.issue_actions(shost, other, user)
    assert "sample" not in [a.id for a in actions]


def test_hook_issue_panels(sapp, shost):
    session, user, issue = _order(shost)
    with sapp.test_request_context():  # panels render in the issue view's request
        panels = shost.plugins.issue_panels(shost, issue, user)
    assert any(p.id == "sample" and issue.key in p.html for p in panels)


def test_plugins_are_described_with_versions_hooks_and_projects(shost):
    info = {p["name"]: p for p in shost.plugins.describe()}
    assert info["sample"]["projects"] == ["ELV"]
    assert "issue_created" in info["sample"]["hooks"]
    assert info["core"]["essential"] and set(info["core"]["projects"]) == {"ELV", "FJN"}
