"""The typed side of the plugin host: one method per hook in ``core/hookspecs.py``.

The rest of the code calls these (``host.plugins.issue_created(...)``), never
``pm.hook.<name>`` by string, so a hook's arguments and results are typed in one
place and the project rule is applied in one place: event, issue-view and bulk hooks
run only for the plugins the issue's project enables; ``register_nav_items`` only for
plugins some project enables; the other ``register_*`` hooks, ``plugin_*`` and
``startup`` for every installed plugin (installing is not enabling). Every call goes
through pluggy, so a hookimpl may take any subset of the hook's arguments.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
from markupsafe import Markup, escape

from .i18n import _
from .registries import IssueAction, IssuePanel, NavItem

if TYPE_CHECKING:
    from flask import Blueprint, Flask

    from .bulk.models import BulkTask
    from .host import Amsflow
    from .models import Comment, Issue, User
    from .workflow.model import Transition

log = logging.getLogger("amsflow.plugins")


class HookCalls:
    """Typed calls of every hook; mixed into ``core.plugins.PluginHost``."""

    pm: pluggy.PluginManager
    essential: set[str]
    settings: dict[str, dict[str, Any]]

    # -- the plumbing (implemented by PluginHost) ------------------------------
    def for_project(self, project_key: str, hook_name: str) -> Any:
        raise NotImplementedError

    def _for_any_project(self, hook_name: str) -> Any:
        raise NotImplementedError

    def _per_plugin(self, hook_name: str) -> list[tuple[str, Any]]:
        raise NotImplementedError

    # -- start-up --------------------------------------------------------------
    def config_schemas(self) -> dict[str, Any]:
        """Plugin name -> the marshmallow schema of its per-project settings."""
        return self._answers("plugin_config_schema")

    def migration_locations(self) -> dict[str, Path]:
        """Plugin name -> the directory of its Alembic branch (``plugin_migrations``)."""
        return {name: Path(found) for name, found in self._answers("plugin_migrations").items()}

    def _answers(self, hook_name: str) -> dict[str, Any]:
        """Each installed plugin's answer to a ``plugin_*`` question (None: no answer)."""
        out = {}
        for name, caller in self._per_plugin(hook_name):
            found = [r for r in caller() if r is not None]
            if found:
                out[name] = found[0]
        return out

    def blueprints(self, app: Flask) -> list[Blueprint]:
        """Every installed plugin's blueprints: returned, or added to the registry."""
        from .registries import Blueprints

        registry = Blueprints()
        for returned in self.pm.hook.register_blueprints(app=app, registry=registry):
            registry.extend(returned or [])
        return registry.items

    def add_commands(self, cli: Any) -> None:
        """Plugins' click commands on the ``amsflow`` group."""
        self.pm.hook.register_commands(cli=cli)

    def startup(self, host: Amsflow) -> None:
        self.pm.hook.startup(host=host)

    def schema_ready(self, host: Amsflow) -> None:
        self.pm.hook.schema_ready(host=host)

    # -- the page shell --------------------------------------------------------
    def nav_items(self, user: User | None) -> list[NavItem]:
        """Top-menu items of the plugins some project enables, in their order."""
        from .registries import NavItems

        registry = NavItems()
        for returned in self._for_any_project("register_nav_items")(user=user,
                                                                   registry=registry):
            registry.extend(returned or [])
        return sorted(registry.items, key=lambda i: (i.order, i.label))

    # -- events, after commit ---------------------------------------------------
    def issue_created(self, host: Amsflow, issue: Issue, user: User | None) -> None:
        self._event(issue, "issue_created", host=host, issue=issue, user=user)

    def issue_updated(self, host: Amsflow, issue: Issue, user: User | None,
                      changes: dict[str, tuple[Any, Any]]) -> None:
        self._event(issue, "issue_updated", host=host, issue=issue, user=user,
                    changes=changes)

    def issue_transitioned(self, host: Amsflow, issue: Issue, user: User | None,
                           transition: Transition, from_status: str,
                           to_status: str) -> None:
        self._event(issue, "issue_transitioned", host=host, issue=issue, user=user,
                    transition=transition, from_status=from_status, to_status=to_status)

    def issue_commented(self, host: Amsflow, issue: Issue, user: User | None,
                        comment: Comment) -> None:
        self._event(issue, "issue_commented", host=host, issue=issue, user=user,
                    comment=comment)

    def _event(self, about: Issue, hook_name: str, **kwargs: Any) -> None:
        self.for_project(about.project.key, hook_name)(**kwargs)

    # -- the issue view ---------------------------------------------------------
    def issue_actions(self, host: Amsflow, issue: Issue, user: User | None
                      ) -> list[IssueAction]:
        """*Flere handlinger* entries; a plugin that raises loses only its own entries
        (logged), and the page still renders."""
        out: list[IssueAction] = []
        for name, results in self._each_enabled(issue, "issue_actions", host=host,
                                                issue=issue, user=user):
            if isinstance(results, Exception):
                out.append(IssueAction(
                    label=_("%(plugin)s: handlingene kunne ikke vises", plugin=name),
                    url="", id=f"{name}-error", error=True))
                continue
            out.extend(_flat(results))
        return out

    def issue_panels(self, host: Amsflow, issue: Issue, user: User | None
                     ) -> list[IssuePanel]:
        """Panels, in order. A panel's html is escaped unless the plugin made it
        ``Markup`` on purpose; a plugin that raises gets an error box in its place."""
        out: list[IssuePanel] = []
        for name, results in self._each_enabled(issue, "issue_panels", host=host,
                                                issue=issue, user=user):
            if isinstance(results, Exception):
                message = _("Panelet fra %(plugin)s kunne ikke vises.", plugin=name)
                out.append(IssuePanel(
                    title=name, id=f"{name}-error", error=True, html=Markup(
                        '<div class="alert alert-error" role="alert">{}</div>').format(message)))
                continue
            for panel in _flat(results):
                if not isinstance(panel.html, Markup):
                    panel.html = escape(panel.html)
                out.append(panel)
        out.sort(key=lambda p: (p.order, p.title))
        return out

    def _each_enabled(self, about: Issue, hook_name: str, **kwargs: Any
                      ) -> list[tuple[str, Any]]:
        """Each enabled plugin's results of a view hook, or the exception it raised."""
        enabled = self.settings.get(about.project.key, {})
        out = []
        for name, caller in reversed(self._per_plugin(hook_name)):  # pluggy's order
            if name not in enabled:
                continue
            try:
                out.append((name, caller(**kwargs)))
            except Exception as exc:  # noqa: BLE001 - one plugin must not break the page
                log.exception("%s of plugin %s failed for %s", hook_name, name, about.key)
                out.append((name, exc))
        return out

    # -- bulk change ------------------------------------------------------------
    def listening(self, project_key: str, hook_name: str) -> bool:
        """Whether any plugin the project enables implements ``hook_name``."""
        return bool(self.for_project(project_key, hook_name).get_hookimpls())

    def bulk_task_starting(self, host: Amsflow, project_key: str, task: BulkTask,
                           issues: list[Issue], params: dict[str, Any]) -> None:
        self.for_project(project_key, "bulk_task_starting")(
            host=host, task=task, issues=issues, params=params)

    def bulk_chunk_starting(self, host: Amsflow, project_key: str, session: Any,
                            task: BulkTask, issues: list[Issue],
                            params: dict[str, Any]) -> None:
        self.for_project(project_key, "bulk_chunk_starting")(
            host=host, session=session, task=task, issues=issues, params=params)

    def bulk_task_finished(self, host: Amsflow, project_key: str, task: BulkTask) -> None:
        self.for_project(project_key, "bulk_task_finished")(host=host, task=task)

    def message_values(self, host: Amsflow, session: Any, issue: Issue,
                       kind: str) -> dict[str, str]:
        """The template variables the enabled plugins add to a customer message."""
        out: dict[str, str] = {}
        for returned in self.for_project(issue.project.key, "message_values")(
                host=host, session=session, issue=issue, kind=kind):
            out.update({str(k): str(v) for k, v in (returned or {}).items()})
        return out


def _flat(results: list[Any]) -> list[Any]:
    """pluggy's list of each implementation's return (a list, one item or None)."""
    out: list[Any] = []
    for r in results:
        if r is None:
            continue
        out.extend(r if isinstance(r, list | tuple) else [r])
    return out

