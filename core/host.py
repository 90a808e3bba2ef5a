"""The app's core state: config, database, plugins, fields, workflows, jobs.

Built once per app by ``create_host`` (the Flask factory and the job worker both
call it), so every test and every per-customer instance has its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from .config import Config
from .db import Database
from .fields import FieldDef, FieldRegistry
from .jql.limits import JqlLimits
from .models import Base, Issue, IssueType, Project, Resolution, Status, User
from .permissions import SYSTEM_USERNAME
from .plugins import PluginHost
from .workflow.loader import load_workflow
from .workflow.model import StatusDef, Workflow

log = logging.getLogger("amsflow")
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Catalog:
    """Ids of the config-defined rows, so hot paths never query them."""

    status_ids: dict[str, int] = field(default_factory=dict)
    status_keys: dict[int, str] = field(default_factory=dict)
    resolution_ids: dict[str, int] = field(default_factory=dict)
    issue_type_ids: dict[str, int] = field(default_factory=dict)
    project_ids: dict[str, int] = field(default_factory=dict)


class Amsflow:
    def __init__(self, config: Config, extra_plugins: tuple[Any, ...] = ()) -> None:
        from .jobs import JobQueue  # late: jobs imports the host type

        self.config = config
        self.plugins = PluginHost(config, extra_plugins)
        self.fields = FieldRegistry.from_config(config["fields"])
        self.workflows = self._load_workflows()
        self._check_schemes()
        self.db = Database(config["database_url"], config.base_dir)
        self.data_dir = config.resolve_path(config["data_dir"])
        self.catalog = Catalog()
        self.jobs = JobQueue(self)
        self.jql_limits = JqlLimits.from_config(config["limits"])
        self.clock = None  # tests may set a callable returning an aware datetime
        self._system_user: User | None = None

    # -- set-up ----------------------------------------------------------------
    def _load_workflows(self) -> dict[str, Workflow]:
        out = {}
        for name, rel in self.config["workflows"].items():
            path = self.config.resolve_path(rel)
            if not path.exists() and (REPO_ROOT / rel).exists():
                path = REPO_ROOT / rel
            out[name] = load_workflow(path, self.fields, self.plugins.workflow_functions)
        return out

    def _check_schemes(self) -> None:
        types = {t["name"] for t in self.config["issue_types"]}
        for i, project in enumerate(self.config["projects"]):
            for issue_type, wf in project["workflow_scheme"].items():
                path = ("projects", i, "workflow_scheme", issue_type)
                if wf not in self.workflows:
                    raise self.config.error(f"unknown workflow '{wf}'", *path)
                if issue_type != "default" and issue_type not in types:
                    raise self.config.error(f"unknown issue type '{issue_type}'", *path)
            if "default" not in project["workflow_scheme"]:
                raise self.config.error("workflow_scheme needs a 'default'",
                                        "projects", i, "workflow_scheme")

    def create_schema(self) -> None:
        """Create tables (tests and the embedded default); production uses Alembic."""
        Base.metadata.create_all(self.db.engine)
        self.after_schema()

    def after_schema(self) -> None:
        from .jql.fulltext import install as install_fulltext
        from .jql.projection import install_for as install_search

        install_fulltext(self.db.engine)
        install_search(self)
        self.sync_catalog()
        self.plugins.schema_ready(self)

    def sync_catalog(self) -> None:
        """Write config-defined projects, types, statuses and resolutions to tables."""
        with self.db.new_session() as s:
            _sync(s, Status, "key", {st.key: {"name": st.name, "category": st.category}
                                     for st in self.all_statuses().values()})
            _sync(s, Resolution, "name", {r["name"]: {"description": r["description"]}
                                          for r in self.config["resolutions"]})
            _sync(s, IssueType, "name", {t["name"]: {"description": t["description"]}
                                         for t in self.config["issue_types"]})
            _sync(s, Project, "key", {p["key"]: {"name": p["name"],
                                                 "description": p["description"]}
                                      for p in self.config["projects"]})
            if s.scalar(select(User).where(User.username == SYSTEM_USERNAME)) is None:
                s.add(User(username=SYSTEM_USERNAME, display_name="System", active=False))
        self.load_catalog()

    def load_catalog(self) -> None:
        with self.db.new_session() as s:
            cat = Catalog()
            for st in s.scalars(select(Status)):
                cat.status_ids[st.key] = st.id
                cat.status_keys[st.id] = st.key
            cat.resolution_ids = {r.name: r.id for r in s.scalars(select(Resolution))}
            cat.issue_type_ids = {t.name: t.id for t in s.scalars(select(IssueType))}
            cat.project_ids = {p.key: p.id for p in s.scalars(select(Project))}
        self.catalog = cat

    # -- lookups ---------------------------------------------------------------
    def all_statuses(self) -> dict[str, StatusDef]:
        out: dict[str, StatusDef] = {}
        for wf in self.workflows.values():
            out.update(wf.statuses)
        return out

    def project_config(self, key: str) -> dict[str, Any]:
        for p in self.config["projects"]:
            if p["key"] == key:
                return p
        raise KeyError(key)

    def workflow_for(self, project_key: str, issue_type: str) -> Workflow:
        scheme = self.project_config(project_key)["workflow_scheme"]
        return self.workflows[scheme.get(issue_type, scheme["default"])]

    def workflow_of(self, issue: Issue) -> Workflow:
        return self.workflow_for(issue.project.key, issue.issue_type.name)

    def status_colour(self, status_key: str) -> str:
        return self.config["status_colours"].get(status_key, "#6b778c")

    def field(self, name: str) -> FieldDef:
        return self.fields[name]

    def system_user(self, session: Session) -> User:
        """The system user, put into ``session`` without a query after the first time.

        Plugins acting on their own (an SMS reply, Quant) ask for it on every request;
        a detached copy (groups unloaded) is merged in without loading
        (``merge(load=False)``), since nothing changes the system user at run time.
        """
        cached = self._system_user
        if cached is None:
            with self.db.new_session() as fresh:
                cached = fresh.scalars(select(User).where(User.username == SYSTEM_USERNAME)
                                       .options(lazyload(User.groups))).one()
                fresh.expunge(cached)
            self._system_user = cached
        with session.no_autoflush:
            return session.merge(cached, load=False)

    def now(self) -> Any:
        from .models import utcnow

        return self.clock() if self.clock else utcnow()


def _sync(session: Session, model: Any, key_attr: str, wanted: dict[str, dict]) -> None:
    existing = {getattr(row, key_attr): row for row in session.scalars(select(model))}
    for key, attrs in wanted.items():
        row = existing.get(key)
        if row is None:
            session.add(model(**{key_attr: key}, **attrs))
        else:
            for attr, value in attrs.items():
                setattr(row, attr, value)
    session.flush()


def create_host(config: Config, extra_plugins: tuple[Any, ...] = ()) -> Amsflow:
    """Build the host; config and workflow problems raise ``ConfigError``."""
    return Amsflow(config, extra_plugins)
