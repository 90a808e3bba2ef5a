"""The bulk-change wizard (Masseoppdatering) in the seed's steps: choose orders,
choose the operation, its details, notifications, confirm; then a progress page
that follows the task in the background.

The navigator starts it with ``GET /bulk/?jql=...`` (all results) or ``POST /bulk/``
with ``jql`` and repeated ``issue`` keys (the checked ones). Every later step is a
POST carrying the choices so far (see ``wizard.State``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import permissions as perms
from ..jql.errors import JqlError
from ..models import Issue, User
from ..services.errors import ServiceError
from ..web.common import assignable_users, db, editable_fields, host, login_required, run, user
from ..web.errors import error_page
from . import service, wizard
from .api import task_json
from .wizard import State

bp = Blueprint("bulk_web", __name__, url_prefix="/bulk", template_folder="templates",
               static_folder="static", static_url_path="/static")
STEPS = ("orders", "operation", "details", "notify", "confirm")


def blueprint() -> Blueprint:
    return bp


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError) -> Any:
    if exc.status in (403, 404):
        return error_page(exc.status)
    return error_page(exc.status, exc.messages + list(exc.errors.values()))


def _messages(exc: ServiceError) -> list[str]:
    return [*exc.messages, *exc.errors.values()]


def _page(step: str, state: State, status: int = 200, **kw: Any) -> Any:
    return render_template(f"bulk/{step}.html", step=step, steps=STEPS, state=state,
                           hidden=state.hidden(step), **kw), status


def _people(issues: list[Issue]) -> list[User]:
    """People who may browse every project of the selection (for assignee/watcher)."""
    projects = {i.project_id for i in issues}
    out: dict[str, User] = {}
    for n, pid in enumerate(sorted(projects)):
        found = {u.username: u for u in assignable_users(pid)}
        out = found if n == 0 else {k: v for k, v in out.items() if k in found}
    return sorted(out.values(), key=lambda u: u.display_name)


# -- 1. orders ------------------------------------------------------------------------
@bp.route("/", methods=["GET", "POST"])
@login_required
def orders() -> Any:
    src = request.form if request.method == "POST" else request.args
    return _orders(State.from_form(src), [])


def _orders(state: State, messages: list[str], status: int = 200) -> Any:
    from ..jql.compiler import search

    h, s, me = host(), db(), user()
    chosen: list[Issue] = []
    rows: list[Issue] = []
    total = 0
    if state.keys:
        try:
            chosen = service.select_issues(h, s, me, keys=state.keys)
        except ServiceError as exc:
            messages = [*messages, *_messages(exc)]
    try:
        rows, total = search(h, s, state.jql, me, 0, wizard.PREVIEW_ROWS)
    except JqlError as exc:
        messages = [*messages, str(exc)]
    ids = {i.id for i in chosen}
    rows = chosen + [i for i in rows if i.id not in ids]
    return _page("orders", state, status, rows=rows, total=total, messages=messages,
                 checked={i.key for i in chosen}, limit=h.config["jobs"]["bulk_limit"],
                 shown=wizard.PREVIEW_ROWS)


# -- 2. operation ---------------------------------------------------------------------
@bp.post("/operation")
@login_required
def operation() -> Any:
    state = State.from_form(request.form)
    try:
        issues = wizard.issues_of(host(), db(), user(), state)
    except ServiceError as exc:
        return _orders(state, _messages(exc), exc.status)
    return _operation(state, issues, [])


def _operation(state: State, issues: list[Issue], messages: list[str],
               status: int = 200) -> Any:
    return _page("operation", state, status, count=len(issues), messages=messages,
                 may_delete=perms.is_admin(host(), user()))


# -- 3. details -----------------------------------------------------------------------
@bp.post("/details")
@login_required
def details() -> Any:
    state = State.from_form(request.form)
    try:
        issues = wizard.issues_of(host(), db(), user(), state)
    except ServiceError as exc:
        return _orders(state, _messages(exc), exc.status)
    if not state.operation:
        return _operation(state, issues, [_("Choose an operation.")], 400)
    return _details(state, issues, {}, {}, [])


def _details(state: State, issues: list[Issue], values: dict[str, Any],
             errors: dict[str, str], messages: list[str], status: int = 200) -> Any:
    h = host()
    choices = wizard.transition_choices(h, issues) if state.operation == "transition" else []
    return _page("details", state, status, count=len(issues), choices=choices,
                 fields=editable_fields(), people=_people(issues), values=values,
                 errors=errors, messages=messages,
                 resolutions=[r["name"] for r in h.config["resolutions"]])


# -- 4. notifications -----------------------------------------------------------------
@bp.post("/notify")
@login_required
def notify() -> Any:
    h, s, me = host(), db(), user()
    state = State.from_form(request.form)
    try:
        issues = wizard.issues_of(h, s, me, state)
    except ServiceError as exc:
        return _orders(state, _messages(exc), exc.status)
    if state.operation == "edit":
        params, errors = wizard.edit_params(h, s, request.form)
    elif state.operation == "transition":
        params, errors = wizard.transition_params(
            request.form, wizard.transition_choices(h, issues))
    elif state.operation in ("watch", "unwatch"):
        params, errors = wizard.watch_params(s, me, request.form)
    elif state.operation == "delete":
        params, errors = {}, {}
    else:
        return _operation(state, issues, [_("Choose an operation.")], 400)
    if errors:
        return _details(state, issues, request.form.to_dict(flat=True), errors,
                        [_("Check the marked fields.")], 400)
    state.params = params
    return _page("notify", state, count=len(issues))


# -- 5. confirmation and submit -------------------------------------------------------
@bp.post("/confirm")
@login_required
def confirm() -> Any:
    state = State.from_form(request.form)
    return _confirm(state, [])


def _confirm(state: State, messages: list[str], status: int = 200) -> Any:
    h, s, me = host(), db(), user()
    try:
        issues = wizard.issues_of(h, s, me, state)
    except ServiceError as exc:
        return _orders(state, _messages(exc), exc.status)
    try:
        plan = service.preview(h, s, me, issues, state.operation, state.params)
    except ServiceError as exc:
        return _operation(state, issues, _messages(exc), exc.status)
    if not plan.ready:
        messages = [*messages, _("None of the chosen orders can take this change.")]
        status = 400 if status == 200 else status
    return _page("confirm", state, status, plan=plan, lines=wizard.describe(h, state),
                 messages=messages)


@bp.post("/submit")
@login_required
def submit() -> Any:
    h, s, me = host(), db(), user()
    state = State.from_form(request.form)
    try:
        issues = wizard.issues_of(h, s, me, state)
        task = run(lambda: service.submit(h, s, me, issues, state.operation, state.params,
                                          notify=state.notify))
    except ServiceError as exc:
        return _confirm(state, _messages(exc), exc.status)
    return redirect(url_for("bulk_web.progress", task_id=task.id), 303)


# -- progress -------------------------------------------------------------------------
@bp.get("/task/<task_id>")
@login_required
def progress(task_id: str) -> Any:
    s = db()
    task = service.get_task(host(), s, user(), task_id)
    return render_template("bulk/progress.html", task=task, info=task_json(task, s),
                           lines=wizard.describe(host(), _state_of(task)))


@bp.post("/task/<task_id>/cancel")
@login_required
def cancel(task_id: str) -> Any:
    h, s, me = host(), db(), user()
    task = run(lambda: service.cancel(h, s, me, task_id))
    if task.status == "CANCEL_REQUESTED":
        flash(_("The task stops after the orders it is working on now."), "success")
    return redirect(url_for("bulk_web.progress", task_id=task_id), 303)


def _state_of(task: Any) -> State:
    import json

    return State(operation=task.operation, params=json.loads(task.params_json or "{}"))
