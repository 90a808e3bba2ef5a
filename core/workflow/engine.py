"""Running a transition: conditions, screen, validators, status, post-functions,
history, then automatic and chained transitions, all in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from .. import permissions as perms
from ..i18n import _, in_language
from ..models import Issue, Resolution, User
from ..services.comments import add_comment
from ..services.errors import Forbidden, InvalidInput
from ..services.history import HistoryItem, collecting, record
from ..services.issues import apply_fields
from .context import ValidationFailed, WorkflowContext
from .model import FunctionRef, Transition, Workflow

if TYPE_CHECKING:
    from ..host import Amsflow

MAX_CHAIN = 10


def _entry(host: Amsflow, kind: str, ref: FunctionRef) -> Any:
    registry = getattr(host.plugins.workflow_functions, kind)
    return registry.get(ref.name)


def usable(host: Amsflow, issue: Issue, transition: Transition) -> bool:
    """A transition is usable in a project only if every function's plugin is enabled."""
    return next(missing_plugins(host, issue.project.key, transition), None) is None


def missing_plugins(host: Amsflow, project: str, transition: Transition
                    ) -> Iterator[tuple[FunctionRef, str]]:
    """The functions of ``transition`` whose plugin ``project`` does not enable (each
    with that plugin): any one of them removes the transition from the project."""
    for kind, refs in (("conditions", transition.conditions),
                       ("validators", transition.validators),
                       ("post_functions", transition.post_functions)):
        for ref in refs:
            plugin = _entry(host, kind, ref).plugin
            if not host.plugins.enabled(project, plugin):
                yield ref, plugin


def _context(host: Amsflow, session: Session, user: User | None, issue: Issue,
             workflow: Workflow, transition: Transition, **kw: Any) -> WorkflowContext:
    return WorkflowContext(host, session, user, issue, workflow, transition,
                           host.catalog.status_keys[issue.status_id], transition.to, **kw)


def conditions_pass(ctx: WorkflowContext) -> bool:
    for ref in ctx.transition.conditions:
        entry = _entry(ctx.host, "conditions", ref)
        ctx.plugin = entry.plugin
        if not entry.fn(ctx, ref.args):
            return False
    return True


def available_transitions(host: Amsflow, session: Session, user: User | None,
                          issue: Issue) -> list[Transition]:
    """What this user may do with this issue now (what the API and the view offer)."""
    if not perms.allowed(host, session, user, "transition", issue.project_id) or \
            not perms.can_browse(host, session, user, issue):
        return []
    workflow = host.workflow_of(issue)
    status = host.catalog.status_keys[issue.status_id]
    out = []
    for t in workflow.from_status(status):
        if t.automatic or t.system or not usable(host, issue, t):
            continue
        if conditions_pass(_context(host, session, user, issue, workflow, t)):
            out.append(t)
    return out


def transition_issue(host: Amsflow, session: Session, user: User | None, issue: Issue,
                     ref: str | int, inputs: dict[str, Any] | None = None,
                     comment: str | None = None, *, system: bool = False,
                     _depth: int = 0) -> Transition:
    """Move an issue through one transition (plus automatic/chained ones after it).

    ``system`` is for plugins acting on their own (an SMS reply, Quant): it may run
    system-only transitions and skips the caller's permission checks, never the
    conditions of the YAML. Nothing is committed here; on any error the caller
    rolls back, so a failing post-function leaves nothing half-done.
    """
    workflow = host.workflow_of(issue)
    status = host.catalog.status_keys[issue.status_id]
    transition = workflow.find(status, ref)
    if transition is None or not usable(host, issue, transition) or \
            ((transition.system or transition.automatic) and not system):
        found = workflow.statuses.get(status)
        status_name = in_language(found.name, found.name_en) if found else status
        raise InvalidInput(_("Overgangen '%(ref)s' er ikke gyldig for %(key)s i status "
                             "«%(status)s».", ref=ref, key=issue.key, status=status_name))
    if not system:
        perms.require(host, session, user, "transition", issue)
    ctx = _context(host, session, user, issue, workflow, transition,
                   inputs=dict(inputs or {}), comment=comment)
    if not conditions_pass(ctx):
        raise Forbidden(_("Du kan ikke utføre «%(transition)s» på %(key)s nå.",
                          transition=in_language(transition.name, transition.name_en),
                          key=issue.key))
    history = _apply_screen(host, session, ctx, system)
    errors: dict[str, str] = {}
    for vref in transition.validators:
        entry = _entry(host, "validators", vref)
        ctx.plugin = entry.plugin
        try:
            errors.update(entry.fn(ctx, vref.args) or {})
        except ValidationFailed as exc:
            errors.update(exc.errors)
            if exc.messages and not exc.errors:
                raise
    if errors:
        raise ValidationFailed(errors=errors)
    history += _move(host, issue, workflow, transition)
    with collecting(session, issue) as set_by_post_functions:
        for pref in transition.post_functions:
            entry = _entry(host, "post_functions", pref)
            ctx.plugin = entry.plugin
            entry.fn(ctx, pref.args)
    history += set_by_post_functions
    now = host.now()
    if comment and comment.strip():
        add_comment(host, session, user, issue, comment, system=True, flush=False)
    issue.updated = now
    record(session, issue, user, history, now)
    host.db.flush(session)
    host.db.settle(session, ctx.settlers)
    from_status, to_status = status, transition.to
    host.db.after_commit(session, lambda: host.plugins.issue_transitioned(
        host, issue, user, transition, from_status, to_status))
    if _depth < MAX_CHAIN:
        for next_ref, next_comment in ctx.chained:
            transition_issue(host, session, user, issue, next_ref, comment=next_comment,
                             system=True, _depth=_depth + 1)
        _run_automatic(host, session, user, issue, _depth)
    return transition


