"""Auto-planning proposals: a selection of orders over installer days, solved as a
job with progress, kept as a proposal until a planner accepts all of it or some
installer-days, then applied as one bulk edit (assignee, planned start, estimate per
order) with progress and history.

Visits already on the installers' days (proposed or confirmed) stay where they are:
each is a job with its own time as window that only its installer may take (a skill
no one else has), so the plan works around them and never moves them.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy.orm import Session

from core import permissions as perms
from core.bulk import service as bulk
from core.i18n import _
from core.models import Issue, User
from core.services.errors import Conflict, InvalidInput, NotFound
from core.services.issues import get_value

from .. import solver
from . import inputs
from .models import PlanProposal

if TYPE_CHECKING:
    from core.bulk.models import BulkTask
    from core.host import Amsflow

JOB = "bookit.autoplan"
EPOCH_PAD = timedelta(days=1)


@dataclass(frozen=True)
class Request:
    project: str
    jql: str | None
    keys: list[str] | None
    installers: list[str]
    first_day: date
    last_day: date
    seconds: float

    def to_json(self) -> str:
        return json.dumps({**self.__dict__, "first_day": self.first_day.isoformat(),
                           "last_day": self.last_day.isoformat()})

    @classmethod
    def from_json(cls, raw: str) -> Request:
        data = json.loads(raw)
        data["first_day"] = date.fromisoformat(data["first_day"])
        data["last_day"] = date.fromisoformat(data["last_day"])
        return cls(**data)


def start(host: Amsflow, session: Session, user: User, request: Request) -> PlanProposal:
    """Check the request, record the proposal and queue its solve (after commit)."""
    if request.last_day < request.first_day:
        raise InvalidInput(errors={"lastDay": _("Siste dag er før første dag.")})
    if (request.last_day - request.first_day).days > 13:
        raise InvalidInput(errors={"lastDay": _("Høyst 14 dager om gangen.")})
    if not 1 <= request.seconds <= 600:
        raise InvalidInput(errors={"seconds": _("Løsetiden må være mellom 1 og 600 sekunder.")})
    project = inputs.project_row(session, request.project)
    perms.require(host, session, user, "bulk_change", project_id=project.id)
    installers = inputs.installers(host, session, request.project, request.installers)
    orders = bulk.select_issues(host, session, user, jql=request.jql, keys=request.keys)
    if not installers:
        raise InvalidInput(errors={"installers": _("Velg minst én montør.")})
    proposal = PlanProposal(id=uuid.uuid4().hex, owner_id=user.id,
                            project_key=request.project, request_json=request.to_json(),
                            created=host.now())
    session.add(proposal)
    session.flush()
    del orders  # checked now; the job selects them again as they are then
    pid = proposal.id
    host.db.after_commit(session, lambda: host.jobs.enqueue(JOB, proposal_id=pid,
                                                            background=True))
    return proposal


def run(host: Amsflow, proposal_id: str) -> None:
    """The job: solve, reporting progress; stop early when cancelled."""
    with host.db.new_session() as session:
        proposal = session.get(PlanProposal, proposal_id)
        if proposal is None or proposal.status != "queued":
            return
        proposal.status = "solving"
        session.commit()
        try:
            result = _solve(host, session, proposal)
        except Exception as exc:  # shown on the proposal; the job log has the trace
            session.rollback()
            proposal = session.get(PlanProposal, proposal_id)
            proposal.status, proposal.error = "failed", str(exc)[:2000]
            session.commit()
            raise
        proposal = session.get(PlanProposal, proposal_id, populate_existing=True)
        proposal.result_json = json.dumps(result)
        proposal.progress = 100
        proposal.status = "cancelled" if proposal.cancel_requested else "ready"
        session.commit()


def _solve(host: Amsflow, session: Session, proposal: PlanProposal) -> dict[str, Any]:
    request = Request.from_json(proposal.request_json)
    owner = session.get(User, proposal.owner_id)
    orders = [o for o in bulk.select_issues(host, session, owner, jql=request.jql,
                                            keys=request.keys)]
    installers = inputs.installers(host, session, request.project, request.installers)
    days = inputs.installer_days(host, session, request.project, installers,
                                 request.first_day, request.last_day)
    problem, meta = build_problem(host, session, request.project, orders, days)

    def progress(share: float) -> None:
        with host.db.new_session() as s:
            row = s.get(PlanProposal, proposal.id)
            row.progress = int(share * 95)
            cancel = row.cancel_requested
            s.commit()
        flags["cancel"] = cancel

    flags = {"cancel": False}
    plan = solver.solve(problem, time_limit=request.seconds, progress=progress,
                        should_stop=lambda: flags["cancel"])
    return describe(plan, meta)


def build_problem(host: Amsflow, session: Session, project: str, orders: list[Issue],
                  days: list[inputs.InstallerDay]) -> tuple[solver.Problem, dict[str, Any]]:
    """Our routing problem for ``orders`` over installer ``days``; ``meta`` maps it back
    (job and shift ids to orders and installer-days, times to datetimes)."""
    if not days:
        raise InvalidInput(errors={"installers": _("Montørene har ingen arbeidsdager i "
                                                   "perioden.")})
    epoch = datetime.combine(min(d.day for d in days), datetime.min.time(),
                             tzinfo=days[0].start.tzinfo) - EPOCH_PAD

    def t(moment: datetime) -> int:
        return int((moment - epoch).total_seconds())

    settings = inputs.settings(host, project)
    points: list[tuple[float, float]] = []
    shifts, jobs = [], []
    issue_of: dict[Any, dict[str, Any]] = {}
    for day in days:
        points.append(day.home)
        home = len(points) - 1
        own = frozenset({f"@{day.user_id}"})
        breaks = (solver.Break(t(day.break_earliest), t(day.break_latest),
                               int(day.break_minutes * 60)),) if day.break_minutes else ()
        shifts.append(solver.Shift(id=f"{day.user_id}:{day.day.isoformat()}",
                                   start_location=home, end_location=home,
                                   start=t(day.start), end=t(day.end),
                                   skills=day.skills | own, breaks=breaks))
        for held in day.held:
            points.append(held.place)
            jobs.append(solver.Job(id=f"held:{held.issue_id}", location=len(points) - 1,
                                   service=int((held.end - held.start).total_seconds()),
                                   window=(t(held.start), t(held.start)), skills=own,
                                   booked=True))
            issue_of[jobs[-1].id] = {"issueId": held.issue_id, "key": held.key,
                                     "existing": True, "place": list(held.place)}
    skipped: dict[str, str] = {}
    day_starts = sorted({d.day for d in days})
    project_id = host.catalog.project_ids[project]
    for issue in orders:
        why = "project" if issue.project_id != project_id else \
            inputs.unplannable(host, issue, settings)
        if why:
            skipped[issue.key] = why
            continue
        position = get_value(host, issue, "position")
        points.append(tuple(position))
        window = None
        hold = get_value(host, issue, "on_hold_until")
        if hold is not None:
            back = hold.date() if isinstance(hold, datetime) else hold
            if back > day_starts[-1]:
                skipped[issue.key] = "on_hold"
                continue
            window = (t(datetime.combine(back, datetime.min.time(),
                                         tzinfo=epoch.tzinfo)), t(days[-1].end))
        jobs.append(solver.Job(id=issue.id, location=len(points) - 1,
                               service=inputs.service_seconds(host, issue, settings),
                               window=window, skills=inputs.required_skills(host, issue,
                                                                             settings)))
        issue_of[issue.id] = {"issueId": issue.id, "key": issue.key, "existing": False,
                              "place": list(position)}
    seconds, metres = inputs.travel_matrix(host, project, points)
    problem = solver.Problem(durations=seconds, distances=metres, shifts=shifts, jobs=jobs)
    meta = {"epoch": epoch.isoformat(), "issues": issue_of, "skipped": skipped,
            "days": {s.id: {"userId": d.user_id, "username": d.username,
                            "name": d.display_name, "day": d.day.isoformat(),
                            "home": list(d.home)}
                     for s, d in zip(shifts, days, strict=True)}}
    return problem, meta


def describe(plan: solver.Plan, meta: dict[str, Any]) -> dict[str, Any]:
    """The proposal as JSON: per installer-day its visits (new and existing), driving,
    and the orders left out with why."""
    epoch = datetime.fromisoformat(meta["epoch"])

    def when(seconds: int) -> str:
        return (epoch + timedelta(seconds=int(seconds))).isoformat()

    routes = []
    for route in plan.routes:
        day = meta["days"][route.shift_id]
        visits = [{**meta["issues"][v.job_id], "arrival": when(v.arrival),
                   "start": when(v.start), "end": when(v.end)} for v in route.visits]
        routes.append({"shift": route.shift_id, **day, "visits": visits,
                       "distanceKm": round(route.distance / 1000, 1),
                       "drivingMinutes": round(route.driving / 60),
                       "breakStart": when(route.break_start)
                       if route.break_start is not None else None,
                       "newVisits": sum(1 for v in visits if not v["existing"])})
    left = [{"key": meta["issues"][j]["key"], "reason": why}
            for j, why in plan.left_out.items() if not meta["issues"][j]["existing"]]
    left += [{"key": key, "reason": why} for key, why in meta["skipped"].items()]
    moved_existing = [meta["issues"][j]["key"] for j in plan.left_out
                      if meta["issues"][j]["existing"]]
    return {"routes": routes, "leftOut": left, "existingNotKept": moved_existing,
            "placed": sum(r["newVisits"] for r in routes),
            "distanceKm": round(plan.distance / 1000, 1),
            "drivingMinutes": round(plan.driving / 60),
            "solveSeconds": round(plan.solve_seconds, 1)}


def get(host: Amsflow, session: Session, user: User, proposal_id: str) -> PlanProposal:
    proposal = session.get(PlanProposal, proposal_id)
    if proposal is None or (proposal.owner_id != user.id and not perms.is_admin(host, user)):
        raise NotFound(_("Forslaget finnes ikke."))
    return proposal


def cancel(host: Amsflow, session: Session, user: User, proposal_id: str) -> PlanProposal:
    proposal = get(host, session, user, proposal_id)
    if proposal.status in ("queued", "solving"):
        proposal.cancel_requested = True
        if proposal.status == "queued":
            proposal.status = "cancelled"
    return proposal


def apply(host: Amsflow, session: Session, user: User, proposal_id: str,
          shifts: list[str] | None = None) -> BulkTask:
    """Apply all of a ready proposal, or the installer-days ``shifts`` names, as one
    bulk edit; each order gets its installer, planned start and estimate."""
    proposal = get(host, session, user, proposal_id)
    if proposal.status != "ready":
        raise Conflict(_("Forslaget kan ikke tas i bruk nå (status %(status)s).",
                         status=proposal.status))
    result = json.loads(proposal.result_json)
    chosen = [r for r in result["routes"] if shifts is None or r["shift"] in shifts]
    unknown = set(shifts or ()) - {r["shift"] for r in result["routes"]}
    if unknown:
        raise InvalidInput(errors={"shifts": _("Ukjente montørdager: %(days)s",
                                               days=", ".join(sorted(unknown)))})
    each = {str(v["issueId"]): {"assignee": r["username"], "planned_start": v["start"],
                                "estimate": _seconds(v["start"], v["end"])}
            for r in chosen for v in r["visits"] if not v["existing"]}
    if not each:
        raise InvalidInput(errors={"shifts": _("Ingen nye besøk å ta i bruk.")})
    issues = bulk.select_issues(host, session, user, keys=[int(i) for i in each])
    task = bulk.submit(host, session, user, issues, "edit", {"fields": {}, "each": each})
    proposal.bulk_task_id = task.id
    if shifts is None or set(shifts) >= {r["shift"] for r in result["routes"]}:
        proposal.status = "applied"
    return task


def _seconds(start: str, end: str) -> int:
    return int((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds())


__all__ = ["JOB", "Request", "apply", "build_problem", "cancel", "describe", "get", "np",
           "run", "start"]
