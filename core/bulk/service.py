"""Submitting, previewing, reading and cancelling bulk-change tasks."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, lazyload

from .. import permissions as perms
from ..i18n import _, in_language
from ..models import Issue, Project, User
from ..services.errors import Forbidden, InvalidInput, NotFound
from ..services.ids import as_id, is_id
from ..workflow.engine import usable
from .models import BulkItem, BulkTask
from .operations import check_params
from .runner import enqueue_runners

if TYPE_CHECKING:
    from ..host import Amsflow


# Choosing and previewing needs no field values; the runner reads them per chunk.
_LIGHT = lazyload(Issue.values)


@dataclass
class Preview:
    """What the confirmation page shows before anything changes."""

    total: int
    ready: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # id, key, why


def select_issues(host: Amsflow, session: Session, user: User, *, jql: str | None = None,
                  keys: list[str] | None = None) -> list[Issue]:
    """The orders a selection names, limited to what the user may browse and
    to the configured bulk limit (a clear error beyond it)."""
    limit = host.config["jobs"]["bulk_limit"]
    if keys:
        wanted = [str(k).strip().upper() for k in keys if str(k).strip()]
        numeric = [as_id(k) for k in wanted if is_id(k)]
        stmt = select(Issue).where((Issue.key.in_(wanted)) | (Issue.id.in_(numeric)))
        stmt = stmt.where(perms.browse_clause(host, session, user)).order_by(Issue.id)
        stmt = stmt.options(_LIGHT)
        found = list(session.scalars(stmt).unique())
        unknown = set(wanted) - {i.key for i in found} - {str(i.id) for i in found}
        if unknown:
            raise InvalidInput(errors={"issues": _("Finnes ikke eller ingen tilgang: %(keys)s",
                                                   keys=", ".join(sorted(unknown)[:20]))})
    elif jql is not None:
        from ..jql.compiler import compile_query
        from ..jql.errors import JqlError
        from ..jql.parser import parse

        try:
            stmt = compile_query(host, parse(jql), user, session)
        except JqlError as exc:
            raise InvalidInput(str(exc)) from exc
        found = list(session.scalars(stmt.options(_LIGHT).limit(limit + 1)).unique())
    else:
        raise InvalidInput(errors={"issues": _("Velg saker, eller oppgi et JQL-søk.")})
    if not found:
        raise InvalidInput(errors={"issues": _("Utvalget er tomt.")})
    if len(found) > limit:
        raise InvalidInput(errors={"issues": _("Utvalget har mer enn %(limit)s saker. "
                                               "Avgrens søket.", limit=limit)})
    return found


def preview(host: Amsflow, session: Session, user: User, issues: list[Issue],
            operation: str, params: dict[str, Any]) -> Preview:
    """Which orders can take the operation; the rest are listed with the reason."""
    check_params(operation, params)
    out = Preview(total=len(issues))
    allowed_projects: dict[int, bool] = {}
    for issue in issues:
        pid = issue.project_id
        if pid not in allowed_projects:
            allowed_projects[pid] = perms.allowed(host, session, user, "bulk_change", pid)
        if not allowed_projects[pid]:
            out.skipped.append((issue.id, issue.key, _("Mangler tillatelse til "
                                                       "masseoppdatering i prosjektet.")))
            continue
        if operation == "transition":
            why = _cannot_transition(host, issue, params["transition"])
            if why:
                out.skipped.append((issue.id, issue.key, why))
                continue
        out.ready.append((issue.id, issue.key))
    return out


def _cannot_transition(host: Amsflow, issue: Issue, ref: str) -> str | None:
    workflow = host.workflow_of(issue)
    status = host.catalog.status_keys[issue.status_id]
    transition = workflow.find(status, ref)
    if transition is None or transition.system or transition.automatic:
        found = workflow.statuses[status]
        return _("Overgangen finnes ikke fra status «%(status)s».",
                 status=in_language(found.name, found.name_en))
    if not usable(host, issue, transition):
        return _("Overgangen er ikke slått på i prosjektet.")
    return None


def submit(host: Amsflow, session: Session, user: User, issues: list[Issue], operation: str,
           params: dict[str, Any], notify: bool = True) -> BulkTask:
    """Record the task with its items (skipped ones reported, never dropped) and
    queue it. Returns at once; a worker (or a thread) does the work."""
    if operation == "delete" and not perms.is_admin(host, user):
        raise Forbidden(_("Bare administratorer kan slette saker i bulk."))
    plan = preview(host, session, user, issues, operation, params)
    if not plan.ready:
        raise InvalidInput(_("Ingen av de valgte sakene kan ta denne endringen."),
                           errors={"issues": "; ".join(f"{k}: {w}" for _, k, w in
                                                       plan.skipped[:10])})
    task = BulkTask(id=uuid.uuid4().hex, owner_id=user.id, operation=operation,
                    params_json=json.dumps(params, default=str), notify=notify,
                    total=plan.total, skipped=len(plan.skipped))
    session.add(task)
    session.flush()
    rows = [{"task_id": task.id, "issue_id": iid, "key": key, "seq": n, "state": "pending",
             "message": ""} for n, (iid, key) in enumerate(plan.ready)]
    rows += [{"task_id": task.id, "issue_id": iid, "key": key, "seq": len(plan.ready) + n,
              "state": "skipped", "message": why}
             for n, (iid, key, why) in enumerate(plan.skipped)]
    session.execute(BulkItem.__table__.insert(), rows)
    host.db.after_commit(session, lambda: enqueue_runners(host, task.id))
    return task


def get_task(host: Amsflow, session: Session, user: User, task_id: str) -> BulkTask:
    task = session.get(BulkTask, task_id)
    if task is None or (task.owner_id != user.id and not perms.is_admin(host, user)):
        raise NotFound(_("Oppgaven finnes ikke."))
    return task


def cancel(host: Amsflow, session: Session, user: User, task_id: str) -> BulkTask:
    task = get_task(host, session, user, task_id)
    if task.status in ("ENQUEUED", "RUNNING"):
        task.cancel_requested = True
        task.status = "CANCEL_REQUESTED"
    return task


def failures(session: Session, task: BulkTask, limit: int = 1000) -> list[BulkItem]:
    return list(session.scalars(select(BulkItem).where(
        BulkItem.task_id == task.id, BulkItem.state.in_(("failed", "skipped")))
        .order_by(BulkItem.seq).limit(limit)))


def counts(session: Session, task: BulkTask) -> dict[str, int]:
    rows = session.execute(select(BulkItem.state, func.count()).where(
        BulkItem.task_id == task.id).group_by(BulkItem.state)).all()
    return {state: n for state, n in rows}


def projects_of(session: Session, issues: list[Issue]) -> list[str]:
    ids = {i.project_id for i in issues}
    return sorted(session.scalars(select(Project.key).where(Project.id.in_(ids))))
