"""Every hook a plugin can implement, in one place.

Families by name, as in datasette: ``register_*`` hooks receive a registry and add
things to it (``register_blueprints`` and ``register_nav_items`` may also return a
list, as they always could; ``register_commands``' registry is the click group);
``plugin_*`` hooks answer a question about the plugin; ``issue_*`` event hooks run
after the change is committed; ``issue_actions`` / ``issue_panels`` fill the issue
view; ``bulk_*`` hooks frame a bulk-change task. A plugin may accept any subset of a
hook's arguments (even none), so hooks can grow new arguments safely.

Who is called (``core.hookcalls.HookCalls``, the only caller): event, issue-view and
bulk hooks only for the plugins the issue's project enables; ``register_nav_items``
only for plugins that some project enables; every other hook once per app for every
installed plugin, because installing is not enabling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pathlib import Path

    import click
    from flask import Blueprint, Flask
    from marshmallow import Schema
    from sqlalchemy.orm import Session

    from .bulk.models import BulkTask
    from .host import Amsflow
    from .models import Comment, Issue, User
    from .registries import (
        Blueprints,
        Gadgets,
        IssueAction,
        IssuePanel,
        Jobs,
        JqlFunctions,
        Models,
        NavItem,
        NavItems,
        PeriodicTasks,
        WorkflowFunctions,
    )
    from .workflow.model import Transition

hookspec = pluggy.HookspecMarker("amsflow")
hookimpl = pluggy.HookimplMarker("amsflow")


@hookspec
def plugin_config_schema() -> type[Schema] | Schema:
    """Return a marshmallow Schema (class or instance) for this plugin's settings.

    The settings a project gives the plugin in the instance config
    (``projects[].plugins.NAME``) are loaded through it at start-up; an error names
    the config file and line. Read them with ``host.plugins.plugin_settings(project,
    NAME)`` (``ctx.settings`` in a workflow function).
    """


@hookspec
def register_workflow_functions(registry: WorkflowFunctions) -> None:
    """Add conditions, validators and post-functions that workflow YAML names.

    ``registry.condition(name)``, ``registry.validator(name)`` and
    ``registry.post_function(name)`` are decorators; the function receives a
    ``WorkflowContext`` and the ``args`` mapping from the YAML. A post-function that
    calls something outside (a gateway) starts it and settles it with
    ``ctx.settle_after_flush``; registered with ``batchable=True`` it lets bulk change
    run a chunk of orders at once (see ``registry.post_function``).
    """


@hookspec
def register_blueprints(app: Flask, registry: Blueprints) -> list[Blueprint] | None:
    """Add Flask blueprints (web pages and API routes): ``registry.add(bp)``, or
    return a list of them."""


@hookspec
def register_nav_items(user: User | None, registry: NavItems) -> list[NavItem] | None:
    """Add ``NavItem``s for the top menu (label, endpoint or URL): ``registry.add(...)``
    or return a list. Called on each page, for plugins that some project enables."""


@hookspec
def register_jobs(registry: Jobs) -> None:
    """Add background job functions by name: ``registry.job(name)(fn)``.

    Jobs run on rq workers when Redis is configured, in process otherwise; a job
    receives ``(host, **kwargs)``.
    """


@hookspec
def register_periodic_tasks(registry: PeriodicTasks) -> None:
    """Add periodic tasks: ``registry.periodic(name, seconds)(fn)``; fn gets ``host``."""


@hookspec
def register_jql_functions(registry: JqlFunctions) -> None:
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
def register_gadgets(registry: Gadgets) -> None:
    """Add dashboard gadget types: ``registry.gadget(GadgetType(...))``.

    A ``core.dashboards.contract.GadgetType`` declares ``key`` (``plugin.name``),
    ``name``/``name_en`` and ``description``/``description_en`` (the gallery's words),
    ``config`` (a marshmallow Schema of the type's own settings; field ``metadata``
    ``label``/``label_en``/``choices`` draw its form), ``data`` and ``script``.
    ``data(ctx)`` gets a ``GadgetContext``: ``viewer``, ``jql``, ``filter``, ``config``
    (loaded by the schema), ``session``, ``host`` and ``query``, the filter compiled
    with the viewer's browse permission (``ctx.count()``, ``ctx.counts_by(field)``,
    ``ctx.issues(n)``, ``ctx.query.per_day(...)``); it returns JSON-able data, cached
    per settings, filter and viewer scope for the gadget's refresh interval. Raising
    ``ValueError`` shows the message in the gadget. In the browser, the static file
    ``script`` (``(endpoint, filename)``, after the npm files in ``vendor``) calls
    ``amsflowGadgets.define(key, {render(el, data, gadget)})``. The dashboard adds
    the common settings itself (``filterId`` or ``jql``, ``refresh``, ``title``).
    ``@registry.gadget(key, name=..., name_en=...)`` over a data function also works.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add click commands or groups to the ``amsflow`` CLI group."""


@hookspec
def register_models(registry: Models) -> None:
    """Import the plugin's model modules so their tables join ``core.models.Base``.

    The registry notes the tables that appear (``registry.model(cls)`` names one
    defined earlier); the admin page lists them. Their migrations: ``plugin_migrations``.
    """


@hookspec
def plugin_migrations() -> Path | str:
    """Return the directory (``Path`` or str) of the plugin's Alembic revisions.

    It is the plugin's own branch, labelled with the plugin's name; ``amsflow db
    upgrade`` runs it for every installed plugin, with the core's branch. The first
    revision has ``down_revision = None``, ``branch_labels = ("NAME",)`` and
    ``depends_on`` the core revision whose tables it refers to. See the README's
    "Plugin tables and migrations".
    """


@hookspec
def schema_ready(host: Amsflow) -> None:
    """The schema was just created or upgraded (``create_schema``, ``amsflow db
    upgrade``, the demo) and the config-defined rows synced: write the plugin's own
    rows that config defines (the predefined dashboards). Must be idempotent: it runs
    after every upgrade, for every installed plugin."""


@hookspec
def startup(host: Amsflow) -> None:
    """Called once when an app's host is ready (after config and workflows load)."""