def _apply_screen(host: Amsflow, session: Session, ctx: WorkflowContext,
                  system: bool) -> list[HistoryItem]:
    """Set the fields the transition's screen allows; resolution is handled here."""
    inputs = dict(ctx.inputs)
    history: list[HistoryItem] = []
    screen = set(ctx.transition.screen)
    if "resolution" in inputs:
        if "resolution" not in screen:
            raise InvalidInput(errors={"resolution": _("Løsningsstatus kan ikke settes i "
                                                       "denne overgangen.")})
        history += set_resolution(host, session, ctx.issue, inputs.pop("resolution"))
    history += apply_fields(host, session, ctx.user, ctx.issue, inputs, system=system,
                            allowed=screen)
    return history


def set_resolution(host: Amsflow, session: Session, issue: Issue,
                   value: Any) -> list[HistoryItem]:
    """Set (or clear with None) the resolution by name or ``{"name": ...}``."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("id")
    old = issue.resolution
    if value in (None, ""):
        new = None
    else:
        new_id = host.catalog.resolution_ids.get(str(value))
        if new_id is None and str(value).isdigit() and \
                int(value) in host.catalog.resolution_ids.values():
            new_id = int(value)
        if new_id is None:
            raise InvalidInput(errors={"resolution": _("Løsningsstatusen '%(name)s' finnes "
                                                       "ikke.", name=value)})
        new = session.get(Resolution, new_id)
    issue.resolution = new
    issue.resolution_id = new.id if new else None
    issue.resolution_date = host.now() if new else None
    return [("resolution", str(old.id) if old else None, old.name if old else None,
             str(new.id) if new else None, new.name if new else None)]


def _move(host: Amsflow, issue: Issue, workflow: Workflow,
          transition: Transition) -> list[HistoryItem]:
    old_key = host.catalog.status_keys[issue.status_id]
    old, new = workflow.statuses[old_key], workflow.statuses[transition.to]
    issue.status_id = host.catalog.status_ids[new.key]
    history: list[HistoryItem] = [("status", str(host.catalog.status_ids[old.key]), old.name,
                                   str(issue.status_id), new.name)]
    if new.category != "done" and issue.resolution_id is not None:
        # A resolution means resolved; leaving the done category clears it.
        history.append(("resolution", str(issue.resolution_id),
                        issue.resolution.name if issue.resolution else None, None, None))
        issue.resolution = None
        issue.resolution_id = None
        issue.resolution_date = None
    return history


def _run_automatic(host: Amsflow, session: Session, user: User | None, issue: Issue,
                   depth: int) -> None:
    workflow = host.workflow_of(issue)
    status = host.catalog.status_keys[issue.status_id]
    for t in workflow.from_status(status):
        if t.automatic and usable(host, issue, t) and conditions_pass(
                _context(host, session, user, issue, workflow, t)):
            transition_issue(host, session, user, issue, t.id, system=True,
                             _depth=depth + 1)
            return
