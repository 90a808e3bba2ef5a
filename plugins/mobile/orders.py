"""What the phone shows: the installer's own orders in the statuses the project lists
on the phone (Klar til utførelse, Under arbeid), with the details it needs offline.

The order set comes from the core's permission rule (``browse_clause``) and the
assignee, so an installer never receives another installer's order. Reading is a
fixed number of queries whatever the number of orders: the orders, their field
values, comments, attachments and history revisions, each one query for all.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, lazyload

from core import permissions as perms
from core.fields import OSLO
from core.i18n import in_language
from core.models import Attachment, ChangeGroup, Comment, Issue, User
from core.services.issues import load_values, values_of

if TYPE_CHECKING:
    from core.host import Amsflow

PLUGIN = "mobile"
# The phone needs neither the assignee (the caller) nor the reporter; field values
# come in one query for all orders (``load_values``).
MINE = (lazyload(Issue.values), lazyload(Issue.reporter), lazyload(Issue.assignee))
OVERLAP = timedelta(seconds=60)  # a transaction in flight when a cursor was cut


def settings(host: Amsflow, project_key: str) -> dict[str, Any]:
    return host.plugins.plugin_settings(project_key, PLUGIN)


def projects(host: Amsflow) -> list[str]:
    return host.plugins.projects_enabling(PLUGIN)


def _status_ids(host: Amsflow) -> dict[int, set[int]]:
    """Per project id: the status ids its phone lists."""
    out = {}
    for key in projects(host):
        out[host.catalog.project_ids[key]] = {host.catalog.status_ids[s]
                                              for s in settings(host, key)["statuses"]}
    return out


def my_orders(host: Amsflow, session: Session, user: User) -> list[Issue]:
    """The installer's orders on the phone, by planned start (then key)."""
    wanted = _status_ids(host)
    if not wanted:
        return []
    all_statuses = set().union(*wanted.values())
    stmt = select(Issue).options(*MINE).where(
        perms.browse_clause(host, session, user), Issue.assignee_id == user.id,
        Issue.project_id.in_(list(wanted)), Issue.status_id.in_(list(all_statuses)))
    found = [i for i in session.scalars(stmt).unique() if i.status_id in wanted[i.project_id]]
    load_values(session, found)
    starts = {i.id: values_of(host, i).get("planned_start") for i in found}
    last = {key: (host.now() + timedelta(days=settings(host, key)["days_ahead"]))
            .astimezone(OSLO).date() for key in projects(host)}
    shown = [i for i in found if starts[i.id] is None
             or starts[i.id].astimezone(OSLO).date() <= last[i.project.key]]
    return sorted(shown, key=lambda i: (starts[i.id] is None,
                                        starts[i.id].timestamp() if starts[i.id] else 0.0,
                                        i.project_id, i.number))


def revisions(session: Session, issue_ids: list[int]) -> dict[int, int]:
    """The newest change group per order: the phone's base for conflict checks."""
    if not issue_ids:
        return {}
    rows = session.execute(select(ChangeGroup.issue_id, func.max(ChangeGroup.id))
                           .where(ChangeGroup.issue_id.in_(issue_ids))
                           .group_by(ChangeGroup.issue_id))
    return {issue_id: rev for issue_id, rev in rows}


