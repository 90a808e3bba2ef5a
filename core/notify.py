"""E-mail to watchers when an order changes (an essential plugin of the core).

A change made with notifications off (bulk change's choice) marks its session
``amsflow_silent``; nothing is sent for it. The actor is never mailed about
their own change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, event, exists, select
from sqlalchemy.orm import Session, object_session

from .hookspecs import hookimpl
from .mail import send_mail
from .models import Issue, User, Watcher

TOUCHED = "amsflow_touched_issues"
WATCHED = "amsflow_watched_issues"
KNOWN = "amsflow_known_watched"


def watched_column(issue_id: Any) -> ColumnElement[bool]:
    """Has the order (``issue_id``, a column of the outer query) any watcher? Loading
    an order with this column saves the commit's watcher probe (``remember_watched``)."""
    return exists().where(Watcher.issue_id == issue_id)


def remember_watched(session: Session, issue_id: int, watched: bool) -> None:
    """Note, for this transaction, whether an order read with ``watched_column`` has
    watchers (a watcher added in the transaction later makes it unknown again)."""
    session.info.setdefault(KNOWN, {})[issue_id] = bool(watched)


def touched(session: Session, issue_ids: list[int]) -> None:
    """Orders changed in this transaction without the ORM's flush (a bulk chunk's one
    UPDATE): their watchers hear of it as of any change."""
    session.info.setdefault(TOUCHED, set()).update(issue_ids)


def _after_flush(session: Session, _ctx: Any) -> None:
    ids = session.info.setdefault(TOUCHED, set())
    ids.update(obj.id for obj in (*session.new, *session.dirty)
               if isinstance(obj, Issue) and obj.id is not None)
    known = session.info.get(KNOWN)
    if known:
        for obj in session.new:
            if isinstance(obj, Watcher):
                known.pop(obj.issue_id, None)


def _before_commit(session: Session) -> None:
    """Which changed orders have watchers, asked inside the transaction that
    changed them: one query per commit instead of a new transaction per event, and
    none when every changed order was loaded with ``watched_column``."""
    session.flush()
    ids = session.info.pop(TOUCHED, None)
    if ids:
        known = session.info.get(KNOWN, {})
        watched = {i for i in ids if known.get(i)}
        unknown = [i for i in ids if i not in known]
        if unknown:
            watched.update(session.scalars(select(Watcher.issue_id).where(
                Watcher.issue_id.in_(unknown)).distinct()))
        session.info[WATCHED] = (ids, watched)


def _after_begin(session: Session, _transaction: Any, _connection: Any) -> None:
    session.info.pop(WATCHED, None)
    session.info.pop(KNOWN, None)


@hookimpl
def startup(host: Any) -> None:
    factory = host.db.session_factory
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_begin", _after_begin)


def _queue(host: Any, issue: Any, user: Any, what: str) -> None:
    session = object_session(issue)
    if session is not None and session.info.get("amsflow_silent"):
        return
    known = session.info.get(WATCHED) if session is not None else None
    if known is not None and issue.id in known[0]:
        if issue.id in known[1]:  # the job leaves the actor out of the recipients
            host.jobs.enqueue("core.notify_watchers", issue_id=issue.id, what=what,
                              actor_id=user.id if user else None)
        return
    # Most orders have no watchers: one cheap probe on the caller's own session
    # (no second connection), and no job at all then.
    probe = select(Watcher.user_id).where(Watcher.issue_id == issue.id,
                                          Watcher.user_id != (user.id if user else 0)).limit(1)
    if session is not None:
        found = session.scalar(probe)
    else:
        with host.db.new_session() as s:
            found = s.scalar(probe)
    if found is None:
        return
    host.jobs.enqueue("core.notify_watchers", issue_id=issue.id, what=what,
                      actor_id=user.id if user else None)


@hookimpl
def issue_transitioned(host: Any, issue: Any, user: Any, transition: Any) -> None:
    _queue(host, issue, user, f"Status: {transition.name}")


@hookimpl
def issue_updated(host: Any, issue: Any, user: Any, changes: dict[str, Any]) -> None:
    _queue(host, issue, user, "Endret: " + ", ".join(sorted(changes)))


@hookimpl
def issue_commented(host: Any, issue: Any, user: Any, comment: Any) -> None:
    _queue(host, issue, user, f"Ny kommentar: {comment.body[:500]}")


@hookimpl
def register_jobs(registry: Any) -> None:
    @registry.job("core.notify_watchers")
    def notify_watchers(host: Any, issue_id: int, what: str, actor_id: int | None) -> int:
        with host.db.new_session() as s:
            issue = s.get(Issue, issue_id)
            if issue is None:
                return 0
            to = [u.email for u in s.scalars(select(User).join(
                Watcher, Watcher.user_id == User.id).where(
                Watcher.issue_id == issue_id, User.id != (actor_id or 0), User.email != ""))]
            if not to:
                return 0
            send_mail(host, to, f"[{issue.key}] {issue.summary}",
                      f"{issue.key}: {issue.summary}\n\n{what}\n")
            return len(to)
