"""Placing an order on an installer and a time: the rules a drop is checked against,
then the core's ``edit_issue`` (permission, the version check, history, hooks), so a
drop on the calendar is the same edit as ``PUT /rest/api/2/issue/KEY``.

A drop is refused, with the reason in the caller's language, when the caller may not
edit and assign the order (403), the order changed since the calendar loaded it
(409), its status cannot be planned, the assignee is no installer, the time is
outside their working hours or in an absence, or (``overlap: refuse``) it overlaps
another of their orders; with ``overlap: warn`` it is placed and the warning returned.
``undo`` puts an order back where a drop found it: only permission, the version and
the status are checked then, since it restores what was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from core import permissions as perms
from core.fields import OSLO
from core.i18n import _, in_language
from core.models import FieldValue, Issue, User
from core.services.errors import Conflict, InvalidInput
from core.services.issues import edit_issue, get_issue, get_value

from . import availability as av
from .settings import estimate_for, project

if TYPE_CHECKING:
    from core.host import Amsflow

PLANNED, ESTIMATE = "planned_start", "estimate"
LONGEST = timedelta(hours=24)  # longest visit the overlap and range queries look back for
NO_PERMISSION, CHANGED, NOT_PLANNABLE, NOT_INSTALLER, OVERLAP, NOT_ENABLED = (
    "permission", "changed", "status", "not_installer", "overlap", "not_enabled")


class Refused(InvalidInput):
    """A drop the rules refuse; ``reason`` is one of the codes above or of
    ``availability`` (``outside_hours``, ``absent``, ``day_off``)."""

    def __init__(self, reason: str, message: str, field_id: str) -> None:
        super().__init__(message, errors={field_id: message})
        self.reason = reason


@dataclass
class Scheduled:
    """What a drop did: the order (its new version), warnings, and the values before,
    which undo sends back."""

    issue: Issue
    warnings: list[str] = field(default_factory=list)
    previous: dict[str, Any] = field(default_factory=dict)
    changed: bool = True


@dataclass(frozen=True)
class Booked:
    """An order holding time on an installer's calendar."""

    id: int
    key: str
    installer_id: int
    start: datetime
    end: datetime


def booked(host: Amsflow, session: Session, installer_ids: list[int], start: datetime,
           end: datetime) -> list[Booked]:
    """Orders of those installers whose planned visit overlaps ``[start, end)``
    (an order without *Estimat* holds the default estimate of its type)."""
    if not installer_ids:
        return []
    planned, estimate = host.fields[PLANNED], host.fields[ESTIMATE]
    pv, ev = aliased(FieldValue), aliased(FieldValue)
    rows = session.execute(
        select(Issue.id, Issue.key, Issue.assignee_id, Issue.project_id, Issue.issue_type_id,
               pv.value_date, ev.value_num)
        .join(pv, and_(pv.issue_id == Issue.id, pv.field_id == planned.id))
        .outerjoin(ev, and_(ev.issue_id == Issue.id, ev.field_id == estimate.id))
        .where(Issue.assignee_id.in_(installer_ids), pv.value_date >= start - LONGEST,
               pv.value_date < end)).all()
    out = []
    for iid, key, uid, pid, tid, when, secs in rows:
        stop = when + timedelta(seconds=secs or default_estimate(host, pid, tid))
        if stop > start:
            out.append(Booked(iid, key, uid, when, stop))
    return sorted(out, key=lambda b: b.start)


def default_estimate(host: Amsflow, project_id: int, issue_type_id: int) -> int:
    cache = host.__dict__.setdefault("_bookit_estimates", {})
    got = cache.get((project_id, issue_type_id))
    if got is None:
        keys = {v: k for k, v in host.catalog.project_ids.items()}
        types = {v: k for k, v in host.catalog.issue_type_ids.items()}
        got = cache[(project_id, issue_type_id)] = estimate_for(
            host, keys[project_id], types.get(issue_type_id, ""))
    return got


