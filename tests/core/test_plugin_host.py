"""The plugin host's promises to plugin writers: a hookimpl may take any subset of a
hook's arguments (registries too), enabled-only hooks follow the project rule, a
misspelled hook stops start-up like a config error, ``ctx.abort`` raises, and nothing
outside the host calls pluggy's hooks by name."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint

from core.app import create_app
from core.config import parse_config
from core.hookspecs import hookimpl
from core.host import create_host
from core.models import Comment
from core.registries import NavItem
from core.services import uow
from core.services.issues import create_issue
from core.workflow.context import WorkflowAbort
from core.workflow.engine import transition_issue
from core.yamlsource import ConfigError

ROOT = Path(__file__).resolve().parents[2]

ABORT_WORKFLOW = """\
name: Test
initial: open
statuses:
  - {key: open, name: Åpen, category: new}
  - {key: doing, name: Pågår, category: indeterminate}
transitions:
  - id: 1
    name: Stoppe
    from: [open]
    to: doing
    post_functions:
      - lean.abort_quietly
"""


class LeanPlugin:
    """Every hookimpl takes fewer arguments than its hook offers (some none at all)."""

    PLUGIN_NAME = "lean"

    def __init__(self) -> None:
        self.seen: list[Any] = []

    @hookimpl
    def register_jobs(self) -> None:  # no registry: failed before pluggy filled it
        self.seen.append("jobs")

    @hookimpl
    def register_workflow_functions(self, registry: Any) -> None:
        @registry.post_function("lean.abort_quietly")
        def abort_quietly(ctx: Any, args: dict[str, Any]) -> None:
            ctx.add_comment("skal rulles tilbake")
            ctx.abort("Stoppet", comment="Lean: stoppet.")  # no `raise`: still stops

    @hookimpl
    def register_blueprints(self, registry: Any) -> None:
        bp = Blueprint("lean", __name__)
        bp.add_url_rule("/lean", "ping", lambda: "lean")
        registry.add(bp)

    @hookimpl
    def register_nav_items(self, registry: Any) -> None:
        registry.add(NavItem("Lean", "/lean"))

    @hookimpl
    def issue_created(self, issue: Any) -> None:
        self.seen.append(("created", issue.key))


@pytest.fixture
def lean_app(config_dict, tmp_path):
    wf = tmp_path / "abort.yaml"
    wf.write_text(ABORT_WORKFLOW, encoding="utf-8")
    config_dict["workflows"]["abort"] = str(wf)
    for project in config_dict["projects"]:
        project["workflow_scheme"] = {"default": "ams", "Avvik": "abort"}
    config_dict["projects"][0]["plugins"]["lean"] = {}
    plugin = LeanPlugin()
    app = create_app(parse_config(config_dict), extra_plugins=(plugin,), create_schema=True,
                     overrides={"TESTING": True})
    app.lean = plugin
    yield app
    app.extensions["amsflow"].db.dispose()


def test_a_hookimpl_may_take_any_subset_of_the_arguments(lean_app):
    host = lean_app.extensions["amsflow"]
    assert "jobs" in lean_app.lean.seen
    assert lean_app.test_client().get("/lean").text == "lean"  # added to the registry
    session = host.db.session()
    user = host.system_user(session)
    issue = create_issue(host, session, user, "ELV", "Målerbytte", "Storgata 1")
    host.db.commit(session)
    assert ("created", issue.key) in lean_app.lean.seen


def test_ctx_abort_stops_the_transition_without_raise(lean_app, backend):
    host = lean_app.extensions["amsflow"]
    session = host.db.session()
    user = host.system_user(session)
    issue = create_issue(host, session, user, "ELV", "Avvik", "Avvik i skap")
    host.db.commit(session)
    with pytest.raises(WorkflowAbort, match="Stoppet"):
        uow.run(host, session, lambda: transition_issue(host, session, user, issue, "Stoppe"))
    session.expire_all()
    assert issue.status.key == "open"
    bodies = [c.body for c in session.query(Comment).filter_by(issue_id=issue.id)]
    assert bodies == ["Lean: stoppet."]


def test_nav_items_come_only_from_plugins_some_project_enables(config_dict):
    for project in config_dict["projects"]:
        project["plugins"].pop("lean", None)
    host = create_host(parse_config(config_dict), extra_plugins=(LeanPlugin(),))
    assert "Lean" not in [i.label for i in host.plugins.nav_items(None)]
    config_dict["projects"][1]["plugins"]["lean"] = {}
    host = create_host(parse_config(config_dict), extra_plugins=(LeanPlugin(),))
    assert "Lean" in [i.label for i in host.plugins.nav_items(None)]


class TypoPlugin:
    PLUGIN_NAME = "typo"

    @hookimpl
    def issue_comented(self, issue: Any) -> None:
        """Misspelled on purpose."""


def test_a_misspelled_hook_is_a_start_up_error_naming_plugin_file_and_line(config_dict):
    with pytest.raises(ConfigError) as caught:
        create_host(parse_config(config_dict), extra_plugins=(TypoPlugin(),))
    line = next(i for i, text in enumerate(Path(__file__).read_text().splitlines(), 1)
                if "def issue_comented" in text)
    assert str(caught.value) == (
        f"{Path(__file__)}:{line}: plugin 'typo': unknown hook 'issue_comented' "
        "(did you mean 'issue_commented'?)")


def test_nothing_outside_the_host_calls_hooks_by_name():
    """``core/hookcalls.py`` is the one place that calls ``pm.hook``; everything else
    uses its typed methods."""
    pattern = re.compile(r"\.hook\.\w+\(|\bpm\.hook\b|\.emit\(|for_project\(|_per_plugin\(")
    allowed = {"core/hookcalls.py", "core/plugins.py"}
    found = []
    for base in ("core", "plugins", "gadgets"):
        for path in (ROOT / base).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel in allowed:
                continue
            for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(text):
                    found.append(f"{rel}:{n}: {text.strip()}")
    assert found == []


def test_every_hookspec_has_a_typed_host_method():
    from core import hookspecs
    from core.hookcalls import HookCalls

    specs = {n for n, f in vars(hookspecs).items() if hasattr(f, "amsflow_spec")}
    source = (ROOT / "core" / "hookcalls.py").read_text(encoding="utf-8") + \
        (ROOT / "core" / "plugins.py").read_text(encoding="utf-8")
    untyped = [s for s in specs if f'"{s}"' not in source and f"hook.{s}(" not in source]
    assert untyped == []
    assert callable(HookCalls.issue_panels) and callable(HookCalls.nav_items)


class WhoPlugin:
    """A job that says which app's host ran it."""

    PLUGIN_NAME = "who"

    def __init__(self) -> None:
        self.ran: list[str] = []

    @hookimpl
    def register_jobs(self, registry: Any) -> None:
        @registry.job("who.am_i")
        def am_i(host: Any) -> None:
            self.ran.append(host.config["instance_name"])