def _by_issue(session: Session, model: Any, issue_ids: list[int]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {i: [] for i in issue_ids}
    if issue_ids:
        stmt = select(model).options(joinedload(model.author).lazyload(User.groups)) \
            .where(model.issue_id.in_(issue_ids)).order_by(model.created, model.id)
        for row in session.scalars(stmt):
            out[row.issue_id].append(row)
    return out


def details(host: Amsflow, session: Session, issues: list[Issue]) -> list[dict[str, Any]]:
    """Everything the order's page shows on the phone, for all ``issues`` at once."""
    ids = [i.id for i in issues]
    revs = revisions(session, ids)
    comments = _by_issue(session, Comment, ids)
    files = _by_issue(session, Attachment, ids)
    confs = {key: settings(host, key) for key in projects(host)}
    return [order_json(host, i, revs.get(i.id, 0), comments[i.id], files[i.id],
                       confs[i.project.key]) for i in issues]


def order_json(host: Amsflow, issue: Issue, rev: int, comments: list[Comment],
               files: list[Attachment], conf: dict[str, Any]) -> dict[str, Any]:
    values = values_of(host, issue)
    status = host.catalog.status_keys[issue.status_id]
    found = host.all_statuses()[status]
    workflow = host.workflow_of(issue)
    start = values.get("planned_start")
    position = values.get("position")
    shown = [f for f in host.fields if f.mobile and f.key in values]
    return {
        "key": issue.key, "id": issue.id, "project": issue.project.key, "rev": rev,
        "version": issue.version, "summary": issue.summary, "description": issue.description,
        "status": {"key": status, "name": in_language(found.name, found.name_en),
                   "colour": host.status_colour(status)},
        "resolution": issue.resolution.name if issue.resolution else None,
        "plannedStart": start.isoformat() if start else None,
        "day": start.astimezone(OSLO).date().isoformat() if start else None,
        "time": start.astimezone(OSLO).strftime("%H:%M") if start else None,
        "estimate": values.get("estimate"),
        "important": bool(values.get("important_info")),
        "customer": values.get("customer_name"), "address": values.get("address"),
        "postcode": values.get("postcode"), "postTown": values.get("post_town"),
        "mobile": values.get("mobile"),
        "position": [position[0], position[1]] if position else None,
        "meterNumber": values.get("meter_number"),
        "meteringPointId": values.get("metering_point_id"),
        "fields": [{"key": f.key, "name": f.name, "value": f.display(values[f.key])}
                   for f in shown if f.type != "flag" or values[f.key]],
        "comments": [{"id": c.id, "author": c.author.display_name if c.author else "",
                      "body": c.body, "created": c.created.isoformat()} for c in comments],
        "attachments": [{"id": a.id, "filename": a.filename, "size": a.size,
                         "mimeType": a.mime_type,
                         "url": f"/secure/attachment/{a.id}/{quote(a.filename)}"}
                        for a in files],
        "can": {"start": workflow.find(status, conf["start_transition"]) is not None,
                "resolve": workflow.find(status, conf["resolve_transition"]) is not None},
    }


def project_json(host: Amsflow, key: str) -> dict[str, Any]:
    """What the phone needs to know of a project: the resolutions an installer picks
    (Ok first, then the instance's failure reasons) and the photo settings."""
    conf = settings(host, key)
    hidden = set(conf["hidden_resolutions"]) | {conf["ok_resolution"]}
    reasons = [r["name"] for r in host.config["resolutions"] if r["name"] not in hidden]
    return {"ok": conf["ok_resolution"], "reasons": reasons,
            "requirePhoto": conf["require_photo"], "photoMaxPx": conf["photo_max_px"]}


def cursor_of(now: datetime) -> str:
    """Opaque to the phone; UTC with ``Z``, so it needs no escaping in a URL."""
    return (now - OVERLAP).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_cursor(text: str | None) -> datetime | None:
    if not text:
        return None
    found = datetime.fromisoformat(text)
    return found if found.tzinfo else found.replace(tzinfo=OSLO)


def visible(host: Amsflow, session: Session, user: User, keys: set[str]) -> list[Issue]:
    """Those of ``keys`` the user may see (any status): what a batch touched."""
    if not keys:
        return []
    found = list(session.scalars(select(Issue).options(*MINE).where(
        perms.browse_clause(host, session, user), Issue.key.in_(sorted(keys)),
        Issue.project_id.in_([host.catalog.project_ids[k] for k in projects(host)]))).unique())
    load_values(session, found)
    return found