@hookspec
def issue_created(host: Amsflow, issue: Issue, user: User | None) -> None:
    """An issue was created (called after commit, for the project's plugins)."""


@hookspec
def issue_updated(host: Amsflow, issue: Issue, user: User | None,
                  changes: dict[str, tuple[Any, Any]]) -> None:
    """Fields of an issue changed; ``changes`` maps field id to (old, new)."""


@hookspec
def issue_transitioned(host: Amsflow, issue: Issue, user: User | None,
                       transition: Transition, from_status: str, to_status: str) -> None:
    """An issue moved from one status key to another (after commit)."""


@hookspec
def issue_commented(host: Amsflow, issue: Issue, user: User | None,
                    comment: Comment) -> None:
    """A comment was added to an issue (after commit)."""


@hookspec
def issue_actions(host: Amsflow, issue: Issue, user: User | None) -> list[IssueAction]:
    """Return ``IssueAction``s for the issue view's *Flere handlinger* menu. If it
    raises, the menu shows an error entry for the plugin and the page still renders."""


@hookspec
def issue_panels(host: Amsflow, issue: Issue, user: User | None) -> list[IssuePanel]:
    """Return ``IssuePanel``s for the issue view. ``html`` is shown as text unless it
    is ``markupsafe.Markup`` (``render_template`` returns a str: wrap it). If the hook
    raises, an error box takes the plugin's place and the page still renders."""


@hookspec
def message_values(host: Amsflow, session: Session, issue: Issue,
                   kind: str) -> dict[str, str] | None:
    """Extra template variables for a message to the order's customer: an SMS of
    ``kind`` (``booking``, ``booking_reminder`` ...) or ``letter``, for the plugins the
    order's project enables. The returned dicts are merged into the template's
    variables (Bookit's ``{{ selfservice_link }}``); a template that names a variable
    no plugin gives gets an empty string. Called in the sending transaction: a row
    written here commits with the message."""


@hookspec
def bulk_task_starting(host: Amsflow, task: BulkTask, issues: list[Issue],
                       params: dict[str, Any]) -> None:
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
def bulk_chunk_starting(host: Amsflow, session: Session, task: BulkTask,
                        issues: list[Issue], params: dict[str, Any]) -> None:
    """A chunk of a bulk-change task is about to change ``issues`` (the chunk's orders
    of one project, loaded, in run order), for the plugins that project enables.

    Called in the chunk's own transaction, by the runner that claimed it, so a
    plugin can read in one query what each order would look up on its own (and keep
    it in ``session.info`` for that transaction). Nothing may be written here.
    """


@hookspec
def bulk_task_finished(host: Amsflow, task: BulkTask) -> None:
    """A bulk-change task stopped (``task.status`` COMPLETE, CANCELLED or FAILED), for
    the plugins its projects enable: drop what ``bulk_task_starting`` prepared. Called
    once per task, in the runner that ended it."""