def test_each_worker_runs_jobs_with_its_own_host(config_dict):
    """Two apps in one process (as tests and per-customer instances are): each rq
    worker runs jobs with the host it was started for, and none is left in a module."""
    import uuid

    import core.jobs
    from core.host import Amsflow
    from core.jobs import run_job, run_worker

    config_dict["redis_url"] = "redis://127.0.0.1:6379/0"
    hosts, plugins = [], []
    for name in ("Elvnett", "Fjordkraft"):
        config_dict["instance_name"] = name
        config_dict["jobs"] = {"queue": f"test-{uuid.uuid4().hex[:8]}"}
        plugins.append(WhoPlugin())
        hosts.append(create_host(parse_config(config_dict), extra_plugins=(plugins[-1],)))
        hosts[-1].create_schema()
    try:
        for host in hosts:
            host.jobs.enqueue("who.am_i")
        for host in reversed(hosts):
            run_worker(host, burst=True)
        assert [p.ran for p in plugins] == [["Elvnett"], ["Fjordkraft"]]
        assert not [v for v in vars(core.jobs).values() if isinstance(v, Amsflow)]
        with pytest.raises(RuntimeError, match="amsflow worker"):
            run_job("who.am_i", "x", {})
    finally:
        for host in hosts:
            host.db.dispose()


def test_plugin_state_lives_on_its_host(config_dict):
    from plugins.letters import ahead

    first = create_host(parse_config(config_dict))
    second = create_host(parse_config(config_dict))
    assert ahead.prepared(first) is ahead.prepared(first)
    assert ahead.prepared(first) is not ahead.prepared(second)
    assert first.plugins.state("letters", dict) is ahead.prepared(first)
