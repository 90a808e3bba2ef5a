"""Every hook a plugin can implement, in one place.

Families by name, as in datasette: ``register_*`` hooks receive a registry and add
things to it; ``issue_*`` event hooks run after the change is committed; the
``*_actions`` / ``*_panels`` hooks fill the issue view. A plugin may accept any
subset of a hook's arguments, so hooks can grow new arguments safely.

Event and issue-view hooks are called only for plugins that the issue's project
enables (see ``PluginHost.for_project``); ``register_*`` hooks run once per app for
every discovered plugin, because registering is not enabling.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("amsflow")
hookimpl = pluggy.HookimplMarker("amsflow")


@hookspec
def plugin_config_schema() -> Any:
    """Return a marshmallow Schema (class or instance) for this plugin's settings.

    The settings a project gives the plugin in the instance config
    (``projects[].plugins.NAME``) are loaded through it at start-up; an error names
    the config file and line. Read them with ``host.plugin_settings(project, NAME)``.
    """


@hookspec
def register_workflow_functions(registry: Any) -> None:
    """Add conditions, validators and post-functions that workflow YAML names.

    ``registry.condition(name)``, ``registry.validator(name)`` and
    ``registry.post_function(name)`` are decorators; the function receives a
    ``WorkflowContext`` and the ``args`` mapping from the YAML. A post-function that
    calls something outside (a gateway) starts it and settles it with
    ``ctx.settle_after_flush``; registered with ``batchable=True`` it lets bulk change
    run a chunk of orders at once (see ``registry.post_function``).
    """


@hookspec
def register_blueprints(app: Any) -> list[Any]:
    """Return Flask blueprints: web pages and API routes of the plugin."""


@hookspec
def register_nav_items(user: Any) -> list[Any]:
    """Return ``NavItem``s for the top menu (label, endpoint or URL)."""


@hookspec
def register_jobs(registry: Any) -> None:
    """Add background job functions by name: ``registry.job(name)(fn)``.

    Jobs run on rq workers when Redis is configured, in process otherwise; a job
    receives ``(host, **kwargs)``.
    """


@hookspec
def register_periodic_tasks(registry: Any) -> None:
    """Add periodic tasks: ``registry.periodic(name, seconds)(fn)``; fn gets ``host``."""


@hookspec
def register_jql_functions(registry: Any) -> None:
    """Add JQL functions: ``registry.function(name)(fn)``.

    ``fn(ctx, *args: str)`` gets a context with ``host``, ``session``, ``user``,
    ``now`` and ``field``, and returns one value or a list: a string or number (read
    as a literal), a ``datetime``, a ``User``, or a one-column ``Select`` used as an
    ``IN`` subquery (issue ids for ``key``, usernames for user fields). Raising
    ``ValueError`` becomes a JQL error shown to the user. The built-ins
    (``currentUser()``, ``membersOf()``, ``startOfDay()``...) live in
    ``core.jql.functions``.
    """


@hookspec
def register_gadgets(registry: Any) -> None:
    """Add dashboard gadget types: ``registry.gadget(GadgetType(...))``."""


@hookspec
def register_commands(cli: Any) -> None:
    """Add click commands or groups to the ``amsflow`` CLI group."""


@hookspec
def register_models() -> None:
    """Import the plugin's model modules so their tables join ``core.models.Base``."""


@hookspec
def plugin_migrations() -> Any:
    """Return the directory (``Path`` or str) of the plugin's Alembic revisions.

    It is the plugin's own branch, labelled with the plugin's name; ``amsflow db
    upgrade`` runs it for every installed plugin, with the core's branch. The first
    revision has ``down_revision = None``, ``branch_labels = ("NAME",)`` and
    ``depends_on`` the core revision whose tables it refers to. See the README's
    "Plugin tables and migrations".
    """


@hookspec
def startup(host: Any) -> None:
    """Called once when an app's host is ready (after config and workflows load)."""


@hookspec
def issue_created(host: Any, issue: Any, user: Any) -> None:
    """An issue was created (called after commit, for the project's plugins)."""


@hookspec
def issue_updated(host: Any, issue: Any, user: Any, changes: dict[str, Any]) -> None:
    """Fields of an issue changed; ``changes`` maps field id to (old, new)."""


@hookspec
def issue_transitioned(host: Any, issue: Any, user: Any, transition: Any,
                       from_status: str, to_status: str) -> None:
    """An issue moved from one status key to another (after commit)."""


@hookspec
def issue_commented(host: Any, issue: Any, user: Any, comment: Any) -> None:
    """A comment was added to an issue (after commit)."""


@hookspec
def issue_actions(host: Any, issue: Any, user: Any) -> list[Any]:
    """Return ``IssueAction``s for the issue view's *Flere handlinger* menu."""


@hookspec
def issue_panels(host: Any, issue: Any, user: Any) -> list[Any]:
    """Return ``IssuePanel``s (title and safe HTML) for the issue view."""


@hookspec
def bulk_task_starting(host: Any, task: Any, issues: list[Any], params: dict[str, Any]) -> None:
    """A bulk-change task is about to work through ``issues`` (its pending orders of one
    project, in run order), for the plugins that project enables.

    Lets a plugin prepare work for the whole task at once (render letters ahead,
    batch lookups) instead of one order at a time. ``task`` is the ``BulkTask``
    (``.id``, ``.operation``), ``params`` its operation parameters (for a transition:
    ``transition``, ``fields``, ``comment``). Called again when a task is resumed,
    with only the orders still pending, and once in each of a task's runners
    (``jobs.bulk_workers``, each in its own worker process), in that runner's run
    order. Nothing may be written here: each order still changes in its own
    transaction.
    """


@hookspec
def bulk_chunk_starting(host: Any, session: Any, task: Any, issues: list[Any],
                        params: dict[str, Any]) -> None:
    """A chunk of a bulk-change task is about to change ``issues`` (the chunk's orders
    of one project, loaded, in run order), for the plugins that project enables.

    Called in the chunk's own transaction, by the runner that claimed it, so a
    plugin can read in one query what each order would look up on its own (and keep
    it in ``session.info`` for that transaction). Nothing may be written here.
    """


@hookspec
def bulk_task_finished(host: Any, task: Any) -> None:
    """A bulk-change task stopped (``task.status`` COMPLETE, CANCELLED or FAILED), for
    the plugins its projects enable: drop what ``bulk_task_starting`` prepared. Called
    once per task, in the runner that ended it."""