def _message(reason: str, **kw: Any) -> str:
    return {
        av.OUTSIDE_HOURS: _("%(name)s arbeider ikke på dette tidspunktet (utenfor "
                            "arbeidstiden).", **kw),
        av.DAY_OFF: _("%(name)s har fri denne dagen.", **kw),
        av.ABSENT: _("%(name)s er fraværende på dette tidspunktet.", **kw),
    }[reason]


def schedule(host: Amsflow, session: Session, user: User | None, key: str, *,
             assignee: str | None, start: datetime | None, estimate: int | None = None,
             expected_version: int | None = None, undo: bool = False,
             among: frozenset[str] = frozenset()) -> Scheduled:
    """Place order ``key`` on ``assignee`` (a username) from ``start`` for ``estimate``
    seconds (its own, else the type's default). ``start=None`` takes it off the
    calendar. ``among``: keys placed together with this one (a day's new order), whose
    old times are no overlap. Raises ``Refused``, ``Forbidden``, ``NotFound`` or
    ``Conflict``."""
    issue = get_issue(host, session, user, key)
    for permission in ("edit", "assign"):
        perms.require(host, session, user, permission, issue)
    if expected_version is not None and expected_version != issue.version:
        raise Conflict(_("%(key)s er endret av noen andre siden kalenderen ble lastet. "
                         "Last inn på nytt og prøv igjen.", key=issue.key))
    conf = project(host, issue.project.key)
    if not conf:
        raise Refused(NOT_ENABLED, _("Prosjektet %(project)s bruker ikke kalenderen.",
                                     project=issue.project.key), "project")
    status = host.catalog.status_keys[issue.status_id]
    if not undo and status not in conf["plannable_statuses"]:
        st = host.all_statuses()[status]
        name = in_language(st.name, st.name_en)
        raise Refused(NOT_PLANNABLE, _("%(key)s har status «%(status)s» og kan ikke "
                                       "planlegges.", key=issue.key, status=name), "status")
    previous = {"assignee": issue.assignee.username if issue.assignee else None,
                "start": get_value(host, issue, PLANNED),
                "estimate": get_value(host, issue, ESTIMATE)}
    if estimate is None:
        estimate = previous["estimate"] or default_estimate(host, issue.project_id,
                                                            issue.issue_type_id)
    if estimate <= 0 or estimate > LONGEST.total_seconds():
        raise Refused("estimate", _("Estimatet må være mellom ett minutt og 24 timer."),
                      host.fields[ESTIMATE].id)
    warnings: list[str] = []
    if start is not None:
        start = start if start.tzinfo else start.replace(tzinfo=OSLO)
    if start is not None and assignee and not undo:
        warnings = _check_slot(host, session, issue, assignee, start,
                               start + timedelta(seconds=estimate), conf["overlap"], among)
    changes = {"assignee": assignee or None, PLANNED: start,
               ESTIMATE: estimate if start is not None else previous["estimate"]}
    history = edit_issue(host, session, user, issue, changes,
                         expected_version=expected_version)
    return Scheduled(issue, warnings, previous, bool(history))


def _check_slot(host: Amsflow, session: Session, issue: Issue, assignee: str,
                start: datetime, end: datetime, overlap: str,
                among: frozenset[str] = frozenset()) -> list[str]:
    person = next(iter(av.installers(host, session, usernames=[assignee])), None)
    if person is None or issue.project.key not in person.projects:
        raise Refused(NOT_INSTALLER, _("«%(name)s» er ikke montør i %(project)s.",
                                       name=assignee, project=issue.project.key), "assignee")
    reason = av.why_not(host, session, person, start, end)
    if reason is not None:
        raise Refused(reason, _message(reason, name=person.name), host.fields[PLANNED].id)
    others = [b for b in booked(host, session, [person.id], start, end) if b.id != issue.id
              and b.start < end and b.key not in among]
    if not others:
        return []
    keys = ", ".join(b.key for b in others)
    if overlap == "refuse":
        raise Refused(OVERLAP, _("Tiden overlapper %(keys)s hos %(name)s.", keys=keys,
                                 name=person.name), host.fields[PLANNED].id)
    return [_("Overlapper %(keys)s hos %(name)s.", keys=keys, name=person.name)]
